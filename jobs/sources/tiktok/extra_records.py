"""Typed records for content performance, creator search and settled orders (per statement or
per order).

Companions of ``records`` for what the digest's creator, content and settlement sections
need. Money is ``Decimal`` in the record's ``currency``; times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jobs.sources.errors import BadResponse
from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.records.settlements import OrderSettlement, parse_order_settlement
from jobs.sources.tiktok.records.values import _amount_and_currency

#: Settlement status of an order whose money has been settled.
SETTLED = "SETTLED"


@dataclass(frozen=True)
class ContentPerformance:
    """One video or LIVE session: its features and its performance to date."""

    id: str
    content_type: str  # VIDEO | LIVE
    username: str | None
    title: str | None
    posted_at: datetime | None
    duration_s: int | None
    hook_s: int | None
    music: str | None
    hashtags: list[str]
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    product_clicks: int | None
    orders: int | None
    units: int | None
    currency: str | None
    gmv: Decimal | None


@dataclass(frozen=True)
class SettledOrder(OrderSettlement):
    """Per-order settlement once settled: its amounts, and when it settled."""

    settle_time: datetime


def parse_content(data: Mapping[str, Any], content_type: str) -> ContentPerformance:
    """One entry of ``data.videos`` or ``data.lives``.

    ``music`` is the track name when the API names it, else ``"trending"`` when it only flags
    trending music; ``hashtags`` are the tag names when listed (a bare count is not a list).
    """
    gmv, currency = _amount_and_currency(data.get("gmv"))
    posted = data.get("post_time") if data.get("post_time") is not None else data.get(
        "start_time")
    return ContentPerformance(
        id=str(w.required(data, "id")),
        content_type=content_type,
        username=w.text(data.get("username")),
        title=w.text(data.get("title")),
        posted_at=w.utc(posted, "post_time"),
        duration_s=w.integer(data.get("duration"), "duration"),
        hook_s=_whole_seconds(data.get("hook_seconds")),
        music=w.text(data.get("music")) or ("trending" if data.get("music_trending") else None),
        hashtags=_tags(data.get("hashtags")),
        views=w.integer(data.get("views")),
        likes=w.integer(data.get("likes")),
        comments=w.integer(data.get("comments")),
        shares=w.integer(data.get("shares")),
        product_clicks=w.integer(data.get("product_clicks")),
        orders=w.integer(data.get("sku_orders")),
        units=w.integer(data.get("units_sold")),
        currency=currency,
        gmv=gmv,
    )


def _tags(value: Any) -> list[str]:
    """Hashtag names without the leading ``#`` (a bare count is not a list of names)."""
    if not isinstance(value, list):
        return []
    return [str(t).lstrip("#") for t in value if str(t).lstrip("#")]


def _whole_seconds(value: Any) -> int | None:
    """Seconds rounded half up (the warehouse keeps whole seconds)."""
    if value is None or value == "":
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_creator_user_id(data: Mapping[str, Any], username: str) -> str | None:
    """The ``creator_user_id`` of the search hit whose username is exactly ``username``."""
    for hit in w.items(data, "creators"):
        if str(hit.get("username") or "").lower() == username.lower():
            return w.text(hit.get("creator_user_id"))
    return None


def parse_settled_order(order_id: str, data: Mapping[str, Any]) -> SettledOrder | None:
    """``statement_transactions`` of one order, or ``None`` while it is not settled."""
    status = w.text(data.get("settlement_status"))
    settled_at = w.utc(data.get("settle_time"), "settle_time")
    if status not in (None, SETTLED) or settled_at is None:
        return None
    return SettledOrder(**vars(parse_order_settlement(order_id, data)), settle_time=settled_at)


def parse_statement_transactions(data: Mapping[str, Any]) -> list[SettledOrder]:
    """The orders of one page of a statement's transactions (202501), settled at the statement's
    ``create_time``; the same record and amounts as the per-order endpoint gives. Adjustment and
    reserve transactions carry no ``order_id`` and are left out."""
    settled_at = w.utc(w.required(data, "create_time"), "create_time")
    if settled_at is None:
        raise BadResponse("create_time: empty statement time")
    currency = w.text(data.get("currency"))
    return [_statement_order(t, currency, settled_at) for t in w.items(data, "transactions")
            if w.text(t.get("order_id"))]


def _statement_order(data: Mapping[str, Any], currency: str | None,
                     settled_at: datetime) -> SettledOrder:
    fees = w.obj(w.obj(data, "fee_tax_breakdown"), "fee")
    return SettledOrder(
        order_id=str(data["order_id"]),
        currency=currency,
        revenue_amount=w.money0(data.get("revenue_amount"), "revenue_amount"),
        fee_and_tax_amount=w.money0(data.get("fee_tax_amount"), "fee_tax_amount"),
        shipping_cost_amount=w.money0(data.get("shipping_cost_amount"), "shipping_cost_amount"),
        settlement_amount=w.money0(data.get("settlement_amount"), "settlement_amount"),
        platform_commission_amount=w.money0(fees.get("platform_commission_amount"),
                                            "platform_commission_amount"),
        affiliate_commission_amount=w.money0(fees.get("affiliate_commission_amount"),
                                             "affiliate_commission_amount"),
        settle_time=settled_at,
    )
