"""CSV imports that refuse to lie: every file that would store wrong numbers is refused whole.

Each case names the row, column, value and fix, writes nothing (no shop, tenant, order, line,
refund, advertiser or report row, even for a shop seen for the first time) and leaves a
``failed`` run record with the reason. Files read in every encoding and language Seller Center and
Excel write store exactly what the plain UTF-8 English file stores.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jobs.ingestion.csv_import import import_ads_csv, import_orders_csv
from jobs.sources.csv.common import BadFile, normalise
from jobs.sources.csv.headers import ADS_HEADERS, ORDER_HEADERS
from jobs.warehouse import schema as s
from tests.ingestion.xlsx_writer import write_xlsx

#: English header, and the same columns as Chinese, Thai and Vietnamese Seller Center write them.
#: The second-to-last column is a region-specific one no table knows: it must fill nothing.
LANGUAGES = {
    "en": ["Order ID", "Order Status", "SKU ID", "Seller SKU", "Product Name", "Quantity",
           "SKU Subtotal Before Discount", "SKU Seller Discount", "SKU Subtotal After Discount",
           "Shipping Fee After Discount", "Order Amount", "Order Refund Amount", "Created Time",
           "Paid Time", "Creator Handle", "Cancelled Time"],
    "zh": ["订单号", "订单状态", "SKU编号", "卖家SKU", "商品名称", "数量", "SKU折前小计",
           "SKU卖家折扣", "SKU折后小计", "折后运费", "订单金额", "订单退款金额", "创建时间",
           "付款时间", "达人昵称", "取消时间"],
    "th": ["หมายเลขคำสั่งซื้อ", "สถานะคำสั่งซื้อ", "รหัส SKU", "SKU ของผู้ขาย", "ชื่อสินค้า",
           "จำนวน", "ยอดรวมย่อยของ SKU ก่อนหักส่วนลด", "ส่วนลดจากผู้ขายของ SKU",
           "ยอดรวมย่อยของ SKU หลังหักส่วนลด", "ค่าจัดส่งหลังหักส่วนลด", "ยอดคำสั่งซื้อ",
           "ยอดเงินคืนของคำสั่งซื้อ", "เวลาที่สร้าง", "เวลาที่ชำระเงิน", "ชื่อครีเอเตอร์",
           "เวลาที่ยกเลิก"],
    "vi": ["Mã đơn hàng", "Trạng thái đơn hàng", "Mã SKU", "SKU người bán", "Tên sản phẩm",
           "Số lượng", "Tổng phụ SKU trước giảm giá", "Giảm giá của người bán cho SKU",
           "Tổng phụ SKU sau giảm giá", "Phí vận chuyển sau giảm giá", "Tổng tiền đơn hàng",
           "Số tiền hoàn lại của đơn hàng", "Thời gian tạo", "Thời gian thanh toán",
           "Tên nhà sáng tạo", "Thời gian hủy"],
}
HEADER = LANGUAGES["en"]
A, B, C = "576001234567890001", "576001234567890002", "576001234567890003"
ROWS = [  # rows 2-5 of the file; orders A (two SKUs), B (cancelled, refunded), C
    [A, "已完成", "sku-A", "A-1", "Mug", "2", "THB 200.00", "THB 25.01", "THB 174.99",
     "THB 39.00", "THB 1,213.99", "THB 0.00", "03/11/2026 21:15:00\t", "03/11/2026 21:16:10\t",
     "creator_1", ""],
    [A, "已完成", "sku-B", "B-1", "Plate", "1", "THB 1,000.00", "THB 0.00", "THB 1,000.00",
     "THB 39.00", "THB 1,213.99", "THB 0.00", "03/11/2026 21:15:00\t", "03/11/2026 21:16:10\t",
     "creator_1", ""],
    [B, "ยกเลิกแล้ว", "sku-A", "A-1", "Mug", "1", "THB 100.00", "THB 0.00", "THB 100.00",
     "THB 39.00", "THB 139.00", "THB 100.00", "04/11/2026 08:00:00\t", "04/11/2026 08:01:00\t",
     "", "04/11/2026 09:00:00\t"],
    [C, "Đã giao", "sku-C", "C-1", "Bowl", "3", "฿300.00", "THB 0.00", "฿300.00",
     "THB 0.00", "THB 300.00", "THB 0.00", "05/11/2026 10:00:00\t", "05/11/2026 10:00:30\t",
     "", ""],
]
COUNTED = (s.tenants, s.shops, s.orders, s.order_lines, s.refunds, s.advertisers,
           s.ad_report_rows)


def table(rows: list[list[str]] | None = None, header: list[str] = HEADER) -> list[list[str]]:
    return [list(header), *[list(r) for r in (ROWS if rows is None else rows)]]


def with_cell(row: list[str], column: str, value: str) -> list[str]:
    changed = list(row)
    changed[HEADER.index(column)] = value
    return changed


def write(path: Path, cells: list[list[str]], encoding: str = "utf-8-sig",
          delimiter: str = ",") -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(cells)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in COUNTED}


def refused(engine: Engine, path: Path, *, ads: bool = False) -> BadFile:
    """Import ``path`` into a shop (or advertiser) seen for the first time; it must be refused
    with nothing written and a failed run that says why."""
    with pytest.raises(BadFile) as raised:
        if ads:
            import_ads_csv(engine, path, "adv9", tenant="Acme", currency="GBP")
        else:
            import_orders_csv(engine, path, "9001", tenant="Acme", region="TH")
    assert counts(engine) == dict.fromkeys(counts(engine), 0)
    with engine.connect() as conn:
        run = conn.execute(select(s.job_runs)).one()
    assert run.status == "failed" and run.finished_at is not None
    assert run.error == str(raised.value)[:2000]
    return raised.value


def problem(error: BadFile, row: int, column: str):  # type: ignore[no-untyped-def]
    found = [p for p in error.problems if (p.row, p.column) == (row, column)]
    assert found, [str(p) for p in error.problems]
    text = str(found[0])
    assert f"row {row}, column {column!r}: got " in text and "Fix: " in text, text
    assert text in str(error)
    return found[0]


def stored(engine: Engine, shop: str) -> list[list[tuple]]:  # type: ignore[type-arg]
    """The shop's orders, lines and refunds, without what says when or into which shop."""
    skip = ("shop_id", "ingested_at")
    out = []
    with engine.connect() as conn:
        for t in (s.orders, s.order_lines, s.refunds):
            rows = conn.execute(select(t).where(t.c.shop_id == shop)).all()
            out.append(sorted(tuple(str(v) for k, v in r._mapping.items() if k not in skip)
                              for r in rows))
    return out


# --- orders: conflicting and repeated orders ---------------------------------------------------

def test_an_order_twice_with_different_amounts_is_refused(engine: Engine, tmp_path: Path) -> None:
    later = with_cell(ROWS[0], "Order Amount", "THB 101,213.99")
    error = refused(engine, write(tmp_path / "o.csv", table([*ROWS, later])))
    found = problem(error, 6, "Order Amount")
    assert found.value == "THB 101,213.99" and "'THB 1,213.99' as in row 2" in found.expected
    assert A in found.fix and "two versions" in found.fix and "newer export" in found.fix


def test_an_order_twice_with_another_status_is_refused_row_by_row_too(
    engine: Engine, tmp_path: Path
) -> None:
    later = with_cell(ROWS[2], "Order Status", "Completed")
    path = write(tmp_path / "o.csv", table([*ROWS, later]))
    with pytest.raises(BadFile) as raised:
        import_orders_csv(engine, path, "9001", tenant="Acme", region="TH", columnar=False)
    assert "'ยกเลิกแล้ว' as in row 4" in problem(raised.value, 6, "Order Status").expected


def test_a_whole_order_repeated_further_down_is_read_once(engine: Engine, tmp_path: Path) -> None:
    import_orders_csv(engine, write(tmp_path / "a.csv", table()), "9000", tenant="Acme",
                      region="TH")
    pasted = write(tmp_path / "b.csv", table([*ROWS, ROWS[0], ROWS[1], ROWS[3]]))
    result = import_orders_csv(engine, pasted, "9001", tenant="Acme", region="TH")
    assert (result.orders, result.lines) == (3, 4)
    assert stored(engine, "9001") == stored(engine, "9000")


def test_an_orders_rows_split_by_another_order_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    error = refused(engine, write(tmp_path / "o.csv", table([ROWS[0], ROWS[2], ROWS[1]])))
    found = problem(error, 4, "Order ID")
    assert found.value == A and "rows 2-2" in found.fix
    assert "sort the file by 'Order ID'" in found.fix


def test_identical_rows_within_an_order_are_two_unit_lines(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path / "o.csv", table([ROWS[2], ROWS[2]]))
    result = import_orders_csv(engine, path, "9001", tenant="Acme", region="TH")
    assert (result.orders, result.lines) == (1, 2)
    with engine.connect() as conn:
        lines = conn.execute(select(s.order_lines.c.line_id)).scalars().all()
        sub_total = conn.execute(select(s.orders.c.sub_total)).scalar_one()
    assert sorted(lines) == ["sku-A", "sku-A#2"] and sub_total == Decimal("200.00")


# --- orders: headers ---------------------------------------------------------------------------

def test_a_column_we_read_twice_is_refused(engine: Engine, tmp_path: Path) -> None:
    cells = [row + [value] for row, value in zip(table(), ["Quantity", "120", "119", "1", "1"],
                                                  strict=True)]
    error = refused(engine, write(tmp_path / "o.csv", cells))
    found = problem(error, 1, "Quantity")
    assert found.value == "columns F and Q" and "two columns called 'Quantity'" in found.fix


def test_a_repeated_column_we_do_not_read_is_ignored(engine: Engine, tmp_path: Path) -> None:
    cells = [row + [row[14]] for row in table()]  # "Creator Handle" twice
    result = import_orders_csv(engine, write(tmp_path / "o.csv", cells), "9001",
                               tenant="Acme", region="TH")
    assert result.orders == 3


def test_an_unknown_cjk_column_fills_nothing(engine: Engine, tmp_path: Path) -> None:
    header = [h if h != "Product Name" else "达人昵称" for h in HEADER]
    import_orders_csv(engine, write(tmp_path / "o.csv", table(header=header)), "9001",
                      tenant="Acme", region="TH")
    with engine.connect() as conn:
        names = set(conn.execute(select(s.order_lines.c.product_name)).scalars())
    assert names == {None}


@pytest.mark.parametrize("language", ["zh", "th", "vi"])
def test_each_languages_headers_import_like_english(
    engine: Engine, tmp_path: Path, language: str
) -> None:
    import_orders_csv(engine, write(tmp_path / "en.csv", table()), "9000", tenant="Acme",
                      region="TH")
    localised = write(tmp_path / f"{language}.csv", table(header=LANGUAGES[language]))
    result = import_orders_csv(engine, localised, "9001", tenant="Acme", region="TH")
    assert (result.orders, result.lines, result.refunds, result.read_by) == (3, 4, 1, "columns")
    assert stored(engine, "9001") == stored(engine, "9000")


def test_header_names_keep_their_letters_and_mean_one_field_each() -> None:
    assert normalise(" Order ID\ufeff") == normalise("order_id") == "orderid"
    assert normalise("订单 号") == "订单号" and normalise("达人昵称") == "达人昵称"
    assert normalise("Mã đơn hàng") == "mãđơnhàng"
    assert normalise("หมายเลขคำสั่งซื้อ") != "" and normalise("（）-") == ""
    for aliases in (ORDER_HEADERS, ADS_HEADERS):
        meaning: dict[str, str] = {}
        for field, names in aliases.items():
            for name in names:
                assert meaning.setdefault(normalise(name), field) == field, name


# --- orders: cells -----------------------------------------------------------------------------

def test_an_amount_in_another_currency_is_refused(engine: Engine, tmp_path: Path) -> None:
    rows = [ROWS[0], with_cell(ROWS[1], "SKU Subtotal After Discount", "USD 12.00"), *ROWS[2:]]
    found = problem(refused(engine, write(tmp_path / "o.csv", table(rows))), 3,
                    "SKU Subtotal After Discount")
    assert found.value == "USD 12.00" and "THB" in found.expected
    assert "another currency" in found.fix and "--shop" in found.fix


@pytest.mark.parametrize("amount", ["-THB 139.00", "(139.00)", "THB -139.00"])
def test_a_negative_amount_is_refused(engine: Engine, tmp_path: Path, amount: str) -> None:
    rows = [*ROWS[:2], with_cell(ROWS[2], "Order Amount", amount), ROWS[3]]
    found = problem(refused(engine, write(tmp_path / "o.csv", table(rows))), 4, "Order Amount")
    assert found.value == amount and "0 or more" in found.expected
    assert "Order Refund Amount" in found.fix


@pytest.mark.parametrize(("column", "value"), [("Order ID", "5.76001E+17"),
                                                ("SKU ID", "1.72991E+18")])
def test_an_id_excel_rounded_is_refused(
    engine: Engine, tmp_path: Path, column: str, value: str
) -> None:
    rows = [with_cell(r, column, value) for r in ROWS[:2]] + ROWS[2:]
    found = problem(refused(engine, write(tmp_path / "o.csv", table(rows))), 2, column)
    assert found.value == value
    assert "Excel rounded" in found.fix and "Text" in found.fix
    assert "Export the file again" in found.fix


def test_an_id_a_workbook_stores_as_a_number_is_refused(engine: Engine, tmp_path: Path) -> None:
    rows: list[list[str | float]] = [list(HEADER), *[list(r) for r in ROWS]]
    rows[1][0] = rows[2][0] = 576001234567890001.0  # Excel keeps 15 digits: 5.76001234567890e17
    found = problem(refused(engine, write_xlsx(tmp_path / "o.xlsx", rows)), 2, "Order ID")
    assert "Excel rounded" in found.fix


def test_a_time_in_the_future_is_refused(engine: Engine, tmp_path: Path) -> None:
    rows = [*ROWS[:3], with_cell(with_cell(ROWS[3], "Created Time", "05/11/2099 10:00:00\t"),
                                  "Paid Time", "05/11/2099 10:00:30\t")]
    found = problem(refused(engine, write(tmp_path / "o.csv", table(rows))), 5, "Created Time")
    assert found.value == "05/11/2099 10:00:00\t" and "already happened" in found.expected


# --- orders: files -----------------------------------------------------------------------------

def test_a_file_in_no_encoding_we_read_is_refused_not_a_traceback(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "o.csv"
    good = write(tmp_path / "good.csv", table(), encoding="utf-8").read_bytes()
    path.write_bytes(good.replace(b"Mug", b"Mug \xa312.30 caf\xe9"))  # Latin-1 bytes
    found = problem(refused(engine, path), 2, "(whole file)")
    assert found.value.startswith("bytes a3") and "UTF-8, UTF-16 or GB18030" in found.expected
    assert "CSV UTF-8" in found.fix


@pytest.mark.parametrize("cut", [
    45,  # inside an earlier cell: the last row is short
    12,  # inside its last cell, a time we read
    1,   # its last cell we read may be whole, but nothing says so (no line break)
])
def test_a_file_cut_off_is_refused(engine: Engine, tmp_path: Path, cut: int) -> None:
    rows = [*ROWS[:3], with_cell(ROWS[3], "Cancelled Time", "05/11/2026 12:00:00")]
    data = write(tmp_path / "whole.csv", table(rows)).read_bytes()
    path = tmp_path / "o.csv"
    path.write_bytes(data[:-2 - cut])  # the closing line break and ``cut`` more bytes gone
    found = problem(refused(engine, path), 5, "(whole row)")
    assert "cut off" in found.fix and "export it again" in found.fix


def test_a_file_cut_inside_a_character_is_refused(engine: Engine, tmp_path: Path) -> None:
    data = write(tmp_path / "whole.csv", table(ROWS[:3])).read_bytes()
    path = tmp_path / "o.csv"
    path.write_bytes(data[:data.rindex("ยกเลิกแล้ว".encode()) + 2])
    found = problem(refused(engine, path), 4, "(whole file)")
    assert "cut off" in found.fix


def test_a_row_shifted_by_an_unquoted_comma_is_refused(engine: Engine, tmp_path: Path) -> None:
    data = write(tmp_path / "whole.csv", table(), encoding="utf-8").read_text()
    path = tmp_path / "o.csv"
    path.write_text(data.replace(",Bowl,", ",Bowl, large,"), encoding="utf-8")
    found = problem(refused(engine, path), 5, "(columns after P)")
    assert found.value == "17 cells" and "unquoted comma" in found.fix


def test_the_command_refuses_with_exit_1_and_leaves_no_shop(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.settings import Settings
    from jobs.cli.imports import import_

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    bad = write(tmp_path / "o.csv", table([*ROWS[:3], with_cell(ROWS[3], "Order Amount",
                                                                 "USD 300.00")]))
    result = CliRunner().invoke(import_, ["orders", str(bad), "--shop", "9001", "--tenant",
                                          "Acme", "--region", "TH"], obj=Settings())
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert "row 5, column 'Order Amount': got 'USD 300.00'" in result.output
    assert counts(engine) == dict.fromkeys(counts(engine), 0)


# --- orders: encodings and workbooks -----------------------------------------------------------

def _xlsx(path: Path, cells: list[list[str]]) -> Path:
    return write_xlsx(path.with_suffix(".xlsx"), cells)


def _utf16_be(path: Path, cells: list[list[str]]) -> Path:
    write(path, cells, "utf-16-be", "\t")
    path.write_bytes(b"\xfe\xff" + path.read_bytes())  # with its byte order mark
    return path


VARIANTS = {
    "utf-8": lambda p, c: write(p, c, "utf-8"),
    "utf-8 with BOM": lambda p, c: write(p, c, "utf-8-sig"),
    "utf-16 (Excel 'Unicode text', tabs)": lambda p, c: write(p, c, "utf-16", "\t"),
    "utf-16 big endian": _utf16_be,
    "gb18030 (Excel on Chinese Windows)": lambda p, c: write(p, c, "gb18030"),
    "semicolons": lambda p, c: write(p, c, "utf-8", ";"),
    "xlsx": _xlsx,
    "xlsx with a description row": lambda p, c: _xlsx(
        p, [c[0], ["Platform unique order ID."] + [""] * (len(c[0]) - 1), *c[1:]]),
}


def test_every_encoding_and_workbook_stores_the_same_numbers(
    engine: Engine, tmp_path: Path
) -> None:
    import_orders_csv(engine, write(tmp_path / "ref.csv", table()), "9000", tenant="Acme",
                      region="TH")
    reference = stored(engine, "9000")
    for number, (name, make) in enumerate(VARIANTS.items(), start=1):
        path = make(tmp_path / f"v{number}.csv", table(header=LANGUAGES["zh"]))
        shop = f"90{number:02d}"
        result = import_orders_csv(engine, path, shop, tenant="Acme", region="TH")
        assert (result.orders, result.lines, result.refunds) == (3, 4, 1), name
        assert result.read_by == "columns", name  # the fast path reads every form
        assert stored(engine, shop) == reference, name


# --- ads ---------------------------------------------------------------------------------------

ADS_HEADER = ["By Day", "Campaign ID", "Campaign name", "Currency", "Cost", "Impressions",
              "Clicks (destination)", "Gross revenue"]
ADS_ROWS = [["2026-11-02", "1790000000000001", "Spring", "GBP", "12.34", "1000", "10", "55.10"],
            ["2026-11-03", "1790000000000001", "Spring", "GBP", "£8.00", "900", "9", "-"]]


@pytest.mark.parametrize(("change", "row", "column", "words"), [
    ("header", 1, "Cost", "two columns called 'Cost'"),
    ("negative", 3, "Cost", "never negative"),
    ("currency", 3, "Cost", "another currency"),
    ("conflict", 4, "Cost", "appears twice with different figures"),
    ("excel", 2, "Campaign ID", "Excel rounded"),
    ("future", 3, "By Day", "future days"),
])
def test_an_ads_export_that_would_lie_is_refused(
    engine: Engine, tmp_path: Path, change: str, row: int, column: str, words: str
) -> None:
    header, rows = list(ADS_HEADER), [list(r) for r in ADS_ROWS]
    if change == "header":
        header, rows = header + ["Cost"], [r + ["1.00"] for r in rows]
    elif change == "negative":
        rows[1][4] = "-8.00"
    elif change == "currency":
        rows[1][4] = "USD 8.00"
    elif change == "conflict":
        rows.append([*rows[0][:4], "99.00", *rows[0][5:]])
    elif change == "excel":
        rows[0][1] = rows[1][1] = "1.79E+15"
    elif change == "future":
        rows[1][0] = "2099-11-03"
    found = problem(refused(engine, write(tmp_path / "ads.csv", [header, *rows]), ads=True),
                    row, column)
    assert words in found.fix


def test_an_ads_workbook_in_utf16_or_xlsx_stores_the_same_rows(
    engine: Engine, tmp_path: Path
) -> None:
    def rows() -> list[tuple]:  # type: ignore[type-arg]
        with engine.connect() as conn:
            found = conn.execute(select(s.ad_report_rows)).all()
        return sorted(tuple(str(v) for k, v in r._mapping.items() if k != "pulled_at")
                      for r in found)

    cells = [ADS_HEADER, *ADS_ROWS, ADS_ROWS[0]]  # an identical repeat is read once
    import_ads_csv(engine, write(tmp_path / "a.csv", cells), "adv9", tenant="Acme",
                   currency="GBP")
    reference = rows()
    for path in (write(tmp_path / "b.csv", cells, "utf-16", "\t"),
                 write(tmp_path / "c.csv", cells, "gb18030"),
                 write_xlsx(tmp_path / "d.xlsx", cells)):
        result = import_ads_csv(engine, path, "adv9")
        assert result.ad_rows == 2 and rows() == reference, path.name
