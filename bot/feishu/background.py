"""RQ job that finishes a slow Feishu answer (charts, or any question while every answer thread
of the bot was busy): answer, then reply in the question's thread.

It runs in a worker, so it reads the settings itself (``bot.runtime.worker_settings``, its own
entry point). The reply's ``uuid``s are made from the event id, as when the bot answers at once,
so a job that runs twice posts once.
"""

from __future__ import annotations

from typing import Any

from bot.commands import BotContext, Request
from bot.feishu.app import respond, send_reply
from bot.runtime import bot_context, worker_settings
from jobs.notify.clients import FeishuApi, feishu_api

#: The worker process's context, reused while the settings it was built from stay the same.
_WORKER: dict[str, Any] = {}


def _worker_context() -> tuple[BotContext, FeishuApi]:
    settings = worker_settings()
    secret = settings.secret("feishu_app_secret") if settings.feishu_app_secret else ""
    key = (settings.database_url, settings.redis_url, str(settings.tikpulse_config),
           settings.feishu_base_url, settings.feishu_app_id, secret)
    if _WORKER.get("key") != key:
        ctx = bot_context(settings)
        api = feishu_api(str(settings.feishu_app_id), secret, settings.feishu_base_url,
                         ctx.redis)
        _WORKER.update(key=key, ctx=ctx, api=api)
    return _WORKER["ctx"], _WORKER["api"]


def answer_later(payload: dict[str, Any]) -> str:
    """Answer one queued Feishu question; returns the reply kind (kept as the job result)."""
    ctx, api = _worker_context()
    request = Request(**payload["request"]).bounded()
    reply = respond(request, ctx, mentioned=bool(payload.get("mentioned")))
    if reply is None:
        return "ignored"  # group chatter that asks the bot nothing
    send_reply(api, request.channel_id, str(payload["message_id"]), reply,
               seed=str(payload["event_id"]), in_thread=not request.is_direct)
    return reply.kind
