"""Performance records: the shop's daily traffic (with its LIVE / VIDEO / PRODUCT_CARD split) and
each video's sales over a window.

TikTok's analytics lag behind: days after ``ShopTraffic.latest_available_date`` are still being
counted and will change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jobs.sources.errors import BadResponse
from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.records.values import _amount_and_currency, _amount_or_value


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
