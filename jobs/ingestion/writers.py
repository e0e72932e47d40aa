"""Records from the connectors -> warehouse rows, upserted by natural key.

Each ``write_*`` takes one page of records and the connection of the transaction that also
saves the sync cursor, and returns the number of rows sent. Writes are idempotent: the same page
twice changes nothing, and an order copy older than the stored one never overwrites it. The raw
facts rollups are computed from (orders, refunds, settlements, affiliate lines) are handed to
``jobs.ingestion.writer.RawWriter``, which marks the local days they change as stale in the same
transaction; ad report rows (``ad_rows``) go through its ``AdWriter``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from jobs.ingestion.writer import RawWriter
from jobs.sources.tiktok import extra_records as ir
from jobs.sources.tiktok.ads import AdReportRow
from jobs.sources.tiktok.records.affiliates import AffiliateOrder, CreatorProfile
from jobs.sources.tiktok.records.orders import Order, OrderLine, Refund
from jobs.sources.tiktok.records.performance import ShopDayPerformance
from jobs.sources.tiktok.records.settlements import Statement
from jobs.sources.tiktok.records.stock import SkuStock
from jobs.warehouse import schema as s
from jobs.warehouse.upsert import upsert

#: Report level on the wire -> ``ad_report_rows.level``.
LEVEL_NAMES = {"AUCTION_CAMPAIGN": "campaign", "AUCTION_AD": "ad"}


def write_orders(conn: Connection, shop_id: str, currency: str, orders: Sequence[Order]) -> int:
    """Orders and their unit lines (their days marked stale by ``RawWriter``)."""
    now = datetime.now(UTC)
    order_rows = [_order_row(shop_id, currency, o, now) for o in orders]
    line_rows = [_line_row(shop_id, o.currency or currency, line)
                 for o in orders for line in o.lines]
    return RawWriter(conn, shop_id).orders(order_rows, line_rows)


def _order_row(shop_id: str, currency: str, o: Order, now: datetime) -> dict[str, Any]:
    return {
        "shop_id": shop_id, "order_id": o.id, "status": o.status, "buyer_id": o.buyer_id,
        "create_time": o.create_time, "update_time": o.update_time, "paid_time": o.paid_time,
        "cancel_time": o.cancel_time, "delivery_time": o.delivery_time,
        "is_sample": o.is_sample_order, "is_replacement": o.is_replacement_order,
        "is_exchange": o.is_exchange_order, "buyer_message": o.buyer_message,
        "recipient_name": o.recipient_name, "region_code": o.region_code,
        "cancel_reason": o.cancel_reason, "cancellation_initiator": o.cancellation_initiator,
        "currency": o.currency or currency, "sub_total": o.sub_total,
        "shipping_fee": o.shipping_fee, "seller_discount": o.seller_discount,
        "platform_discount": o.platform_discount, "tax": o.tax, "total_amount": o.total_amount,
        "source": "api", "raw": json.dumps(o.raw, separators=(",", ":")), "ingested_at": now,
    }


def _line_row(shop_id: str, currency: str, line: OrderLine) -> dict[str, Any]:
    return {
        "shop_id": shop_id, "order_id": line.order_id, "line_id": line.id,
        "product_id": line.product_id, "product_name": line.product_name,
        "sku_id": line.sku_id, "seller_sku": line.seller_sku, "quantity": 1,
        "currency": line.currency or currency, "original_price": line.original_price,
        "sale_price": line.sale_price, "seller_discount": line.seller_discount,
        "platform_discount": line.platform_discount, "display_status": line.display_status,
        "cancel_reason": line.cancel_reason, "is_gift": line.is_gift,
    }


def write_refunds(
    conn: Connection, shop_id: str, currency: str, refunds: Sequence[Refund]
) -> int:
    """Returns/refunds and cancellations; ``completed_time`` is set once the money went back.

    Their days (and their orders') are marked stale by ``RawWriter``.
    """
    rows = []
    for x in refunds:
        updated = x.update_time or x.create_time
        rows.append({
            "shop_id": shop_id, "refund_id": f"{x.kind}:{x.id}", "kind": x.kind,
            "order_id": x.order_id, "status": x.status or "UNKNOWN", "return_type": x.type,
            "create_time": x.create_time or updated, "update_time": updated,
            "completed_time": updated if x.is_complete else None,
            "currency": x.currency or currency, "refund_amount": x.refund_total,
            "line_ids": list(x.line_item_ids), "reason": x.reason,
            "raw": json.dumps(x.raw, separators=(",", ":")),
        })
    return RawWriter(conn, shop_id).refunds(rows)


def write_statements(conn: Connection, shop_id: str, currency: str,
                     statements: Sequence[Statement]) -> int:
    """Settlement statements."""
    rows = [{
        "shop_id": shop_id, "statement_id": x.id, "statement_time": x.statement_time,
        "currency": x.currency or currency, "settlement_amount": x.settlement_amount,
        "revenue_amount": x.revenue_amount, "fee_amount": x.fee_amount,
        "adjustment_amount": x.adjustment_amount, "shipping_cost_amount": x.shipping_cost_amount,
        "net_sales_amount": x.net_sales_amount, "payment_status": x.payment_status,
        "payment_id": x.payment_id,
    } for x in statements]
    return upsert(conn, s.statements, rows) if rows else 0


def write_affiliate(conn: Connection, shop_id: str, currency: str,
                    orders: Sequence[AffiliateOrder]) -> int:
    """Affiliate order SKUs with creator and content ids (days marked by ``RawWriter``)."""
    rows = [{
        "shop_id": shop_id, "order_id": o.id, "sku_id": k.sku_id,
        "creator_username": k.creator_username or "", "status": o.status,
        "create_time": o.create_time, "delivery_time": o.delivery_time,
        "product_id": k.product_id, "content_type": k.content_type, "content_id": k.content_id,
        "campaign_id": k.campaign_id, "quantity": k.quantity, "currency": k.currency or currency,
        "price": k.price, "commission_rate": k.commission_rate,
        "estimated_paid_commission": k.estimated_paid_commission,
        "actual_paid_commission": k.actual_paid_commission,
        "refunded_quantity": k.refunded_quantity, "returned_quantity": k.returned_quantity,
    } for o in orders if o.create_time is not None for k in o.skus]
    return RawWriter(conn, shop_id).affiliate(_dedupe(rows, 4))


def write_traffic(conn: Connection, shop_id: str, currency: str,
                  days: Sequence[ShopDayPerformance]) -> int:
    """Daily shop traffic: one ``ALL`` row and one row per content channel."""
    rows = []
    for d in days:
        rows.append({"shop_id": shop_id, "day": d.day, "channel": "ALL",
                     "page_views": d.product_page_views, "orders": d.orders,
                     "units": d.units_sold, "buyers": d.buyers,
                     "currency": d.currency or currency, "gmv": d.gmv})
        for channel, values in d.breakdowns.items():
            rows.append({"shop_id": shop_id, "day": d.day, "channel": channel[:16],
                         "page_views": values.get("page_views"), "orders": None, "units": None,
                         "buyers": values.get("buyers"), "currency": d.currency or currency,
                         "gmv": values.get("gmv")})
    return upsert(conn, s.shop_traffic_daily, rows) if rows else 0


def write_stock(conn: Connection, shop_id: str, currency: str, day: date,
                stock: Sequence[SkuStock]) -> int:
    """Current SKU catalogue and today's stock snapshot."""
    now = datetime.now(UTC)
    skus = [{"shop_id": shop_id, "sku_id": k.sku_id, "product_id": k.product_id,
             "product_name": k.product_title, "seller_sku": k.seller_sku,
             "currency": k.currency or currency, "price": k.sale_price, "stock": k.quantity,
             "updated_at": now} for k in stock]
    daily = [{"shop_id": shop_id, "sku_id": k.sku_id, "day": day, "stock": k.quantity}
             for k in stock]
    if not skus:
        return 0
    return upsert(conn, s.skus, _dedupe(skus, 2)) + upsert(conn, s.sku_stock_daily,
                                                          _dedupe(daily, 3))


def write_contents(conn: Connection, shop_id: str, currency: str, zone: ZoneInfo,
                   items: Sequence[ir.ContentPerformance]) -> int:
    """Videos/LIVEs and their performance to date, kept under the local day they were posted.

    The API reports each content's totals over its life, by posting date; re-pulled while the
    content still sells, the row is overwritten, so a week's sum counts each content once.
    """
    rows = [{"shop_id": shop_id, "content_id": x.id, "content_type": x.content_type,
             "creator_username": x.username, "title": x.title, "posted_at": x.posted_at,
             "duration_s": x.duration_s, "hook_s": x.hook_s, "music": x.music,
             "hashtags": x.hashtags} for x in items if x.posted_at is not None]
    daily = [{"shop_id": shop_id, "content_id": x.id, "day": x.posted_at.astimezone(zone).date(),
              "views": x.views, "likes": x.likes, "comments": x.comments, "shares": x.shares,
              "product_clicks": x.product_clicks, "orders": x.orders, "units": x.units,
              "currency": x.currency or currency, "gmv": x.gmv}
             for x in items if x.posted_at is not None]
    if not rows:
        return 0
    return upsert(conn, s.contents, _dedupe(rows, 2)) + upsert(conn, s.content_daily,
                                                               _dedupe(daily, 2))


def write_creator(conn: Connection, profile: CreatorProfile, creator_user_id: str,
                  day: date) -> int:
    """A creator's marketplace profile and the day's follower count."""
    raw = {**profile.raw, "creator_user_id": creator_user_id}
    gmv = profile.raw.get("gmv")
    currency = gmv.get("currency") if isinstance(gmv, dict) else None
    written = upsert(conn, s.creators, [{
        "creator_username": profile.username, "follower_count": profile.follower_count,
        "currency": currency, "gmv": profile.gmv, "video_gmv": profile.video_gmv,
        "live_gmv": profile.live_gmv, "units_sold": profile.units_sold, "profile": raw,
        "updated_at": datetime.now(UTC)}])
    if profile.follower_count is not None:
        written += upsert(conn, s.creator_snapshots, [{
            "creator_username": profile.username, "day": day,
            "follower_count": profile.follower_count}])
    return written


def write_settlements(conn: Connection, shop_id: str, currency: str,
                      settled: Sequence[tuple[ir.SettledOrder, str | None]]) -> int:
    """Per-order settlements, each with the id of the statement that paid it (if known); their
    days are marked stale by ``RawWriter``."""
    rows = [{
        "shop_id": shop_id, "order_id": x.order_id, "statement_id": statement_id,
        "settled_time": x.settle_time, "currency": x.currency or currency,
        "revenue_amount": x.revenue_amount, "fee_and_tax_amount": x.fee_and_tax_amount,
        "shipping_cost_amount": x.shipping_cost_amount,
        "settlement_amount": x.settlement_amount,
        "platform_commission_amount": x.platform_commission_amount,
        "affiliate_commission_amount": x.affiliate_commission_amount,
    } for x, statement_id in settled]
    return RawWriter(conn, shop_id).settlements(rows)


def ad_rows(rows: Sequence[AdReportRow]) -> list[dict[str, Any]]:
    """Daily campaign/ad report rows for ``AdWriter``; ``None`` metrics (``"-"``) stay ``NULL``."""
    return [{
        "advertiser_id": x.advertiser_id, "level": LEVEL_NAMES[x.level], "day": x.day,
        "campaign_id": (x.entity_id if x.level == "AUCTION_CAMPAIGN" else x.campaign_id) or "",
        "ad_id": x.entity_id if x.level == "AUCTION_AD" else "",
        "campaign_name": x.campaign_name, "ad_name": x.ad_name, "currency": x.currency or "USD",
        "spend": x.metrics.get("spend"), "impressions": _int(x.metrics.get("impressions")),
        "clicks": _int(x.metrics.get("clicks")), "conversions": _int(x.metrics.get("conversion")),
        "purchases": _int(x.metrics.get("complete_payment")),
        "purchase_value": x.metrics.get("total_onsite_shopping_value"),
        "video_views": _int(x.metrics.get("video_play_actions")),
        "pulled_at": datetime.now(UTC),
    } for x in rows]


def _int(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def _dedupe(rows: list[dict[str, Any]], key_len: int) -> list[dict[str, Any]]:
    """Last row per primary key (the first ``key_len`` keys), so one statement never hits twice."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        seen[tuple(row.values())[:key_len]] = row
    return list(seen.values())
