"""Typed records parsed from TikTok Shop Partner API JSON, ready to upsert by natural key.

Money is ``Decimal`` in the record's ``currency``; times are aware UTC datetimes. Field names
follow the wire (tiktok-api.md) so a reader can match a record to a captured response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from jobs.sources.errors import BadResponse
from jobs.sources.tiktok import wire as w

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the token of the next page (``""`` on the last page)."""

    items: list[T]
    next_page_token: str
    total_count: int | None = None

    @property
    def is_last(self) -> bool:
        """True when no page follows."""
        return not self.next_page_token


@dataclass(frozen=True)
class ShopToken:
    """Tokens from ``/api/v2/token/get`` or ``/refresh``; expiries are absolute UTC times."""

    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    open_id: str | None
    seller_name: str | None
    seller_base_region: str | None
    granted_scopes: tuple[str, ...]


@dataclass(frozen=True)
class AuthorizedShop:
    """A shop covered by an authorization, with the cipher every shop-scoped call needs."""

    id: str
    name: str | None
    region: str | None
    seller_type: str | None
    cipher: str
    code: str | None


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


@dataclass(frozen=True)
class Statement:
    """A settlement statement (money actually paid out)."""

    id: str
    statement_time: datetime
    currency: str | None
    settlement_amount: Decimal
    revenue_amount: Decimal
    fee_amount: Decimal
    adjustment_amount: Decimal
    shipping_cost_amount: Decimal
    net_sales_amount: Decimal
    payment_status: str | None
    payment_id: str | None


@dataclass(frozen=True)
class OrderSettlement:
    """Per-order settlement: revenue, fees and what reached the seller."""

    order_id: str
    currency: str | None
    revenue_amount: Decimal
    fee_and_tax_amount: Decimal
    shipping_cost_amount: Decimal
    settlement_amount: Decimal
    platform_commission_amount: Decimal
    affiliate_commission_amount: Decimal


@dataclass(frozen=True)
class AffiliateSku:
    """One SKU of an affiliate order, with the creator and content that sold it."""

    order_id: str
    sku_id: str
    product_id: str | None
    creator_username: str | None
    content_type: str | None
    content_id: str | None
    quantity: int
    price: Decimal
    currency: str | None
    commission_rate: Decimal | None
    estimated_paid_commission: Decimal | None
    actual_paid_commission: Decimal | None
    refunded_quantity: int
    returned_quantity: int
    campaign_id: str | None


@dataclass(frozen=True)
class AffiliateOrder:
    """An order attributed to a creator."""

    id: str
    status: str | None
    create_time: datetime | None
    delivery_time: datetime | None
    skus: list[AffiliateSku]


@dataclass(frozen=True)
class CreatorProfile:
    """A Creator Marketplace profile snapshot."""

    username: str
    follower_count: int | None
    gmv: Decimal | None
    video_gmv: Decimal | None
    live_gmv: Decimal | None
    units_sold: int | None
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class ShopDayPerformance:
    """Shop traffic for one day with LIVE / VIDEO / PRODUCT_CARD breakdowns."""

    day: date
    currency: str | None
    gmv: Decimal | None
    orders: int | None
    units_sold: int | None
    buyers: int | None
    product_page_views: int | None
    refunds: Decimal | None
    #: content type -> {"gmv": Decimal|None, "buyers": int|None, "page_views": int|None}
    breakdowns: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class ShopTraffic:
    """Daily shop performance and ``latest_available_date``: the last day TikTok's analytics
    are complete for (later days in ``days`` are still being counted)."""

    days: list[ShopDayPerformance]
    latest_available_date: date | None


@dataclass(frozen=True)
class VideoPerformance:
    """One video's sales performance over the requested window."""

    id: str
    title: str | None
    username: str | None
    post_time: datetime | None
    currency: str | None
    gmv: Decimal | None
    sku_orders: int | None
    units_sold: int | None
    views: int | None


@dataclass(frozen=True)
class SkuStock:
    """Available stock of one SKU (summed over warehouses)."""

    product_id: str
    product_title: str | None
    product_status: str | None
    sku_id: str
    seller_sku: str | None
    currency: str | None
    sale_price: Decimal | None
    quantity: int


def parse_token(data: Mapping[str, Any]) -> ShopToken:
    """Token data; ``*_expire_in`` are absolute unix seconds (sic)."""
    return ShopToken(
        access_token=str(w.required(data, "access_token")),
        access_token_expires_at=_required_time(data, "access_token_expire_in"),
        refresh_token=str(w.required(data, "refresh_token")),
        refresh_token_expires_at=_required_time(data, "refresh_token_expire_in"),
        open_id=w.text(data.get("open_id")),
        seller_name=w.text(data.get("seller_name")),
        seller_base_region=w.text(data.get("seller_base_region")),
        granted_scopes=tuple(str(s) for s in data.get("granted_scopes") or ()),
    )


def parse_shop(data: Mapping[str, Any]) -> AuthorizedShop:
    """One entry of ``data.shops``."""
    return AuthorizedShop(
        id=str(w.required(data, "id")),
        name=w.text(data.get("name")),
        region=w.text(data.get("region")),
        seller_type=w.text(data.get("seller_type")),
        cipher=str(w.required(data, "cipher")),
        code=w.text(data.get("code")),
    )


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


def parse_statement(data: Mapping[str, Any]) -> Statement:
    """One entry of ``data.statements``."""
    return Statement(
        id=str(w.required(data, "id")),
        statement_time=_required_time(data, "statement_time"),
        currency=w.text(data.get("currency")),
        settlement_amount=w.money0(data.get("settlement_amount")),
        revenue_amount=w.money0(data.get("revenue_amount")),
        fee_amount=w.money0(data.get("fee_amount")),
        adjustment_amount=w.money0(data.get("adjustment_amount")),
        shipping_cost_amount=w.money0(data.get("shipping_cost_amount")),
        net_sales_amount=w.money0(data.get("net_sales_amount")),
        payment_status=w.text(data.get("payment_status")),
        payment_id=w.text(data.get("payment_id")),
    )


def parse_order_settlement(order_id: str, data: Mapping[str, Any]) -> OrderSettlement:
    """``statement_transactions`` of one order; commissions summed over its SKUs."""
    skus = w.items(data, "sku_transactions")
    return OrderSettlement(
        order_id=order_id,
        currency=w.text(data.get("currency")),
        revenue_amount=w.money0(data.get("revenue_amount")),
        fee_and_tax_amount=w.money0(data.get("fee_and_tax_amount")),
        shipping_cost_amount=w.money0(data.get("shipping_cost_amount")),
        settlement_amount=w.money0(data.get("settlement_amount")),
        platform_commission_amount=_sum(skus, "platform_commission_amount"),
        affiliate_commission_amount=_sum(skus, "affiliate_commission_amount"),
    )


def parse_affiliate_order(data: Mapping[str, Any]) -> AffiliateOrder:
    """One entry of affiliate ``data.orders``."""
    order_id = str(w.required(data, "id"))
    return AffiliateOrder(
        id=order_id,
        status=w.text(data.get("status")),
        create_time=w.utc(data.get("create_time"), "create_time"),
        delivery_time=w.utc(data.get("delivery_time"), "delivery_time"),
        skus=[_parse_affiliate_sku(order_id, s) for s in w.items(data, "skus")],
    )


def _parse_affiliate_sku(order_id: str, data: Mapping[str, Any]) -> AffiliateSku:
    price, currency = w.amount_of(data, "price")
    return AffiliateSku(
        order_id=order_id,
        sku_id=str(data.get("sku_id") or data.get("id") or data.get("product_id") or ""),
        product_id=w.text(data.get("product_id")),
        creator_username=w.text(data.get("creator_username")),
        content_type=w.text(data.get("content_type")),
        content_id=w.text(data.get("content_id")),
        quantity=w.integer(data.get("quantity"), "quantity") or 0,
        price=price or Decimal(0),
        currency=currency,
        commission_rate=w.money(data.get("commission_rate"), "commission_rate"),
        estimated_paid_commission=_commission(data, "estimated_paid_commission"),
        actual_paid_commission=_commission(data, "actual_paid_commission"),
        refunded_quantity=w.integer(data.get("refunded_quantity")) or 0,
        returned_quantity=w.integer(data.get("returned_quantity")) or 0,
        campaign_id=w.text(data.get("campaign_id")),
    )


def parse_creator(data: Mapping[str, Any]) -> CreatorProfile:
    """``data.creator`` of a marketplace creator profile."""
    return CreatorProfile(
        username=str(w.required(data, "username")),
        follower_count=w.integer(data.get("follower_count")),
        gmv=_amount_or_value(data.get("gmv")),
        video_gmv=_amount_or_value(data.get("video_gmv")),
        live_gmv=_amount_or_value(data.get("live_gmv")),
        units_sold=w.integer(data.get("units_sold")),
        raw=dict(data),
    )


def parse_shop_traffic(data: Mapping[str, Any]) -> ShopTraffic:
    """``data`` of the shop performance endpoint (``latest_available_date`` is ``YYYY-MM-DD``)."""
    performance = w.obj(data, "performance")
    latest = w.text(data.get("latest_available_date") or performance.get("latest_available_date"))
    try:
        latest_day = date.fromisoformat(latest) if latest else None
    except ValueError as exc:
        raise BadResponse(f"latest_available_date: expected YYYY-MM-DD, got {latest!r}") from exc
    return ShopTraffic([parse_performance_interval(i) for i in w.items(performance, "intervals")],
                       latest_day)


def parse_performance_interval(data: Mapping[str, Any]) -> ShopDayPerformance:
    """One daily interval of ``performance.intervals``."""
    gmv, currency = _amount_and_currency(data.get("gmv"))
    return ShopDayPerformance(
        day=date.fromisoformat(str(w.required(data, "start_date"))),
        currency=currency,
        gmv=gmv,
        orders=w.integer(data.get("orders")),
        units_sold=w.integer(data.get("units_sold")),
        buyers=w.integer(data.get("buyers")),
        product_page_views=w.integer(data.get("product_page_views")),
        refunds=_amount_or_value(data.get("refunds")),
        breakdowns=_breakdowns(data),
    )


def parse_video(data: Mapping[str, Any]) -> VideoPerformance:
    """One entry of ``data.videos``."""
    gmv, currency = _amount_and_currency(data.get("gmv"))
    return VideoPerformance(
        id=str(w.required(data, "id")),
        title=w.text(data.get("title")),
        username=w.text(data.get("username")),
        post_time=w.utc(data.get("post_time"), "post_time"),
        currency=currency,
        gmv=gmv,
        sku_orders=w.integer(data.get("sku_orders")),
        units_sold=w.integer(data.get("units_sold")),
        views=w.integer(data.get("views")),
    )


def parse_product_stock(data: Mapping[str, Any]) -> list[SkuStock]:
    """The SKUs of one entry of ``data.products`` with stock summed over warehouses."""
    product_id = str(w.required(data, "id"))
    return [
        SkuStock(
            product_id=product_id,
            product_title=w.text(data.get("title")),
            product_status=w.text(data.get("status")),
            sku_id=str(w.required(sku, "id")),
            seller_sku=w.text(sku.get("seller_sku")),
            currency=w.text(w.obj(sku, "price").get("currency")),
            sale_price=w.money(w.obj(sku, "price").get("sale_price"), "sale_price"),
            quantity=sum(w.integer(i.get("quantity")) or 0 for i in w.items(sku, "inventory")),
        )
        for sku in w.items(data, "skus")
    ]


def _breakdowns(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """GMV/buyer/page-view breakdowns keyed by content type (LIVE, VIDEO, PRODUCT_CARD)."""
    out: dict[str, dict[str, Any]] = {}
    for metric, key in (("gmv", "gmv_breakdowns"), ("buyers", "buyer_breakdowns"),
                        ("page_views", "product_page_view_breakdowns")):
        for entry in w.items(data, key):
            kind = str(w.required(entry, "type"))
            amount = entry.get("amount", entry.get("value"))
            parsed = w.money(amount, key) if metric == "gmv" else w.integer(amount, key)
            out.setdefault(kind, {})[metric] = parsed
    return out


def _amount_and_currency(value: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(value, list):  # some versions return one entry per currency
        value = value[0] if value else None
    if isinstance(value, Mapping):
        return w.money(value.get("amount")), w.text(value.get("currency"))
    return w.money(value), None


def _amount_or_value(value: Any) -> Decimal | None:
    return _amount_and_currency(value)[0]


def _commission(data: Mapping[str, Any], key: str) -> Decimal | None:
    return _amount_or_value(data.get(key))


def _sum(rows: list[Mapping[str, Any]], key: str) -> Decimal:
    return sum((w.money0(r.get(key), key) for r in rows), Decimal(0))


def _required_time(data: Mapping[str, Any], key: str) -> datetime:
    moment = w.utc(w.required(data, key), key)
    if moment is None:
        raise BadResponse(f"{key}: empty time")
    return moment
