"""TikTok Shop push messages through the real web process app (uvicorn on a socket), the real
simulator sending them (signed, retried, duplicated) and a real RQ worker acting on them.

- a bad or missing signature is refused (401) and nothing is stored or queued;
- a seller's deauthorization gives exactly one alert in Slack and Telegram, even though TikTok
  delivers it twice; authorizing again through the OAuth callback gives one all-clear;
- TikTok's expiry notice alerts at once with the re-authorize link, once;
- order changes ask for one targeted sync of the shop per debounce window;
- a stored push whose job was lost is picked up by the sweep.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import yaml
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from config.settings import Settings
from jobs import tasks, wiring
from jobs.accounts.oauth import CALLBACK_PATH, issue_state
from jobs.resources import QUEUE
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import head_revision
from jobs.warehouse.schema import authorizations, tiktok_pushes
from jobs.web import tiktok_push
from jobs.web.app import WebDeps, make_app
from sandbox import GeneratorConfig, Sandbox
from tests.alerts.conftest import SLACK_ADMIN, SLACK_CHANNEL, TELEGRAM_CHAT
from tests.fakes.asgi import serve_asgi
from tests.ingestion.sandbox_env import SECRET_KEY

CONFIG = GeneratorConfig(seed=11, shops=1, weeks=2, daily_orders=15, creators_per_shop=3,
                         end=date(2026, 11, 30))
TENANT = "seller-1"
BROKEN = "🔴 Shop authorization broken"
EXPIRING = "🔴 Shop authorization expiring soon"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(config=CONFIG)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def web(sb, engine, redis_url, slack, telegram, monkeypatch, tmp_path) -> Iterator[str]:
    """The process environment of web and worker, and the web app serving it."""
    tenants = {"tenants": [{"id": TENANT, "name": "Seller One", "chats": {
        "slack": [{"channel": SLACK_CHANNEL, "admins": [SLACK_ADMIN]}],
        "telegram": [{"chat": TELEGRAM_CHAT}]}}]}
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(tenants))
    creds = sb.credentials
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "REDIS_URL": redis_url, "TIKPULSE_CONFIG": str(path), "TIKPULSE_SECRET_KEY": SECRET_KEY,
           "TIKTOK_APP_KEY": creds.app_key, "TIKTOK_APP_SECRET": creds.app_secret,
           "TIKTOK_SHOP_AUTH_URL": sb.shop_auth_url, "TIKTOK_SHOP_API_URL": sb.shop_api_url,
           "TIKTOK_SHOP_SERVICE_ID": "7001",
           "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
           "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.base_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with serve_asgi(wiring.web_app(Settings())) as url:
        httpx.post(f"{sb.base_url}/sandbox/webhooks",
                   json={"url": f"{url}/tiktok/webhooks", "retry_delays": [0.2, 0.5]}
                   ).raise_for_status()
        yield url
        httpx.post(f"{sb.base_url}/sandbox/webhooks", json={"url": None})


def work(redis_conn) -> None:
    """What a Procfile worker does with the queue, until it is empty."""
    SimpleWorker([Queue(QUEUE, connection=redis_conn)], connection=redis_conn).work(burst=True)


def authorize(sb, web: str, engine) -> httpx.Response:
    """The seller authorizes the app in Seller Center and is sent to our callback."""
    return httpx.get(web + CALLBACK_PATH, timeout=60, params={
        "code": sb.new_auth_code(0, "shop"), "state": issue_state(engine, TENANT)})


def delivered(sb, count: int, timeout: float = 30.0) -> list[dict]:
    """Wait until the simulator has made ``count`` delivery attempts; returns them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attempts = httpx.get(f"{sb.base_url}/sandbox/webhooks").json()["attempts"]
        if len(attempts) >= count:
            return attempts
        time.sleep(0.05)
    raise AssertionError(f"the simulator made fewer than {count} delivery attempts")


def titled(slack, telegram, prefix: str) -> tuple[list[str], list[str]]:
    return ([m.text for m in slack.top_level(SLACK_CHANNEL) if m.text.startswith(prefix)],
            [m.text for m in telegram.chat(TELEGRAM_CHAT) if m.text.startswith(prefix)])


def pushes(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(tiktok_pushes).order_by(tiktok_pushes.c.received_at)).all()


@pytest.fixture
def connected(sb, web, redis_conn, engine) -> str:
    """The demo seller's shop, authorized through the callback and synced by the worker."""
    answer = authorize(sb, web, engine)
    assert answer.status_code == 200 and "1 shop(s) connected to seller-1" in answer.text
    work(redis_conn)
    return sb.credentials.sellers[0].shop_ids[0]


def sign(sb, body: bytes) -> str:
    return tiktok_push.signature(sb.credentials.app_key, sb.credentials.app_secret, body)


def test_a_bad_or_missing_signature_is_refused_and_nothing_happens(sb, web, engine, redis_conn):
    body = json.dumps({"type": 6, "tts_notification_id": "n-1", "shop_id": "1",
                       "timestamp": 1764547200, "data": {}}).encode()
    missing = httpx.post(f"{web}/tiktok/webhooks", content=body)
    forged = httpx.post(f"{web}/tiktok/webhooks", content=body,
                        headers={"Authorization": "0" * 64})
    other_body = httpx.post(f"{web}/tiktok/webhooks", content=body + b" ",
                            headers={"Authorization": sign(sb, body)})
    assert [r.status_code for r in (missing, forged, other_body)] == [401, 401, 401]
    assert pushes(engine) == []
    assert Queue(QUEUE, connection=redis_conn).count == 0
    garbled = b"not json"
    answer = httpx.post(f"{web}/tiktok/webhooks", content=garbled,
                        headers={"Authorization": sign(sb, garbled)})
    assert answer.status_code == 400 and pushes(engine) == []


def test_deauthorization_alerts_once_and_reauthorizing_recovers_once(
        sb, web, connected, engine, redis_conn, slack, telegram):
    answer = httpx.post(f"{sb.base_url}/sandbox/revoke",
                        json={"seller": 0, "api": "shop", "duplicate": True}).json()
    [notification] = answer["notifications"]
    attempts = delivered(sb, 2)  # TikTok's retry of a message we already answered
    assert [(a["notification_id"], a["status"]) for a in attempts] == [(notification, 200)] * 2
    [stored] = pushes(engine)
    assert (stored.notification_id, stored.type, stored.shop_id) == (notification, 6, connected)
    assert Queue(QUEUE, connection=redis_conn).count == 1  # one job, not one per delivery

    work(redis_conn)
    with engine.connect() as conn:
        auth = conn.execute(select(authorizations)).one()
    assert auth.status == "revoked" and "deauthorized" in auth.status_reason
    slack_alerts, telegram_alerts = titled(slack, telegram, BROKEN)
    assert len(slack_alerts) == 1 and len(telegram_alerts) == 1
    assert f"({connected})" in slack_alerts[0]
    assert "https://services.tiktokshop.com/open/authorize?service_id=7001" in slack_alerts[0]
    assert pushes(engine)[0].outcome == "authorization revoked"

    assert authorize(sb, web, engine).status_code == 200  # the seller authorizes again
    work(redis_conn)
    work(redis_conn)
    assert len(titled(slack, telegram, BROKEN)[0]) == 1
    fixed_slack, fixed_telegram = titled(slack, telegram, "✅ Fixed: Shop authorization broken")
    assert len(fixed_slack) == 1 and len(fixed_telegram) == 1


def test_tiktoks_expiry_notice_alerts_at_once_with_the_link(sb, web, connected, engine,
                                                            redis_conn, slack, telegram):
    for expected_attempts in (1, 2):  # TikTok sends it again daily until re-authorized
        httpx.post(f"{sb.base_url}/sandbox/webhooks/expiring",
                   json={"seller": 0, "days": 30}).raise_for_status()
        delivered(sb, expected_attempts)
        work(redis_conn)
    slack_alerts, telegram_alerts = titled(slack, telegram, EXPIRING)
    assert len(slack_alerts) == 1 and len(telegram_alerts) == 1, slack_alerts
    assert "https://services.tiktokshop.com/open/authorize?service_id=7001" in slack_alerts[0]
    with engine.connect() as conn:
        auth = conn.execute(select(authorizations)).one()
    assert auth.expiry_noticed_at is not None and auth.status == "healthy"
    assert authorize(sb, web, engine).status_code == 200
    work(redis_conn)
    with engine.connect() as conn:
        assert conn.execute(select(authorizations.c.expiry_noticed_at)).scalar_one() is None


def test_order_changes_ask_for_one_targeted_sync_per_window(sb, web, connected, engine,
                                                            redis_conn):
    order_ids = [str(o) for o in sb.dataset.orders["order_id"].iloc[:3]]
    for i, order_id in enumerate(order_ids, start=1):
        answer = httpx.post(f"{sb.base_url}/sandbox/orders/changed", json={"order_id": order_id})
        assert answer.status_code == 200, answer.text
        delivered(sb, i)
    work(redis_conn)
    assert [p.type for p in pushes(engine)] == [1, 1, 1]
    assert all(p.outcome == "sync requested" for p in pushes(engine))
    scheduled = ScheduledJobRegistry(QUEUE, connection=redis_conn)
    jobs = [Queue(QUEUE, connection=redis_conn).fetch_job(i) for i in scheduled.get_job_ids()]
    assert [(j.func_name, j.args) for j in jobs] == [("jobs.tasks.sync_shop", (connected,))]


def test_an_unknown_shop_is_stored_and_ignored(sb, web, engine, redis_conn):
    body = json.dumps({"type": 6, "tts_notification_id": "n-unknown", "shop_id": "999",
                       "timestamp": 1764547200, "data": {}}).encode()
    answer = httpx.post(f"{web}/tiktok/webhooks", content=body,
                        headers={"Authorization": sign(sb, body)})
    assert answer.status_code == 200 and answer.json()["code"] == 0
    work(redis_conn)
    [stored] = pushes(engine)
    assert stored.outcome == "ignored: shop 999 is not connected to TikPulse"


def test_the_sweep_acts_on_a_push_whose_job_was_lost(sb, web, connected, engine, redis_conn):
    received = datetime.now(UTC) - timedelta(minutes=5)
    body = {"type": 6, "tts_notification_id": "n-lost", "shop_id": connected,
            "timestamp": int(received.timestamp()), "data": {}}
    assert tiktok_push.receive(engine, tiktok_push.parse(json.dumps(body).encode()), received)
    assert tasks.sweep_tiktok_pushes((received + timedelta(minutes=1)).isoformat()) == []
    assert tasks.sweep_tiktok_pushes() == ["n-lost"]
    work(redis_conn)
    assert pushes(engine)[-1].outcome == "authorization revoked"
    assert tasks.sweep_tiktok_pushes() == []


def test_health_readiness_and_body_limit(web, tmp_path, redis_conn):
    assert httpx.get(f"{web}/healthz").text == "ok"
    ready = httpx.get(f"{web}/readyz")
    assert ready.status_code == 200 and ready.json() == {"ready": True, "database": "ok",
                                                         "redis": "ok"}
    too_big = httpx.post(f"{web}/tiktok/webhooks", content=b"x" * 1_500_000)
    assert too_big.status_code == 413
    empty = WebDeps(engine=make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), redis=redis_conn,
                    tiktok_app=None, connect=None)
    with serve_asgi(make_app(empty)) as fresh:
        answer = httpx.get(f"{fresh}/readyz")
    assert answer.status_code == 503
    assert answer.json()["database"] == (
        f"migrations at None, head is {head_revision()}: run 'tikpulse db upgrade'")
