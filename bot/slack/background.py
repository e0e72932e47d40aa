"""RQ job that finishes a slow Slack answer (charts): dispatch, then post the reply.

It runs in a worker, so it reads ``Settings`` itself (its own entry point, once per worker
process) and answers through the command's ``response_url`` or, for mentions and threads,
``chat.postMessage`` in the thread.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.commands import BotContext, Request, dispatch
from bot.commands.middleware import asks_the_bot
from bot.runtime import bot_context, worker_settings
from bot.slack.deliver import post_reply
from config.settings import Settings
from jobs.notify.clients import slack_client


def bot_slack_client(settings: Settings) -> WebClient:
    """The Web API client of the bot token (``jobs.notify.clients``' timeout and 429 policy)."""
    return slack_client(settings.secret("slack_bot_token"), settings.slack_api_url)


#: The worker process's context, reused while the settings it was built from stay the same.
_WORKER: dict[str, Any] = {}


def _worker_context() -> tuple[BotContext, WebClient]:
    settings = worker_settings()
    key = (settings.database_url, settings.redis_url, str(settings.tikpulse_config),
           settings.slack_api_url, settings.secret("slack_bot_token"))
    if _WORKER.get("key") != key:
        _WORKER.update(key=key, ctx=bot_context(settings), client=bot_slack_client(settings))
    return _WORKER["ctx"], _WORKER["client"]


def answer_later(payload: dict[str, Any]) -> str:
    """Answer one queued Slack question; returns the reply kind (kept as the job result)."""
    ctx, client = _worker_context()
    request = Request(**payload["request"]).bounded()
    if payload.get("only_commands") and not asks_the_bot(request, ctx):
        return "ignored"  # thread chatter that asks the bot nothing
    reply = dispatch(request, ctx)
    post_reply(client, request.channel_id, reply, thread_ts=payload.get("reply_in"),
               response_url=payload.get("response_url"))
    return reply.kind
