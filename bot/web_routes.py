"""The chat platforms' routes of the web process (``tikpulse serve web``).

- ``POST /slack/events``: slash commands and events for the bolt app in HTTP mode; bolt checks
  the signature (signing secret, 5-minute window). ``App.dispatch`` blocks (it acks, then answers
  on its own thread), so it runs in the thread pool, never on the event loop.
- ``POST /telegram/webhook``: updates for the python-telegram-bot application; the
  ``X-Telegram-Bot-Api-Secret-Token`` header must equal the secret given to ``setWebhook``. The
  application is started and stopped with the web app (``lifespan``) and processes updates from
  its queue, as in polling mode.
- ``POST /feishu/events``: Feishu/Lark event subscription (``bot.feishu.app``): the SDK checks
  the verification token, decrypts and verifies encrypted events and answers the challenge.

A platform whose tokens are not set simply has no route (404), so the web process runs with any
subset of the chat platforms configured.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.feishu.app import FEISHU_EVENTS_PATH, FeishuBot

log = logging.getLogger("tikpulse.web")

SLACK_EVENTS_PATH = "/slack/events"
TELEGRAM_WEBHOOK_PATH = "/telegram/webhook"
TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token"


@dataclass
class ChatRoutes:
    """The chat routes to mount and the lifespan that starts and stops the Telegram app."""

    routes: list[BaseRoute] = field(default_factory=list)
    telegram: Application | None = None  # type: ignore[type-arg]
    #: ``https://host/telegram/webhook`` to register with ``setWebhook`` at start (optional).
    telegram_webhook_url: str | None = None
    telegram_secret: str = ""

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        app = self.telegram
        if app is None:
            yield
            return
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        if self.telegram_webhook_url:
            await app.bot.set_webhook(self.telegram_webhook_url, secret_token=self.telegram_secret,
                                      allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield
        finally:
            await app.stop()
            await app.shutdown()


def chat_routes(slack: App | None, telegram: Application | None,  # type: ignore[type-arg]
                telegram_secret: str | None, telegram_webhook_url: str | None = None,
                feishu: FeishuBot | None = None) -> ChatRoutes:
    """Routes for the chat platforms that are configured (``None`` leaves one out)."""
    found = ChatRoutes()
    if feishu is not None:
        found.routes.append(Route(FEISHU_EVENTS_PATH, feishu.endpoint, methods=["POST"]))
    if slack is not None:
        found.routes.append(Route(SLACK_EVENTS_PATH, _slack_endpoint(slack), methods=["POST"]))
    if telegram is not None and telegram_secret:
        found.telegram, found.telegram_secret = telegram, telegram_secret
        found.telegram_webhook_url = telegram_webhook_url
        found.routes.append(Route(TELEGRAM_WEBHOOK_PATH, _telegram_endpoint(found),
                                  methods=["POST"]))
    return found


def _slack_endpoint(slack: App) -> Any:
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        answer = await run_in_threadpool(slack.dispatch, to_bolt_request(request, body))
        return to_starlette_response(answer)

    return slack_events


def _telegram_endpoint(routes: ChatRoutes) -> Any:
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), routes.telegram_secret.encode()):
            return JSONResponse({"ok": False, "error": "bad secret token"}, 403)
        app = routes.telegram
        assert app is not None
        try:
            update = Update.de_json(json.loads(await request.body()), app.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("telegram update refused: %s", exc)
            return JSONResponse({"ok": False, "error": "not a Telegram update"}, 400)
        await app.update_queue.put(update)
        return JSONResponse({"ok": True})

    return telegram_webhook
