"""One write path: a CSV import keeps the rollups current, so chat, ``tikpulse kpi`` and the weekly
report count imported orders and ad spend at once, exactly as a full rebuild of the rollups would.

Before the import wrote through ``jobs.ingestion.writer``, a Seller Center export of valid orders
read Gross GMV 0.00 and Orders 0 everywhere until someone rebuilt the rollups by hand. Here, right
after an import ``tikpulse ask`` and ``tikpulse kpi`` count what it imported (the expected figures
are computed from the rows written), its rollups equal a rebuild from the raw rows on both readers
and both databases, importing the same file again changes nothing, a failed import changes
nothing, and a later export or API page that moves a record to another day refreshes the day it
left.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, delete, select

from config.tenant_registry import load_tenants
from jobs.cli import cli
from jobs.ingestion.csv_import import import_ads_csv, import_orders_csv
from jobs.ingestion.writer import RawWriter
from jobs.report.build import build_weekly_report
from jobs.sources.csv.common import BadFile
from jobs.warehouse import schema as s
from jobs.warehouse.loaders import UnknownShop
from jobs.warehouse.rollups import rebuild_ad_rollups, rebuild_rollups
from jobs.warehouse.schema import (
    ad_daily,
    affiliate_daily,
    refunds,
    rollup_dirty_days,
    shop_daily,
    shop_daily_exclusions,
    shop_week_buyers,
)
from tests.ingestion.test_csv_import import ADS, ROWS, write_export

SHOP, ADVERTISER, WEEK = "9001", "adv9", "2026-W47"
MONDAY = date(2026, 11, 16)  # 2026-W47 runs Monday 16 to Sunday 22 November
ZONE = ZoneInfo("Asia/Bangkok")  # a TH shop: UTC+7, so local days differ from UTC days
TENANTS = f"""
tenants:
  - id: acme
    name: Acme
    reporting_currency: THB
    stores:
      - {{shop_id: "{SHOP}", name: Acme TH, region: TH, advertiser_ids: ["{ADVERTISER}"]}}
"""
HEADER = ["Order ID", "Order Status", "SKU ID", "Quantity", "SKU Subtotal After Discount",
          "Order Amount", "Order Refund Amount", "Created Time", "Paid Time", "Shipped Time",
          "Delivered Time", "Cancelled Time", "Buyer Username"]
ROLLUPS = (shop_daily, shop_daily_exclusions, affiliate_daily, shop_week_buyers)


@dataclass(frozen=True)
class Order:
    """One order of an export: local (shop-zone) times, one ``(sku, quantity, subtotal)`` per
    SKU row."""

    order_id: str
    status: str
    created: datetime
    paid: datetime | None
    lines: tuple[tuple[str, int, Decimal], ...]
    refund: Decimal = Decimal(0)
    shipped: datetime | None = None
    delivered: datetime | None = None
    cancelled: datetime | None = None
    buyer: str = "buyer"

    @property
    def subtotal(self) -> Decimal:
        return sum((amount for _, _, amount in self.lines), Decimal(0))


def _at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute)


ORDERS = [
    # paid at 03:00 on Monday in Bangkok, still Sunday (W46) in UTC
    Order("W47-1", "Completed", _at(16, 2), _at(16, 3),
          (("sku-A", 2, Decimal("200.00")), ("sku-B", 1, Decimal("50.00"))), buyer="b1"),
    Order("W47-2", "Delivered", _at(18, 11), _at(18, 12), (("sku-C", 1, Decimal("80.50")),),
          shipped=_at(19, 9), delivered=_at(20, 15), buyer="b2"),
    # cancelled after payment: still a sale; its refund is reported in the export
    Order("W47-3", "Cancelled", _at(19, 10), _at(19, 10, 5), (("sku-A", 1, Decimal("100.00")),),
          refund=Decimal("100.00"), cancelled=_at(19, 11), buyer="b3"),
    Order("W47-4", "Unpaid", _at(20, 9), None, (("sku-B", 1, Decimal("45.00")),), buyer="b4"),
    # 23:30 on Sunday in Bangkok (W47); 00:30 on Monday is W48 here, though Sunday in UTC
    Order("W47-5", "Completed", _at(22, 23), _at(22, 23, 30), (("sku-C", 3, Decimal("241.50")),),
          buyer="b1"),
    Order("W48-1", "Completed", _at(23, 0, 10), _at(23, 0, 30), (("sku-A", 1, Decimal("99.00")),)),
    Order("W46-1", "Completed", _at(10, 15), _at(10, 15, 1), (("sku-B", 3, Decimal("150.00")),)),
]


def _time(value: datetime | None) -> str:
    return f"{value:%d/%m/%Y %H:%M:%S}\t" if value else ""


def write_orders(path: Path, orders: Sequence[Order]) -> Path:
    """A Seller Center export of ``orders`` (one row per SKU, the order's fields repeated)."""
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\r\n")
    rows.writerow(HEADER)
    for o in orders:
        for sku, quantity, amount in o.lines:
            rows.writerow([o.order_id, o.status, sku, quantity, f"THB {amount:,.2f}",
                           f"THB {o.subtotal:,.2f}", f"THB {o.refund:,.2f}", _time(o.created),
                           _time(o.paid), _time(o.shipped), _time(o.delivered),
                           _time(o.cancelled), o.buyer])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    return path


def week_sales(orders: Sequence[Order], monday: date) -> tuple[int, int, Decimal]:
    """(orders, units, gross GMV) of a local week: paid orders by their local paid day (orders
    cancelled after payment stay sales; unpaid ones are not)."""
    sales = [o for o in orders if o.paid is not None
             and monday <= o.paid.date() <= monday + timedelta(days=6)]
    units = sum(quantity for o in sales for _, quantity, _ in o.lines)
    return len(sales), units, sum((o.subtotal for o in sales), Decimal(0))


def rollups(conn: Any, shop_id: str = SHOP) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every rollup row of the store by table and primary key (without ``refreshed_at``)."""
    out = {}
    for table in ROLLUPS:
        key = [c.name for c in table.primary_key.columns]
        rows = conn.execute(select(table).where(table.c.shop_id == shop_id)).mappings()
        out[table.name] = {tuple(r[k] for k in key): {k: v for k, v in r.items()
                                                       if k != "refreshed_at"} for r in rows}
    return out


def rebuilt(engine: Engine, shop_id: str = SHOP) -> dict[str, dict[tuple[Any, ...], Any]]:
    """The rollups a full rebuild from the raw rows writes (computed, then rolled back)."""
    with engine.connect() as conn:
        for table in ROLLUPS:
            conn.execute(delete(table).where(table.c.shop_id == shop_id))
        rebuild_rollups(conn, shop_id)
        found = rollups(conn, shop_id)
        conn.rollback()
    return found


def _is_zero(row: dict[str, Any]) -> bool:
    return all(v == 0 for k, v in row.items() if isinstance(v, int | Decimal) and k != "day")


def assert_equal_to_rebuild(engine: Engine) -> None:
    """The rollups written equal the rebuild's on every row they hold; the rebuild's other rows
    are the days between without activity (it fills the whole span with zeros)."""
    with engine.connect() as conn:
        written = rollups(conn)
        assert conn.execute(select(rollup_dirty_days)).all() == []  # refreshed, marks cleared
    for name, rows in rebuilt(engine).items():
        assert {k: v for k, v in rows.items() if k in written[name]} == written[name], name
        assert all(_is_zero(v) for k, v in rows.items() if k not in written[name]), name


@pytest.fixture
def tikpulse(engine: Engine, tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch):
    """Run ``tikpulse`` against this test's warehouse and a one-store tenants file; its output."""
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


def _cell(output: str, label: str) -> str:
    """The "this week" cell of the row ``label`` of the first ``tikpulse kpi`` table."""
    line = next(x for x in output.splitlines() if x.strip("│ ").startswith(label + " "))
    return line.split("│")[2].strip()


def test_kpis_count_an_order_export_right_after_its_import(tikpulse, tmp_path: Path) -> None:
    path = write_orders(tmp_path / "orders.csv", ORDERS)
    tikpulse("import", "orders", str(path), "--shop", SHOP, "--tenant", "acme", "--region", "TH")
    orders, units, gmv = week_sales(ORDERS, MONDAY)
    assert (orders, units, gmv) == (4, 8, Decimal("672.00"))  # the rows above, read by hand
    answer = json.loads(tikpulse("ask", "--tenant", "acme", "--json", f"kpi {SHOP} {WEEK}"))
    metrics = answer["metrics"]
    assert (metrics["orders"], metrics["units"]) == (orders, units)
    assert Decimal(metrics["gross_gmv"]) == gmv
    previous = week_sales(ORDERS, MONDAY - timedelta(days=7))
    assert answer["previous"]["metrics"]["orders"] == previous[0]
    assert Decimal(answer["previous"]["metrics"]["gross_gmv"]) == previous[2]
    table = tikpulse("kpi", "--tenant", "acme", "--week", WEEK)
    assert _cell(table, "Gross GMV") == f"{gmv:,.2f} THB"
    assert _cell(table, "Orders") == f"{orders:,}"


@pytest.mark.parametrize("columnar", [True, False], ids=["columns", "rows"])
def test_rollups_after_an_order_import_equal_a_rebuild(engine: Engine, tmp_path: Path,
                                                       columnar: bool) -> None:
    result = import_orders_csv(engine, write_orders(tmp_path / "orders.csv", ORDERS), SHOP,
                               tenant="acme", region="TH", columnar=columnar)
    assert result.read_by == ("columns" if columnar else "rows")
    assert_equal_to_rebuild(engine)
    with engine.connect() as conn:
        week = [r for r in rollups(conn)["shop_daily"].values()
                if MONDAY <= r["day"] <= MONDAY + timedelta(days=6)]
        excluded = rollups(conn)["shop_daily_exclusions"]
    orders, units, gmv = week_sales(ORDERS, MONDAY)
    assert sum(r["orders"] for r in week) == orders and sum(r["units"] for r in week) == units
    assert sum(r["gross_gmv"] for r in week) == gmv
    assert excluded[(SHOP, date(2026, 11, 20), "unpaid")]["rows"] == 1  # on its created day


@pytest.mark.parametrize("columnar", [True, False], ids=["columns", "rows"])
def test_reimporting_the_same_export_leaves_the_rollups_as_they_were(
    engine: Engine, tmp_path: Path, columnar: bool
) -> None:
    path = write_orders(tmp_path / "orders.csv", ORDERS)
    import_orders_csv(engine, path, SHOP, tenant="acme", region="TH", columnar=columnar)
    with engine.connect() as conn:
        first = rollups(conn)
    import_orders_csv(engine, path, SHOP, columnar=columnar)
    with engine.connect() as conn:
        assert rollups(conn) == first
        assert conn.execute(select(rollup_dirty_days)).all() == []


def test_a_later_export_that_moves_a_record_refreshes_the_day_it_left(
    engine: Engine, tmp_path: Path
) -> None:
    # in transit with a partial refund: the refund row dates from the latest time, shipping day
    moving = Order("M-1", "In transit", _at(16, 9), _at(16, 10), (("sku-A", 2, Decimal("60.00")),),
                   refund=Decimal("20.00"), shipped=_at(17, 8))
    import_orders_csv(engine, write_orders(tmp_path / "a.csv", [moving, *ORDERS[:2]]), SHOP,
                      tenant="acme", region="TH")
    with engine.connect() as conn:
        assert (SHOP, date(2026, 11, 17), "refund_not_completed") in (
            rollups(conn)["shop_daily_exclusions"])
    delivered = replace(moving, status="Delivered", delivered=_at(21, 14))
    import_orders_csv(engine, write_orders(tmp_path / "b.csv", [delivered]), SHOP)
    with engine.connect() as conn:
        refund_day = conn.execute(select(refunds.c.completed_time)).scalar_one()
        excluded = rollups(conn)["shop_daily_exclusions"]
    assert refund_day.astimezone(ZONE).date() == date(2026, 11, 21)
    assert (SHOP, date(2026, 11, 17), "refund_not_completed") not in excluded
    assert (SHOP, date(2026, 11, 21), "refund_not_completed") in excluded
    assert_equal_to_rebuild(engine)


def test_a_failed_import_leaves_rows_and_rollups_alone(engine: Engine, tmp_path: Path) -> None:
    import_orders_csv(engine, write_orders(tmp_path / "a.csv", ORDERS[:2]), SHOP,
                      tenant="acme", region="TH")
    with engine.connect() as conn:
        before = rollups(conn)
    bad = write_orders(tmp_path / "bad.csv", [ORDERS[4], replace(ORDERS[5], status="Lost")])
    with pytest.raises(BadFile):
        import_orders_csv(engine, bad, SHOP)
    with engine.connect() as conn:
        assert rollups(conn) == before
        assert conn.execute(select(rollup_dirty_days)).all() == []


def test_an_api_refund_that_moves_marks_both_days(engine: Engine, tmp_path: Path) -> None:
    import_orders_csv(engine, write_orders(tmp_path / "a.csv", ORDERS[:1]), SHOP,
                      tenant="acme", region="TH")
    done = datetime(2026, 11, 18, 5, tzinfo=UTC)
    refund = {"shop_id": SHOP, "refund_id": "return:r1", "kind": "return", "order_id": "W47-1",
              "status": "COMPLETED", "return_type": None, "create_time": done,
              "update_time": done, "completed_time": done, "currency": "THB",
              "refund_amount": Decimal("50.00"), "line_ids": [], "reason": None, "raw": None}
    later = done + timedelta(days=2)
    for row in (refund, {**refund, "update_time": later, "completed_time": later}):
        with engine.begin() as conn:
            writer = RawWriter(conn, SHOP)
            writer.refunds([row])
            marked = set(conn.execute(select(rollup_dirty_days.c.day)).scalars())
            writer.refresh()
        assert row["completed_time"].astimezone(ZONE).date() in marked
    assert date(2026, 11, 18) in marked  # the day the refund left
    with engine.connect() as conn:
        days = {k[1]: v for k, v in rollups(conn)["shop_daily"].items()}
    assert days[date(2026, 11, 18)]["refund_amount"] == 0
    assert days[date(2026, 11, 20)]["refund_amount"] == Decimal("50.00")
    assert_equal_to_rebuild(engine)


def test_raw_facts_of_an_unregistered_shop_are_refused_before_any_row(engine: Engine) -> None:
    """The tables keep no foreign key to ``shops`` (PostgreSQL would check it per row, migration
    0008): the writer refuses a shop that is not registered, before it writes anything."""
    now = datetime(2026, 11, 18, 5, tzinfo=UTC)
    order = {"shop_id": "404", "order_id": "o1", "status": "COMPLETED", "buyer_id": None,
             "create_time": now, "update_time": now, "paid_time": now, "cancel_time": None,
             "delivery_time": None, "is_sample": False, "is_replacement": False,
             "is_exchange": False, "buyer_message": None, "recipient_name": None,
             "region_code": None, "cancel_reason": None, "cancellation_initiator": None,
             "currency": "THB", "sub_total": Decimal("10.00"), "shipping_fee": Decimal(0),
             "seller_discount": Decimal(0), "platform_discount": Decimal(0), "tax": Decimal(0),
             "total_amount": Decimal("10.00"), "source": "api", "raw": None, "ingested_at": now}
    with engine.connect() as conn:
        writer = RawWriter(conn, "404")
        with pytest.raises(UnknownShop):
            writer.orders([order])
        assert conn.execute(select(s.orders)).all() == []
        with pytest.raises(UnknownShop):
            writer.order_tables(iter(()), {})


@dataclass(frozen=True)
class AdDay:
    """One campaign-day row of an Ads Manager export."""

    day: date
    campaign: str
    spend: Decimal
    impressions: int
    clicks: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


AD_DAYS = [
    AdDay(date(2026, 11, 15), "c1", Decimal("9.99"), 500, 5),  # W46
    AdDay(date(2026, 11, 16), "c1", Decimal("12.34"), 1000, None),  # "-": no data, not zero
    AdDay(date(2026, 11, 16), "c2", Decimal("5.00"), 300, 3),
    AdDay(date(2026, 11, 19), "c1", Decimal("1001.00"), 2000, 40),
    AdDay(date(2026, 11, 22), "c2", Decimal("0.66"), 20, 1),
]


def write_ads(path: Path, days: Sequence[AdDay]) -> Path:
    """An Ads Manager export by day and campaign, with its total row at the end."""
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["By Day", "Campaign ID", "Campaign name", "Cost", "Impressions",
                   "Clicks (destination)", "Currency"])
    for d in days:
        rows.writerow([d.day.isoformat(), d.campaign, f"Campaign {d.campaign}", f"{d.spend:,.2f}",
                       d.impressions, "-" if d.clicks is None else d.clicks, "THB"])
    rows.writerow([f"Total of {len(days)} results", "", "", "", "", "", ""])
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    return path


def _ad_daily(conn: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in conn.execute(select(ad_daily)))


def test_an_ads_export_counts_at_once_and_equals_a_rebuild(tikpulse, engine: Engine,
                                                           tmp_path: Path) -> None:
    tikpulse("import", "orders", str(write_orders(tmp_path / "o.csv", ORDERS)), "--shop", SHOP,
             "--tenant", "acme", "--region", "TH")
    path = write_ads(tmp_path / "ads.csv", AD_DAYS)
    tikpulse("import", "ads", str(path), "--advertiser", ADVERTISER, "--shop", SHOP,
             "--currency", "THB")
    week = [d for d in AD_DAYS if MONDAY <= d.day <= MONDAY + timedelta(days=6)]
    answer = json.loads(tikpulse("ask", "--tenant", "acme", "--json", f"kpi {SHOP} {WEEK}"))
    assert Decimal(answer["metrics"]["spend"]) == sum(d.spend for d in week)
    assert answer["metrics"]["impressions"] == sum(d.impressions for d in week)
    with engine.connect() as conn:
        written = _ad_daily(conn)
        conn.execute(delete(ad_daily))
        rebuild_ad_rollups(conn, ADVERTISER)
        assert _ad_daily(conn) == written
        conn.rollback()
    assert {r[1] for r in written} == {d.day for d in AD_DAYS}
    import_ads_csv(engine, path, ADVERTISER)  # the same file again changes nothing
    with engine.connect() as conn:
        assert _ad_daily(conn) == written


def test_a_failed_ads_import_leaves_the_ad_rollups_alone(engine: Engine, tmp_path: Path) -> None:
    import_ads_csv(engine, write_ads(tmp_path / "a.csv", AD_DAYS[:2]), ADVERTISER,
                   tenant="acme", currency="THB")
    with engine.connect() as conn:
        before = _ad_daily(conn)
    bad = tmp_path / "bad.csv"
    bad.write_text(write_ads(tmp_path / "b.csv", AD_DAYS[2:]).read_text(encoding="utf-8")
                   .replace("1,001.00", "lots"), encoding="utf-8")
    with pytest.raises(BadFile):
        import_ads_csv(engine, bad, ADVERTISER)
    with engine.connect() as conn:
        assert _ad_daily(conn) == before


# --- the export of test_csv_import, through the CLI, also into the weekly report ----------------

#: The week of ``test_csv_import.ROWS`` (3 and 4 November 2026).
EXPORT_WEEK = "2026-W45"
#: The ads export's account currency matches the store's, so spend needs no FX rate.
ADS_THB = ADS.replace("GBP", "THB")


def ask_kpis(tikpulse) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answer = json.loads(tikpulse("ask", "--tenant", "acme", "--json",
                                 f"kpi {SHOP} {EXPORT_WEEK}"))
    return {k: answer["metrics"][k] for k in ("gross_gmv", "net_gmv", "orders", "spend")}


def rebuild_all(engine: Engine) -> None:
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

    kpi_table = tikpulse("kpi", "--tenant", "acme", "--week", EXPORT_WEEK)
    gross = f"{Decimal(after_import['gross_gmv']):,.2f} THB"
    assert gross in kpi_table and "1,013.34 THB" in kpi_table

    tenant = load_tenants(tikpulse.config).tenant("acme")
    store = build_weekly_report(engine, tenant, EXPORT_WEEK).stores[0]
    assert store.kpis.current.gross_gmv == Decimal(after_import["gross_gmv"])
    assert store.kpis.current.orders == after_import["orders"]

    rebuild_all(engine)
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
    rebuild_all(engine)
    assert [dump(engine, t) for t in tables] == incremental


def dump(engine: Engine, table) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The table's rows without bookkeeping times, sorted."""
    with engine.connect() as conn:
        rows = conn.execute(select(table)).mappings().all()
    return sorted(tuple(str(v) for k, v in r.items() if not k.endswith("_at")) for r in rows)


def test_buyers_are_na_not_zero_when_the_export_has_no_buyer_ids(tikpulse, tmp_path: Path) -> None:
    anonymous = [replace(o, buyer="") for o in ORDERS]
    tikpulse("import", "orders", str(write_orders(tmp_path / "orders.csv", anonymous)),
             "--shop", SHOP, "--tenant", "acme", "--region", "TH")
    answer = json.loads(tikpulse("ask", "--tenant", "acme", "--json", f"kpi {SHOP} {WEEK}"))
    assert answer["metrics"]["orders"] == 4 and answer["metrics"]["buyers"] is None
    assert _cell(tikpulse("kpi", "--tenant", "acme", "--week", WEEK), "Buyers") == "n/a"
    tikpulse("import", "orders", str(write_orders(tmp_path / "orders.csv", ORDERS)),
             "--shop", SHOP, "--tenant", "acme", "--region", "TH")
    answer = json.loads(tikpulse("ask", "--tenant", "acme", "--json", f"kpi {SHOP} {WEEK}"))
    assert answer["metrics"]["buyers"] == 3  # b1, b2, b3 paid in the week
