"""The long-lived processes: HTTP mode over a real socket, idling without tokens, OAuth state."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from slack_sdk import WebClient

from bot.slack.app import build_app
from bot.web_routes import chat_routes
from jobs.web.app import WebDeps, make_app
from jobs.wiring import web_app
from tests.bot.seed import ACME_ADMIN, ACME_CHANNEL
from tests.bot.slack_helpers import SIGNING_SECRET, signed_headers, slash_body, wait_for
from tests.fakes.asgi import serve_asgi
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).parents[2]


@pytest.fixture
def http_app(bot_ctx):
    with FakeSlack() as slack:
        app = build_app(bot_ctx, WebClient(token=slack.token, base_url=slack.base_url),
                        signing_secret=SIGNING_SECRET)
        chat = chat_routes(app, None, None)
        deps = WebDeps(engine=bot_ctx.engine, redis=bot_ctx.redis, tiktok_app=None,
                       connect=None)
        with serve_asgi(make_app(deps, chat.routes, chat.lifespan)) as url:
            yield slack, url


def _post(url: str, body: str, **kw) -> httpx.Response:
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded", **kw)
    return httpx.post(f"{url}/slack/events", content=body.encode(), headers=headers, timeout=5)


def test_http_mode_acks_signed_commands_and_answers(http_app):
    slack, url = http_app
    body = slash_body("gmv UK last week", channel=ACME_CHANNEL, user=ACME_ADMIN,
                      response_url=slack.response_url("h1"))
    response = _post(url, body)
    assert response.status_code == 200
    (answer,) = wait_for(lambda: slack.responses.get("h1"))
    assert "875.00 USD" in str(answer["blocks"])


def test_http_mode_refuses_a_bad_signature(http_app):
    slack, url = http_app
    body = slash_body("gmv", channel=ACME_CHANNEL, user=ACME_ADMIN,
                      response_url=slack.response_url("h2"))
    response = _post(url, body, secret="wrong")
    assert response.status_code == 401
    assert httpx.get(f"{url}/healthz").status_code == 200


@pytest.mark.parametrize("target", ["slack", "telegram"])
def test_serve_without_tokens_says_what_to_set_and_idles_until_sigterm(target, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "TELEGRAM_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'w.db'}"
    proc = subprocess.Popen([sys.executable, "-m", "jobs.cli", "serve", target], cwd=ROOT,
                            env=env, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    assert f"set {target.upper()}_BOT_TOKEN" in line
    time.sleep(0.2)
    assert proc.poll() is None  # still running: honcho does not restart it in a loop
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_oauth_callback_refuses_a_forged_state_and_a_missing_code(sqlite_engine, redis_url):
    from config.settings import Settings
    from jobs.accounts.oauth import issue_state

    settings = Settings(database_url=str(sqlite_engine.url), redis_url=redis_url,
                        tikpulse_secret_key="k" * 32, tiktok_app_key="app",
                        tiktok_app_secret="secret")
    with serve_asgi(web_app(settings)) as base:
        url = f"{base}/oauth/tiktok-shop/callback"
        forged = httpx.get(url, params={"code": "c", "state": "acme.deadbeef"})
        no_code = httpx.get(url, params={"state": issue_state(sqlite_engine, "acme")})
    assert (forged.status_code, no_code.status_code) == (403, 400)



def _serve(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jobs.cli", "serve", *args], cwd=ROOT,
                            env={**os.environ, **env}, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _env(bot_ctx, redis_url) -> dict[str, str]:
    return {"DATABASE_URL": str(bot_ctx.engine.url), "REDIS_URL": redis_url,
            "TIKPULSE_CONFIG": str(bot_ctx.tenants_file.path)}


@pytest.mark.slow
def test_serve_telegram_polls_and_answers(bot_ctx, redis_url):
    from tests.bot.seed import ACME_CHAT, ACME_TG_MEMBER
    from tests.fakes.telegram_api import FakeTelegram

    with FakeTelegram() as tg:
        tg.push_text(ACME_CHAT, "/gmv US 2026-W47", user_id=ACME_TG_MEMBER)
        proc = _serve(["telegram"], {**_env(bot_ctx, redis_url), "TELEGRAM_BOT_TOKEN": tg.token,
                                     "TELEGRAM_API_URL": tg.base_url})
        try:
            (answer,) = wait_for(lambda: tg.chat(ACME_CHAT), timeout=30)
        finally:
            _stop(proc)
        (menu,) = tg.calls_to("setMyCommands")
    assert "1,400.00 USD" in answer.text
    assert "roas" in str(menu.params["commands"])


@pytest.mark.slow
def test_serve_slack_http_mode_answers_signed_commands(bot_ctx, redis_url):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeSlack() as slack:
        proc = _serve(["slack", "--http", str(port), "--host", "127.0.0.1"], {
            **_env(bot_ctx, redis_url), "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.base_url, "SLACK_SIGNING_SECRET": SIGNING_SECRET})
        try:
            wait_for(lambda: _up(port), timeout=30)
            body = slash_body("gmv US 2026-W47", channel=ACME_CHANNEL, user=ACME_ADMIN,
                              response_url=slack.response_url("p1"))
            assert _post(f"http://127.0.0.1:{port}", body).status_code == 200
            (answer,) = wait_for(lambda: slack.responses.get("p1"), timeout=30)
        finally:
            _stop(proc)
    assert "1,400.00 USD" in str(answer["blocks"])


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_serve_web_is_ready_with_only_slack_configured_and_stops_on_sigterm(bot_ctx, redis_url):
    """``tikpulse serve web`` honours $PORT, answers /healthz and /readyz with only Slack set up,
    serves signed Slack commands, and stops within seconds of SIGTERM."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeSlack() as slack:
        proc = _serve(["web", "--host", "127.0.0.1"], {
            **_env(bot_ctx, redis_url), "PORT": str(port), "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.base_url, "SLACK_SIGNING_SECRET": SIGNING_SECRET})
        try:
            wait_for(lambda: _up(port), timeout=30)
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            body = slash_body("gmv US 2026-W47", channel=ACME_CHANNEL, user=ACME_ADMIN,
                              response_url=slack.response_url("w1"))
            assert _post(f"http://127.0.0.1:{port}", body).status_code == 200
            (answer,) = wait_for(lambda: slack.responses.get("w1"), timeout=30)
            unrouted = httpx.post(f"http://127.0.0.1:{port}/telegram/webhook", content=b"{}")
        finally:
            stopping = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=15)
            stopped_in = time.monotonic() - stopping
    assert ready.status_code == 200 and ready.json()["ready"] is True
    assert "1,400.00 USD" in str(answer["blocks"])
    assert unrouted.status_code == 404  # Telegram not configured: no route
    # uvicorn finishes open requests, then re-raises SIGTERM so the exit says what stopped it
    assert code == -signal.SIGTERM and stopped_in < 10
