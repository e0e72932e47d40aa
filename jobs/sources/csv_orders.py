"""Seller Center order exports (CSV) -> warehouse rows, streamed in batches.

The export has one row per SKU line with the order's fields repeated on each row; rows of one
order are adjacent, as Seller Center writes them. Each SKU row of quantity N becomes N unit lines
(``{sku_id}-{k}``), like the API's one-line-per-unit, with amounts split to the cent so they sum
exactly. Quirks handled: UTF-8 with or without BOM; an optional second header row of column
descriptions; ``DD/MM/YYYY HH:mm:ss`` local times with a trailing tab; money with a currency prefix
(``THB 1,234.50``); status values in the UI language (``STATUS_WORDS``); extra or missing
region-specific columns. Accepted headers per field are ``HEADERS`` (matched ignoring case, spaces
and punctuation); the ``REQUIRED`` ones must be present.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jobs.sources.csv_common import (
    MAX_PROBLEMS,
    CellError,
    Problem,
    match_headers,
    open_rows,
    parse_int,
    parse_money,
    parse_time,
)

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
BATCH_ROWS = 5000
_TIME_FIELDS = ("created", "paid", "shipped", "delivered", "cancelled")
#: Order-level columns repeated on every row of an order (checked for agreement).
ORDER_FIELDS = ("status", *_TIME_FIELDS, "shipping_fee", "taxes", "order_amount", "refund_amount")
_ZERO = Decimal(0)


@dataclass
class OrderBatch:
    """Warehouse rows for ``orders``, ``order_lines`` and ``refunds``."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0


class OrderCsvReader:
    """Streams an order export as batches of rows; bad cells are collected in ``problems``."""

    def __init__(self, path: Path | str, *, shop_id: str, currency: str, timezone: str,
                 exponent: int = 2) -> None:
        self.path, self.shop_id, self.currency = str(path), shop_id, currency
        self.zone, self.exponent = ZoneInfo(timezone), exponent
        self.problems: list[Problem] = []
        self.rows_read = 0
        self._order: dict[str, Any] | None = None
        self._sku_units: dict[str, int] = {}
        self._order_cells: list[str] = []
        self._order_row = 0
        self._now = datetime.now(UTC)

    def batches(self) -> Iterator[OrderBatch]:
        """Batches of complete orders (an order is never split across two batches)."""
        rows = open_rows(self.path)
        columns = self._columns(next(rows, []))
        if columns is None:
            return
        batch = OrderBatch()
        for number, row in enumerate(rows, start=2):
            if number == 2 and _is_description(row, columns):
                continue
            if not any(c.strip() for c in row):
                continue
            self.rows_read += 1
            self._take(row, number, columns, batch)
            if batch.rows >= BATCH_ROWS and not self.problems:
                yield batch  # the open order's lines go now, its order row when it closes
                batch = OrderBatch()
            if len(self.problems) >= MAX_PROBLEMS:
                return
        self._close_order(batch)
        yield batch

    def _columns(self, header: list[str]) -> dict[str, int] | None:
        columns = match_headers(header, HEADERS)
        for name in REQUIRED:
            if name not in columns:
                self.problems.append(Problem(1, HEADERS[name][0], "(missing)",
                                             f"a column named one of {list(HEADERS[name])}"))
        return None if self.problems else columns

    def _take(self, row: list[str], number: int, cols: dict[str, int], batch: OrderBatch) -> None:
        get = _getter(row, cols)
        order_id = get("order_id").strip()
        if not order_id:
            self.problems.append(Problem(number, HEADERS["order_id"][0], "", "an order id"))
            return
        try:
            if self._order is None or self._order["order_id"] != order_id:
                self._close_order(batch)
                self._order = self._open_order(order_id, get, number)
                self._order_cells = [get(f) for f in ORDER_FIELDS]
                self._order_row = number
            elif [get(f) for f in ORDER_FIELDS] != self._order_cells:
                self._check_repeat(order_id, get, number)
            self._add_units(get, number, batch)
            batch.rows += 1
        except _RowProblem as problem:
            self.problems.append(problem.problem)

    def _open_order(self, order_id: str, get: Any, number: int) -> dict[str, Any]:
        status_raw = get("status")
        status = STATUS_WORDS.get(status_raw.strip().lower())
        if status is None:
            raise _RowProblem(Problem(number, HEADERS["status"][0], status_raw,
                                      "an order status such as Completed, 已完成 or CANCELLED"))
        times = {f: self._time(get, f, number) for f in _TIME_FIELDS}
        if times["created"] is None:
            raise _RowProblem(Problem(number, HEADERS["created"][0], get("created"),
                                      "the order's creation time, e.g. 25/11/2026 14:03:59"))
        message, recipient = get("buyer_message").strip(), get("recipient").strip()
        return {
            "shop_id": self.shop_id, "order_id": order_id, "status": status,
            "buyer_id": get("buyer").strip() or None,
            "create_time": times["created"], "paid_time": times["paid"],
            "cancel_time": times["cancelled"], "delivery_time": times["delivered"],
            "update_time": max(t for t in times.values() if t is not None),
            "is_sample": get("order_type").strip().lower() == "sample",
            "is_replacement": False, "is_exchange": False,
            "buyer_message": message or None, "recipient_name": recipient or None,
            "region_code": get("country").strip()[:8] or None,
            "cancel_reason": get("cancel_reason").strip() or None,
            "cancellation_initiator": get("cancel_by").strip()[:32] or None,
            "currency": self.currency, "sub_total": _ZERO, "seller_discount": _ZERO,
            "platform_discount": _ZERO,
            "shipping_fee": self._money(get, "shipping_fee", number) or _ZERO,
            "tax": self._money(get, "taxes", number) or _ZERO,
            "total_amount": self._money(get, "order_amount", number) or _ZERO,
            "refund_amount": self._money(get, "refund_amount", number) or _ZERO,
            "source": "csv", "raw": None, "ingested_at": self._now,
        }

    def _check_repeat(self, order_id: str, get: Any, number: int) -> None:
        """Order fields repeated on a later row must parse and agree with the order's first row."""
        self._open_order(order_id, get, number)  # raises the parse problem, if any
        for name, first in zip(ORDER_FIELDS, self._order_cells, strict=True):
            if get(name) != first:
                raise _RowProblem(Problem(number, HEADERS[name][0], get(name),
                                          f"the same value as row {self._order_row} of this "
                                          f"order ({first!r})"))

    def _add_units(self, get: Any, number: int, batch: OrderBatch) -> None:
        assert self._order is not None
        quantity = self._int(get, "quantity", number)
        if quantity is None or quantity < 1:
            raise _RowProblem(Problem(number, HEADERS["quantity"][0], get("quantity"),
                                      "a quantity of at least 1"))
        after = self._money(get, "subtotal_after", number)
        if after is None:
            raise _RowProblem(Problem(number, HEADERS["subtotal_after"][0],
                                      get("subtotal_after"), "the SKU subtotal after discount"))
        seller = self._money(get, "seller_discount", number) or _ZERO
        platform = self._money(get, "platform_discount", number) or _ZERO
        unit = self._money(get, "unit_price", number)
        before = self._money(get, "subtotal_before", number)
        before = before if before is not None else (unit * quantity if unit is not None
                                                    else after + seller)
        order = self._order
        order["sub_total"] += after
        order["seller_discount"] += seller
        order["platform_discount"] += platform
        sku_id = get("sku_id").strip()
        first = self._sku_units.get(sku_id, 0)
        self._sku_units[sku_id] = first + quantity
        splits = [_split(v, quantity, self.exponent) for v in (before, after, seller, platform)]
        for k in range(quantity):
            batch.lines.append({
                "shop_id": self.shop_id, "order_id": order["order_id"],
                "line_id": f"{sku_id}-{first + k + 1}", "product_id": get("product_id") or None,
                "product_name": get("product_name") or None, "sku_id": sku_id,
                "seller_sku": get("seller_sku") or None, "quantity": 1,
                "currency": self.currency, "original_price": splits[0][k],
                "sale_price": splits[1][k], "seller_discount": splits[2][k],
                "platform_discount": splits[3][k], "display_status": order["status"],
                "cancel_reason": None, "is_gift": False,
            })

    def _close_order(self, batch: OrderBatch) -> None:
        order, self._order, self._sku_units = self._order, None, {}
        if order is None:
            return
        refund = order.pop("refund_amount")
        batch.orders.append(order)
        if refund > 0:
            when = order["cancel_time"] or order["delivery_time"] or order["update_time"]
            batch.refunds.append({
                "shop_id": self.shop_id, "refund_id": f"csv:{order['order_id']}",
                "kind": "cancellation" if order["status"] == "CANCELLED" else "refund",
                "order_id": order["order_id"], "status": "CSV_REPORTED", "return_type": None,
                "create_time": when, "update_time": when, "completed_time": when,
                "currency": self.currency, "refund_amount": refund, "line_ids": [],
                "reason": order["cancel_reason"], "raw": None,
            })

    def _money(self, get: Any, name: str, number: int) -> Decimal | None:
        try:
            return parse_money(get(name), self.exponent)
        except CellError as error:
            raise _RowProblem(Problem(number, HEADERS[name][0], get(name),
                                      error.expected)) from None

    def _int(self, get: Any, name: str, number: int) -> int | None:
        try:
            return parse_int(get(name))
        except CellError as error:
            raise _RowProblem(Problem(number, HEADERS[name][0], get(name),
                                      error.expected)) from None

    def _time(self, get: Any, name: str, number: int) -> datetime | None:
        try:
            return parse_time(get(name), self.zone)
        except CellError as error:
            raise _RowProblem(Problem(number, HEADERS[name][0], get(name),
                                      error.expected)) from None


class _RowProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _getter(row: list[str], cols: dict[str, int]) -> Any:
    width = len(row)

    def get(name: str) -> str:
        i = cols.get(name)
        return row[i] if i is not None and i < width else ""

    return get


def _is_description(row: list[str], cols: dict[str, int]) -> bool:
    """A second header row explains the columns: its order id cell is not an id."""
    i = cols["order_id"]
    cell = row[i].strip() if i < len(row) else ""
    return " " in cell or not any(ch.isdigit() for ch in cell)


def _split(total: Decimal, parts: int, exponent: int) -> list[Decimal]:
    """``total`` in ``parts`` amounts of the currency's smallest unit that sum exactly to it."""
    if parts == 1:
        return [total]
    quantum = Decimal(1).scaleb(-exponent)
    units = int((total / quantum).to_integral_value())
    base, extra = divmod(units, parts)
    return [(base + (1 if k < extra else 0)) * quantum for k in range(parts)]
