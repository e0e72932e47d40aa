"""The commands a person runs, wired from environment settings, against the simulator."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from config.settings import Settings
from jobs.cli.auth import auth
from jobs.cli.sync import sync
from jobs.warehouse import schema as s
from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import SECRET_KEY


def test_connect_status_and_backfill_from_the_command_line(
    sb: Sandbox, sqlite_engine: Engine, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = sb.credentials
    env = {"DATABASE_URL": str(sqlite_engine.url), "REDIS_URL": redis_url,
           "TIKPULSE_SECRET_KEY": SECRET_KEY, "TIKTOK_APP_KEY": c.app_key,
           "TIKTOK_APP_SECRET": c.app_secret, "TIKTOK_SHOP_API_URL": sb.shop_api_url,
           "TIKTOK_SHOP_AUTH_URL": sb.shop_auth_url, "TIKTOK_ADS_APP_ID": c.ads_app_id,
           "TIKTOK_ADS_SECRET": c.ads_secret, "TIKTOK_ADS_API_URL": sb.ads_api_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    seller = c.sellers[1]
    runner = CliRunner()
    shop = runner.invoke(auth, ["connect-shop", "--auth-code", seller.shop_auth_code,
                                "--tenant", "Acme Ltd"], obj=Settings())
    assert shop.exit_code == 0, shop.output
    assert f"connected 1 shop(s) to tenant acme-ltd: {seller.shop_ids[0]}" in shop.output
    ads = runner.invoke(auth, ["connect-ads", "--auth-code", seller.ads_auth_code, "--tenant",
                               "Acme Ltd", "--shop", seller.shop_ids[0]], obj=Settings())
    assert ads.exit_code == 0, ads.output
    used = runner.invoke(auth, ["connect-shop", "--auth-code", seller.shop_auth_code,
                                "--tenant", "Acme Ltd"], obj=Settings())
    assert used.exit_code == 1  # auth codes are single use
    assert "TikTok refused the authorization" in used.output and "36004004" in used.output
    status = runner.invoke(auth, ["status"], obj=Settings())
    assert status.output.count("healthy") == 2
    backfill = runner.invoke(sync, ["--shop", seller.shop_ids[0], "--since",
                                    "2026-11-09"], obj=Settings())
    assert backfill.exit_code == 0, backfill.output
    assert f"{seller.shop_ids[0]}: ok" in backfill.output
    everything = runner.invoke(sync, [], obj=Settings())
    assert everything.exit_code == 0, everything.output
    assert f"{seller.advertiser_ids[0]}: ok" in everything.output
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.orders)).scalar_one() > 500
        assert conn.execute(select(func.count()).select_from(s.ad_report_rows)).scalar_one() > 0
