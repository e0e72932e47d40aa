"""Two tenants with known rollup rows, for the bot tests (and the agency-size bench data).

Acme (USD reporting) has a UK store (GBP, 1 GBP = 1.25 USD every day) and a US store; Rival
(THB) has one Bangkok store whose numbers and names are distinctive (``RIVAL_MARKERS``), so a
test can assert that none of them ever reaches an Acme channel. "Now" is Wednesday 2026-11-25:
last week is 2026-W47 (11-16..11-22), the week before 2026-W46.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import Engine

from jobs.warehouse.schema import (
    ad_daily,
    advertisers,
    affiliate_daily,
    affiliate_order_lines,
    content_daily,
    contents,
    fx_rates,
    order_lines,
    orders,
    shop_daily,
    shop_traffic_daily,
    shops,
    skus,
    tenants,
)
from jobs.warehouse.upsert import upsert

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
W47 = [date(2026, 11, 16) + timedelta(days=i) for i in range(7)]
W46 = [d - timedelta(days=7) for d in W47]
UK, US, RIVAL = "7495000000000000001", "7495000000000000002", "8800000000000000001"
ACME_CHANNEL, RIVAL_CHANNEL, ACME_DM = "C0ACMEOPS", "C0RIVAL01", "D0ACMEDM1"
ACME_ADMIN, ACME_MEMBER = "U0ACMEBOSS", "U0ACMEUSER"
ACME_CHAT, RIVAL_CHAT = -1001234567890, -1009999999999
ACME_TG_ADMIN, ACME_TG_MEMBER = 123456789, 555
#: Text that only Rival's data contains: none of it may appear in an answer to Acme.
RIVAL_MARKERS = ("Rival", "Bangkok", RIVAL, "THB", "987,654", "5,555", "rival.star",
                 "RIVAL-SKU-9", "SECRET")

TENANTS = {"tenants": [
    {"id": "acme", "name": "Acme Home", "reporting_currency": "USD", "language": "en",
     "targets": {"roas": 3.0},
     "stores": [
         {"shop_id": UK, "name": "Acme UK", "region": "GB",
          "advertiser_ids": ["7300000000000000001"],
          "lead_time_days": 21},
         {"shop_id": US, "name": "Acme US", "region": "US",
          "advertiser_ids": ["7300000000000000002"]},
     ],
     "chats": {"slack": [{"channel": ACME_CHANNEL, "admins": [ACME_ADMIN]},
                         {"channel": ACME_DM, "admins": []}],
               "telegram": [{"chat": ACME_CHAT, "admins": [ACME_TG_ADMIN]}]}},
    {"id": "rival", "name": "Rival Trading", "reporting_currency": "THB", "language": "en",
     "stores": [{"shop_id": RIVAL, "name": "Rival Bangkok", "region": "TH",
                 "advertiser_ids": ["7300000000000000009"]}],
     "chats": {"slack": [{"channel": RIVAL_CHANNEL, "admins": ["U0RIVALBOSS"]}],
               "telegram": [{"chat": RIVAL_CHAT, "admins": [777]}]}},
]}


def write_tenants(folder: Path) -> Path:
    """The tenants file of the two tenants, written into ``folder``."""
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump(TENANTS, allow_unicode=True), encoding="utf-8")
    return path


def _shop_rows(shop_id: str, currency: str, days: list[date], gmv: str, orders_: int,
               refund: str) -> list[dict]:  # type: ignore[type-arg]
    return [{"shop_id": shop_id, "day": d, "currency": currency, "orders": orders_,
             "units": orders_ + 1, "buyers": orders_, "gross_gmv": Decimal(gmv), "refunds": 1,
             "refund_amount": Decimal(refund), "settled_orders": 0,
             "settled_revenue": Decimal(0), "refreshed_at": NOW} for d in days]


def _ads(advertiser: str, currency: str, days: list[date], spend: str, value: str) -> list[dict]:  # type: ignore[type-arg]
    return [{"advertiser_id": advertiser, "day": d, "campaign_id": "cmp1", "campaign_name": "c",
             "currency": currency, "spend": Decimal(spend), "impressions": 1000, "clicks": 50,
             "conversions": 2, "purchases": 2, "purchase_value": Decimal(value),
             "video_views": 0} for d in days]


def _traffic(shop_id: str, currency: str, days: list[date], gmv: str) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for d in days:
        for channel, share in (("ALL", Decimal(1)), ("PAID", Decimal("0.3")),
                               ("VIDEO", Decimal("0.7"))):
            rows.append({"shop_id": shop_id, "day": d, "channel": channel,
                         "impressions": int(10000 * share), "page_views": int(400 * share),
                         "visitors": int(200 * share), "add_to_cart": int(40 * share),
                         "orders": int(10 * share), "units": int(12 * share),
                         "buyers": int(8 * share), "currency": currency,
                         "gmv": Decimal(gmv) * share})
    return rows


def seed(engine: Engine) -> None:
    """Both tenants' stores, a fortnight of rollups, FX, creators, content and stock."""
    with engine.begin() as conn:
        upsert(conn, tenants, [{"tenant_id": t, "name": n, "reporting_currency": c,
                                "language": "en", "created_at": NOW, "updated_at": NOW}
                               for t, n, c in (("acme", "Acme Home", "USD"),
                                               ("rival", "Rival Trading", "THB"))])
        upsert(conn, shops, [
            {"shop_id": s, "tenant_id": t, "name": n, "region": r, "currency": c, "timezone": z,
             "source": "config", "created_at": NOW, "updated_at": NOW}
            for s, t, n, r, c, z in ((UK, "acme", "Acme UK", "GB", "GBP", "Europe/London"),
                                     (US, "acme", "Acme US", "US", "USD", "America/Los_Angeles"),
                                     (RIVAL, "rival", "Rival Bangkok", "TH", "THB",
                                      "Asia/Bangkok"))])
        upsert(conn, advertisers, [
            {"advertiser_id": a, "tenant_id": t, "shop_id": s, "name": a, "currency": c,
             "timezone": "UTC", "created_at": NOW, "updated_at": NOW}
            for a, t, s, c in (("7300000000000000001", "acme", UK, "GBP"),
                               ("7300000000000000002", "acme", US, "USD"),
                               ("7300000000000000009", "rival", RIVAL, "THB"))])
        upsert(conn, fx_rates, [{"day": d, "base": "GBP", "quote": "USD", "rate": Decimal("1.25"),
                                 "source": "test"} for d in W46 + W47])
        upsert(conn, shop_daily, _shop_rows(UK, "GBP", W47, "100", 4, "10")
               + _shop_rows(UK, "GBP", W46, "80", 4, "0")
               + _shop_rows(US, "USD", W47, "200", 5, "0")
               + _shop_rows(US, "USD", W46, "250", 6, "0")
               + _shop_rows(RIVAL, "THB", W47, "141093.76", 50, "0"))  # 987,654.32 a week
        upsert(conn, ad_daily, _ads("7300000000000000001", "GBP", W46 + W47, "20", "60")
               + _ads("7300000000000000002", "USD", W46 + W47, "50", "150")
               + _ads("7300000000000000009", "THB", W47, "5555.55", "99999"))
        upsert(conn, shop_traffic_daily, _traffic(UK, "GBP", W46 + W47, "100")
               + _traffic(US, "USD", W46 + W47, "200") + _traffic(RIVAL, "THB", W47, "141093.76"))
        _creators_and_stock(conn)


def _creators_and_stock(conn) -> None:  # type: ignore[no-untyped-def]
    aff = [("lily.home", UK, "GBP", "40", "4"), ("max.deals", US, "USD", "50", "10"),
           ("rival.star", RIVAL, "THB", "5555.55", "555"), ("lily.home", RIVAL, "THB", "5555.55",
                                                           "555")]
    upsert(conn, affiliate_daily, [
        {"shop_id": s, "day": d, "creator_username": h, "content_type": "VIDEO", "currency": c,
         "orders": 2, "units": 2, "gmv": Decimal(g), "commission": Decimal(f),
         "refunded_units": 0} for h, s, c, g, f in aff for d in W47])
    # the lines behind those rollup rows: two one-unit orders a day, each half the GMV and fee
    upsert(conn, affiliate_order_lines, [
        {"shop_id": s, "order_id": f"a-{h}-{d:%m%d}-{n}", "sku_id": "sku1",
         "creator_username": h, "status": "COMPLETED",
         "create_time": datetime(d.year, d.month, d.day, 12, tzinfo=UTC),
         "content_type": "VIDEO", "quantity": 1, "currency": c, "price": Decimal(g) / 2,
         "estimated_paid_commission": Decimal(f) / 2, "actual_paid_commission": Decimal(0),
         "refunded_quantity": 0, "returned_quantity": 0}
        for h, s, c, g, f in aff for d in W47 for n in (1, 2)])
    upsert(conn, contents, [
        {"shop_id": UK, "content_id": "v1", "content_type": "VIDEO",
         "creator_username": "lily.home",
         "title": "Mug unboxing", "hashtags": []},
        {"shop_id": RIVAL, "content_id": "v9", "content_type": "VIDEO",
         "creator_username": "rival.star", "title": "RIVAL SECRET VIDEO", "hashtags": []}])
    upsert(conn, content_daily, [
        {"shop_id": s, "content_id": v, "day": d, "views": 1000, "product_clicks": 40,
         "orders": 2, "units": 2, "currency": c, "gmv": Decimal(g)}
        for s, v, c, g in ((UK, "v1", "GBP", "40"), (RIVAL, "v9", "THB", "5555.55")) for d in W47])
    upsert(conn, skus, [
        {"shop_id": UK, "sku_id": "sku1", "product_id": "p1", "product_name": "Mug",
         "seller_sku": "ACME-MUG", "currency": "GBP", "price": Decimal("10"), "stock": 10,
         "lead_time_days": None, "updated_at": NOW},
        {"shop_id": RIVAL, "sku_id": "sku9", "product_id": "p9", "product_name": "Rival thing",
         "seller_sku": "RIVAL-SKU-9", "currency": "THB", "price": Decimal("10"), "stock": 1,
         "lead_time_days": 30, "updated_at": NOW}])
    sales = [(UK, "o1", "sku1", 28), (RIVAL, "o9", "sku9", 50)]
    upsert(conn, orders, [
        {"shop_id": s, "order_id": o, "status": "COMPLETED", "create_time": NOW - timedelta(days=3),
         "update_time": NOW, "paid_time": NOW - timedelta(days=3), "currency": "GBP",
         "sub_total": Decimal(1), "total_amount": Decimal(1), "ingested_at": NOW}
        for s, o, _, _ in sales])
    upsert(conn, order_lines, [
        {"shop_id": s, "order_id": o, "line_id": "l1", "sku_id": k, "quantity": q,
         "currency": "GBP", "original_price": Decimal(1), "sale_price": Decimal(1)}
        for s, o, k, q in sales])
