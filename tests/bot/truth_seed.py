"""A warehouse synced the ordinary way (raw orders and affiliate lines, rollups rebuilt), where
the chat's old definitions and the digest's give different numbers, for ``test_one_truth``.

Acme (USD) has a UK store (GBP at 1.25 USD, lead time 21 days) selling mugs at a rate that
climbs every fortnight, and a US store selling lamps every fourth day. Orders are synced through
Sunday 2026-11-22 (the end of 2026-W47); "now" is Tuesday 2026-11-24, and Monday and Tuesday
already hold a burst of mug orders the sync has not completed. Creators sell in both stores; a
US line created late on Sunday in Los Angeles is Monday in UTC, paid commissions differ from their
estimates, a cancelled line earns none and one order has lines from a video and a LIVE.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Engine

from jobs.warehouse.rollups import rebuild_rollups
from jobs.warehouse.schema import (
    affiliate_order_lines,
    fx_rates,
    order_lines,
    orders,
    shop_traffic_daily,
    shops,
    skus,
    sync_cursors,
    tenants,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
UK, US = "7495000000000000001", "7495000000000000002"
CHANNEL, ADMIN = "C0ACMEOPS", "U0ACMEBOSS"
STORES = {UK: ("Acme UK", "GB", "GBP", "Europe/London", Decimal(10)),
          US: ("Acme US", "US", "USD", "America/Los_Angeles", Decimal(25))}
SYNCED_THROUGH = date(2026, 11, 22)
FIRST_DAY = SYNCED_THROUGH - timedelta(days=55)  # the digest's 56 days of stock history
DAYS = [FIRST_DAY + timedelta(days=i) for i in range((NOW.date() - FIRST_DAY).days + 1)]
W47 = [date(2026, 11, 16) + timedelta(days=i) for i in range(7)]
#: (shop, sku id, seller sku, stock, SKU lead time or None for the store's).
SKUS = ((UK, "sku-mug", "MUG-UK", 40, None), (US, "sku-lamp", "LAMP-US", 7, 10))
#: (order, creator, shop, local creation time, content type, price, quantity, estimated and
#: actual paid commission, status); order a1 has a line from a video and one from a LIVE.
AFFILIATE = (
    ("a1", "lily.home", UK, "2026-11-17 10:00", "VIDEO", "20", 2, "4", None, "COMPLETED"),
    ("a1", "lily.home", UK, "2026-11-17 10:00", "LIVE", "15", 1, "1.5", None, "COMPLETED"),
    ("a2", "lily.home", UK, "2026-11-19 18:00", "VIDEO", "20", 1, "2", "3", "COMPLETED"),
    ("a3", "lily.home", UK, "2026-11-21 09:00", "VIDEO", "20", 1, "2", None, "CANCELLED"),
    ("a4", "lily.home", US, "2026-11-18 12:00", "VIDEO", "30", 1, "3", None, "COMPLETED"),
    ("a5", "max.deals", US, "2026-11-20 12:00", "VIDEO", "50", 1, "10", None, "COMPLETED"),
    ("a6", "max.deals", US, "2026-11-22 21:00", "VIDEO", "50", 2, "20", "15", "COMPLETED"),
    ("a7", "nina.new", UK, "2026-11-11 12:00", "VIDEO", "90", 1, "9", None, "COMPLETED"),
)
TENANTS = {"tenants": [{
    "id": "acme", "name": "Acme Home", "reporting_currency": "USD", "language": "en",
    "digest": {"timezone": "Europe/London"},
    "stores": [{"shop_id": UK, "name": "Acme UK", "region": "GB", "lead_time_days": 21},
               {"shop_id": US, "name": "Acme US", "region": "US"}],
    "chats": {"slack": [{"channel": CHANNEL, "admins": [ADMIN]}]}}]}


def units_sold(shop: str, day: date) -> int:
    """Units of the store's SKU paid on its local ``day``: mugs climb 1, 2, 3, 4 a day a
    fortnight at a time and burst to 30 on the unsynced Monday and Tuesday; lamps sell 3 every
    fourth day."""
    step = (day - FIRST_DAY).days
    if shop == US:
        return 3 if step % 4 == 0 else 0
    return 30 if day > SYNCED_THROUGH else 1 + step // 14


def write_tenants(folder: Path) -> Path:
    """The tenants file (Acme only) in ``folder``."""
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump(TENANTS), encoding="utf-8")
    return path


def _local(shop: str, when: datetime) -> datetime:
    return when.replace(tzinfo=ZoneInfo(STORES[shop][3])).astimezone(UTC)


def _order_rows(shop: str) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    _, _, ccy, _, price = STORES[shop]
    sku = next(s for s in SKUS if s[0] == shop)
    heads, lines = [], []
    for day in DAYS:
        q, paid = units_sold(shop, day), _local(shop, datetime.combine(day, time(9)))
        if not q or paid > NOW:
            continue
        oid = f"o-{shop[-1]}-{day:%m%d}"
        heads.append({"shop_id": shop, "order_id": oid, "status": "COMPLETED",
                      "buyer_id": f"b{day:%d}", "create_time": paid, "update_time": paid,
                      "paid_time": paid, "currency": ccy, "sub_total": price * q,
                      "total_amount": price * q, "ingested_at": NOW})
        lines += [{"shop_id": shop, "order_id": oid, "line_id": f"{oid}-{i}", "sku_id": sku[1],
                   "product_id": "p1", "quantity": 1, "currency": ccy, "original_price": price,
                   "sale_price": price} for i in range(q)]
    return heads, lines


def _affiliate_rows() -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for n, (order, who, shop, at, kind, price, qty, est, paid, status) in enumerate(AFFILIATE):
        rows.append({"shop_id": shop, "order_id": order, "sku_id": f"s{n}",
                     "creator_username": who, "status": status,
                     "create_time": _local(shop, datetime.fromisoformat(at)),
                     "content_type": kind, "quantity": qty, "currency": STORES[shop][2],
                     "price": Decimal(price), "estimated_paid_commission": Decimal(est),
                     "actual_paid_commission": None if paid is None else Decimal(paid),
                     "refunded_quantity": 0, "returned_quantity": 0})
    return rows


def _traffic_rows(shop: str) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for day in W47 + [d - timedelta(days=7) for d in W47]:
        paid = Decimal("0.4") if day in W47 else Decimal("0.25")
        for channel, share in (("ALL", Decimal(1)), ("PAID", paid), ("VIDEO", 1 - paid)):
            out.append({"shop_id": shop, "day": day, "channel": channel,
                        "impressions": int(5000 * share), "page_views": int(300 * share),
                        "visitors": int(150 * share), "add_to_cart": int(30 * share),
                        "orders": int(10 * share), "units": int(10 * share),
                        "buyers": int(10 * share), "currency": STORES[shop][2],
                        "gmv": Decimal(100) * share})
    return out


def seed(engine: Engine) -> None:
    """Acme's stores, orders, SKUs, affiliate lines, traffic, FX and cursors; rollups rebuilt."""
    with engine.begin() as conn:
        conn.execute(tenants.insert().values(tenant_id="acme", name="Acme Home",
                                             reporting_currency="USD", language="en",
                                             created_at=NOW, updated_at=NOW))
        for shop, (name, region, ccy, zone, _) in STORES.items():
            conn.execute(shops.insert().values(shop_id=shop, tenant_id="acme", name=name,
                                               region=region, currency=ccy, timezone=zone,
                                               source="api", created_at=NOW, updated_at=NOW))
            heads, lines = _order_rows(shop)
            conn.execute(orders.insert(), heads)
            conn.execute(order_lines.insert(), lines)
            conn.execute(shop_traffic_daily.insert(), _traffic_rows(shop))
            conn.execute(sync_cursors.insert().values(
                source="orders", subject_id=shop, latest_complete_day=SYNCED_THROUGH,
                updated_at=NOW))
        conn.execute(skus.insert(), [
            {"shop_id": s, "sku_id": k, "product_id": "p1", "seller_sku": seller,
             "currency": STORES[s][2], "stock": stock, "lead_time_days": lead, "updated_at": NOW}
            for s, k, seller, stock, lead in SKUS])
        conn.execute(affiliate_order_lines.insert(), _affiliate_rows())
        conn.execute(fx_rates.insert(), [{"day": d, "base": "GBP", "quote": "USD",
                                          "rate": Decimal("1.25"), "source": "test"}
                                         for d in DAYS])
        for shop in STORES:
            rebuild_rollups(conn, shop)
