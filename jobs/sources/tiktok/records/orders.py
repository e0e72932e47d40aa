"""Order and refund records: what a shop sold, one line per unit, and the money it gave back.

Each keeps the order or refund exactly as the API sent it in ``raw``, so a later question can be
answered from what was stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.records.values import _required_time


@dataclass(frozen=True)
class OrderLine:
    """One unit sold: TikTok has no quantity field, one line item per unit."""

    id: str
    order_id: str
    product_id: str | None
    product_name: str | None
    sku_id: str | None
    seller_sku: str | None
    currency: str | None
    original_price: Decimal
    sale_price: Decimal
    seller_discount: Decimal
    platform_discount: Decimal
    display_status: str | None
    cancel_reason: str | None
    is_gift: bool


@dataclass(frozen=True)
class Order:
    """An order with its payment amounts and unit lines."""

    id: str
    status: str
    create_time: datetime
    update_time: datetime
    paid_time: datetime | None
    cancel_time: datetime | None
    delivery_time: datetime | None
    currency: str | None
    sub_total: Decimal
    shipping_fee: Decimal
    seller_discount: Decimal
    platform_discount: Decimal
    total_amount: Decimal
    tax: Decimal
    is_sample_order: bool
    is_replacement_order: bool
    is_exchange_order: bool
    cancel_reason: str | None
    cancellation_initiator: str | None
    region_code: str | None
    buyer_id: str | None = None
    buyer_message: str | None = None
    recipient_name: str | None = None
    lines: list[OrderLine] = field(default_factory=list)
    #: The order exactly as the API sent it.
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Refund:
    """A return/refund or a cancellation with the money given back."""

    id: str
    kind: str  # "return" | "cancellation"
    order_id: str
    status: str | None
    type: str | None
    create_time: datetime | None
    update_time: datetime | None
    currency: str | None
    refund_total: Decimal
    line_item_ids: tuple[str, ...]
    reason: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_complete(self) -> bool:
        """True once the money went back (status ``*_COMPLETE``)."""
        return bool(self.status) and str(self.status).endswith("COMPLETE")


def parse_order(data: Mapping[str, Any]) -> Order:
    """One entry of ``data.orders``."""
    order_id = str(w.required(data, "id"))
    pay = w.obj(data, "payment")
    return Order(
        id=order_id,
        status=str(w.required(data, "status")),
        create_time=_required_time(data, "create_time"),
        update_time=_required_time(data, "update_time"),
        paid_time=w.utc(data.get("paid_time"), "paid_time"),
        cancel_time=w.utc(data.get("cancel_time"), "cancel_time"),
        delivery_time=w.utc(data.get("delivery_time"), "delivery_time"),
        currency=w.text(pay.get("currency")),
        sub_total=w.money0(pay.get("sub_total"), "sub_total"),
        shipping_fee=w.money0(pay.get("shipping_fee"), "shipping_fee"),
        seller_discount=w.money0(pay.get("seller_discount"), "seller_discount"),
        platform_discount=w.money0(pay.get("platform_discount"), "platform_discount"),
        total_amount=w.money0(pay.get("total_amount"), "total_amount"),
        tax=w.money0(pay.get("tax"), "tax"),
        is_sample_order=bool(data.get("is_sample_order")),
        is_replacement_order=bool(data.get("is_replacement_order")),
        is_exchange_order=bool(data.get("is_exchange_order")),
        cancel_reason=w.text(data.get("cancel_reason")),
        cancellation_initiator=w.text(data.get("cancellation_initiator")),
        region_code=w.text(w.obj(data, "recipient_address").get("region_code")),
        buyer_id=w.text(data.get("user_id")),
        buyer_message=w.text(data.get("buyer_message")),
        recipient_name=w.text(w.obj(data, "recipient_address").get("name")),
        lines=[_parse_line(order_id, line) for line in w.items(data, "line_items")],
        raw=data,
    )


def _parse_line(order_id: str, data: Mapping[str, Any]) -> OrderLine:
    return OrderLine(
        id=str(w.required(data, "id")),
        order_id=order_id,
        product_id=w.text(data.get("product_id")),
        product_name=w.text(data.get("product_name")),
        sku_id=w.text(data.get("sku_id")),
        seller_sku=w.text(data.get("seller_sku")),
        currency=w.text(data.get("currency")),
        original_price=w.money0(data.get("original_price"), "original_price"),
        sale_price=w.money0(data.get("sale_price"), "sale_price"),
        seller_discount=w.money0(data.get("seller_discount"), "seller_discount"),
        platform_discount=w.money0(data.get("platform_discount"), "platform_discount"),
        display_status=w.text(data.get("display_status")),
        cancel_reason=w.text(data.get("cancel_reason")),
        is_gift=bool(data.get("is_gift")),
    )


def parse_refund(data: Mapping[str, Any], kind: str) -> Refund:
    """A return (``return_orders[]``) or cancellation (``cancellations[]``) entry."""
    prefix = "return" if kind == "return" else "cancel"
    amount = w.obj(data, "refund_amount")
    lines = w.items(data, f"{prefix}_line_items")
    return Refund(
        id=str(w.required(data, f"{prefix}_id")),
        kind=kind,
        order_id=str(w.required(data, "order_id")),
        status=w.text(data.get(f"{prefix}_status")),
        type=w.text(data.get(f"{prefix}_type")),
        create_time=w.utc(data.get("create_time"), "create_time"),
        update_time=w.utc(data.get("update_time"), "update_time"),
        currency=w.text(amount.get("currency")),
        refund_total=w.money0(amount.get("refund_total"), "refund_total"),
        line_item_ids=tuple(str(x.get("order_line_item_id")) for x in lines),
        reason=w.text(data.get(f"{prefix}_reason_text") or data.get(f"{prefix}_reason")),
        raw=data,
    )
