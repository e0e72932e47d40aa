"""Small hand-built warehouse rows for the rollup, query and report tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from jobs.warehouse.schema import (
    ad_report_rows,
    advertisers,
    affiliate_order_lines,
    authorizations,
    content_daily,
    contents,
    fx_rates,
    order_lines,
    orders,
    refunds,
    shop_traffic_daily,
    shops,
    skus,
    tenants,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
STORES = {  # shop_id -> (region, currency, zone)
    "uk1": ("GB", "GBP", "Europe/London"),
    "us1": ("US", "USD", "America/Los_Angeles"),
}


def utc(text: str) -> datetime:
    """An aware UTC time from ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def seed_stores(conn, tenant_id: str = "acme", currency: str = "USD") -> None:
    """The tenant and its two stores (UK in London time, US in Los Angeles time)."""
    conn.execute(tenants.insert().values(tenant_id=tenant_id, name="Acme",
                                         reporting_currency=currency, language="en",
                                         created_at=T0, updated_at=T0))
    for shop_id, (region, ccy, zone) in STORES.items():
        conn.execute(shops.insert().values(shop_id=shop_id, tenant_id=tenant_id,
                                           name=f"Acme {region}", region=region, currency=ccy,
                                           timezone=zone, source="api", created_at=T0,
                                           updated_at=T0))
        conn.execute(advertisers.insert().values(advertiser_id=f"adv-{shop_id}",
                                                 tenant_id=tenant_id, shop_id=shop_id,
                                                 name=f"Ads {region}", currency=ccy,
                                                 timezone=zone, created_at=T0, updated_at=T0))


def add_order(conn, shop_id: str, order_id: str, paid: str | None, amount: str, *,
              created: str | None = None, buyer: str = "b1", lines: int = 1,
              sample: bool = False, replacement: bool = False, message: str | None = None,
              cancelled: str | None = None, sku: str | None = None) -> None:
    """One order with ``lines`` equal one-unit lines summing to ``amount``."""
    ccy = STORES[shop_id][1]
    create = utc(created or paid or "2026-11-01 00:00")
    total = Decimal(amount)
    conn.execute(orders.insert().values(
        shop_id=shop_id, order_id=order_id, status="COMPLETED" if paid else "CANCELLED",
        buyer_id=buyer, create_time=create, update_time=create,
        paid_time=utc(paid) if paid else None, cancel_time=utc(cancelled) if cancelled else None,
        is_sample=sample, is_replacement=replacement, is_exchange=False, buyer_message=message,
        currency=ccy, sub_total=total, total_amount=total, shipping_fee=0, seller_discount=0,
        platform_discount=0, tax=0, source="api", ingested_at=create,
    ))
    price = total / lines
    conn.execute(order_lines.insert(), [
        dict(shop_id=shop_id, order_id=order_id, line_id=f"{order_id}-{i}", quantity=1,
             sku_id=sku, product_id=sku and f"p-{sku}",
             currency=ccy, original_price=price, sale_price=price, seller_discount=0,
             platform_discount=0, is_gift=False)
        for i in range(lines)
    ])


def add_refund(conn, shop_id: str, refund_id: str, order_id: str, completed: str | None,
               amount: str, status: str = "COMPLETED") -> None:
    """A refund of ``amount`` completed at ``completed`` (``None``: still pending)."""
    when = utc(completed) if completed else utc("2026-11-01 00:00")
    conn.execute(refunds.insert().values(
        shop_id=shop_id, refund_id=refund_id, kind="refund", order_id=order_id, status=status,
        create_time=when, update_time=when, completed_time=utc(completed) if completed else None,
        currency=STORES[shop_id][1], refund_amount=Decimal(amount), line_ids=[],
    ))


def add_ad_day(conn, shop_id: str, day: date, spend: str | None, impressions: int, clicks: int,
               purchases: int, value: str, campaign: str = "c1") -> None:
    """A campaign-level ad report row of the store's advertiser."""
    conn.execute(ad_report_rows.insert().values(
        advertiser_id=f"adv-{shop_id}", level="campaign", day=day, campaign_id=campaign, ad_id="",
        campaign_name=f"Campaign {campaign}", currency=STORES[shop_id][1],
        spend=Decimal(spend) if spend is not None else None, impressions=impressions,
        clicks=clicks, conversions=purchases, purchases=purchases, purchase_value=Decimal(value),
        video_views=0, pulled_at=T0,
    ))


def add_rates(conn, days: list[date], rates: dict[str, str], quote: str = "USD") -> None:
    """The same ``rates`` (currency -> units of ``quote`` per 1) on every day in ``days``."""
    conn.execute(fx_rates.insert(), [
        dict(day=day, base=ccy, quote=quote, rate=Decimal(rate), source="test")
        for day in days for ccy, rate in rates.items()
    ])


def add_traffic(conn, shop_id: str, day: date, channel: str, visitors: int, page_views: int,
                add_to_cart: int, orders_: int, gmv: str) -> None:
    """One shop-analytics row (per channel; ``ALL`` is the whole shop)."""
    conn.execute(shop_traffic_daily.insert().values(
        shop_id=shop_id, day=day, channel=channel, impressions=visitors * 10,
        page_views=page_views, visitors=visitors, add_to_cart=add_to_cart, orders=orders_,
        units=orders_, buyers=orders_, currency=STORES[shop_id][1], gmv=Decimal(gmv)))


def add_affiliate(conn, shop_id: str, order_id: str, creator: str, created: str, price: str,
                  quantity: int = 1, commission: str = "1.00") -> None:
    """One creator-attributed order line."""
    conn.execute(affiliate_order_lines.insert().values(
        shop_id=shop_id, order_id=order_id, sku_id="sku-1", creator_username=creator,
        create_time=utc(created), content_type="VIDEO", quantity=quantity,
        currency=STORES[shop_id][1], price=Decimal(price),
        estimated_paid_commission=Decimal(commission), refunded_quantity=0,
        returned_quantity=0))


def add_sku(conn, shop_id: str, sku_id: str, stock: int, lead_time_days: int | None) -> None:
    """A SKU with its stock on hand."""
    conn.execute(skus.insert().values(
        shop_id=shop_id, sku_id=sku_id, product_id=f"p-{sku_id}", currency=STORES[shop_id][1],
        stock=stock, lead_time_days=lead_time_days, updated_at=T0))


def add_content(conn, shop_id: str, content_id: str, kind: str, creator: str, day: date,
                views: int, gmv: str, hook_s: int) -> None:
    """A video or LIVE session and one day of its stats."""
    conn.execute(contents.insert().values(
        shop_id=shop_id, content_id=content_id, content_type=kind, creator_username=creator,
        title=content_id, posted_at=T0, duration_s=30, hook_s=hook_s, music=None,
        hashtags=["#home"]))
    conn.execute(content_daily.insert().values(
        shop_id=shop_id, content_id=content_id, day=day, views=views, likes=views // 10,
        comments=views // 100, shares=0, product_clicks=views // 20, orders=1, units=1,
        currency=STORES[shop_id][1], gmv=Decimal(gmv)))


def add_authorization(conn, tenant_id: str, subject: str, status: str) -> None:
    """A shop authorization in the given health state."""
    conn.execute(authorizations.insert().values(
        kind="shop", subject=subject, tenant_id=tenant_id, access_token_enc="x",
        scopes=[], status=status, version=1, created_at=T0, updated_at=T0))
