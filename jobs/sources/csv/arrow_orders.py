"""Seller Center order exports read by pyarrow's CSV reader: the fast path of ``import orders``.

``ArrowOrderReader`` reads the files ``OrderCsvReader`` reads and yields the same rows as typed
Arrow tables (``OrderTables``: the varying columns of ``orders``, ``order_lines`` and ``refunds``
in storage form; the columns equal on every row are ``constants``), streamed in blocks of
``BLOCK_BYTES`` with each chunk's last order held back until its rows are complete, so memory
stays bounded whatever the file's size. Every check of the row reader is a whole-column
operation here; at the first thing it does not handle (a bad cell, a row without an order id,
an order whose repeated fields disagree or that appears in two places, a repeated column, a row
of another width than the header, an id in scientific notation, an amount in another currency
or below zero, a time in the future, a file that does not end with a line break) it raises
``NotColumnar`` and the importer reads the file row by row instead, which writes the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from jobs.sources.csv import arrow_cells as cell
from jobs.sources.csv.arrow_lines import line_table
from jobs.sources.csv.common import FUTURE_SLACK, match_headers, repeated_headers
from jobs.sources.csv.export_file import ExportFile, as_export
from jobs.sources.csv.order_form import (
    HEADERS,
    ORDER_FIELDS,
    REQUIRED,
    STATUS_WORDS,
    _is_description,
)
from jobs.warehouse.touched import BUCKET_SECONDS

#: Bytes of the file Arrow parses at a time (about 3,000 rows of a Seller Center export).
BLOCK_BYTES = 1 << 20
#: Rows parsed into warehouse columns together (bounds memory: a few tens of MB a chunk).
CHUNK_ROWS = 50_000
#: The first chunk is this fraction of ``CHUNK_ROWS``, so the writer starts sooner.
FIRST_CHUNK_SHARE = 8
_TIMES = ("created", "paid", "shipped", "delivered", "cancelled")
_UTF8 = ("utf-8", "utf-8-sig")


class NotColumnar(Exception):
    """The file needs the row-by-row reader (an unusual form or a problem to report)."""


@dataclass
class OrderTables:
    """One chunk of whole orders: the varying columns of each table, and the ``BUCKET_SECONDS``
    buckets of the times the rows count on (their local days are the days they change). A chunk
    spooled for SQLite by a helper process carries its tables' rows in ``image`` (a database
    image: ``jobs.warehouse.spool``), each table then a description of its part."""

    orders: Any
    lines: Any
    refunds: Any
    rows: int
    buckets: np.ndarray
    image: bytes | None = None


class ArrowOrderReader:
    """Streams an order export as ``OrderTables``; ``NotColumnar`` if it cannot."""

    def __init__(self, path: str | ExportFile, *, shop_id: str, currency: str, timezone: str,
                 exponent: int = 2, dialect: str = "sqlite", ingested_at: Any = "",
                 block_bytes: int = BLOCK_BYTES, chunk_rows: int = CHUNK_ROWS) -> None:
        self.source = as_export(path)
        self.shop_id, self.currency, self.zone = shop_id, currency, ZoneInfo(timezone)
        self.exponent, self.dialect, self.block_bytes = exponent, dialect, block_bytes
        self.chunk_rows = chunk_rows
        self.rows_read = 0
        self._latest = int((datetime.now(UTC) + FUTURE_SLACK).timestamp())
        self.constants: dict[str, dict[str, Any]] = {
            "orders": {"shop_id": shop_id, "is_replacement": False, "is_exchange": False,
                       "currency": currency, "source": "csv", "raw": None,
                       "ingested_at": ingested_at},
            "order_lines": {"shop_id": shop_id, "currency": currency, "cancel_reason": None,
                            "is_gift": False},
            "refunds": {"shop_id": shop_id, "status": "CSV_REPORTED", "return_type": None,
                        "currency": currency, "line_ids": [], "raw": None},
        }

    def tables(self) -> Iterator[OrderTables]:
        """Chunks of whole orders in file order; ``NotColumnar`` (even after the last chunk)
        if an order appears in two places."""
        held: pa.Table | None = None
        order_ids: list[pa.Array] = []
        for block in self._blocks():
            table = block if held is None else pa.concat_tables([held, block])
            ids = pc.utf8_trim_whitespace(table["order_id"].combine_chunks())
            last = pc.equal(ids, ids[len(ids) - 1]).to_numpy(zero_copy_only=False)
            cut = int(np.flatnonzero(~last)[-1]) + 1 if not last.all() else 0
            held = table.slice(cut)
            if cut:
                chunk = self._chunk(table.slice(0, cut), ids.slice(0, cut))
                order_ids.append(chunk.orders["order_id"].combine_chunks())
                yield chunk
        if held is not None and len(held):
            chunk = self._chunk(held, pc.utf8_trim_whitespace(held["order_id"].combine_chunks()))
            order_ids.append(chunk.orders["order_id"].combine_chunks())
            yield chunk
        every = pa.chunked_array(order_ids, pa.string())
        if pc.count_distinct(every).as_py() != len(every):
            raise NotColumnar("an order appears in two places")

    def _blocks(self) -> Iterator[pa.Table]:
        """The file's cells we read, a block at a time, by field (as text, quotes resolved)."""
        source = self.source
        if not source.ends_with_line_break:
            raise NotColumnar("the file does not end with a line break (cut off?)")
        records = source.rows()
        try:
            header = next(records, [])
            second = next(records, [])
        finally:
            records.close()
        at = self._columns(header)
        description = bool(second) and _is_description(
            (second + [""] * len(header))[at["order_id"]])
        names = [f"c{i}" for i in range(len(header))]
        wanted = {names[i]: field for field, i in at.items()}
        encoding = "utf8" if source.encoding in _UTF8 else source.encoding
        try:
            reader = pv.open_csv(source.path, read_options=pv.ReadOptions(
                column_names=names, skip_rows=2 if description else 1, encoding=encoding,
                block_size=self.block_bytes), parse_options=pv.ParseOptions(
                delimiter=source.delimiter, newlines_in_values=True, ignore_empty_lines=False),
                convert_options=pv.ConvertOptions(
                include_columns=list(wanted), column_types=dict.fromkeys(wanted, pa.string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False))
            batches: list[pa.RecordBatch] = []
            rows = max(1, self.chunk_rows // FIRST_CHUNK_SHARE)
            for batch in reader:  # small blocks parse faster; Python runs per chunk of them
                batches.append(batch)
                if sum(map(len, batches)) >= rows:
                    yield pa.Table.from_batches(batches).rename_columns(list(wanted.values()))
                    batches, rows = [], self.chunk_rows
            if batches:
                yield pa.Table.from_batches(batches).rename_columns(list(wanted.values()))
        except pa.ArrowInvalid as error:  # a row of another width than the header
            raise NotColumnar(str(error)) from None

    def _columns(self, header: list[str]) -> dict[str, int]:
        found = match_headers(header, HEADERS)
        if any(name not in found for name in REQUIRED):
            raise NotColumnar("required columns missing")
        if repeated_headers(header, HEADERS):
            raise NotColumnar("a column we read appears twice")
        return {f: found[f] for f in HEADERS if f in found}

    def _chunk(self, table: pa.Table, ids: pa.Array) -> OrderTables:
        """Parse one chunk of whole orders; ``NotColumnar`` on anything unusual."""
        cells = {f: table[f].combine_chunks() for f in table.column_names}
        if pc.any(pc.equal(ids, "")).as_py():
            raise NotColumnar("a row without an order id")
        if any(cell.excel_numbers(c) for c in (ids, cells["sku_id"], cells.get("product_id"))
               if c is not None):
            raise NotColumnar("an id in scientific notation")
        n = len(ids)
        new = np.ones(n, dtype=bool)
        new[1:] = pc.not_equal(ids.slice(1), ids.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        for name in ORDER_FIELDS:
            if name in cells:
                column = cells[name]
                differs = pc.not_equal(column.slice(1), column.slice(0, n - 1))
                if (differs.to_numpy(zero_copy_only=False) & ~new[1:]).any():
                    raise NotColumnar("order fields repeated on a later row differ")
        starts = np.flatnonzero(new)
        self.rows_read += n
        try:
            orders, extra = self._orders(cells, ids.take(starts), starts)
            lines, sums = line_table(cells, ids, starts, self.exponent, self.currency,
                                     orders["status"])
        except cell.CellError as error:
            raise NotColumnar(str(error)) from None
        for name, total in zip(("sub_total", "seller_discount", "platform_discount"), sums,
                               strict=True):
            orders[name] = pa.array(total, pa.int64())
        refunds = self._refunds(orders, extra)
        buckets = np.unique(np.concatenate(extra["times"]) // BUCKET_SECONDS)
        return OrderTables(pa.table(orders), lines, pa.table(refunds), n, buckets)

    def _orders(self, cells: dict[str, pa.Array], ids: pa.Array, starts: np.ndarray
                ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The varying ``orders`` columns (from each order's first row), and what refunds and
        stale days need."""
        count = len(starts)
        empty = pa.array([""] * count, pa.string())
        first = {f: cells[f].take(starts) if f in cells else empty for f in
                 ("status", *_TIMES, "shipping_fee", "taxes", "order_amount", "refund_amount",
                  "buyer", "order_type", "buyer_message", "recipient", "country",
                  "cancel_reason", "cancel_by")}
        status = self._statuses(first["status"])
        times = {name: cell.utc_times(first[name], self.zone) for name in _TIMES}
        if times["created"][1].any():
            raise NotColumnar("an order without a creation time")
        if any(((s > self._latest) & ~m).any() for s, m in times.values()):
            raise NotColumnar("a time in the future")
        latest = np.max([np.where(m, np.iinfo(np.int64).min, s) for s, m in times.values()],
                        axis=0)
        stored = {name: cell.storage_text(*times[name], self.dialect)
                  for name in ("created", "paid", "cancelled", "delivered")}
        money = {name: cell.money(first[name], self.exponent, self.currency)[0]
                 for name in ("shipping_fee", "taxes", "order_amount", "refund_amount")}
        orders = {
            "order_id": ids, "status": status, "buyer_id": cell.stripped(first["buyer"]),
            "create_time": stored["created"],
            "update_time": cell.storage_text(latest, np.zeros(count, bool), self.dialect),
            "paid_time": stored["paid"], "cancel_time": stored["cancelled"],
            "delivery_time": stored["delivered"],
            "is_sample": pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(first["order_type"])),
                                  "sample"),
            "buyer_message": cell.stripped(first["buyer_message"]),
            "recipient_name": cell.stripped(first["recipient"]),
            "region_code": cell.stripped(first["country"], 8),
            "cancel_reason": cell.stripped(first["cancel_reason"]),
            "cancellation_initiator": cell.stripped(first["cancel_by"], 32),
            "shipping_fee": money["shipping_fee"], "tax": money["taxes"],
            "total_amount": money["order_amount"],
        }
        cancelled, delivered = times["cancelled"], times["delivered"]
        when = np.where(~cancelled[1], cancelled[0], np.where(~delivered[1], delivered[0], latest))
        paid, created = times["paid"], times["created"]
        own = [created[0], paid[0][~paid[1]]]
        return orders, {"refund": money["refund_amount"], "when": when, "times": own}

    def _statuses(self, cells: pa.Array) -> pa.Array:
        """API statuses of UI-language status cells; ``NotColumnar`` on an unknown one."""
        encoded = pc.dictionary_encode(cells)
        words = [STATUS_WORDS.get(raw.strip().lower()) for raw in encoded.dictionary.to_pylist()]
        if None in words:
            raise NotColumnar("an unknown order status")
        return pa.array(words, pa.string()).take(encoded.indices)

    def _refunds(self, orders: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        """One ``refunds`` row per order with a refund amount (``csv:<order id>``)."""
        which = np.flatnonzero(extra["refund"] > 0)
        when = extra["when"][which]
        extra["times"].append(when)
        stored = cell.storage_text(when, np.zeros(len(which), bool), self.dialect)
        order_ids = orders["order_id"].take(which)
        statuses = orders["status"].take(which)
        return {
            "refund_id": pc.binary_join_element_wise("csv:", order_ids, ""),
            "kind": pc.if_else(pc.equal(statuses, "CANCELLED"), "cancellation", "refund"),
            "order_id": order_ids, "create_time": stored, "update_time": stored,
            "completed_time": stored, "refund_amount": pa.array(extra["refund"][which]),
            "reason": orders["cancel_reason"].take(which),
        }
