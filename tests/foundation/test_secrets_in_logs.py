"""Secrets never leave: ``tikpulse -v`` connect (shop and ads), a full sync, FX and a digest sent to
Slack and Telegram, every debug line of httpx, slack_sdk and our own code scanned for every secret
and every code and token the simulator issued; the warehouse dump too (tokens are stored
encrypted)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import MetaData, select

from config.logs import MASK, redact, register_secret
from sandbox import GeneratorConfig, Sandbox
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "log-scan-secret-key-0123456789ab"
CONFIG = GeneratorConfig(seed=4, shops=1, weeks=3, daily_orders=20, creators_per_shop=3,
                         end=date(2026, 11, 23))


def test_redaction_masks_secret_shapes_and_registered_values():
    register_secret("a-registered-value-123")
    line = redact('GET /token/refresh?app_key=k&app_secret=s3&refresh_token=r&code=c&state=x '
                  '{"access_token": "t"} Access-Token: t2 xoxb-1-2-3 /bot12:AAb/sendMessage '
                  'error code=40100 a-registered-value-123')
    for secret in ("s3", "=r&", "=c&", "=x ", '"t"', "t2", "xoxb-1-2-3", "12:AAb",
                   "a-registered-value-123"):
        assert secret not in line, secret
    assert "error code=40100" in line and line.count(MASK) == 9


@pytest.mark.slow
def test_a_verbose_connect_sync_and_digest_log_no_secret(tmp_path, redis_url):
    database = tmp_path / "warehouse.db"
    with Sandbox.start(config=CONFIG, port=0) as sb, FakeSlack() as slack, FakeTelegram() as tg:
        creds = sb.credentials
        seller = creds.sellers[0]
        tenants = {"tenants": [{
            "id": "seller-1", "name": "Seller One", "reporting_currency": "GBP", "language": "en",
            "stores": [{"shop_id": seller.shop_ids[0], "region": "GB",
                        "advertiser_ids": list(seller.advertiser_ids)}],
            "chats": {"slack": [{"channel": "C0SELLER1"}], "telegram": [{"chat": -1005550001}]}}]}
        (tmp_path / "tenants.yaml").write_text(yaml.safe_dump(tenants))
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url,
               "TIKPULSE_CONFIG": str(tmp_path / "tenants.yaml"),
               "TIKPULSE_SECRET_KEY": SECRET_KEY, "TIKTOK_APP_KEY": creds.app_key,
               "TIKTOK_APP_SECRET": creds.app_secret, "TIKTOK_SHOP_AUTH_URL": sb.shop_auth_url,
               "TIKTOK_SHOP_API_URL": sb.shop_api_url, "TIKTOK_ADS_APP_ID": creds.ads_app_id,
               "TIKTOK_ADS_SECRET": creds.ads_secret, "TIKTOK_ADS_API_URL": sb.ads_api_url,
               "TIKPULSE_FX_URL": f"{sb.base_url}/fx/eurofxref-hist-90d.xml",
               "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
               "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.base_url}
        shop_code, ads_code = sb.new_auth_code(0, "shop"), sb.new_auth_code(0, "ads")
        logs = []
        for args in (["db", "upgrade"],
                     ["auth", "connect-shop", "--auth-code", shop_code, "--tenant", "seller-1"],
                     ["auth", "connect-ads", "--auth-code", ads_code, "--tenant", "seller-1",
                      "--shop", seller.shop_ids[0]],
                     ["sync", "--full", "--since", "2026-11-02"],
                     ["fx", "sync"],
                     ["digest", "--tenant", "seller-1", "--week", "2026-W47", "--send-now"]):
            done = subprocess.run([sys.executable, "-m", "jobs.cli", "-v", *args], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
            logs.append(done.stdout + done.stderr)
        tokens = sb.state.tokens
        issued = [*tokens.shop_codes, *tokens.ads_codes, *tokens.access, *tokens.refresh,
                  *tokens.ads_access]
        secrets = [creds.app_secret, creds.ads_secret, SECRET_KEY, slack.token, tg.token,
                   *issued]
        assert len(slack.top_level("C0SELLER1")) == 1  # the digest went out
    text = "\n".join(logs)
    lines = text.splitlines()
    assert len(lines) > 500 and "HTTP Request" in text  # debug logging really was on
    assert {s for s in secrets if s in text} == set()
    dump = _dump(f"sqlite:///{database}")
    assert {s for s in secrets if s in dump} == set()
    print(f"\nscanned {len(lines)} log lines and {len(dump):,} characters of warehouse for "
          f"{len(secrets)} secrets and tokens: none found")


def _dump(url: str) -> str:
    from jobs.warehouse.db import make_engine

    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return "\n".join(repr(tuple(row)) for table in meta.sorted_tables
                         for row in conn.execute(select(table)))
