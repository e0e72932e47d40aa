"""Affiliate records: orders attributed to creators, SKU by SKU with their commissions, and
creators' marketplace profiles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.records.values import _amount_or_value


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


def _commission(data: Mapping[str, Any], key: str) -> Decimal | None:
    return _amount_or_value(data.get(key))
