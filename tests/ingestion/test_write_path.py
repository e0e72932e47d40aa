"""One write path: a CSV import keeps the rollups current, so chat, ``tikpulse kpi`` and the weekly
report count imported orders and ad spend at once, exactly as a full rebuild of the rollups would.

Before the import wrote through ``jobs.ingestion.writer``, a Seller Center export of valid orders
read Gross GMV 0.00 and Orders 0 everywhere until someone rebuilt the rollups by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from config.tenants import load_tenants
from jobs.cli import cli
from jobs.report.build import build_weekly_report
from jobs.warehouse import schema as s
from jobs.warehouse.rollups import rebuild_ad_rollups, rebuild_rollups
from tests.ingestion.test_csv_import import ADS, ROWS, write_export

SHOP, ADVERTISER, WEEK = "9001", "adv9", "2026-W45"
TENANTS = f"""
tenants:
  - id: acme
    name: Acme
    reporting_currency: THB
    stores:
      - {{shop_id: "{SHOP}", name: Acme TH, region: TH}}
"""
#: The ads export's account currency matches the store's, so spend needs no FX rate.
ADS_THB = ADS.replace("GBP", "THB")


@pytest.fixture
def tikpulse(engine: Engine, tmp_path: Path, redis_url: str, monkeypatch):
    """Run ``tikpulse`` against this test's warehouse and a one-store tenants file."""
    config = tmp_path / "tenants.yaml"
    config.write_text(TENANTS)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(config))
    monkeypatch.setenv("REDIS_URL", redis_url)

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), terminal_width=200)
        assert result.exit_code == 0, result.output
        return result.output

    run.config = config  # type: ignore[attr-defined]
    return run


def ask_kpis(tikpulse) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answer = json.loads(tikpulse("ask", "--tenant", "acme", "--json", f"kpi {SHOP} {WEEK}"))
    return {k: answer["metrics"][k] for k in ("gross_gmv", "net_gmv", "orders", "spend")}


def rebuilt(engine: Engine) -> None:
    """Recompute every rollup from the raw rows: the reference the import must already equal."""
    with engine.begin() as conn:
        rebuild_rollups(conn, SHOP)
        rebuild_ad_rollups(conn, ADVERTISER)


def import_both(tikpulse, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    orders = write_export(tmp_path / "orders.csv", ROWS)
    tikpulse("import", "orders", str(orders), "--shop", SHOP, "--tenant", "acme", "--region", "TH")
    ads = tmp_path / "ads.csv"
    ads.write_text(ADS_THB, encoding="utf-8")
    tikpulse("import", "ads", str(ads), "--advertiser", ADVERTISER, "--tenant", "acme",
             "--shop", SHOP, "--currency", "THB")


def test_imported_orders_and_spend_show_in_chat_kpi_and_report(engine: Engine, tmp_path: Path,
                                                                tikpulse) -> None:
    import_both(tikpulse, tmp_path)

    after_import = ask_kpis(tikpulse)
    assert Decimal(after_import["gross_gmv"]) > 0 and after_import["orders"] > 0
    assert Decimal(after_import["spend"]) == Decimal("1013.34")  # 12.34 + 1,001.00 THB

    kpi_table = tikpulse("kpi", "--tenant", "acme", "--week", WEEK)
    gross = f"{Decimal(after_import['gross_gmv']):,.2f} THB"
    assert gross in kpi_table and "1,013.34 THB" in kpi_table

    tenant = load_tenants(tikpulse.config).tenant("acme")
    store = build_weekly_report(engine, tenant, WEEK).stores[0]
    assert store.kpis.current.gross_gmv == Decimal(after_import["gross_gmv"])
    assert store.kpis.current.orders == after_import["orders"]

    rebuilt(engine)
    assert ask_kpis(tikpulse) == after_import


def test_reimport_changes_neither_rows_nor_rollups(engine: Engine, tmp_path: Path,
                                                   tikpulse) -> None:
    import_both(tikpulse, tmp_path)
    first = (dump(engine, s.shop_daily), dump(engine, s.ad_daily), ask_kpis(tikpulse))
    import_both(tikpulse, tmp_path)
    assert (dump(engine, s.shop_daily), dump(engine, s.ad_daily), ask_kpis(tikpulse)) == first


def test_rollups_after_an_import_equal_a_full_rebuild(engine: Engine, tmp_path: Path,
                                                      tikpulse) -> None:
    import_both(tikpulse, tmp_path)
    tables = (s.shop_daily, s.shop_daily_exclusions, s.ad_daily)
    incremental = [dump(engine, t) for t in tables]
    assert incremental[0] and incremental[2]
    rebuilt(engine)
    assert [dump(engine, t) for t in tables] == incremental


def dump(engine: Engine, table) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The table's rows without bookkeeping times, sorted."""
    with engine.connect() as conn:
        rows = conn.execute(select(table)).mappings().all()
    return sorted(tuple(str(v) for k, v in r.items() if not k.endswith("_at")) for r in rows)
