"""Seller Center order exports (CSV) -> warehouse rows, streamed in batches.

The export has one row per SKU line with the order's fields repeated on each row; rows of one
order are adjacent, as Seller Center writes them. Each SKU row becomes one ``order_lines`` row
(``line_id`` = SKU id, ``#2``... if the SKU repeats in the order: TikTok keys lines per unit, so
identical rows of one order are two lines) with its ``quantity``; its money columns are per-unit
amounts (line amount / quantity, at the warehouse's 4 decimal places), while the order's
``sub_total`` and discounts are the exact sums of the SKU subtotals. Rows come out in storage form
for ``jobs.warehouse.bulk`` (money as integer units of ``types.MONEY_SCALE``).

Quirks handled: the encodings and workbooks of ``export_file``; an optional second header row of
column descriptions; ``DD/MM/YYYY HH:mm:ss`` local times with a trailing tab; money with the
shop's currency prefix (``THB 1,234.50``); status values in the UI language (``STATUS_WORDS``);
extra or missing region-specific columns; an order repeated whole further down (two overlapping
exports pasted together: the copy is skipped). Accepted headers per field are ``HEADERS``
(``headers.ORDER_HEADERS``); the ``REQUIRED`` ones must be present.

Refused, each as a ``Problem`` naming row, column, value and fix (the whole file is then not
imported): a column we read appearing twice; an order whose order-level cells differ between its
rows, or between two places in the file; an order's rows split by other orders; an id Excel
turned into ``7.49E+18``; an amount in another currency or below zero; a time more than
``FUTURE_SLACK`` ahead; a row with more cells than the header; a last row cut off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from jobs.sources.csv.common import (
    EXCEL_FIX,
    FUTURE_SLACK,
    MAX_PROBLEMS,
    CellError,
    Problem,
    column_letter,
    excel_number_problem,
    future_problem,
    match_headers,
    parse_amount,
    parse_int,
    parse_time,
    repeated_headers,
)
from jobs.sources.csv.export_file import ExportFile, as_export
from jobs.sources.csv.headers import ORDER_HEADERS, ORDER_REQUIRED
from jobs.warehouse.types import from_money_units, to_money_units

#: Canonical field -> accepted header names, in every language (``headers.ORDER_HEADERS``).
HEADERS = ORDER_HEADERS
REQUIRED = ORDER_REQUIRED
#: UI-language status words -> API status (compared in lower case).
STATUS_WORDS: dict[str, str] = {
    **{s.lower(): s for s in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
                              "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED",
                              "CANCELLED")},
    "unpaid": "UNPAID", "on hold": "ON_HOLD", "awaiting shipment": "AWAITING_SHIPMENT",
    "to ship": "AWAITING_SHIPMENT", "awaiting collection": "AWAITING_COLLECTION",
    "shipped": "IN_TRANSIT", "in transit": "IN_TRANSIT", "delivered": "DELIVERED",
    "completed": "COMPLETED", "cancelled": "CANCELLED", "canceled": "CANCELLED",
    "partially shipped": "PARTIALLY_SHIPPING",
    "待付款": "UNPAID", "待发货": "AWAITING_SHIPMENT", "待揽收": "AWAITING_COLLECTION",
    "已发货": "IN_TRANSIT", "运输中": "IN_TRANSIT", "已送达": "DELIVERED", "已签收": "DELIVERED",
    "已完成": "COMPLETED", "已取消": "CANCELLED",
    "ที่ต้องชำระ": "UNPAID", "ที่ต้องจัดส่ง": "AWAITING_SHIPMENT", "กำลังจัดส่ง": "IN_TRANSIT",
    "จัดส่งแล้ว": "DELIVERED", "สำเร็จแล้ว": "COMPLETED", "ยกเลิกแล้ว": "CANCELLED",
    "chờ thanh toán": "UNPAID", "chờ lấy hàng": "AWAITING_COLLECTION",
    "đang giao": "IN_TRANSIT", "đã giao": "DELIVERED", "hoàn thành": "COMPLETED",
    "đã hủy": "CANCELLED", "belum dibayar": "UNPAID", "dikirim": "IN_TRANSIT",
    "selesai": "COMPLETED", "dibatalkan": "CANCELLED", "untuk dikirim": "AWAITING_SHIPMENT",
}
#: Rows per batch handed to the writer.
BATCH_ROWS = 20000
#: Distinct cell values remembered per parser cache before it is cleared (bounds memory).
CACHE_LIMIT = 50_000
_TIME_FIELDS = ("created", "paid", "shipped", "delivered", "cancelled")
#: Line-level columns read from every row, in the order ``_add_line`` unpacks them.
_LINE_FIELDS = ("quantity", "subtotal_after", "seller_discount", "platform_discount",
                "subtotal_before", "unit_price", "sku_id", "product_id", "product_name",
                "seller_sku")
_MISS = object()
#: Order-level columns repeated on every row of an order (checked for agreement).
ORDER_FIELDS = ("status", *_TIME_FIELDS, "shipping_fee", "taxes", "order_amount", "refund_amount")


#: Column order of the tuples in ``OrderBatch.orders`` and ``OrderBatch.lines``.
ORDER_COLUMNS = (
    "shop_id", "order_id", "status", "buyer_id", "create_time", "update_time", "paid_time",
    "cancel_time", "delivery_time", "is_sample", "is_replacement", "is_exchange", "buyer_message",
    "recipient_name", "region_code", "cancel_reason", "cancellation_initiator", "currency",
    "sub_total", "shipping_fee", "seller_discount", "platform_discount", "tax", "total_amount",
    "source", "raw", "ingested_at")
LINE_COLUMNS = (
    "shop_id", "order_id", "line_id", "product_id", "product_name", "sku_id", "seller_sku",
    "quantity", "currency", "original_price", "sale_price", "seller_discount",
    "platform_discount", "display_status", "cancel_reason", "is_gift")
_SUB_TOTAL, _SELLER, _PLATFORM = (ORDER_COLUMNS.index(c) for c in
                                  ("sub_total", "seller_discount", "platform_discount"))

TimeValue = Callable[[datetime], Any]
"""Turns an aware UTC datetime into what the target database stores (``jobs.warehouse.bulk``)."""


@dataclass
class OrderBatch:
    """Rows for ``orders`` and ``order_lines`` (tuples, ``*_COLUMNS`` order) and ``refunds``."""

    orders: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0


@dataclass
class _OpenOrder:
    """The order whose rows are being read: its row values and what the refund row needs.

    A repeat (``repeat_of``: the first row of the order's earlier place in the file) is read but
    never written: a copy of the earlier rows is skipped, anything else is a problem.
    """

    values: list[Any]
    cells: tuple[str, ...]
    first_row: int
    created: datetime
    when: datetime
    refund: int
    skus: dict[str, int] = field(default_factory=dict)
    last_row: int = 0
    digest: int = 0  #: fingerprint of the order's rows, in file order
    repeat_of: int = 0
    conflicted: bool = False


class _Seen(NamedTuple):
    """An order already read: its rows and a fingerprint of its order cells and of its rows."""

    first_row: int
    last_row: int
    cells: int
    rows: int


class OrderCsvReader:
    """Streams an order export as batches of rows; bad cells are collected in ``problems``."""

    def __init__(self, path: Path | str | ExportFile, *, shop_id: str, currency: str,
                 timezone: str, exponent: int = 2, time_value: TimeValue = lambda t: t) -> None:
        self.source = as_export(path)
        self.path, self.shop_id, self.currency = self.source.name, shop_id, currency
        self.zone, self.exponent, self.time_value = ZoneInfo(timezone), exponent, time_value
        self.problems: list[Problem] = []
        self.rows_read = 0
        self._ix: dict[str, int] = {}
        self._names: dict[str, str] = {}
        self._width = 0
        self._order: _OpenOrder | None = None
        self._now = time_value(datetime.now(UTC))
        self._latest = datetime.now(UTC) + FUTURE_SLACK
        self._money_cache: dict[str, int | None] = {}
        self._time_cache: dict[str, tuple[datetime, Any] | None] = {}
        self._seen: dict[str, _Seen] = {}
        self._conflicts: list[tuple[int, int, str, tuple[str, ...]]] = []

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
                    if self._report(_long_row(number, cells, width)):
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
            except _RowProblem as problem:
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

    def _report(self, problem: Problem) -> bool:
        """Collect ``problem``; True once enough were collected to stop reading."""
        self.problems.append(problem)
        return len(self.problems) >= MAX_PROBLEMS

    def _name(self, field_name: str) -> str:
        """The header of a field as this file spells it (its first English name if absent)."""
        return self._names.get(field_name) or HEADERS[field_name][0]

    def _columns(self, header: list[str]) -> bool:
        found = match_headers(header, HEADERS)
        self.problems.extend(repeated_headers(header, HEADERS))
        for name in REQUIRED:
            if name not in found:
                self.problems.append(Problem(
                    1, HEADERS[name][0], "(missing)",
                    f"a column named one of {list(HEADERS[name])}",
                    "export the order list again with all columns (Seller Center > Orders > "
                    "Export), or rename the column to one of these names"))
        self._width = len(header)
        ix = self._ix = {name: found.get(name, self._width) for name in HEADERS}
        self._names = {name: header[i].strip() for name, i in found.items()}
        self._order_cells_of = itemgetter(*(ix[f] for f in ORDER_FIELDS))
        self._line_cells_of = itemgetter(*(ix[f] for f in _LINE_FIELDS))
        return not self.problems

    def _take(self, row: list[str], number: int, batch: OrderBatch) -> None:
        ix = self._ix
        order_id = row[ix["order_id"]].strip()
        if not order_id:
            raise _RowProblem(Problem(number, self._name("order_id"), "", "an order id",
                                      "every row needs its order's id: fill it in, or delete "
                                      "the row if it is not an order line"))
        order = self._order
        if order is None or order.values[1] != order_id:
            self._close_order(batch)
            excel = excel_number_problem(number, self._name("order_id"), order_id)
            if excel is not None:
                raise _RowProblem(excel)
            order = self._order = self._open_order(order_id, row, number)
            seen = self._seen.get(order_id)
            if seen is not None:  # the order was read further up: a copy, or a problem
                order.repeat_of = seen.first_row
                if hash(order.cells) != seen.cells:
                    order.conflicted = True
                    self._conflicts.append((number, seen.first_row, order_id, order.cells))
        elif self._order_cells_of(row) != order.cells:
            self._check_repeat(order_id, row, number)
        order.last_row = number
        order.digest = hash((order.digest, tuple(row)))
        self._add_line(order, row, number, batch)
        batch.rows += 1

    def _open_order(self, order_id: str, row: list[str], number: int) -> _OpenOrder:
        ix = self._ix
        status_raw = row[ix["status"]]
        status = STATUS_WORDS.get(status_raw.strip().lower())
        if status is None:
            raise _RowProblem(Problem(number, self._name("status"), status_raw,
                                      "an order status such as Completed, 已完成 or CANCELLED"))
        created, paid, shipped, delivered, cancelled = (
            self._time(row, f, number) for f in _TIME_FIELDS)
        if created is None:
            raise _RowProblem(Problem(number, self._name("created"), row[ix["created"]],
                                      "the order's creation time, e.g. 25/11/2026 14:03:59"))
        latest = max(t[0] for t in (created, paid, shipped, delivered, cancelled) if t)
        value = self.time_value
        values = [
            self.shop_id, order_id, status, row[ix["buyer"]].strip() or None, created[1],
            value(latest), paid and paid[1], cancelled and cancelled[1],
            delivered and delivered[1], row[ix["order_type"]].strip().lower() == "sample",
            False, False, row[ix["buyer_message"]].strip() or None,
            row[ix["recipient"]].strip() or None, row[ix["country"]].strip()[:8] or None,
            row[ix["cancel_reason"]].strip() or None, row[ix["cancel_by"]].strip()[:32] or None,
            self.currency, 0, self._money(row, "shipping_fee", number) or 0, 0, 0,
            self._money(row, "taxes", number) or 0, self._money(row, "order_amount", number) or 0,
            "csv", None, self._now,
        ]
        refund_when = (cancelled or delivered or (latest, None))[0]
        return _OpenOrder(values, self._order_cells_of(row), number, created[0],
                          refund_when, self._money(row, "refund_amount", number) or 0)

    def _check_repeat(self, order_id: str, row: list[str], number: int) -> None:
        """Order fields repeated on a later row must parse and agree with the order's first row."""
        assert self._order is not None
        self._open_order(order_id, row, number)  # raises the parse problem, if any
        for name, first in zip(ORDER_FIELDS, self._order.cells, strict=True):
            if row[self._ix[name]] != first:
                raise _RowProblem(Problem(
                    number, self._name(name), row[self._ix[name]],
                    f"the same value as row {self._order.first_row} of this order ({first!r})",
                    _conflict_fix(order_id)))

    def _add_line(self, order: _OpenOrder, row: list[str], number: int,
                  batch: OrderBatch) -> None:
        qty, after_raw, seller_raw, platform_raw, before_raw, unit_raw, sku, product_id, \
            product_name, seller_sku = self._line_cells_of(row)
        quantity = int(qty) if qty.isdigit() else 0
        if quantity < 1:
            quantity = self._quantity(row, number)  # "1,000", or the problem with this cell
        cached = self._money_cache.get
        after = cached(after_raw, _MISS)
        if after is _MISS or after is None:
            after = self._money(row, "subtotal_after", number)
            if after is None:
                raise _RowProblem(Problem(number, self._name("subtotal_after"), after_raw,
                                          "the SKU subtotal after discount"))
        seller = cached(seller_raw, _MISS)
        if seller is _MISS:
            seller = self._money(row, "seller_discount", number)
        platform = cached(platform_raw, _MISS)
        if platform is _MISS:
            platform = self._money(row, "platform_discount", number)
        seller, platform = seller or 0, platform or 0
        before = cached(before_raw, _MISS)
        if before is _MISS:
            before = self._money(row, "subtotal_before", number)
        if before is None:
            unit = self._money(row, "unit_price", number)
            before = unit * quantity if unit is not None else after + seller
        sku_id = sku.strip()
        for name, raw in (("sku_id", sku_id), ("product_id", product_id)):
            excel = excel_number_problem(number, self._name(name), raw) if "+" in raw else None
            if excel is not None:
                raise _RowProblem(excel)
        if order.repeat_of:
            return  # read for its problems and fingerprint only
        values = order.values
        values[_SUB_TOTAL] += after
        values[_SELLER] += seller
        values[_PLATFORM] += platform
        seen = order.skus[sku_id] = order.skus.get(sku_id, 0) + 1
        batch.lines.append((
            self.shop_id, values[1], sku_id if seen == 1 else f"{sku_id}#{seen}",
            product_id or None, product_name or None, sku_id, seller_sku or None, quantity,
            self.currency, _per_unit(before, quantity), _per_unit(after, quantity),
            _per_unit(seller, quantity), _per_unit(platform, quantity), values[2], None, False,
        ))

    def _quantity(self, row: list[str], number: int) -> int:
        raw = row[self._ix["quantity"]]
        try:
            quantity = int(raw) if raw.isdigit() else parse_int(raw)
        except CellError as error:
            raise _RowProblem(Problem(number, self._name("quantity"), raw,
                                      error.expected)) from None
        if quantity is None or quantity < 1:
            raise _RowProblem(Problem(number, self._name("quantity"), raw,
                                      "a quantity of at least 1"))
        return quantity

    def _close_order(self, batch: OrderBatch) -> None:
        order, self._order = self._order, None
        if order is None:
            return
        values = order.values
        if order.repeat_of:
            seen = self._seen[values[1]]
            if not order.conflicted and order.digest != seen.rows:
                self._report(_split_order(order.first_row, self._name("order_id"), values[1],
                                          seen))
            return  # an identical copy of rows already read (overlapping exports): skipped
        self._seen[values[1]] = _Seen(order.first_row, order.last_row, hash(order.cells),
                                      order.digest)
        batch.orders.append(tuple(values))
        if order.refund > 0:
            batch.refunds.append({
                "shop_id": self.shop_id, "refund_id": f"csv:{values[1]}",
                "kind": "cancellation" if values[2] == "CANCELLED" else "refund",
                "order_id": values[1], "status": "CSV_REPORTED", "return_type": None,
                "create_time": order.when, "update_time": order.when,
                "completed_time": order.when, "currency": self.currency,
                "refund_amount": from_money_units(order.refund), "line_ids": [],
                "reason": values[15], "raw": None,
            })

    def _check_cut(self, number: int, cells: int, last_cell: str) -> None:
        """The file ends without a line break: its last row may have been cut off (even an
        empty last cell may be the rest of a cut one), so it must be whole up to a column we
        do not read."""
        if cells >= self._width and self._width - 1 not in self._ix.values():
            return
        self._report(Problem(
            number, "(whole row)", f"{cells} cells, ending {last_cell[-20:]!r}",
            f"a complete row of {self._width} cells ending with a line break",
            "the file stops in the middle of this row, so it was probably cut off (an "
            "interrupted download or copy): export it again. If the file is complete, add a "
            "line break at its end"))

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
            self.problems.append(Problem(
                number, self._name(name), now,
                f"{was!r} as in row {earlier}, where order {order_id} first appears",
                _conflict_fix(order_id, twice=True)))
        self._conflicts.clear()
        self.problems.sort(key=lambda p: p.row)

    def _money(self, row: list[str], name: str, number: int) -> int | None:
        """Money units of a cell (cached: prices repeat a lot in an export)."""
        raw = row[self._ix[name]]
        cache = self._money_cache
        if raw in cache:
            return cache[raw]
        try:
            amount = parse_amount(raw, self.exponent, self.currency)
        except CellError as error:
            raise _RowProblem(Problem(number, self._name(name), raw, error.expected,
                                      error.fix)) from None
        value = None if amount is None else to_money_units(amount)
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[raw] = value
        return value

    def _time(self, row: list[str], name: str, number: int) -> tuple[datetime, Any] | None:
        """(aware UTC datetime, stored value) of a cell, or None when empty (cached)."""
        raw = row[self._ix[name]]
        cache = self._time_cache
        if raw in cache:
            return cache[raw]
        try:
            moment = parse_time(raw, self.zone)
        except CellError as error:
            raise _RowProblem(Problem(number, self._name(name), raw, error.expected)) from None
        if moment is not None and moment > self._latest:
            future = future_problem(number, self._name(name), raw, moment)
            if future is not None:
                raise _RowProblem(future)
        value = None if moment is None else (moment, self.time_value(moment))
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[raw] = value
        return value


class _RowProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _long_row(number: int, cells: int, width: int) -> Problem:
    return Problem(number, f"(columns after {column_letter(width - 1)})", f"{cells} cells",
                   f"{width} cells, one per column of the header",
                   "a cell holds an unquoted comma or line break, so the cells after it moved "
                   "into the wrong columns: export the file again (or put quotes around that "
                   "cell, or delete the cells beyond the header's last column)")


def _split_order(number: int, column: str, order_id: str, seen: _Seen) -> Problem:
    return Problem(
        number, column, order_id, f"the rows of order {order_id} next to each other",
        f"order {order_id} is also at rows {seen.first_row}-{seen.last_row} with other lines; "
        f"Seller Center writes an order's rows together, so we cannot tell whether these are "
        f"more lines of it or a second copy: sort the file by {column!r} (or export it again) "
        "and import again")


def _conflict_fix(order_id: str, *, twice: bool = False) -> str:
    """What to do about an order whose rows disagree on an order-level cell."""
    if len(order_id) >= 15 and order_id.isdigit() and order_id.endswith("000"):
        return f"the id {order_id} ends in zeros: " + EXCEL_FIX
    where = "appears twice in the file" if twice else "has rows that disagree"
    return (f"order {order_id} {where} with different order-level values, so the file holds "
            "two versions of it (two exports pasted together, or a cell edited by hand): keep "
            "only the newer export's rows (or export one date range again) and import again")


def _is_description(cell: str) -> bool:
    """A second header row explains the columns: its order id cell is not an id."""
    cell = cell.strip()
    return " " in cell or not any(ch.isdigit() for ch in cell)


def _per_unit(units: int, quantity: int) -> int:
    """A line amount per unit, rounded half-even to the warehouse's money scale."""
    if quantity == 1:
        return units
    whole, rest = divmod(units, quantity)
    twice = 2 * rest
    return whole + (1 if twice > quantity or (twice == quantity and whole % 2) else 0)
