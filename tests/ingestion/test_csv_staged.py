"""The staged import (pyarrow, staging tables, one merge per table) stores the old numbers.

A generated Seller Center export (``bench.order_export``: BOM, description row, Thai/Chinese/
English statuses, THB amounts with thousands commas, local times with a trailing tab, cancelled
orders with refunds, 1-3 SKU rows per order) is imported by the staged path into one shop and by
the row-by-row reader, the reference importer, into another; the raw rows and every rollup must
be equal. A second, overlapping export that moves orders to other days must leave both shops
equal again (the days the stored copies counted on are found by the staged join).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import Engine, func, select

from bench.order_export import write_order_export
from jobs.ingestion.csv_import import import_orders_csv
from jobs.sources.csv.arrow_orders import ArrowOrderReader
from jobs.sources.csv.common import BadFile
from jobs.warehouse import schema as s

RAW = (s.orders, s.order_lines, s.refunds)
ROLLUPS = (s.shop_daily, s.shop_daily_exclusions, s.shop_week_buyers, s.affiliate_daily)
#: Columns that say when or into which shop a row was written, not what it holds.
BOOKKEEPING = ("shop_id", "ingested_at", "refreshed_at")


def rows_of(engine: Engine, table, shop: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        found = conn.execute(select(table).where(table.c.shop_id == shop)).all()
    return sorted(tuple(str(v) for k, v in r._mapping.items() if k not in BOOKKEEPING)
                  for r in found)


def both_ways(engine: Engine, path: Path, **shop: str) -> None:
    fast = import_orders_csv(engine, path, "8001", **shop)
    slow = import_orders_csv(engine, path, "8002", columnar=False, **shop)
    assert (fast.read_by, slow.read_by) == ("columns", "rows")
    assert (fast.rows_read, fast.orders, fast.lines, fast.refunds) == (
        slow.rows_read, slow.orders, slow.lines, slow.refunds)


def test_the_staged_import_stores_what_the_row_reader_stores(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    orders = write_order_export(path, 3000, seed=5)
    both_ways(engine, path, tenant="Acme", region="TH")
    for table in (*RAW, *ROLLUPS):
        assert rows_of(engine, table, "8001") == rows_of(engine, table, "8002"), table.name
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.orders)
                            .where(s.orders.c.shop_id == "8001")).scalar_one() == orders
        days = conn.execute(select(func.count()).select_from(s.shop_daily)
                            .where(s.shop_daily.c.shop_id == "8001")).scalar_one()
        marks = conn.execute(select(func.count()).select_from(s.rollup_dirty_days)).scalar_one()
    assert days >= 1 and marks == 0  # every changed day computed, every mark cleared

    later = tmp_path / "later.csv"  # the same orders, created and paid three days later
    text = path.read_text(encoding="utf-8-sig")
    later.write_text(text.replace("01/01/2026", "04/01/2026"), encoding="utf-8-sig")
    both_ways(engine, later)
    for table in (*RAW, *ROLLUPS):
        assert rows_of(engine, table, "8001") == rows_of(engine, table, "8002"), table.name
    first_day = next(r for r in rows_of(engine, s.shop_daily, "8001") if r[0] == "2026-01-01")
    assert first_day[2:4] == ("0", "0")  # the day the orders left was recomputed: empty now
    before = rows_of(engine, s.shop_daily, "8001")
    import_orders_csv(engine, later, "8001")  # the same file again changes nothing
    assert rows_of(engine, s.shop_daily, "8001") == before


def test_orders_held_back_across_blocks_and_chunks_come_out_whole(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    write_order_export(path, 500, seed=3)

    def read(**size: int) -> dict[str, pa.Table]:
        reader = ArrowOrderReader(str(path), shop_id="1", currency="THB",
                                  timezone="Asia/Bangkok", **size)
        chunks = list(reader.tables())
        assert reader.rows_read == 500 and sum(c.rows for c in chunks) == 500
        return {name: pa.concat_tables([getattr(c, name) for c in chunks])
                for name in ("orders", "lines", "refunds")}

    whole = read()
    for size in ({"chunk_rows": 1}, {"chunk_rows": 7, "block_bytes": 4096}):
        assert read(**size) == whole, size


@pytest.mark.parametrize(("column", "value"), [(1, "Lost"), (16, "USD 39.00")])
def test_a_bad_cell_in_a_late_chunk_leaves_nothing_written(
    engine: Engine, tmp_path: Path, column: int, value: str
) -> None:
    path = tmp_path / "orders.csv"
    write_order_export(path, 3000, seed=9)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[-1][column] = value  # the status, or the shipping fee in another currency
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(BadFile, match="nothing imported") as raised:
        import_orders_csv(engine, path, "8001", tenant="Acme", region="TH")
    assert any(p.row == len(rows) and p.value == value for p in raised.value.problems)
    with engine.connect() as conn:
        for table in (*RAW, *ROLLUPS, s.shops, s.rollup_dirty_days):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_a_first_file_repeating_orders_further_down_is_read_by_rows(
    engine: Engine, tmp_path: Path
) -> None:
    """Two overlapping exports pasted together, into a new shop: the staged rows go straight
    into the warehouse and clash on the repeated orders' keys, so the row reader, which skips
    the copies, reads the file instead; the shop holds what the export alone holds."""
    once = tmp_path / "once.csv"
    write_order_export(once, 3000, seed=4)
    with open(once, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    repeated = rows[2:][-40:]
    while repeated[0][0] == rows[-41][0]:  # start at an order's first row
        repeated = repeated[1:]
    twice = tmp_path / "twice.csv"
    with open(twice, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([*rows, *repeated])
    pasted = import_orders_csv(engine, twice, "8001", tenant="Acme", region="TH")
    alone = import_orders_csv(engine, once, "8002", tenant="Acme", region="TH")
    assert (pasted.read_by, alone.read_by) == ("rows", "columns")
    for table in (*RAW, *ROLLUPS):
        assert rows_of(engine, table, "8001") == rows_of(engine, table, "8002"), table.name


def test_columns_blank_in_a_whole_chunk_are_stored_as_null_beside_filled_ones(
    engine: Engine, tmp_path: Path
) -> None:
    """Delivered times and cancel reasons blank in every row of the first chunk and filled in
    the next: each chunk is written with the columns it has, and the stored rows are the row
    reader's. The same orders imported again with those columns blank throughout (the staged
    merge) store NULL over the earlier values, as the row reader does."""
    path = tmp_path / "orders.csv"
    write_order_export(path, 15000, seed=6)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    delivered, reason = rows[0].index("Delivered Time"), rows[0].index("Cancel Reason")

    def chunks(name: str) -> list[pa.Table]:
        return [c.orders for c in ArrowOrderReader(str(tmp_path / name), shop_id="1",
                                                   currency="THB", timezone="Asia/Bangkok")
                .tables()]

    def write(name: str, blanked: set[str]) -> list[pa.Table]:
        with open(tmp_path / name, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([*rows[:2], *(
                [*r[:delivered], "", *r[delivered + 1:reason], "", *r[reason + 1:]]
                if r[0] in blanked else r for r in rows[2:])])
        return chunks(name)

    first: set[str] = set()
    while len(first) < len(read := write("first.csv", first)[0]):  # shorter rows: more a chunk
        first = set(read["order_id"].to_pylist())
    for name, blanked in (("first.csv", first), ("later.csv", {r[0] for r in rows})):
        read = write(name, blanked)
        if name == "first.csv":  # what the test is about: blank in one chunk, not in the next
            assert read[0]["delivery_time"].null_count == len(read[0]) > 0
            assert read[1]["delivery_time"].null_count < len(read[1])
        both_ways(engine, tmp_path / name, tenant="Acme", region="TH")
        for table in (*RAW, *ROLLUPS):
            assert rows_of(engine, table, "8001") == rows_of(engine, table, "8002"), table.name
        with engine.connect() as conn:
            filled = conn.execute(select(func.count(s.orders.c.delivery_time), func.count(
                s.orders.c.cancel_reason)).where(s.orders.c.shop_id == "8001")).one()
        assert (min(filled) > 0) == (name == "first.csv"), filled
