"""Seller Center order exports (CSV) -> warehouse rows, streamed in batches, row by row.

``OrderCsvReader`` reads the file: its header, each row's shape, and the end of the file; the
rows themselves become orders, lines and refunds as ``order_rows`` says, in the storage form of
``order_form`` (an ``OrderBatch`` for ``jobs.warehouse.bulk``). It is the reference reader:
``arrow_orders`` reads the same files faster, by columns, and the importer falls back to this
one for any file that one does not handle; this one writes the report.

Quirks handled: the encodings and workbooks of ``export_file``; an optional second header row of
column descriptions; ``DD/MM/YYYY HH:mm:ss`` local times with a trailing tab; money with the
shop's currency prefix (``THB 1,234.50``); status values in the UI language
(``order_form.STATUS_WORDS``); extra or missing region-specific columns; an order repeated whole
further down (two overlapping exports pasted together: the copy is skipped). Accepted headers
per field are ``order_form.HEADERS`` (``headers.ORDER_HEADERS``); the ``REQUIRED`` ones must be
present.

Refused, each as a ``Problem`` naming row, column, value and fix (the whole file is then not
imported; ``order_problems``): a column we read appearing twice; an order whose order-level
cells differ between its rows, or between two places in the file; an order's rows split by
other orders; an id Excel turned into ``7.49E+18``; an amount in another currency or below
zero; a time more than ``FUTURE_SLACK`` ahead; a row with more cells than the header; a last
row cut off.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path

from jobs.sources.csv.common import match_headers, repeated_headers
from jobs.sources.csv.export_file import ExportFile, as_export
from jobs.sources.csv.order_form import (
    HEADERS,
    ORDER_FIELDS,
    REQUIRED,
    OrderBatch,
    TimeValue,
    _is_description,
)
from jobs.sources.csv.order_problems import (
    RowProblem,
    cut_row,
    long_row,
    missing_column,
    order_twice,
)
from jobs.sources.csv.order_rows import LINE_FIELDS, OrderRows

#: Rows per batch handed to the writer.
BATCH_ROWS = 20000


class OrderCsvReader(OrderRows):
    """Streams an order export as batches of rows; bad cells are collected in ``problems``."""

    def __init__(self, path: Path | str | ExportFile, *, shop_id: str, currency: str,
                 timezone: str, exponent: int = 2, time_value: TimeValue = lambda t: t) -> None:
        self.source = as_export(path)
        super().__init__(shop_id=shop_id, currency=currency, timezone=timezone,
                         exponent=exponent, time_value=time_value)
        self.path = self.source.name
        self.rows_read = 0
        self._width = 0

    def batches(self) -> Iterator[OrderBatch]:
        """Batches of rows; an open order's lines may go before its order row (no FK)."""
        rows = self.source.rows()
        if not self._columns(next(rows, [])):
            return
        batch = OrderBatch()
        width = self._width
        last: tuple[int, int, str] | None = None
        for number, row in enumerate(rows, start=2):
            cells = len(row)
            if cells:
                last = (number, cells, row[-1])
            if cells != width:
                if cells > width:
                    if self._report(long_row(number, cells, width)):
                        break
                    continue
                row = (row + [""] * width)[:width]
            row.append("")  # the cell every absent optional column reads
            if number == 2 and _is_description(row[self._ix["order_id"]]):
                continue
            if not any(row):
                continue
            self.rows_read += 1
            try:
                self._take(row, number, batch)
            except RowProblem as problem:
                if self._report(problem.problem):
                    break
            if batch.rows >= BATCH_ROWS and not self.problems and not self._conflicts:
                yield batch
                batch = OrderBatch()
        else:
            self._close_order(batch)
            if last is not None and not self.source.ends_with_line_break:
                self._check_cut(*last)
        self._resolve_conflicts()
        yield batch

    def _columns(self, header: list[str]) -> bool:
        found = match_headers(header, HEADERS)
        self.problems.extend(repeated_headers(header, HEADERS))
        for name in REQUIRED:
            if name not in found:
                self.problems.append(missing_column(HEADERS[name]))
        self._width = len(header)
        ix = self._ix = {name: found.get(name, self._width) for name in HEADERS}
        self._names = {name: header[i].strip() for name, i in found.items()}
        self._order_cells_of = itemgetter(*(ix[f] for f in ORDER_FIELDS))
        self._line_cells_of = itemgetter(*(ix[f] for f in LINE_FIELDS))
        return not self.problems

    def _check_cut(self, number: int, cells: int, last_cell: str) -> None:
        """The file ends without a line break: its last row may have been cut off (even an
        empty last cell may be the rest of a cut one), so it must be whole up to a column we
        do not read."""
        if cells >= self._width and self._width - 1 not in self._ix.values():
            return
        self._report(cut_row(number, cells, last_cell, self._width))

    def _resolve_conflicts(self) -> None:
        """Problems for orders met twice with different order cells (one more pass over the
        file finds the earlier rows, so that only fingerprints are kept while reading)."""
        if not self._conflicts:
            return
        wanted = {earlier for _, earlier, _, _ in self._conflicts}
        earlier_cells: dict[int, tuple[str, ...]] = {}
        for number, row in enumerate(self.source.rows(), start=1):
            if number in wanted:
                earlier_cells[number] = self._order_cells_of(
                    (row + [""] * self._width)[:self._width] + [""])
                if len(earlier_cells) == len(wanted):
                    break
        for number, earlier, order_id, cells in self._conflicts:
            before = earlier_cells.get(earlier, cells)
            name, now, was = next(((n, c, b) for n, c, b in zip(ORDER_FIELDS, cells, before,
                                                               strict=True) if c != b),
                                  ("order_id", order_id, order_id))
            self.problems.append(order_twice(number, self._name(name), now, order_id, earlier,
                                             was))
        self._conflicts.clear()
        self.problems.sort(key=lambda p: p.row)
