"""CSV imports: Seller Center quirks, all-or-nothing on bad files, idempotent re-import."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jobs.ingestion.csv_import import UnknownShop, import_ads_csv, import_orders_csv
from jobs.sources.csv.common import BadFile, parse_money
from jobs.warehouse import schema as s

HEADER = ("Order ID,Order Status,Order Substatus,SKU ID,Seller SKU,Product Name,Variation,"
          "Quantity,SKU Unit Original Price,SKU Subtotal Before Discount,SKU Platform Discount,"
          "SKU Seller Discount,SKU Subtotal After Discount,Shipping Fee After Discount,Taxes,"
          "Order Amount,Order Refund Amount,Created Time,Paid Time,Cancelled Time,Cancel By,"
          "Country,Creator Handle,Small Order Fee")
DESCRIPTION = ("Platform unique order ID.,Current order status.,,Platform SKU ID.,,,,"
               "Number of units.,,,,,,,,,,Time the order was created.,,,,,,")
ROWS = [
    # a 2-line order, one SKU x2 with a seller discount that does not split evenly
    '576001,已完成,,sku-A,A-1,Mug,Blue,2,THB 100.00,THB 200.00,THB 0.00,THB 25.01,THB 174.99,'
    'THB 39.00,THB 0.00,"THB 1,213.99",THB 0.00,03/11/2026 21:15:00\t,03/11/2026 21:16:10\t,,,'
    'Thailand,creator_1,',
    '576001,已完成,,sku-B,B-1,Plate,Red,1,"THB 1,000.00","THB 1,000.00",THB 0.00,THB 0.00,'
    '"THB 1,000.00",THB 39.00,THB 0.00,"THB 1,213.99",THB 0.00,03/11/2026 21:15:00\t,'
    '03/11/2026 21:16:10\t,,,Thailand,creator_1,',
    # cancelled after payment, fully refunded
    '576002,ยกเลิกแล้ว,,sku-A,A-1,Mug,Blue,1,THB 100.00,THB 100.00,THB 0.00,THB 0.00,'
    'THB 100.00,THB 39.00,THB 0.00,THB 139.00,THB 100.00,04/11/2026 08:00:00\t,'
    '04/11/2026 08:01:00\t,04/11/2026 09:00:00\t,Buyer,Thailand,,THB 5.00',
]


def write_export(path: Path, rows: list[str], *, bom: bool = True,
                 description: bool = True) -> Path:
    lines = [HEADER] + ([DESCRIPTION] if description else []) + rows
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode())
    return path


def table(engine: Engine, t) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(select(t)).all()
    bookkeeping = ("ingested_at", "pulled_at")  # when we last saw the row, not its data
    return sorted(tuple(str(v) for k, v in r._mapping.items() if k not in bookkeeping)
                  for r in rows)


def test_order_export_quirks_are_parsed_exactly(engine: Engine, tmp_path: Path) -> None:
    path = write_export(tmp_path / "orders.csv", ROWS)
    result = import_orders_csv(engine, path, "9001", tenant="Acme", region="TH")
    assert (result.rows_read, result.orders, result.lines, result.refunds) == (3, 2, 3, 1)
    with engine.connect() as conn:
        shop = conn.execute(select(s.shops).where(s.shops.c.shop_id == "9001")).one()
        orders = {o.order_id: o for o in conn.execute(select(s.orders))}
        lines = conn.execute(select(s.order_lines).order_by(s.order_lines.c.line_id)).all()
        refund = conn.execute(select(s.refunds)).one()
    assert (shop.currency, shop.timezone, shop.source) == ("THB", "Asia/Bangkok", "csv")
    first = orders["576001"]
    assert first.status == "COMPLETED" and orders["576002"].status == "CANCELLED"
    assert first.sub_total == Decimal("1174.99") and first.total_amount == Decimal("1213.99")
    assert first.seller_discount == Decimal("25.01") and first.shipping_fee == Decimal("39.00")
    assert first.create_time == datetime(2026, 11, 3, 14, 15, tzinfo=UTC)  # Bangkok is UTC+7
    assert [(x.line_id, x.quantity) for x in lines if x.order_id == "576001"] == [
        ("sku-A", 2), ("sku-B", 1)]
    mug = next(x for x in lines if x.line_id == "sku-A")
    # per-unit amounts at the warehouse's 4 decimal places; the order keeps the exact sums
    assert (mug.sale_price, mug.seller_discount) == (Decimal("87.4950"), Decimal("12.5050"))
    assert mug.original_price == Decimal("100.00")
    assert refund.refund_amount == Decimal("100.00") and refund.kind == "cancellation"


def test_reimporting_the_same_file_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write_export(tmp_path / "orders.csv", ROWS, bom=False, description=False)
    import_orders_csv(engine, path, "9001", tenant="Acme", region="TH")
    before = [table(engine, t) for t in (s.orders, s.order_lines, s.refunds)]
    import_orders_csv(engine, path, "9001")
    assert [table(engine, t) for t in (s.orders, s.order_lines, s.refunds)] == before


def test_a_later_overlapping_export_updates_rows(engine: Engine, tmp_path: Path) -> None:
    import_orders_csv(engine, write_export(tmp_path / "a.csv", ROWS[:2]), "9001",
                      tenant="Acme", region="TH")
    later = [ROWS[0].replace("已完成", "Cancelled"), ROWS[1].replace("已完成", "Cancelled"),
             ROWS[2]]
    import_orders_csv(engine, write_export(tmp_path / "b.csv", later), "9001")
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(s.orders.c.order_id, s.orders.c.status)).all())
    assert statuses == {"576001": "CANCELLED", "576002": "CANCELLED"}


def test_a_bad_file_reports_every_problem_and_imports_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    bad = [ROWS[0], ROWS[1].replace("03/11/2026 21:15:00", "2026-13-45 99:00"),
           ROWS[2].replace("ยกเลิกแล้ว", "Lost in space").replace("THB 139.00", "THB 1x9")]
    with pytest.raises(BadFile) as raised:
        import_orders_csv(engine, write_export(tmp_path / "bad.csv", bad), "9001",
                          tenant="Acme", region="TH")
    problems = {(p.row, p.column): p for p in raised.value.problems}
    assert set(problems) == {(4, "Created Time"), (5, "Order Status")}
    assert problems[(4, "Created Time")].value.startswith("2026-13-45")
    assert "25/11/2026" in problems[(4, "Created Time")].expected
    assert problems[(5, "Order Status")].value == "Lost in space"
    assert "row 4, column 'Created Time'" in str(raised.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.orders)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(s.order_lines)).scalar_one() == 0
        run = conn.execute(select(s.job_runs)).one()
    assert run.status == "failed"


def test_missing_required_columns_are_named(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Order ID,Status,Product\n1,Completed,Mug\n", encoding="utf-8")
    with pytest.raises(BadFile) as raised:
        import_orders_csv(engine, path, "9001", tenant="Acme", region="GB")
    assert {p.column for p in raised.value.problems} == {
        "SKU ID", "Quantity", "SKU Subtotal After Discount", "Created Time"}


def test_an_unknown_shop_needs_a_region(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(UnknownShop):
        import_orders_csv(engine, write_export(tmp_path / "o.csv", ROWS), "9001")


@pytest.mark.parametrize(("raw", "expected"), [
    ("THB 1,234.50", Decimal("1234.50")), ("£12.30", Decimal("12.30")),
    ("RM12.30", Decimal("12.30")), ("1.234,50 €", Decimal("1234.50")),
    ("-THB 5.00", Decimal("-5.00")), ("(3.20)", Decimal("-3.20")), ("-", None), ("", None),
])
def test_money_cells(raw: str, expected: Decimal | None) -> None:
    assert parse_money(raw) == expected


def test_thousands_dots_in_zero_decimal_currencies() -> None:
    assert parse_money("Rp 120.000", exponent=0) == Decimal(120000)
    assert parse_money("₫1.250.000", exponent=0) == Decimal(1250000)


ADS = ("\ufeffBy Day,Campaign ID,Campaign name,Cost,Impressions,Clicks (destination),Conversions,"
       "Gross revenue,Currency\n"
       "2026-11-02,c1,Spring,12.34,1000,-,2,55.10,GBP\n"
       "2026-11-03,c1,Spring,\"1,001.00\",2000,40,-,-,GBP\n"
       "Total of 2 results,,,1013.34,3000,40,2,55.10,\n")


def test_ads_export_keeps_dash_as_missing_and_reimport_is_idempotent(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(ADS, encoding="utf-8")
    result = import_ads_csv(engine, path, "adv9", tenant="Acme", currency="GBP")
    assert result.ad_rows == 2
    before = table(engine, s.ad_report_rows)
    import_ads_csv(engine, path, "adv9")
    assert table(engine, s.ad_report_rows) == before
    with engine.connect() as conn:
        rows = {r.day.isoformat(): r for r in conn.execute(select(s.ad_report_rows))}
    assert rows["2026-11-02"].clicks is None and rows["2026-11-02"].spend == Decimal("12.34")
    assert rows["2026-11-03"].conversions is None and rows["2026-11-03"].purchase_value is None
    assert rows["2026-11-03"].spend == Decimal("1001.00") and rows["2026-11-03"].level == "campaign"


def test_import_command_registers_the_shop_and_reports_bad_files(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import Settings
    from jobs.cli.imports import import_

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    good = write_export(tmp_path / "orders.csv", ROWS)
    ok = CliRunner().invoke(import_, ["orders", str(good), "--shop", "9001", "--tenant", "Acme",
                                      "--region", "TH"], obj=Settings())
    assert ok.exit_code == 0, ok.output
    assert "2 orders, 3 lines" in ok.output
    bad = write_export(tmp_path / "bad.csv", [ROWS[0].replace("THB 174.99", "lots")])
    failed = CliRunner().invoke(import_, ["orders", str(bad), "--shop", "9001"], obj=Settings())
    assert failed.exit_code == 1
    assert "row 3, column 'SKU Subtotal After Discount': got 'lots'" in failed.output


def test_accepted_headers_are_listed() -> None:
    from jobs.cli.imports import import_

    result = CliRunner().invoke(import_, ["headers"])
    assert result.exit_code == 0
    assert "* order_id" in result.output and "Order ID | Order No" in result.output
    assert "Total onsite shopping value | Gross revenue" in result.output
