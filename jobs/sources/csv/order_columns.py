"""Seller Center order exports read column by column: the fast path of ``import orders``.

``OrderColumnReader`` reads the files ``OrderCsvReader`` reads and yields the same rows, a chunk at
a time and in columns: cells are parsed by whole-column arithmetic (``csv_columns``), so Python
runs per chunk, per order or per unusual cell rather than per cell. It reads only files in which
every row is sound; at the first thing it does not handle (a bad cell, a row without an order id,
an order whose repeated fields disagree or that appears in two places, a repeated column, an id
in scientific notation, an amount in another currency or below zero, a time in the future, a
file that does not end with a line break) it raises ``NotColumnar`` and the importer reads the
file row by row instead, which also writes the report of a bad file. Every check is a whole-column
operation (or one per chunk), so a sound file pays next to nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter, ne
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from jobs.sources.csv.columns import CellError, money_units, storage_times, utc_seconds
from jobs.sources.csv.common import EXCEL_NUMBER, FUTURE_SLACK, match_headers, repeated_headers
from jobs.sources.csv.export_file import ExportFile, as_export
from jobs.sources.csv.order_lines import line_columns
from jobs.sources.csv.orders import HEADERS, ORDER_FIELDS, REQUIRED, STATUS_WORDS, _is_description
from jobs.warehouse.bulk import CopyText, Same, copy_text

#: Rows parsed and written together (bounds memory: a chunk is a few tens of MB at most).
CHUNK_ROWS = 20_000
_TIMES = ("created", "paid", "shipped", "delivered", "cancelled")
#: Columns of ``orders``/``order_lines``/``refunds`` where ``""`` is stored as NULL.
BLANK_IS_NULL = frozenset({
    "buyer_id", "paid_time", "cancel_time", "delivery_time", "buyer_message", "recipient_name",
    "region_code", "cancel_reason", "cancellation_initiator", "product_id", "product_name",
    "seller_sku", "reason"})


class NotColumnar(Exception):
    """The file needs the row-by-row reader (an unusual form or a problem to report)."""


@dataclass
class OrderChunk:
    """One chunk's rows as columns (a list per column, or ``Same`` for a constant column).

    For PostgreSQL the columns come already as ``CopyText``.
    """

    orders: dict[str, Any] | CopyText
    lines: dict[str, Any] | CopyText
    refunds: dict[str, Any] | CopyText
    rows: int


class OrderColumnReader:
    """Streams an order export as ``OrderChunk`` objects; ``NotColumnar`` if it cannot."""

    def __init__(self, path: Path | str | ExportFile, *, shop_id: str, currency: str,
                 timezone: str, exponent: int = 2, dialect: str = "sqlite",
                 ingested_at: str = "", chunk_rows: int = CHUNK_ROWS) -> None:
        self.source = as_export(path)
        self.path, self.shop_id, self.currency = self.source.path, shop_id, currency
        self.zone, self.exponent, self.dialect = ZoneInfo(timezone), exponent, dialect
        self.ingested_at, self.chunk_rows = ingested_at, chunk_rows
        self.rows_read = 0
        #: Latest acceptable time, in UTC epoch seconds.
        self._latest = int((datetime.now(UTC) + FUTURE_SLACK).timestamp())
        self._seen: set[int] = set()  # hashes of the order ids already read

    def chunks(self) -> Iterator[OrderChunk]:
        """Chunks of whole orders, in file order; the last order of a chunk is held back."""
        held: dict[str, list[str]] = {}
        for new in self._column_chunks():
            cells = {f: held.get(f, []) + column for f, column in new.items()}
            order_ids = [cell.strip() for cell in cells["order_id"]]
            cut = len(order_ids) - 1
            while cut > 0 and order_ids[cut - 1] == order_ids[-1]:
                cut -= 1
            held = {f: column[cut:] for f, column in cells.items()}
            if cut:
                yield self._chunk({f: column[:cut] for f, column in cells.items()},
                                  order_ids[:cut])
        if held and held["order_id"]:
            yield self._chunk(held, [cell.strip() for cell in held["order_id"]])

    def _column_chunks(self) -> Iterator[dict[str, list[str]]]:
        """The file's cells, a chunk of rows at a time, by field (C tokenizer, wanted columns)."""
        if not self.source.ends_with_line_break:
            raise NotColumnar("the file does not end with a line break (cut off?)")
        records = self.source.rows()
        try:
            self._columns(next(records, []))
            second = next(records, [])
        finally:
            records.close()
        description = bool(second) and _is_description(
            (second + [""] * self._width)[self._at["order_id"]])
        try:
            frames = pd.read_csv(
                self.path, header=None, skiprows=2 if description else 1, dtype=object,
                usecols=sorted(set(self._at.values())), keep_default_na=False, na_filter=False,
                skip_blank_lines=False,  # blank lines come through as rows without an order id
                chunksize=self.chunk_rows, encoding=self.source.encoding,
                sep=self.source.delimiter)
            for frame in frames:
                yield {f: frame[i].tolist() for f, i in self._at.items()}
        except (pd.errors.ParserError, ValueError) as error:  # a row longer than the header
            raise NotColumnar(str(error)) from None

    def _columns(self, header: list[str]) -> None:
        found = match_headers(header, HEADERS)
        if any(name not in found for name in REQUIRED):
            raise NotColumnar("required columns missing")
        if repeated_headers(header, HEADERS):
            raise NotColumnar("a column we read appears twice")
        self._width = len(header)
        self._at = {f: found[f] for f in HEADERS if f in found}

    def _chunk(self, cells: dict[str, list[str]], order_ids: list[str]) -> OrderChunk:
        """Parse one chunk of whole orders; ``NotColumnar`` on anything unusual."""
        if "" in order_ids:
            raise NotColumnar("a row without an order id")
        for name in ("sku_id", "product_id"):
            _refuse_excel_numbers(cells.get(name, []))
        _refuse_excel_numbers(order_ids)
        self.rows_read += len(order_ids)
        ids = np.array(order_ids, dtype=object)
        new = np.ones(len(ids), dtype=bool)
        new[1:] = ids[1:] != ids[:-1]
        repeated = list(zip(*(cells[f] for f in ORDER_FIELDS if f in cells), strict=True))
        changed = np.fromiter(map(ne, repeated[1:], repeated[:-1]), bool, len(ids) - 1)
        if (changed & ~new[1:]).any():
            raise NotColumnar("order fields repeated on a later row differ")
        starts = np.flatnonzero(new)
        self._refuse_repeated_orders(ids[starts])
        rows = starts.tolist()
        self._firsts = {f: [column[i] for i in rows] if len(rows) < 2
                        else list(itemgetter(*rows)(column)) for f, column in cells.items()}
        try:
            orders, sums_for = self._orders(cells, ids, starts)
            lines, sums = line_columns(cells, order_ids, starts, self.exponent,
                                       orders["status"], self.shop_id, self.currency)
        except CellError as error:
            raise NotColumnar(str(error)) from None
        for name, total in zip(("sub_total", "seller_discount", "platform_discount"), sums,
                               strict=True):
            orders[name] = total.tolist()
        refunds = self._refunds(orders, sums_for)
        if self.dialect != "sqlite":  # made here, on the reader's thread, not the writer's
            return OrderChunk(copy_text(orders, BLANK_IS_NULL), copy_text(lines, BLANK_IS_NULL),
                              copy_text(refunds, BLANK_IS_NULL), len(order_ids))
        return OrderChunk(orders, lines, refunds, len(order_ids))

    def _refuse_repeated_orders(self, order_ids: np.ndarray) -> None:
        """``NotColumnar`` if an order starts twice (its rows not together, or a copy of it):
        the row reader tells a skippable copy from a problem."""
        keys = pd.util.hash_array(order_ids).tolist()
        if len(set(keys)) != len(keys) or not self._seen.isdisjoint(keys):
            raise NotColumnar("an order appears in two places")
        self._seen.update(keys)

    def _first(self, cells: dict[str, list[str]], name: str, starts: np.ndarray
               ) -> list[str]:
        """The cells of ``name`` on each order's first row (``""`` for an absent column)."""
        if name not in cells:
            return [""] * len(starts)
        return list(self._firsts[name])

    def _orders(self, cells: dict[str, list[str]], ids: np.ndarray, starts: np.ndarray
                ) -> tuple[dict[str, Any], dict[str, Any]]:
        def first(name: str) -> list[str]:
            return self._first(cells, name, starts)

        words = {raw: STATUS_WORDS.get(raw.strip().lower()) for raw in set(first("status"))}
        if None in words.values():
            raise NotColumnar("an unknown order status")
        times = {name: utc_seconds(first(name), self.zone) for name in _TIMES}
        if times["created"][1].any():
            raise NotColumnar("an order without a creation time")
        if any(((seconds > self._latest) & ~missing).any() for seconds, missing in times.values()):
            raise NotColumnar("a time in the future")
        latest = np.max([np.where(missing, np.iinfo(np.int64).min, seconds)
                         for seconds, missing in times.values()], axis=0)
        stored = {name: storage_times(*times[name], self.dialect)
                  for name in ("created", "paid", "cancelled", "delivered")}
        money = {name: money_units(first(name), self.exponent, self.currency)[0]
                 for name in ("shipping_fee", "taxes", "order_amount", "refund_amount")}
        def strip(name: str) -> list[str]:
            return [v.strip() for v in first(name)]

        orders = {
            "shop_id": Same(self.shop_id), "order_id": ids[starts].tolist(),
            "status": [words[w] for w in first("status")], "buyer_id": strip("buyer"),
            "create_time": stored["created"],
            "update_time": storage_times(latest, np.zeros(len(latest), bool), self.dialect),
            "paid_time": stored["paid"], "cancel_time": stored["cancelled"],
            "delivery_time": stored["delivered"],
            "is_sample": [int(v.strip().lower() == "sample") for v in first("order_type")],
            "is_replacement": Same(False), "is_exchange": Same(False),
            "buyer_message": strip("buyer_message"), "recipient_name": strip("recipient"),
            "region_code": [v[:8] for v in strip("country")],
            "cancel_reason": strip("cancel_reason"),
            "cancellation_initiator": [v[:32] for v in strip("cancel_by")],
            "currency": Same(self.currency), "shipping_fee": money["shipping_fee"].tolist(),
            "tax": money["taxes"].tolist(), "total_amount": money["order_amount"].tolist(),
            "source": Same("csv"), "raw": Same(None), "ingested_at": Same(self.ingested_at),
        }
        when = np.where(~times["cancelled"][1], times["cancelled"][0],
                        np.where(~times["delivered"][1], times["delivered"][0], latest))
        return orders, {"refund": money["refund_amount"], "when": when}

    def _refunds(self, orders: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        """One ``refunds`` row per order with a refund amount (``csv:<order id>``)."""
        which = np.flatnonzero(extra["refund"] > 0)
        def pick(values: list[Any]) -> list[Any]:
            return [values[i] for i in which]

        when = storage_times(extra["when"][which], np.zeros(len(which), bool), self.dialect)
        statuses = pick(orders["status"])
        return {
            "shop_id": Same(self.shop_id),
            "refund_id": [f"csv:{order_id}" for order_id in pick(orders["order_id"])],
            "kind": ["cancellation" if s == "CANCELLED" else "refund" for s in statuses],
            "order_id": pick(orders["order_id"]), "status": Same("CSV_REPORTED"),
            "return_type": Same(None), "create_time": when, "update_time": when,
            "completed_time": when, "currency": Same(self.currency),
            "refund_amount": extra["refund"][which].tolist(), "line_ids": Same("[]"),
            "reason": pick(orders["cancel_reason"]), "raw": Same(None),
        }


def _refuse_excel_numbers(ids: list[str]) -> None:
    """``NotColumnar`` if an id column holds a number in scientific notation (``7.49E+18``)."""
    if "+" in "".join(ids) and any(EXCEL_NUMBER.match(cell) for cell in ids if "+" in cell):
        raise NotColumnar("an id in scientific notation")
