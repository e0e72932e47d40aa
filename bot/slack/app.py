"""The Slack adapter: a slack-bolt (sync) ``App`` over the command layer.

``/tikpulse`` and ``/tp`` slash commands, ``@TikPulse`` mentions, replies in a digest's thread
and direct messages all become a ``Request`` for ``dispatch``. Listeners only acknowledge (Slack's
3-second rule) and hand the question, cut to ``MAX_QUESTION_CHARS``, to a small pool of answer
threads, so acks never wait behind parsing or answers; the answer follows through the
``response_url``. Questions that draw charts (``SLOW_COMMANDS``), and any question while every
answer thread is busy, go to an RQ job that answers when done, so a busy web process still acks
every command at once.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rq import Queue
from slack_bolt import App
from slack_sdk import WebClient

from bot.commands import BotContext, Request, dispatch, parse
from bot.commands.middleware import asks_the_bot, is_bound
from bot.commands.threads import is_digest_thread
from bot.slack.deliver import post_reply

log = logging.getLogger("tikpulse.bot.slack")

#: Commands answered by an RQ job rather than in the web process (they render charts).
SLOW_COMMANDS = frozenset({"why"})
#: The RQ job that answers a slow Slack question.
ANSWER_JOB = "bot.slack.background.answer_later"
#: Slash commands the app answers.
SLASH_COMMANDS = ("/tikpulse", "/tp")
#: Questions answered at the same time inside the web process; more go to RQ (or wait).
ANSWER_THREADS = 4


class Answerer:
    """Answers questions off the listener threads: locally while a thread is free, else RQ.

    Nothing is parsed on the caller's thread: a local answer thread decides (bound channel
    first, then the parse) whether the question is a chart for RQ, or chatter to leave alone.
    """

    def __init__(self, ctx: BotContext, client: WebClient, threads: int = ANSWER_THREADS) -> None:
        self.ctx, self.client = ctx, client
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="tikpulse-answer")
        self._free = threading.Semaphore(threads)

    def submit(self, request: Request, *, response_url: str | None = None,
               reply_in: str | None = None, only_commands: bool = False) -> None:
        """Answer ``request`` soon; never blocks the caller.

        ``only_commands``: answer only if the text reads as a command (thread chatter).
        """
        local = self._free.acquire(blocking=False)
        if self.ctx.redis is not None and not local:
            self._enqueue(request, response_url, reply_in, only_commands)
            return
        # answered here: a thread is free, or there is no queue (the backlog absorbs bursts)
        self._pool.submit(self._answer, request, response_url, reply_in, local, only_commands)

    def _enqueue(self, request: Request, response_url: str | None, reply_in: str | None,
                 only_commands: bool) -> None:
        payload = {"request": request.__dict__, "response_url": response_url,
                   "reply_in": reply_in, "only_commands": only_commands}
        Queue(self.ctx.queue_name, connection=self.ctx.redis).enqueue(ANSWER_JOB, payload)

    def _answer(self, request: Request, response_url: str | None, reply_in: str | None,
                holds_slot: bool, only_commands: bool) -> None:
        try:
            if only_commands and not asks_the_bot(request, self.ctx):
                return  # thread chatter that asks the bot nothing
            slow = self.ctx.redis is not None and is_bound(request, self.ctx) and (
                parse(request.text).command in SLOW_COMMANDS)
            if slow:
                self._enqueue(request, response_url, reply_in, False)
                return
            reply = dispatch(request, self.ctx)
            post_reply(self.client, request.channel_id, reply, thread_ts=reply_in,
                       response_url=response_url)
        except Exception:
            log.exception("could not deliver the answer to %r", request.text)
        finally:
            if holds_slot:
                self._free.release()


def build_app(ctx: BotContext, client: WebClient, *, signing_secret: str | None,
              socket_mode: bool = False) -> App:
    """The bolt app; HTTP mode verifies request signatures with ``signing_secret``."""
    app = App(client=client, signing_secret=signing_secret or "",
              request_verification_enabled=not socket_mode, token_verification_enabled=False,
              process_before_response=False, raise_error_for_unhandled_request=False)
    answerer = Answerer(ctx, client)
    for name in SLASH_COMMANDS:
        app.command(name)(_on_command(answerer))
    app.event("app_mention")(_on_mention(answerer))
    app.event("message")(_on_message(ctx, answerer))
    return app


def request_of(channel: str, user: str, text: str, *, channel_type: str | None = None,
               thread_ts: str | None = None) -> Request:
    """The platform-free request of a Slack question (its text bounded before anything else)."""
    is_direct = channel.startswith("D") or channel_type in ("im", "directmessage")
    return Request("slack", channel, user, text, is_direct=is_direct,
                   thread_id=thread_ts).bounded()


def _on_command(answerer: Answerer):  # type: ignore[no-untyped-def]
    def on_command(ack: Any, command: dict[str, Any]) -> None:
        ack()
        request = request_of(command["channel_id"], command["user_id"], command.get("text", ""),
                             channel_type=command.get("channel_name"))
        answerer.submit(request, response_url=command.get("response_url"))

    return on_command


def _on_mention(answerer: Answerer):  # type: ignore[no-untyped-def]
    def on_mention(event: dict[str, Any]) -> None:
        thread = event.get("thread_ts")
        request = request_of(event["channel"], event.get("user", ""), event.get("text", ""),
                             thread_ts=thread)
        answerer.submit(request, reply_in=thread or event["ts"])

    return on_mention


def _on_message(ctx: BotContext, answerer: Answerer):  # type: ignore[no-untyped-def]
    def on_message(event: dict[str, Any]) -> None:
        if event.get("bot_id") or event.get("subtype") or "<@" in event.get("text", ""):
            return  # our own posts, edits/joins, and mentions (answered by on_mention)
        channel, thread = event.get("channel", ""), event.get("thread_ts")
        direct = event.get("channel_type") == "im"
        in_digest = bool(thread) and thread != event.get("ts") and is_digest_thread(
            ctx, "slack", channel, str(thread))
        if not (direct or in_digest):
            return
        request = request_of(channel, event.get("user", ""), event.get("text", ""),
                             channel_type=event.get("channel_type"), thread_ts=thread)
        answerer.submit(request, reply_in=thread, only_commands=not direct)

    return on_message
