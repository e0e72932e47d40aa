"""The column-wise order import (pyarrow) stores exactly what the row-by-row reader stores.

A quirky export (odd money and time forms handed to the one-cell parsers, a DST zone with an
ambiguous and a skipped local time, repeated SKUs, absent optional columns, refunds) is imported
both ways into the same warehouse under two shops; the rows must be equal apart from the shop.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy import Engine, func, select

from jobs.ingestion import csv_import, writer
from jobs.ingestion.csv_import import import_orders_csv
from jobs.sources.csv.arrow_cells import money, quantity, storage_text, utc_times
from jobs.sources.csv.arrow_orders import CHUNK_ROWS, ArrowOrderReader, NotColumnar, OrderTables
from jobs.sources.csv.common import BadFile, CellError, parse_amount, parse_time
from jobs.sources.csv.read_ahead import read_in_process
from jobs.warehouse import schema as s
from jobs.warehouse.bulk import storage_time
from jobs.warehouse.types import to_money_units

HEADER = ("Order ID,Order Status,SKU ID,Seller SKU,Product Name,Quantity,"
          "SKU Unit Original Price,SKU Subtotal Before Discount,SKU Seller Discount,"
          "SKU Subtotal After Discount,Shipping Fee,Taxes,Order Amount,Order Refund Amount,"
          "Created Time,Paid Time,Delivered Time,Cancelled Time,Buyer Username,Order Type,"
          "Cancel Reason,Country")
ROWS = [
    # two lines of one SKU (#2), a thousands separator, 4 decimals, a dash for no discount
    '1001,Completed,sku-A,A,Mug,2,£10.00,"£1,020.00",-,"£1,000.1234",£3.99,£0.00,'
    '"£1,004.1234",£0.00,26/10/2025 01:30:00\t,26/10/2025 01:31:00\t,,,ann,Normal,,GB',
    '1001,Completed,sku-A,A,Mug,3,£10.00,,£0.01,£29.99,£3.99,£0.00,"£1,004.1234",£0.00,'
    '26/10/2025 01:30:00\t,26/10/2025 01:31:00\t,,,ann,Normal,,GB',
    # ISO times and a suffix currency go through the one-cell parsers; skipped local hour;
    # a product name with a quote, a backslash, a tab and a line break
    '1002,已完成,sku-B,,"Plate\\ ""big""\tround\nset",1,"1.234,50 £",,,"1.234,50 £",0,0,'
    '"1.234,50 £",0\xa0£,'
    '2025-03-30 01:30:00,30/03/2025 01:45:00,2025-04-02 10:00:00,,,Sample,,United Kingdom',
    # cancelled and refunded, no unit price: before = after + seller discount
    '1003,ยกเลิกแล้ว,sku-C,C,Bowl,1,,,£1.50,£8.50,£3.99,£0.20,£12.69,£12.69,'
    '01/11/2025 09:00:00,01/11/2025 09:01:00,,01/11/2025 10:00:00\t,bob,Normal,Buyer,GB',
    '1004,delivered,sku-D,D,Cup,"1,000",£0.10,£100.00,,£100.00,,,£100.00,£5.00,'
    '02/11/2025 23:59:59\t,03/11/2025 00:00:00\t,05/11/2025 12:00:00\t,,cy,Normal,,GB',
]


def export(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join([header, *rows]) + "\r\n").encode())
    return path


def rows_of(engine: Engine, table, shop: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        found = conn.execute(select(table).where(table.c.shop_id == shop)).all()
    skip = ("shop_id", "ingested_at")
    return sorted(tuple(v for k, v in r._mapping.items() if k not in skip) for r in found)


def test_columnar_and_row_by_row_imports_store_the_same_rows(
    engine: Engine, tmp_path: Path
) -> None:
    path = export(tmp_path / "orders.csv", ROWS)
    reader = ArrowOrderReader(str(path), shop_id="9001", currency="GBP", timezone="Europe/London")
    assert sum(chunk.rows for chunk in reader.tables()) == 5  # the fast path takes this file
    fast = import_orders_csv(engine, path, "9001", tenant="Acme", region="GB")
    slow = import_orders_csv(engine, path, "9002", tenant="Acme", region="GB", columnar=False)
    assert (fast.read_by, slow.read_by) == ("columns", "rows")
    assert replace(fast, read_by="rows") == slow
    assert (fast.rows_read, fast.orders, fast.lines, fast.refunds) == (5, 4, 5, 2)
    for table in (s.orders, s.order_lines, s.refunds):
        assert rows_of(engine, table, "9001") == rows_of(engine, table, "9002"), table.name
    lines = {r[1]: r for r in rows_of(engine, s.order_lines, "9001")}
    assert set(lines) == {"sku-A", "sku-A#2", "sku-B", "sku-C", "sku-D"}
    assert lines["sku-B"][3] == 'Plate\\ "big"\tround\nset'


def test_a_big_file_parsed_and_spooled_in_child_processes_stores_the_same_rows(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into SQLite, a big file is parsed in one child process and bound into database images
    in another (``jobs.warehouse.spool``): what it stores, first into an empty shop and then
    over stored rows (staged and merged), equals what the in-process path stores. The file
    makes chunks of different sizes and blank columns, so each image lays its tables out
    differently."""
    copies = [row.replace(f"{order},", f"{order}{i:05d},", 1) for i in range(1_700)
              for row, order in zip(ROWS, (1001, 1001, 1002, 1003, 1004), strict=True)]
    copies[-2] = copies[-2].replace("Bowl", "")  # the last chunk has a blank product name
    first = export(tmp_path / "first.csv", copies)
    later = export(tmp_path / "later.csv", [r.replace("Completed", "Cancelled")
                                            for r in copies[::3]])
    images: list[int] = []
    real = writer.load_image
    monkeypatch.setattr(writer, "load_image",
                        lambda conn, image: images.append(len(image)) or real(conn, image))
    for path in (first, later, first):
        for shop, threshold in (("9001", 0), ("9002", 1 << 40)):  # child processes, in-process
            monkeypatch.setattr(csv_import, "PROCESS_MIN_BYTES", threshold)
            result = import_orders_csv(sqlite_engine, path, shop, tenant="Acme", region="GB")
            assert result.read_by == "columns"
        for table in (s.orders, s.order_lines, s.refunds):
            assert rows_of(sqlite_engine, table, "9001") == rows_of(sqlite_engine, table, "9002")
    assert len(images) >= 6  # each import in child processes loaded two images or more
    assert len(rows_of(sqlite_engine, s.order_lines, "9001")) == 1_700 * 5


def test_orders_held_back_across_chunks_come_out_whole(tmp_path: Path) -> None:
    path = export(tmp_path / "orders.csv", ROWS)

    def read(chunk_rows: int) -> dict[str, list]:  # type: ignore[type-arg]
        out: dict[str, list] = {"order_id": [], "sub_total": [], "line_id": []}  # type: ignore[type-arg]
        for chunk in ArrowOrderReader(str(path), shop_id="1", currency="GBP",
                                      timezone="Europe/London", chunk_rows=chunk_rows).tables():
            out["order_id"] += chunk.orders["order_id"].to_pylist()
            out["sub_total"] += chunk.orders["sub_total"].to_pylist()
            out["line_id"] += chunk.lines["line_id"].to_pylist()
        return out

    assert read(1) == read(2) == read(10_000)
    assert read(1)["order_id"] == ["1001", "1002", "1003", "1004"]


@pytest.mark.parametrize("change", [
    ("Completed", "Lost"),                 # a status to report
    ("£3.99,£0.00,\"£1,004", "£4.99,£0.00,\"£1,004"),  # repeated order fields disagree
    ("1001,", ",")                         # a row without an order id
])
def test_files_to_report_are_left_to_the_row_reader(tmp_path: Path, change: tuple) -> None:  # type: ignore[type-arg]
    rows = [ROWS[0], ROWS[1].replace(*change)] + ROWS[2:]
    reader = ArrowOrderReader(str(export(tmp_path / "o.csv", rows)), shop_id="1",
                              currency="GBP", timezone="Europe/London")
    with pytest.raises(NotColumnar):
        list(reader.tables())


@pytest.mark.parametrize(("extra", "bad"), [("", False), ("   ", True), ("\t", True)])
def test_blank_and_whitespace_lines_are_judged_as_row_by_row(
    sqlite_engine: Engine, tmp_path: Path, extra: str, bad: bool
) -> None:
    path = export(tmp_path / "o.csv", [ROWS[0], ROWS[1], extra, *ROWS[2:]])
    if bad:  # the row reader reports a line of spaces as a row without an order id
        with pytest.raises(BadFile, match="row 4"):
            import_orders_csv(sqlite_engine, path, "9001", tenant="Acme", region="GB")
    else:
        result = import_orders_csv(sqlite_engine, path, "9001", tenant="Acme", region="GB")
        assert (result.rows_read, result.orders, result.read_by) == (5, 4, "rows")


def test_a_problem_after_chunks_were_written_rolls_everything_back(
    engine: Engine, tmp_path: Path
) -> None:
    good = [ROWS[3].replace("1003,", f"{5000 + i},", 1) for i in range(CHUNK_ROWS + 5)]
    path = export(tmp_path / "o.csv", [*good, ROWS[4].replace("delivered", "Lost")])
    with pytest.raises(BadFile) as raised:
        import_orders_csv(engine, path, "9001", tenant="Acme", region="GB")
    assert [(p.row, p.value) for p in raised.value.problems] == [(CHUNK_ROWS + 7, "Lost")]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.orders)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(s.refunds)).scalar_one() == 0


def test_a_child_process_parses_the_same_chunks(tmp_path: Path) -> None:
    path = export(tmp_path / "o.csv", ROWS)

    def reader() -> ArrowOrderReader:
        return ArrowOrderReader(str(path), shop_id="1", currency="GBP", timezone="Europe/London",
                                chunk_rows=2)

    here, there = reader(), reader()
    mine, theirs = list(here.tables()), list(read_in_process(there))
    assert len(mine) == len(theirs) > 1
    for a, b in zip(mine, theirs, strict=True):
        assert (a.orders, a.lines, a.refunds, a.rows) == (b.orders, b.lines, b.refunds, b.rows)
        assert a.buckets.tolist() == b.buckets.tolist()
    assert there.rows_read == here.rows_read == 5
    broken = export(tmp_path / "bad.csv", [ROWS[0].replace("Completed", "Lost")])
    with pytest.raises(NotColumnar, match="unknown order status"):
        list(read_in_process(ArrowOrderReader(str(broken), shop_id="1", currency="GBP",
                                              timezone="Europe/London")))


def children() -> set[int]:
    """This process's child processes (Linux)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def test_a_second_child_prepares_each_chunk_on_its_way(tmp_path: Path) -> None:
    """With ``prepare``, the chunks come through a second process that applies it; its error,
    or its death, reaches the importer as ``NotColumnar``, and a consumer that stops early
    leaves no child behind."""
    path = export(tmp_path / "o.csv", ROWS)

    def reader() -> ArrowOrderReader:
        return ArrowOrderReader(str(path), shop_id="1", currency="GBP", timezone="Europe/London",
                                chunk_rows=2)

    def prepared(chunk: OrderTables) -> OrderTables:
        return replace(chunk, image=f"pid {os.getpid()}".encode())

    here, there = reader(), reader()
    open_files = len(os.listdir("/proc/self/fd"))
    mine, theirs = list(here.tables()), list(read_in_process(there, prepared))
    assert len(os.listdir("/proc/self/fd")) == open_files  # no pipe end left open here
    assert len(mine) == len(theirs) > 1 and there.rows_read == 5
    preparers = {b.image for b in theirs}
    assert len(preparers) == 1 and f"pid {os.getpid()}".encode() not in preparers
    for a, b in zip(mine, theirs, strict=True):
        assert (a.orders, a.lines, a.refunds, a.rows) == (b.orders, b.lines, b.refunds, b.rows)

    def failing(chunk: OrderTables) -> OrderTables:
        raise ValueError("no room for the image")

    def dying(chunk: OrderTables) -> OrderTables:
        os._exit(3)

    before = children()
    with pytest.raises(NotColumnar, match="ValueError: no room for the image"):
        list(read_in_process(reader(), failing))
    with pytest.raises(NotColumnar, match="ended early"):
        list(read_in_process(reader(), dying))
    chunks = read_in_process(reader(), prepared)
    next(chunks)
    assert len(children() - before) == 2  # the parser and the preparer, still running
    chunks.close()
    assert children() == before


CELLS = ["THB 1,234.50", "£12.30", "RM12.30", "1.234,50 €", "-THB 5.00", "(3.20)", "-", "",
         "12", "0.5", "1,234", "12,30", "THB 1,234,567.891", "1,2,3.45", "£ 7.05", "Rp 120.000"]


def cells(values: list[str]) -> pa.Array:
    """A string array as a chunk of a file gives it: a slice of a longer one."""
    return pa.array(["x", *values]).slice(1)


@pytest.mark.parametrize("exponent", [0, 2])
@pytest.mark.parametrize("currency", ["THB", "GBP", "IDR"])
def test_money_columns_read_as_the_one_cell_parser_reads(exponent: int, currency: str) -> None:
    for cell in [*CELLS, "USD 1.00", "THB -1.00", "12.34567", "120.000", "99999999999999.99",
                 "฿300.00", " £3.00\t", "0"]:
        try:
            amount = parse_amount(cell, exponent, currency)
            expected = None if amount is None else to_money_units(amount)
        except CellError:
            expected = "refused"
        try:
            units, missing = money(cells([cell]), exponent, currency)
            got = None if missing[0] else int(units[0])
        except CellError:
            got = "refused"
        assert got == expected, (cell, exponent, currency)


def test_time_columns_read_as_the_one_cell_parser_reads() -> None:
    zone = ZoneInfo("Europe/London")
    values = ["30/03/2025 00:59:59\t", "30/03/2025 01:30:00\t", "26/10/2025 01:30:00",
              "26/10/2025 02:00:00 ", "29/02/2024 12:00:00", "2025-06-01 10:00:00", "", "-",
              "31/12/1969 23:00:00", " 01/01/2020 00:00:00", "3/1/2026 01:02:03"]
    seconds, missing = utc_times(cells(values), zone)
    for cell, value, absent in zip(values, seconds.tolist(), missing.tolist(), strict=True):
        expected = parse_time(cell, zone)
        assert (None if absent else value) == (
            None if expected is None else int(expected.timestamp())), cell
    for bad in ("31/02/2025 10:00:00", "30/03/2025 24:00:00", "29/02/2025 10:00:00"):
        with pytest.raises(CellError):
            utc_times(cells([bad]), zone)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_times_are_stored_as_sqlalchemy_stores_them(dialect: str) -> None:
    moments = [datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC), datetime(2024, 2, 29, tzinfo=UTC),
               datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)]
    seconds = np.array([int(m.timestamp()) for m in moments])
    stored = storage_text(seconds, np.array([False, True, False]), dialect).to_pylist()
    as_sqlalchemy = storage_time(dialect)
    expected = [as_sqlalchemy(m) for m in moments]
    if dialect != "sqlite":
        expected = [m.isoformat(" ", "microseconds") for m in moments]
    assert stored == [expected[0], None, expected[2]]


def test_quantities() -> None:
    assert quantity(cells(["1", "007", "1,000", "12"])).tolist() == [1, 7, 1000, 12]
    for bad in ("0", "x", ""):
        with pytest.raises(CellError):
            quantity(cells([bad]))
