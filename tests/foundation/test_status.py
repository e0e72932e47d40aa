"""``tikpulse status`` shows the last sync run, token health, freshness and queue depth per store,
as JSON for scripts or as tables, and names the known tenants when asked for an unknown one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner

from jobs.cli import cli
from jobs.cli.status import relative
from jobs.warehouse.schema import digest_runs, job_runs, sync_cursors
from tests.alerts.conftest import ADVERTISER_ID, SHOP_ID, seed_tenant

TENANTS = f"""
tenants:
  - id: acme
    name: Acme Home
    reporting_currency: USD
    stores:
      - {{shop_id: "{SHOP_ID}", name: Acme UK, region: GB}}
"""


def _seed(engine, now):
    seed_tenant(engine, refresh_expires_at=now + timedelta(days=30))
    with engine.begin() as conn:
        conn.execute(job_runs.insert().values(
            kind="sync_shop", subject_id=SHOP_ID, started_at=now - timedelta(minutes=30),
            finished_at=now - timedelta(minutes=29), status="failed", error="HTTP 503",
            details={"full": True}))
        conn.execute(sync_cursors.insert().values(
            source="orders", subject_id=SHOP_ID, cursor_time=now - timedelta(minutes=30),
            latest_complete_day=date(2026, 11, 19), updated_at=now))
        conn.execute(digest_runs.insert().values(
            tenant_id="acme", window="2026-W47", status="sent", history=[],
            created_at=now, updated_at=now))


def _run(engine, redis_url, tmp_path, monkeypatch, *args):
    config = tmp_path / "tenants.yaml"
    config.write_text(TENANTS)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("TIKPULSE_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 columns without a terminal
    return CliRunner().invoke(cli, ["status", *args], terminal_width=200)


def test_json_shows_last_run_token_health_freshness_and_queue(engine, redis_url, tmp_path,
                                                              monkeypatch):
    _seed(engine, datetime.now(UTC))
    result = _run(engine, redis_url, tmp_path, monkeypatch, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["queue"] == {"name": "tikpulse", "reachable": True, "depth": 0, "failed": 0,
                             "error": None}
    [tenant] = data["tenants"]
    assert tenant["id"] == "acme"
    shop_auth = next(a for a in tenant["authorizations"] if a["kind"] == "shop")
    assert shop_auth["health"] == "healthy" and shop_auth["covers"] == [SHOP_ID]
    [store] = tenant["stores"]
    assert store["id"] == SHOP_ID and store["name"] == "Acme UK"
    assert store["last_run"]["status"] == "failed" and store["last_run"]["error"] == "HTTP 503"
    assert store["next_due"]["due_now"] is False and store["next_due"]["at"] is not None
    assert store["freshness"] == [{"source": "orders", "latest_complete_day": "2026-11-19",
                                   "cursor_time": store["freshness"][0]["cursor_time"]}]
    [ads] = store["advertisers"]
    assert ads["id"] == ADVERTISER_ID and ads["last_run"] is None
    assert ads["next_due"]["due_now"] is True and ads["next_due"]["reason"] == "first"
    assert tenant["last_digest"]["window"] == "2026-W47"
    assert tenant["last_digest"]["status"] == "sent"


def test_text_names_the_store_and_says_when_redis_is_down(engine, redis_url, tmp_path,
                                                          monkeypatch):
    _seed(engine, datetime.now(UTC))
    result = _run(engine, redis_url, tmp_path, monkeypatch, "--tenant", "acme")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Acme UK (GB, {SHOP_ID})" in out
    assert "0 waiting, 0 failed" in out and "HTTP 503" in out and "orders 2026-11-19" in out
    assert "in 29 d" in out  # the refresh token's expiry
    result = _run(engine, "redis://127.0.0.1:1/0", tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Redis unreachable" in result.output


def test_unknown_tenant_lists_the_known_ones(engine, redis_url, tmp_path, monkeypatch):
    result = _run(engine, redis_url, tmp_path, monkeypatch, "--tenant", "nobody")
    assert result.exit_code == 1
    assert "unknown tenant 'nobody'; tenants: acme" in result.output
    assert "Traceback" not in result.output


def test_relative_times():
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert relative(now + timedelta(days=5, hours=2), now) == "in 5 d"
    assert relative(now - timedelta(hours=3, minutes=5), now) == "3 h ago"
    assert relative(now + timedelta(seconds=20), now) == "now"
    assert relative(None, now) == "-"
