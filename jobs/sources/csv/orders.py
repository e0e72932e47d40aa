"""Seller Center order exports (CSV) -> warehouse rows, streamed in batches.

The export has one row per SKU line with the order's fields repeated on each row; rows of one
order are adjacent, as Seller Center writes them. Each SKU row becomes one ``order_lines`` row
(``line_id`` = SKU id, ``#2``... if the SKU repeats in the order) with its ``quantity``; its
money columns are per-unit amounts (line amount / quantity, at the warehouse's 4 decimal places),
while the order's ``sub_total`` and discounts are the exact sums of the SKU subtotals. Rows come out
in storage form for ``jobs.warehouse.bulk`` (money as integer units of ``types.MONEY_SCALE``).

Quirks handled: UTF-8 with or without BOM; an optional second header row of column descriptions;
``DD/MM/YYYY HH:mm:ss`` local times with a trailing tab; money with a currency prefix
(``THB 1,234.50``); status values in the UI language (``STATUS_WORDS``); extra or missing
region-specific columns. Accepted headers per field are ``HEADERS`` (matched ignoring case, spaces
and punctuation); the ``REQUIRED`` ones must be present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jobs.sources.csv.common import (
    MAX_PROBLEMS,
    CellError,
    Problem,
    match_headers,
    open_rows,
    parse_int,
    parse_money,
    parse_time,
)
from jobs.warehouse.types import from_money_units, to_money_units

#: Canonical field -> accepted header names (first match wins).
HEADERS: dict[str, tuple[str, ...]] = {
    "order_id": ("Order ID", "Order No", "订单号", "订单ID", "หมายเลขคำสั่งซื้อ", "Mã đơn hàng"),
    "status": ("Order Status", "Status", "订单状态", "สถานะคำสั่งซื้อ", "Trạng thái đơn hàng"),
    "sku_id": ("SKU ID", "SKU编号"),
    "seller_sku": ("Seller SKU", "卖家SKU"),
    "product_id": ("Product ID",),
    "product_name": ("Product Name", "商品名称"),
    "quantity": ("Quantity", "数量", "จำนวน", "Số lượng"),
    "unit_price": ("SKU Unit Original Price", "Unit Price"),
    "subtotal_before": ("SKU Subtotal Before Discount",),
    "platform_discount": ("SKU Platform Discount",),
    "seller_discount": ("SKU Seller Discount",),
    "subtotal_after": ("SKU Subtotal After Discount", "SKU Subtotal"),
    "shipping_fee": ("Shipping Fee After Discount", "Shipping Fee"),
    "taxes": ("Taxes", "Tax"),
    "order_amount": ("Order Amount", "Total Amount"),
    "refund_amount": ("Order Refund Amount", "Refund Amount"),
    "created": ("Created Time", "Create Time", "创建时间"),
    "paid": ("Paid Time", "Payment Time", "付款时间"),
    "shipped": ("Shipped Time",),
    "delivered": ("Delivered Time",),
    "cancelled": ("Cancelled Time", "Canceled Time"),
    "cancel_by": ("Cancel By",),
    "cancel_reason": ("Cancel Reason",),
    "country": ("Country", "Country/Region"),
    "buyer_message": ("Buyer Message",),
    "recipient": ("Recipient", "Recipient Name"),
    "buyer": ("Buyer Username", "Buyer Nickname"),
    "order_type": ("Order Type", "Normal or Pre-order"),
}
REQUIRED = ("order_id", "status", "sku_id", "quantity", "subtotal_after", "created")
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
    """The order whose rows are being read: its row values and what the refund row needs."""

    values: list[Any]
    cells: tuple[str, ...]
    first_row: int
    created: datetime
    when: datetime
    refund: int
    skus: dict[str, int] = field(default_factory=dict)


class OrderCsvReader:
    """Streams an order export as batches of rows; bad cells are collected in ``problems``."""

    def __init__(self, path: Path | str, *, shop_id: str, currency: str, timezone: str,
                 exponent: int = 2, time_value: TimeValue = lambda t: t) -> None:
        self.path, self.shop_id, self.currency = str(path), shop_id, currency
        self.zone, self.exponent, self.time_value = ZoneInfo(timezone), exponent, time_value
        self.problems: list[Problem] = []
        self.rows_read = 0
        self._ix: dict[str, int] = {}
        self._width = 0
        self._order: _OpenOrder | None = None
        self._now = time_value(datetime.now(UTC))
        self._money_cache: dict[str, int | None] = {}
        self._time_cache: dict[str, tuple[datetime, Any] | None] = {}

    def batches(self) -> Iterator[OrderBatch]:
        """Batches of rows; an open order's lines may go before its order row (no FK)."""
        rows = open_rows(self.path)
        if not self._columns(next(rows, [])):
            return
        batch = OrderBatch()
        width = self._width
        for number, row in enumerate(rows, start=2):
            if len(row) != width:
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
                self.problems.append(problem.problem)
                if len(self.problems) >= MAX_PROBLEMS:
                    return
            if batch.rows >= BATCH_ROWS and not self.problems:
                yield batch
                batch = OrderBatch()
        self._close_order(batch)
        yield batch

    def _columns(self, header: list[str]) -> bool:
        found = match_headers(header, HEADERS)
        for name in REQUIRED:
            if name not in found:
                self.problems.append(Problem(1, HEADERS[name][0], "(missing)",
                                             f"a column named one of {list(HEADERS[name])}"))
        self._width = len(header)
        ix = self._ix = {name: found.get(name, self._width) for name in HEADERS}
        self._order_cells_of = itemgetter(*(ix[f] for f in ORDER_FIELDS))
        self._line_cells_of = itemgetter(*(ix[f] for f in _LINE_FIELDS))
        return not self.problems

    def _take(self, row: list[str], number: int, batch: OrderBatch) -> None:
        ix = self._ix
        order_id = row[ix["order_id"]].strip()
        if not order_id:
            raise _RowProblem(Problem(number, HEADERS["order_id"][0], "", "an order id"))
        order = self._order
        if order is None or order.values[1] != order_id:
            self._close_order(batch)
            order = self._order = self._open_order(order_id, row, number)
        elif self._order_cells_of(row) != order.cells:
            self._check_repeat(order_id, row, number)
        self._add_line(order, row, number, batch)
        batch.rows += 1

    def _open_order(self, order_id: str, row: list[str], number: int) -> _OpenOrder:
        ix = self._ix
        status_raw = row[ix["status"]]
        status = STATUS_WORDS.get(status_raw.strip().lower())
        if status is None:
            raise _RowProblem(Problem(number, HEADERS["status"][0], status_raw,
                                      "an order status such as Completed, 已完成 or CANCELLED"))
        created, paid, shipped, delivered, cancelled = (
            self._time(row, f, number) for f in _TIME_FIELDS)
        if created is None:
            raise _RowProblem(Problem(number, HEADERS["created"][0], row[ix["created"]],
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
                raise _RowProblem(Problem(number, HEADERS[name][0], row[self._ix[name]],
                                          f"the same value as row {self._order.first_row} of "
                                          f"this order ({first!r})"))

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
                raise _RowProblem(Problem(number, HEADERS["subtotal_after"][0], after_raw,
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
        values = order.values
        values[_SUB_TOTAL] += after
        values[_SELLER] += seller
        values[_PLATFORM] += platform
        sku_id = sku.strip()
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
            raise _RowProblem(Problem(number, HEADERS["quantity"][0], raw,
                                      error.expected)) from None
        if quantity is None or quantity < 1:
            raise _RowProblem(Problem(number, HEADERS["quantity"][0], raw,
                                      "a quantity of at least 1"))
        return quantity

    def _close_order(self, batch: OrderBatch) -> None:
        order, self._order = self._order, None
        if order is None:
            return
        values = order.values
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

    def _money(self, row: list[str], name: str, number: int) -> int | None:
        """Money units of a cell (cached: prices repeat a lot in an export)."""
        raw = row[self._ix[name]]
        cache = self._money_cache
        if raw in cache:
            return cache[raw]
        try:
            amount = parse_money(raw, self.exponent)
        except CellError as error:
            raise _RowProblem(Problem(number, HEADERS[name][0], raw, error.expected)) from None
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
            raise _RowProblem(Problem(number, HEADERS[name][0], raw, error.expected)) from None
        value = None if moment is None else (moment, self.time_value(moment))
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[raw] = value
        return value


class _RowProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


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
