"""The Feishu/Lark adapter: ``im.message.receive_v1`` events over the command layer.

One ``lark-oapi`` ``EventDispatcherHandler`` receives the events, both over the web process's
HTTP callback (``POST /feishu/events``: the verification token checked, encrypted payloads
(AES-256-CBC with the Encrypt Key) decrypted and their signature checked, the
``url_verification`` challenge answered, all by the SDK) and over the SDK's long connection
(``tikpulse serve feishu``, no public URL). An event is answered once: Feishu delivers again when
it missed our acknowledgement, so each ``event_id`` is remembered in Redis for a day; the reply
also carries a ``uuid`` made from the event id. The handler only acknowledges; the question is
answered on a small pool of threads, through ``bot.commands.dispatch``, in the question's thread.
As on Slack, questions that draw charts (``SLOW_COMMANDS``), and any question while every answer
thread is busy, go to an RQ job (``bot.feishu.background.answer_later``), so neither the web
process nor the long connection waits behind a chart.

A group message is a question when it @mentions the bot (Feishu delivers only those unless the
app may read every group message; then a command in a digest's thread is answered too); every
direct message is. Chinese is the default language; a question in English is answered in English.
A chat that is not bound gets its chat id and the lines to add to the tenants file, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import lark_oapi as lark
from lark_oapi.api.im.v1 import P2ImMessageReceiveV1
from lark_oapi.core.model import RawRequest
from rq import Queue
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from bot.commands import BotContext, Reply, Request, dispatch, parse
from bot.commands.middleware import asks_the_bot, is_bound
from bot.commands.threads import is_digest_thread
from bot.feishu.render import file_type, reply_card
from bot.slack.app import SLOW_COMMANDS
from jobs.notify.clients import FeishuApi

log = logging.getLogger("tikpulse.bot.feishu")

FEISHU_EVENTS_PATH = "/feishu/events"
#: Seconds an event id is remembered (Feishu retries a missed event for hours, not days).
EVENT_TTL_S = 24 * 3600
#: Questions answered at the same time in this process; more go to RQ.
ANSWER_THREADS = 4
#: The RQ job that answers a slow (chart) or overflowing Feishu question.
ANSWER_JOB = "bot.feishu.background.answer_later"
#: The language of answers and help when a question does not show one.
DEFAULT_LANG = "zh"


class FeishuBot:
    """Receives Feishu message events and answers them in their thread."""

    def __init__(self, ctx: BotContext, api: FeishuApi, *, verification_token: str = "",
                 encrypt_key: str = "", executor: Executor | None = None,
                 threads: int = ANSWER_THREADS) -> None:
        self.ctx, self.api = ctx, api
        self.handler = (lark.EventDispatcherHandler.builder(encrypt_key, verification_token)
                        .register_p2_im_message_receive_v1(self.on_message).build())
        self._executor = executor or ThreadPoolExecutor(max(threads, 1),
                                                        thread_name_prefix="tikpulse-feishu")
        self._free = threading.Semaphore(threads)

    # --- receiving -----------------------------------------------------------------------------
    async def endpoint(self, request: HttpRequest) -> Response:
        """The HTTP callback: the SDK checks, decrypts and dispatches; we acknowledge."""
        raw = RawRequest()
        raw.uri, raw.body = request.url.path, await request.body()
        raw.headers = {k.title(): v for k, v in request.headers.items()}
        answer = await run_in_threadpool(self.handler.do, raw)
        status = answer.status_code or 200
        if status >= 500:  # a refused event (bad token, signature or body): not our fault
            status = 400
        return Response(answer.content or b"{}", status, media_type="application/json")

    def on_message(self, data: P2ImMessageReceiveV1) -> None:
        """One ``im.message.receive_v1`` event: remembered, then answered off this thread (a
        free answer thread, else an RQ job)."""
        event_id = data.header.event_id if data.header else None
        if not event_id or not self._first_delivery(event_id):
            return
        local = self._free.acquire(blocking=False)
        if self.ctx.redis is not None and not local:
            question = question_of(data)
            if question is not None:
                self._enqueue(*question, event_id)
            return
        self._executor.submit(self._answer, data, event_id, local)

    def _first_delivery(self, event_id: str) -> bool:
        if self.ctx.redis is None:
            return True
        return bool(self.ctx.redis.set(f"tikpulse:feishu:event:{event_id}", 1, nx=True,
                                       ex=EVENT_TTL_S))

    def _enqueue(self, request: Request, message_id: str, mentioned: bool,
                 event_id: str) -> None:
        payload = {"request": request.__dict__, "message_id": message_id,
                   "mentioned": mentioned, "event_id": event_id}
        Queue(self.ctx.queue_name, connection=self.ctx.redis).enqueue(ANSWER_JOB, payload)

    # --- answering -----------------------------------------------------------------------------
    def _answer(self, data: P2ImMessageReceiveV1, event_id: str, holds_slot: bool) -> None:
        try:
            question = question_of(data)
            if question is None:
                return
            request, message_id, mentioned = question
            if self._slow(request):
                self._enqueue(request, message_id, mentioned, event_id)
                return
            reply = respond(request, self.ctx, mentioned=mentioned)
            if reply is not None:
                send_reply(self.api, request.channel_id, message_id, reply, seed=event_id,
                           in_thread=not request.is_direct)
        except Exception:
            log.exception("could not answer Feishu event %s", event_id)
        finally:
            if holds_slot:
                self._free.release()

    def _slow(self, request: Request) -> bool:
        """A chart question from a bound chat, when a queue can take it."""
        return self.ctx.redis is not None and is_bound(request, self.ctx) and (
            parse(request.text).command in SLOW_COMMANDS)


def question_of(data: P2ImMessageReceiveV1) -> tuple[Request, str, bool] | None:
    """(request, the question's message id, whether it @mentions) of a user's text message."""
    event = data.event
    message = event.message if event else None
    sender = event.sender if event else None
    if message is None or sender is None or sender.sender_type != "user":
        return None
    text = _text(message.message_type, message.content)
    if text is None:
        return None
    mentions = message.mentions or []
    for mention in mentions:
        text = text.replace(mention.key or "\0", " ")
    user = sender.sender_id.open_id if sender.sender_id else ""
    request = Request("feishu", message.chat_id or "", user or "", " ".join(text.split()),
                      is_direct=message.chat_type == "p2p", thread_id=message.root_id or None,
                      lang_hint=DEFAULT_LANG).bounded()
    return request, message.message_id or "", bool(mentions)


def respond(request: Request, ctx: BotContext, *, mentioned: bool) -> Reply | None:
    """The reply to a question, or ``None`` for group chatter that asks the bot nothing."""
    if not (mentioned or request.is_direct):
        in_digest = request.thread_id is not None and is_digest_thread(
            ctx, "feishu", request.channel_id, request.thread_id)
        if not (in_digest and asks_the_bot(request, ctx)):
            return None
    return dispatch(request, ctx)


def send_reply(api: FeishuApi, chat_id: str, message_id: str, reply: Reply, *, seed: str,
               in_thread: bool = True) -> str:
    """Reply to ``message_id`` with ``reply`` as a card (images uploaded first), then its files;
    returns the card's message id. ``seed`` (the event id) makes every uuid repeatable."""
    keys = [api.upload_image(image.png) for image in reply.images]
    lang = "zh" if any("\u3400" <= ch <= "\u9fff" for ch in reply.headline) else "en"
    card_id = api.reply(chat_id, message_id, "interactive", reply_card(reply, keys, lang),
                        uuid=_uuid(seed, "card"), in_thread=in_thread)
    for i, document in enumerate(reply.documents):
        key = api.upload_file(document.data, document.filename, file_type(document))
        api.reply(chat_id, message_id, "file", {"file_key": key}, uuid=_uuid(seed, f"file{i}"),
                  in_thread=in_thread)
    return card_id


def _text(message_type: str | None, content: str | None) -> str | None:
    """The plain text of a text or post (rich text) message."""
    try:
        body: Any = json.loads(content or "{}")
    except ValueError:
        return None
    if message_type == "text":
        return str(body.get("text", ""))
    if message_type == "post":
        post = body.get("content") or next(
            (v.get("content") for v in body.values() if isinstance(v, dict)), None) or []
        return " ".join(str(item.get("text", "")) for line in post for item in line
                        if isinstance(item, dict) and item.get("tag") in ("text", "a", "md"))
    return None


def _uuid(seed: str, part: str) -> str:
    return hashlib.sha256(f"answer|{seed}|{part}".encode()).hexdigest()[:32]
