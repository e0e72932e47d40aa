"""``tikpulse kpi`` prints each store's week (in its own currency, the reporting one beside) and the
tenant total, and explains what is missing."""

from __future__ import annotations

from datetime import date, timedelta

from click.testing import CliRunner
from warehouse_rows import add_order, add_refund, seed_stores

from jobs.cli import cli
from jobs.cli.kpi import last_full_week

TENANTS = """
tenants:
  - id: acme
    name: Acme
    reporting_currency: USD
    stores:
      - {shop_id: uk1, name: Acme UK, region: GB}
      - {shop_id: us1, name: Acme US, region: US}
"""


def _run(sqlite_engine, tmp_path, monkeypatch, *args):
    config = tmp_path / "tenants.yaml"
    config.write_text(TENANTS)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(config))
    return CliRunner().invoke(cli, ["kpi", *args], terminal_width=160)


def _seed(sqlite_engine):
    with sqlite_engine.begin() as conn:
        seed_stores(conn)
        add_order(conn, "uk1", "a1", "2026-11-16 12:00", "1234.50", lines=2)
        add_order(conn, "us1", "u1", "2026-11-17 20:00", "80.00")
        add_refund(conn, "us1", "r1", "u1", "2026-11-18 20:00", "20.00")


def test_prints_a_table_per_store_and_the_total(sqlite_engine, tmp_path, monkeypatch):
    _seed(sqlite_engine)
    rates = tmp_path / "rates.csv"
    rates.write_text("day,base,quote,rate\n" + "".join(
        f"{date(2026, 11, 16) + timedelta(i)},GBP,USD,1.25\n" for i in range(7)))
    result = _run(sqlite_engine, tmp_path, monkeypatch, "--tenant", "acme", "--week",
                  "2026-W47", "--rebuild", "--fx-csv", str(rates))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Acme UK (GB, uk1) · 2026-W47 · 16 Nov – 22 Nov Europe/London · GBP" in out
    assert "≈ USD" in out  # the reporting currency beside the store's own
    assert "1,234.50 GBP" in out and "1,543.12 USD" in out  # x 1.25 = 1543.125, half-even
    assert "Acme · all stores · 2026-W47" in out
    assert "1,623.12 USD" in out and "1,603.12 USD" in out  # gross and net GMV of all stores
    assert "25.00%" in out  # the US store's refund rate


def test_missing_rate_and_unknown_tenant_say_what_to_do(sqlite_engine, tmp_path, monkeypatch):
    _seed(sqlite_engine)
    result = _run(sqlite_engine, tmp_path, monkeypatch, "--tenant", "acme", "--week",
                  "2026-W47", "--rebuild")
    assert result.exit_code == 0, result.output  # each store in its own currency, total left out
    out = " ".join(result.output.split())
    assert "1,234.50 GBP" in out and "80.00 USD" in out
    assert "Acme · all stores · 2026-W47: left out" in out
    assert "No FX rate GBP->USD on 2026-11-16" in out
    assert "tikpulse fx sync" in out and "tikpulse fx import FILE" in out
    result = _run(sqlite_engine, tmp_path, monkeypatch, "--tenant", "nobody")
    assert result.exit_code == 1 and "unknown tenant 'nobody'; tenants: acme" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("day,base,quote,rate\n2026-11-16,GBP,USD,abc\n")
    result = _run(sqlite_engine, tmp_path, monkeypatch, "--tenant", "acme", "--fx-csv", str(bad))
    assert "line 2: rate 'abc' is not a number" in result.output


def test_default_week_is_the_last_full_week_in_the_digest_zone():
    from datetime import UTC, datetime

    from config.tenants import Tenant

    tenant = Tenant(id="t", name="T")  # digest zone Asia/Shanghai
    # Sunday 22 Nov 2026 20:00 UTC is already Monday 23 Nov in Shanghai (week 48).
    assert last_full_week(tenant, datetime(2026, 11, 22, 20, tzinfo=UTC)) == "2026-W47"
    assert last_full_week(tenant, datetime(2026, 11, 22, 10, tzinfo=UTC)) == "2026-W46"
