"""Alerts against the TikTok simulator: a revoked shop, an expired refresh token, a changed legal
entity, a dead ads token and a late source each give exactly one alert in the fake Slack and
Telegram, nothing more while they stay broken within the repeat interval, and one all-clear after
the fix; a restarted worker (new connections, new clients) changes nothing.

Times are passed explicitly (the simulator checks tokens against the real clock, so freezegun is
kept out): ``T`` is just after the data set's end, when its last local day is complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import yaml
from rq import Queue, SimpleWorker
from sqlalchemy import select

from jobs.accounts.connect import connect_ads, connect_shop
from jobs.alerts.deliver import SlackSender, TelegramSender
from jobs.alerts.evaluate import evaluate_tenant
from jobs.alerts.health import probe_authorizations
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.resources import QUEUE as ALERTS_QUEUE
from jobs.tasks import daily_health_check
from jobs.warehouse.db import make_engine
from jobs.warehouse.schema import authorizations, sync_cursors
from sandbox import GeneratorConfig, Sandbox
from tests.alerts.conftest import (
    SLACK_ADMIN,
    SLACK_CHANNEL,
    TELEGRAM_CHAT,
    alert_setup,
    make_tenant,
)
from tests.ingestion.sandbox_env import SECRET_KEY, connectors

CONFIG = GeneratorConfig(seed=5, shops=1, weeks=5, daily_orders=30, creators_per_shop=5,
                         end=date(2026, 11, 23))
T = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # GB shop: local 00:30, 22 Nov complete
TENANT = "seller-1"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(config=CONFIG)
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _no_faults(sb):
    sb.faults.clear()
    yield
    sb.faults.clear()


class World:
    """One worker process: its own warehouse connection, simulator clients and chat senders."""

    def __init__(self, sb, database_url, redis_url, slack, telegram):
        self.sb, self.redis_url, self.chats = sb, redis_url, (slack, telegram)
        self.engine = make_engine(database_url)
        self.conns = connectors(sb, self.engine, redis_url, retry_base=0.001)
        self.setup = alert_setup(self.engine, {
            "slack": SlackSender(slack.token, slack.base_url),
            "telegram": TelegramSender(telegram.token, telegram.base_url)})
        self.tenant = make_tenant(tenant_id=TENANT)

    def restarted(self) -> World:
        """A new worker process: nothing kept in memory."""
        url = self.engine.url.render_as_string(hide_password=False)
        return World(self.sb, url, self.redis_url, *self.chats)

    def connect(self, api: str = "shop") -> int:
        """The seller authorizes again and an admin runs ``tikpulse auth connect-*``."""
        code = self.sb.new_auth_code(0, api)
        if api == "shop":
            return connect_shop(self.engine, self.conns.shop, self.conns.cipher, code,
                                TENANT).auth_id
        return connect_ads(self.engine, self.conns.ads, self.conns.cipher, code,
                           TENANT).auth_id

    def daily_check(self, at: datetime):
        """What the daily job does: probe every authorization, then evaluate."""
        probe_authorizations(self.conns, now=at)
        return evaluate_tenant(self.setup, self.tenant, now=at)

    def tokens(self, auth_id: int) -> tuple[str, str]:
        with self.engine.connect() as conn:
            row = conn.execute(select(authorizations)
                               .where(authorizations.c.auth_id == auth_id)).one()
        return (self.conns.cipher.decrypt(row.access_token_enc),
                self.conns.cipher.decrypt(row.refresh_token_enc))


@pytest.fixture
def world(sb, engine, redis_url, slack, telegram) -> Iterator[World]:
    w = World(sb, engine.url.render_as_string(hide_password=False), redis_url, slack, telegram)
    w.shop_auth = w.connect("shop")
    summary = run_shop_sync(w.conns, shop_id(sb), since=CONFIG.end - timedelta(days=4), now=T)
    assert summary.status == "ok"
    assert w.daily_check(T).sent == []  # all is well: nothing to say
    yield w
    w.engine.dispose()


def shop_id(sb) -> str:
    return sb.credentials.sellers[0].shop_ids[0]


def admin(sb, path: str, body: dict) -> None:
    httpx.post(sb.base_url + path, json=body, timeout=10).raise_for_status()


def messages(slack, telegram) -> tuple[list[str], list[str]]:
    return ([m.text for m in slack.top_level(SLACK_CHANNEL)],
            [m.text for m in telegram.chat(TELEGRAM_CHAT)])


def one_incident(world: World, title: str, fix, check=None, start=T) -> list[str]:
    """One alert, none within the repeat interval nor after a restart, one all-clear after
    ``fix``; returns the Slack texts. ``check`` is the job that notices (default: daily)."""
    check = check or World.daily_check
    slack, telegram = world.chats
    check(world, start + timedelta(hours=1))
    slack_texts, tg_texts = messages(slack, telegram)
    assert len(slack_texts) == 1 and len(tg_texts) == 1, slack_texts
    assert slack_texts[0].startswith(f"🔴 {title}") and tg_texts[0].startswith(f"🔴 {title}")
    for hours in (2, 8):
        check(world, start + timedelta(hours=hours))
    again = world.restarted()
    check(again, start + timedelta(hours=12))
    assert [len(x) for x in messages(slack, telegram)] == [1, 1]
    fix(again)
    check(again, start + timedelta(hours=13))
    check(again, start + timedelta(hours=14))
    slack_texts, tg_texts = messages(slack, telegram)
    assert len(slack_texts) == 2 and slack_texts[1].startswith(f"✅ Fixed: {title}"), slack_texts
    assert len(tg_texts) == 2 and tg_texts[1].startswith(f"✅ Fixed: {title}")
    again.engine.dispose()
    return slack_texts


def test_revoked_shop(world, sb):
    admin(sb, "/sandbox/revoke", {"seller": 0, "api": "shop"})
    alert, fixed = one_incident(world, "Shop authorization broken",
                                lambda w: w.connect("shop"))
    assert f"({shop_id(sb)})" in alert
    assert "removed TikPulse's authorization" in alert
    assert "nothing after 2026-11-22 for cancellations, orders, returns" in alert
    assert "https://services.tiktokshop.com/open/authorize?service_id=7001" in alert
    assert f"--tenant {TENANT}" in alert and f"<@{SLACK_ADMIN}>" in alert
    assert "Syncs resume" in fixed


def test_expired_refresh_token(world, sb):
    access, refresh = world.tokens(world.shop_auth)
    admin(sb, "/sandbox/tokens/expire", {"access_token": access, "refresh_token": refresh})
    alert, _ = one_incident(world, "Shop authorization broken", lambda w: w.connect("shop"))
    assert "authorization expired: its refresh token ran out" in alert


def test_shop_changed_legal_entity(world, sb):
    sb.faults.add("entity_changed", "/authorization/202309/shops", count=None)

    def reauthorize(w):
        sb.faults.clear()
        w.connect("shop")

    alert, _ = one_incident(world, "Shop authorization broken", reauthorize)
    assert "legal entity changed" in alert


def test_dead_ads_token(world, sb):
    world.connect("ads")
    admin(sb, "/sandbox/revoke", {"seller": 0, "api": "ads"})
    alert, _ = one_incident(world, "Ads account authorization stopped working",
                            lambda w: w.connect("ads"))
    assert "tikpulse auth connect-ads --auth-code" in alert


def test_late_source(world, sb):
    sb.faults.add("server_error", "/order/202309/orders/search", count=None)
    later = T + timedelta(days=3)

    def sync_then_evaluate(w: World, at: datetime):
        run_shop_sync(w.conns, shop_id(sb), now=at)
        return evaluate_tenant(w.setup, w.tenant, now=at)

    def recover(w):
        sb.faults.clear()

    alert, fixed = one_incident(world, "Data is late", recover, check=sync_then_evaluate,
                                start=later)
    assert "Cancellations, orders, returns data of Demo GB Shop 1 is complete only through " \
           "2026-11-22 (4 days old; normally 1)" in alert
    assert "Back to normal" in fixed


def test_a_working_probe_clears_a_status_nothing_else_would(world, slack, telegram):
    """A sync stopped on an expired access token (syncs skip the shop from then on); the daily
    probe refreshes the token, finds the authorization works and the all-clear goes out."""
    with world.engine.begin() as conn:
        conn.execute(authorizations.update()
                     .where(authorizations.c.auth_id == world.shop_auth)
                     .values(status="expired", status_changed_at=T))
    evaluate_tenant(world.setup, world.tenant, now=T + timedelta(hours=1))  # after that sync
    world.daily_check(T + timedelta(hours=2))
    slack_texts, tg_texts = messages(slack, telegram)
    assert [t.split("\n")[0] for t in slack_texts] == [
        "🔴 Shop authorization broken · Acme Home",
        "✅ Fixed: Shop authorization broken · Acme Home"]
    assert len(tg_texts) == 2
    with world.engine.connect() as conn:
        status = conn.execute(select(authorizations.c.status)
                              .where(authorizations.c.auth_id == world.shop_auth)).scalar_one()
    assert status == "healthy"


def test_the_daily_health_check_job_finds_a_revoked_shop(world, sb, monkeypatch, tmp_path,
                                                          redis_conn, slack, telegram):
    """The RQ job from its settings alone (as ``rq cron`` runs it): probe, record, alert once."""
    tenants = {"tenants": [{"id": TENANT, "name": "Acme Home", "chats": {
        "slack": [{"channel": SLACK_CHANNEL, "admins": [SLACK_ADMIN]}],
        "telegram": [{"chat": TELEGRAM_CHAT}]}}]}
    (tmp_path / "tenants.yaml").write_text(yaml.safe_dump(tenants))
    creds = sb.credentials
    env = {
        "DATABASE_URL": world.engine.url.render_as_string(hide_password=False),
        "REDIS_URL": world.redis_url, "TIKPULSE_CONFIG": str(tmp_path / "tenants.yaml"),
        "TIKPULSE_SECRET_KEY": SECRET_KEY, "TIKTOK_APP_KEY": creds.app_key,
        "TIKTOK_APP_SECRET": creds.app_secret, "TIKTOK_SHOP_API_URL": sb.shop_api_url,
        "TIKTOK_SHOP_AUTH_URL": sb.shop_auth_url, "TIKTOK_SHOP_SERVICE_ID": "7001",
        "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.base_url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with world.engine.begin() as conn:  # judged at today's clock: keep the data rules out of it
        conn.execute(sync_cursors.delete())
    admin(sb, "/sandbox/revoke", {"seller": 0, "api": "shop"})
    queue = Queue(ALERTS_QUEUE, connection=redis_conn)
    job = queue.enqueue(daily_health_check)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    job.refresh()
    assert job.is_finished, job.latest_result().exc_string
    result = job.return_value()
    assert [(p["kind"], p["status"]) for p in result["probes"]] == [("shop", "revoked")]
    assert result["sent"] == [{"tenant": TENANT, "kind": "auth_broken", "event": "opened"}]
    [message] = slack.top_level(SLACK_CHANNEL)
    assert "service_id=7001" in message.text and len(telegram.chat(TELEGRAM_CHAT)) == 1


def test_a_refresh_token_about_to_expire_warns_ahead_once(engine, redis_url, slack, telegram):
    """TikTok issues a refresh token that lives 3 days: the admins hear it days ahead, once."""
    short = Sandbox.start(config=CONFIG, refresh_ttl=3 * 86_400)
    try:
        w = World(short, engine.url.render_as_string(hide_password=False), redis_url, slack,
                  telegram)
        w.connect("shop")
        now = datetime.now(UTC)
        for hours in (0, 1, 20):
            w.daily_check(now + timedelta(hours=hours))
        [alert] = [m.text for m in slack.top_level(SLACK_CHANNEL)]
        assert alert.startswith("🔴 Shop authorization expiring soon")
        assert "days left)" in alert and f"<@{SLACK_ADMIN}>" in alert
        assert len(telegram.chat(TELEGRAM_CHAT)) == 1
        w.engine.dispose()
    finally:
        short.stop()
