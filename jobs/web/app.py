"""The web process (``tikpulse serve web``): one ASGI app on uvicorn.

- ``GET /healthz``: the process is up (no I/O).
- ``GET /readyz``: the database answers and is migrated to head, and Redis answers (503 and which
  check failed otherwise).
- ``GET /oauth/tiktok-shop/callback``: the TikTok Shop authorization callback
  (``jobs.accounts.oauth.callback``).
- ``POST /tiktok/webhooks``: TikTok Shop push messages (``jobs.web.tiktok_push``): a bad or
  missing signature is refused (401) before anything else; a good one is stored and acknowledged
  (200) at once, and the worker acts on it (``jobs.tasks.process_tiktok_push``).

The chat platforms' routes (``/slack/events``, ``/telegram/webhook``) come from ``bot`` as
``extra_routes``. Every request body is capped (``BodyLimit``); blocking work (the database, the
code exchange) runs in the thread pool so one slow request never stalls the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
from rq import Queue
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobs.accounts.oauth import CALLBACK_PATH, callback, consume_state
from jobs.resources import QUEUE
from jobs.warehouse.migrate import current_revision, head_revision
from jobs.web import tiktok_push

log = logging.getLogger("tikpulse.web")

TIKTOK_WEBHOOKS_PATH = "/tiktok/webhooks"
#: Largest request body accepted (Slack, Telegram and TikTok send a few kilobytes).
MAX_BODY_BYTES = 1_000_000
#: Seconds a push job may run.
PUSH_JOB_TIMEOUT_S = 300

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


@dataclass
class WebDeps:
    """What the web process's own routes need (``jobs.wiring.web_app`` builds it)."""

    engine: Engine
    redis: redis.Redis
    #: ``(app_key, app_secret)`` of the TikTok Shop app; ``None`` when not configured.
    tiktok_app: tuple[str, str] | None
    #: Exchanges an authorization code for a tenant's shops: ``(code, tenant) -> (status, html)``;
    #: ``None`` when the TikTok app or ``TIKPULSE_SECRET_KEY`` is not configured.
    connect: Callable[[str, str], tuple[int, bytes]] | None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def make_app(deps: WebDeps, extra_routes: Sequence[BaseRoute] = (),
             lifespan: Lifespan | None = None) -> ASGIApp:
    """The ASGI app: our routes plus ``extra_routes``, behind the body limit."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        checks = await run_in_threadpool(readiness, deps)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ok, **checks}, status_code=200 if ok else 503)

    async def oauth(request: Request) -> Response:
        if deps.connect is None:
            return HTMLResponse("<h1>Not configured</h1><p>Set TIKTOK_APP_KEY, TIKTOK_APP_SECRET "
                                "and TIKPULSE_SECRET_KEY.</p>", status_code=503)

        def resolve(state: str) -> str | None:
            return consume_state(deps.engine, state, now=deps.clock())

        status, body = await run_in_threadpool(callback, resolve, deps.connect,
                                               dict(request.query_params))
        return HTMLResponse(body, status_code=status)

    async def tiktok_webhooks(request: Request) -> Response:
        if deps.tiktok_app is None:
            return JSONResponse({"code": 1, "message": "TIKTOK_APP_KEY/SECRET not set"}, 503)
        body = await request.body()
        if not tiktok_push.verified(*deps.tiktok_app, body, request.headers.get("authorization")):
            log.warning("tiktok push refused: bad or missing signature")
            return JSONResponse({"code": 401, "message": "bad signature"}, 401)
        try:
            push = tiktok_push.parse(body)
        except tiktok_push.BadPush as exc:
            return JSONResponse({"code": 400, "message": str(exc)}, 400)
        new = await run_in_threadpool(tiktok_push.receive, deps.engine, push, deps.clock())
        if new:
            await run_in_threadpool(_enqueue_push, deps.redis, push.notification_id)
        else:
            log.info("tiktok push %s repeated: already received", push.notification_id)
        return JSONResponse({"code": 0, "message": "success"})

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route(CALLBACK_PATH, oauth, methods=["GET"]),
        Route(TIKTOK_WEBHOOKS_PATH, tiktok_webhooks, methods=["POST"]),
        *extra_routes,
    ]
    return BodyLimit(Starlette(routes=routes, lifespan=lifespan), MAX_BODY_BYTES)


def readiness(deps: WebDeps) -> dict[str, str]:
    """``ok`` or what is wrong, for the database (and its migrations) and Redis."""
    checks: dict[str, str] = {}
    try:
        with deps.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        at, head = current_revision(deps.engine), head_revision()
        checks["database"] = "ok" if at == head else (
            f"migrations at {at}, head is {head}: run 'tikpulse db upgrade'")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said in the answer
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        deps.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"unreachable: {type(exc).__name__}"
    return checks


def _enqueue_push(conn: redis.Redis, notification_id: str) -> None:
    """Hand the push to a worker; if Redis is down the sweep picks it up from the database."""
    try:
        Queue(QUEUE, connection=conn).enqueue(
            "jobs.tasks.process_tiktok_push", notification_id,
            job_id=f"tiktok-push-{notification_id}", job_timeout=PUSH_JOB_TIMEOUT_S)
    except redis.RedisError as exc:
        log.warning("tiktok push %s stored, not enqueued (%s): the sweep will act on it",
                    notification_id, exc)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413: by ``Content-Length`` before reading,
    and by counting when the body is streamed. A malformed ``Content-Length`` is a 400."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await PlainTextResponse("bad Content-Length", 400)(scope, receive, send)
                return
            if int(length) > self.limit:
                await PlainTextResponse("request body too large", 413)(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except _TooLarge:
            if not started:
                await PlainTextResponse("request body too large", 413)(scope, receive, send)


class _TooLarge(Exception):
    pass
