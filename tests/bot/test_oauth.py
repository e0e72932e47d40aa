"""The OAuth callback against the TikTok Shop simulator: a seller's authorization code comes back
to ``/oauth/tiktok-shop/callback`` and their shops are registered under the signed tenant."""

import threading
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from config.settings import Settings
from jobs.accounts.oauth import oauth_state
from jobs.warehouse.schema import authorizations, shops
from jobs.wiring import oauth_server
from sandbox.config import GeneratorConfig
from sandbox.server import Sandbox

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
    server = oauth_server(settings, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield sb, f"http://127.0.0.1:{server.server_address[1]}/oauth/tiktok-shop/callback"
    server.shutdown()
    server.server_close()
    sb.stop()


def test_callback_exchanges_the_code_and_registers_the_shops(callback, sqlite_engine):
    sb, url = callback
    answer = httpx.get(url, params={"code": sb.new_auth_code(0, "shop"),
                                    "state": oauth_state(SECRET_KEY, "acme")}, timeout=30)
    assert answer.status_code == 200 and "connected to acme" in answer.text
    with sqlite_engine.connect() as conn:
        tenants = {r.tenant_id for r in conn.execute(select(shops.c.tenant_id))}
        auths = conn.execute(select(authorizations.c.status)).scalars().all()
    assert tenants == {"acme"} and auths == ["healthy"]


def test_a_used_code_is_refused_with_a_way_forward(callback):
    sb, url = callback
    params = {"code": sb.new_auth_code(0, "shop"), "state": oauth_state(SECRET_KEY, "acme")}
    assert httpx.get(url, params=params, timeout=30).status_code == 200
    again = httpx.get(url, params=params, timeout=30)
    assert again.status_code == 400 and "start the authorization again" in again.text.lower()
