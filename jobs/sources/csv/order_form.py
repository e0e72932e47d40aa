"""The shape of an order export's rows as read and as stored: what both order readers and the
writer share.

Read: the fields and the header names that mean them (``HEADERS``, the ``REQUIRED`` ones), the
order-level fields Seller Center repeats on every row of an order (``ORDER_FIELDS``: they must
agree), status values in the UI language (``STATUS_WORDS``) and the optional second header row
of column descriptions (``_is_description``). Stored: an ``OrderBatch`` holds tuples for
``orders`` and ``order_lines`` in the column order of ``ORDER_COLUMNS`` and ``LINE_COLUMNS``,
money as integer units of ``types.MONEY_SCALE``, times as ``TimeValue`` makes them for the
target database (``jobs.warehouse.bulk``), and ``refunds`` rows as dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jobs.sources.csv.headers import ORDER_HEADERS, ORDER_REQUIRED

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
#: The order's times, in the order the row reader unpacks them.
TIME_FIELDS = ("created", "paid", "shipped", "delivered", "cancelled")
#: Order-level columns repeated on every row of an order (checked for agreement).
ORDER_FIELDS = ("status", *TIME_FIELDS, "shipping_fee", "taxes", "order_amount", "refund_amount")

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

TimeValue = Callable[[datetime], Any]
"""Turns an aware UTC datetime into what the target database stores (``jobs.warehouse.bulk``)."""


@dataclass
class OrderBatch:
    """Rows for ``orders`` and ``order_lines`` (tuples, ``*_COLUMNS`` order) and ``refunds``."""

    orders: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0


def _is_description(cell: str) -> bool:
    """A second header row explains the columns: its order id cell is not an id."""
    cell = cell.strip()
    return " " in cell or not any(ch.isdigit() for ch in cell)
