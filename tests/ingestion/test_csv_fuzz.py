"""Fuzzing the order import: a mangled export is refused, or it stores the valid file's numbers.

A valid Seller Center export is re-encoded (UTF-8, UTF-8 with BOM, UTF-16 with tabs, GB18030,
.xlsx), then maybe reordered (rows, or whole orders), given a copied row, a copied column or a
second header line (two exports pasted together), and maybe cut off at any byte. The import
must either refuse the file (writing nothing) or store exactly the totals of the rows the file
holds, read by the contract below, which this test states independently of the importer:

- rows are projected on the columns we read; a column we read that appears twice, a row that is
  not a valid file's row (cut short, a header line, ...), a row longer than the header, or a last
  row without a line break that is short or ends in a column we read: refused;
- an order's rows are its first run of adjacent rows; the same order again further down is
  skipped if its rows are identical, refused otherwise;
- identical rows inside one order are two unit lines (TikTok keys lines per unit).

So the stored totals equal the valid file's unless the file was cut at a line break (a shorter,
valid export) or a row was copied next to its own order's rows (one more unit line): both are
asserted explicitly.
"""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from jobs.ingestion.csv_import import import_orders_csv
from jobs.sources.csv.common import BadFile, normalise
from jobs.sources.csv.headers import ORDER_HEADERS, ORDER_REQUIRED
from jobs.warehouse import schema as s
from tests.ingestion.xlsx_writer import write_xlsx

HEADER = ["Order ID", "Order Status", "SKU ID", "Product Name", "Quantity",
          "SKU Subtotal After Discount", "Order Amount", "Order Refund Amount", "Created Time",
          "Creator Handle", "Paid Time"]
DESCRIPTION = ["Platform unique order ID.", "Current order status.", "", "", "Units.", "", "",
               "", "Time the order was created.", "", ""]
#: (order id, status, refund, [(sku, quantity, subtotal in satang)]); amount = lines + 39.00
ORDERS = [
    ("576000000000000001", "已完成", 0, [("sku-A", 2, 20000), ("sku-B", 1, 100000)]),
    ("576000000000000002", "ยกเลิกแล้ว", 13900, [("sku-A", 1, 10000)]),
    ("576000000000000003", "Completed", 0, [("sku-C", 1, 4550), ("sku-A", 3, 30000),
                                            ("sku-C", 2, 9100)]),
    ("576000000000000004", "Đã giao", 0, [("sku-D", 1, 123456789)]),
    ("576000000000000005", "已完成", 0, [("sku-B", 1, 99), ("sku-A", 1, 10000)]),
]
READ = {normalise(name) for names in ORDER_HEADERS.values() for name in names}
READ_COLUMNS = [h for h in HEADER if normalise(h) in READ]
REQUIRED = [normalise(ORDER_HEADERS[field][0]) for field in ORDER_REQUIRED]


class Totals(NamedTuple):
    orders: int
    lines: int
    units: int
    sub_total: Decimal
    total_amount: Decimal
    refunds: Decimal


def _money(satang: int) -> str:
    return f"THB {satang // 100:,}.{satang % 100:02d}"


def _valid_rows() -> tuple[list[list[str]], dict[tuple[str, ...], tuple[int, int, int, int]]]:
    """The valid file's data rows, and each row's (read columns) numbers."""
    rows, numbers = [], {}
    for k, (order_id, status, refund, lines) in enumerate(ORDERS):
        amount = sum(sub for _, _, sub in lines) + 3900
        created = f"0{k + 1}/11/2026 10:00:00\t"
        for sku, quantity, sub in lines:
            row = [order_id, status, sku, "Mug", str(quantity), _money(sub), _money(amount),
                   _money(refund), created, f"creator_{k}", f"0{k + 1}/11/2026 10:05:00\t"]
            rows.append(row)
            numbers[_project(row, HEADER)] = (quantity, sub, amount, refund)
    return rows, numbers


def _project(row: list[str], header: list[str]) -> tuple[str, ...]:
    keys = [normalise(h) for h in header]
    return tuple(row[keys.index(normalise(name))] for name in READ_COLUMNS)


VALID, NUMBERS = _valid_rows()


def expected(rows: list[list[str]], ends_with_break: bool) -> Totals | None:
    """The totals the contract says the file holds, or None if it must be refused."""
    if not rows:
        return None
    header, data = rows[0], rows[1:]
    keys = [normalise(h) for h in header]
    read = [key for key in keys if key in READ]
    if len(read) != len(set(read)) or any(key not in keys for key in REQUIRED):
        return None
    width = len(header)
    if data and not ends_with_break and (len(data[-1]) < width or keys[-1] in READ):
        return None
    at = keys.index(normalise("Order ID"))
    if data and data[0][at:at + 1] == DESCRIPTION[:1]:  # the column descriptions' row
        data = data[1:]
    records = []
    for row in data:
        if not any(row):
            continue
        if len(row) > width:
            return None
        record = _project((row + [""] * width)[:width], header)
        if record not in NUMBERS:
            return None
        records.append(record)
    runs = [list(run) for _, run in itertools.groupby(records, key=lambda r: r[0])]
    first: dict[str, list[tuple[str, ...]]] = {}
    for run in runs:
        if first.setdefault(run[0][0], run) != run:
            return None
    return _totals(list(first.values()))


def _totals(orders: list[list[tuple[str, ...]]]) -> Totals:
    cents = Decimal("0.01")
    lines = [NUMBERS[record] for run in orders for record in run]
    heads = [NUMBERS[run[0]] for run in orders]
    return Totals(len(orders), len(lines), sum(q for q, _, _, _ in lines),
                  sum((Decimal(sub) * cents for _, sub, _, _ in lines), Decimal(0)),
                  sum((Decimal(a) * cents for _, _, a, _ in heads), Decimal(0)),
                  sum((Decimal(r) * cents for _, _, _, r in heads if r), Decimal(0)))


VALID_TOTALS = expected([HEADER, DESCRIPTION, *VALID], True)


def stored_totals(engine: Engine, shop: str) -> Totals:
    with engine.connect() as conn:
        orders = conn.execute(select(func.count(), func.sum(s.orders.c.sub_total),
                                     func.sum(s.orders.c.total_amount))
                              .where(s.orders.c.shop_id == shop)).one()
        lines = conn.execute(select(func.count(), func.sum(s.order_lines.c.quantity))
                             .where(s.order_lines.c.shop_id == shop)).one()
        refunds = conn.execute(select(func.sum(s.refunds.c.refund_amount))
                               .where(s.refunds.c.shop_id == shop)).scalar()
    zero = Decimal(0)
    return Totals(orders[0], lines[0], lines[1] or 0, Decimal(orders[1] or zero),
                  Decimal(orders[2] or zero), Decimal(refunds or zero))


class Variant(NamedTuple):
    encoding: str
    mutation: str
    picks: tuple[int, int]
    order: list[int]
    cut: float | None


ENCODINGS = {"utf-8": ",", "utf-8-sig": ",", "utf-16": "\t", "gb18030": ",", "xlsx": ","}


@st.composite
def variants(draw: st.DrawFn) -> Variant:
    mutation = draw(st.sampled_from(["none", "shuffle rows", "shuffle orders", "copy row",
                                     "copy column", "header again"]))
    size = len(ORDERS) if mutation == "shuffle orders" else len(VALID)
    return Variant(draw(st.sampled_from(sorted(ENCODINGS))), mutation,
                   (draw(st.integers(0, 50)), draw(st.integers(0, 50))),
                   draw(st.permutations(range(size))),
                   draw(st.none() | st.floats(0.0, 1.0)))


def mangle(variant: Variant) -> tuple[list[list[str]], bool]:
    """The variant's table, and whether a row was copied next to its own order's rows."""
    header, rows = list(HEADER), [list(r) for r in VALID]
    i, j = variant.picks
    beside_own = False
    if variant.mutation == "shuffle rows":
        rows = [rows[k] for k in variant.order]
    elif variant.mutation == "shuffle orders":
        blocks = [list(g) for _, g in itertools.groupby(rows, key=lambda r: r[0])]
        rows = [row for k in variant.order for row in blocks[k]]
    elif variant.mutation == "copy row":
        copy, at = rows[i % len(rows)], j % (len(rows) + 1)
        beside_own = any(r[0] == copy[0] for r in rows[max(at - 1, 0):at + 1])
        rows.insert(at, list(copy))
    elif variant.mutation == "copy column":
        column, at = i % len(header), j % (len(header) + 1)
        header.insert(at, header[column])
        rows = [r[:at] + [r[column]] + r[at:] for r in rows]
    elif variant.mutation == "header again":
        rows.insert(i % (len(rows) + 1), list(HEADER))
    description = [DESCRIPTION[HEADER.index(h)] for h in header]
    return [header, description, *rows], beside_own


def encode(table: list[list[str]], encoding: str, folder: Path) -> bytes:
    if encoding == "xlsx":
        return write_xlsx(folder / "fuzz.xlsx", table).read_bytes()
    text = io.StringIO()
    csv.writer(text, delimiter=ENCODINGS[encoding], lineterminator="\r\n").writerows(table)
    return text.getvalue().encode(encoding)


def expected_of(data: bytes, variant: Variant, table: list[list[str]]) -> Totals | None:
    """What the (maybe cut) file must store, read by the contract."""
    if variant.encoding == "xlsx":
        return expected(table, True) if variant.cut is None else None
    try:
        text = data.decode(variant.encoding)
    except UnicodeDecodeError:
        return None
    rows = list(csv.reader(io.StringIO(text, newline=""),
                           delimiter=ENCODINGS[variant.encoding]))
    return expected(rows, text.endswith(("\n", "\r")) or not text)


def test_a_mangled_export_is_refused_or_stores_the_valid_numbers(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    shops = itertools.count(1)

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(variants())
    def check(variant: Variant) -> None:
        shop = f"77{next(shops):04d}"
        table, beside_own = mangle(variant)
        data = encode(table, variant.encoding, tmp_path)
        if variant.cut is not None and variant.encoding != "xlsx":
            data = data[:int(len(data) * variant.cut)]
        elif variant.cut is not None:
            data = data[:int(len(data) * variant.cut * 0.999)]  # any cut breaks a workbook
        path = tmp_path / f"{shop}.{'xlsx' if variant.encoding == 'xlsx' else 'csv'}"
        path.write_bytes(data)
        want = expected_of(data, variant, table)
        try:
            import_orders_csv(sqlite_engine, path, shop, tenant="Fuzz", region="TH")
        except BadFile:
            assert want is None, f"refused a file that holds {want}"
            assert stored_totals(sqlite_engine, shop).orders == 0
            with sqlite_engine.connect() as conn:
                assert conn.execute(select(s.shops).where(s.shops.c.shop_id == shop)).first() \
                    is None
            return
        assert want is not None, "a file that must be refused was imported"
        assert stored_totals(sqlite_engine, shop) == want
        if variant.cut is None and not beside_own:
            assert want == VALID_TOTALS

    check()
