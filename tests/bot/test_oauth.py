"""The OAuth callback of the web process against the TikTok Shop simulator: a seller's
authorization code comes back to ``/oauth/tiktok-shop/callback`` with a state issued for one tenant
and their shops are registered under it; a state works once and for 30 minutes."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from config.settings import Settings
from jobs.accounts.oauth import consume_state, issue_state
from jobs.warehouse.schema import authorizations, shops
from jobs.wiring import web_app
from sandbox.config import GeneratorConfig
from sandbox.server import Sandbox
from tests.fakes.asgi import serve_asgi

SECRET_KEY = "test-secret-key-0123456789abcdef"
SMALL = GeneratorConfig(seed=3, shops=1, weeks=2, end=date(2026, 11, 23))


@pytest.fixture
def callback(sqlite_engine, redis_url):
    sb = Sandbox.start(config=SMALL, port=0)
    c = sb.credentials
    settings = Settings(database_url=str(sqlite_engine.url), redis_url=redis_url,
                        tikpulse_secret_key=SECRET_KEY, tiktok_app_key=c.app_key,
                        tiktok_app_secret=c.app_secret, tiktok_shop_auth_url=sb.shop_auth_url,
                        tiktok_shop_api_url=sb.shop_api_url)
    with serve_asgi(web_app(settings)) as base:
        yield sb, f"{base}/oauth/tiktok-shop/callback"
    sb.stop()


def test_callback_exchanges_the_code_and_registers_the_shops(callback, sqlite_engine):
    sb, url = callback
    answer = httpx.get(url, params={"code": sb.new_auth_code(0, "shop"),
                                    "state": issue_state(sqlite_engine, "acme")}, timeout=30)
    assert answer.status_code == 200 and "connected to acme" in answer.text
    with sqlite_engine.connect() as conn:
        tenants = {r.tenant_id for r in conn.execute(select(shops.c.tenant_id))}
        auths = conn.execute(select(authorizations.c.status)).scalars().all()
    assert tenants == {"acme"} and auths == ["healthy"]


def test_a_used_code_is_refused_with_a_way_forward(callback, sqlite_engine):
    sb, url = callback
    params = {"code": sb.new_auth_code(0, "shop"), "state": issue_state(sqlite_engine, "acme")}
    assert httpx.get(url, params=params, timeout=30).status_code == 200
    params["state"] = issue_state(sqlite_engine, "acme")
    again = httpx.get(url, params=params, timeout=30)
    assert again.status_code == 400 and "start the authorization again" in again.text.lower()


def test_a_state_works_once_for_its_tenant_and_expires(callback, sqlite_engine):
    sb, url = callback
    state = issue_state(sqlite_engine, "acme")
    assert httpx.get(url, params={"code": sb.new_auth_code(0, "shop"), "state": state},
                     timeout=30).status_code == 200
    replayed = httpx.get(url, params={"code": sb.new_auth_code(0, "shop"), "state": state},
                         timeout=30)
    forged = httpx.get(url, params={"code": sb.new_auth_code(0, "shop"),
                                    "state": "acme.deadbeef"}, timeout=30)
    assert (replayed.status_code, forged.status_code) == (403, 403)
    assert "already used or is more than 30 minutes old" in replayed.text
    issued = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    old = issue_state(sqlite_engine, "acme", now=issued)
    assert consume_state(sqlite_engine, old, now=issued + timedelta(minutes=31)) is None
    fresh = issue_state(sqlite_engine, "rival", now=issued)
    assert consume_state(sqlite_engine, fresh, now=issued + timedelta(minutes=29)) == "rival"
    assert consume_state(sqlite_engine, fresh, now=issued + timedelta(minutes=29)) is None
