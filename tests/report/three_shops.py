"""A tenant with a GBP, a USD and a THB shop (reporting USD), as rollup rows, for the
store-currency and missing-FX tests.

Globex has Globex UK (GBP, London), Globex US (USD, Los Angeles) and Globex TH (THB, Bangkok), two
weeks of rollups (2026-W46 and W47) whose GMV differs every day, ads in each shop's own currency,
one creator's affiliate sales in every shop, and complete sync cursors, so the only thing a digest
can lack is an FX rate. ``add_rates`` stores a GBP->USD and THB->USD rate that also moves every
day, so "each day at its own rate" is exercised. "Now" is Monday 2026-11-23 09:00 in Shanghai: last
week is W47.
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
    affiliate_order_lines,
    fx_rates,
    shop_daily,
    shop_traffic_daily,
    shops,
    sync_cursors,
    tenants,
)
from jobs.warehouse.upsert import upsert

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TENANT, WEEK = "globex", "2026-W47"
W46, W47 = date(2026, 11, 9), date(2026, 11, 16)
DAYS = [W46 + timedelta(days=i) for i in range(14)]
UK, US, TH = "7600000000000000001", "7600000000000000002", "7600000000000000003"
#: shop -> (name, region, currency, zone, advertiser, GMV on the first day)
SHOPS = {
    UK: ("Globex UK", "GB", "GBP", "Europe/London", "7310000000000000001", Decimal("1000.10")),
    US: ("Globex US", "US", "USD", "America/Los_Angeles", "7310000000000000002",
         Decimal("1500.20")),
    TH: ("Globex TH", "TH", "THB", "Asia/Bangkok", "7310000000000000003", Decimal("40000.30")),
}
CHANNEL = "C0GLOBEXOPS"
ADMIN = "U0GLOBEXBOSS"


def gmv(shop: str, day: date) -> Decimal:
    """The shop's gross GMV on ``day`` (in its own currency): a little more every day."""
    return SHOPS[shop][5] + Decimal(7) * (day - W46).days


def rate(currency: str, day: date) -> Decimal:
    """USD per unit of ``currency`` on ``day`` (moves every day)."""
    step = (day - W46).days
    return {"GBP": Decimal("1.2500") + Decimal("0.0031") * step,
            "THB": Decimal("0.02800") + Decimal("0.00007") * step}[currency]


def tenant_entry() -> dict[str, object]:
    """Globex's entry in a tenants file (both languages, one Slack channel)."""
    return {
        "id": TENANT, "name": "Globex 环球", "reporting_currency": "USD", "language": "both",
        "targets": {"roas": 3.0, "break_even_roas": 1.5},
        "digest": {"cron": "0 9 * * MON", "timezone": "Asia/Shanghai", "hold_hours": 6},
        "stores": [{"shop_id": s, "name": v[0], "region": v[1], "advertiser_ids": [v[4]]}
                   for s, v in SHOPS.items()],
        "chats": {"slack": [{"channel": CHANNEL, "admins": [ADMIN]}]},
    }


def write_tenants(folder: Path) -> Path:
    """The tenants file holding Globex, in ``folder``."""
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": [tenant_entry()]}, allow_unicode=True),
                    encoding="utf-8")
    return path


def seed(engine: Engine) -> None:
    """Globex's shops, two weeks of rollups and complete sync cursors; no FX rates."""
    with engine.begin() as conn:
        upsert(conn, tenants, [{"tenant_id": TENANT, "name": "Globex 环球",
                                "reporting_currency": "USD", "language": "zh+en",
                                "created_at": NOW, "updated_at": NOW}])
        for shop, (name, region, ccy, zone, adv, _) in SHOPS.items():
            upsert(conn, shops, [{"shop_id": shop, "tenant_id": TENANT, "name": name,
                                  "region": region, "currency": ccy, "timezone": zone,
                                  "source": "config", "created_at": NOW, "updated_at": NOW}])
            upsert(conn, advertisers, [{"advertiser_id": adv, "tenant_id": TENANT,
                                        "shop_id": shop, "name": adv, "currency": ccy,
                                        "timezone": zone, "created_at": NOW,
                                        "updated_at": NOW}])
            upsert(conn, shop_daily, [
                {"shop_id": shop, "day": d, "currency": ccy, "orders": 20, "units": 22,
                 "buyers": 20, "gross_gmv": gmv(shop, d), "refunds": 1,
                 "refund_amount": gmv(shop, d) / 20, "settled_orders": 0,
                 "settled_revenue": Decimal(0), "refreshed_at": NOW} for d in DAYS])
            upsert(conn, shop_traffic_daily, [
                {"shop_id": shop, "day": d, "channel": "ALL", "impressions": 20000,
                 "page_views": 1000, "visitors": 500, "add_to_cart": 80, "orders": 20,
                 "units": 22, "buyers": 20, "currency": ccy, "gmv": gmv(shop, d)}
                for d in DAYS])
            upsert(conn, ad_daily, [
                {"advertiser_id": adv, "day": d, "campaign_id": "c1", "campaign_name": "Sale",
                 "currency": ccy, "spend": gmv(shop, d) / 10, "impressions": 10000,
                 "clicks": 200, "conversions": 8, "purchases": 8,
                 "purchase_value": gmv(shop, d) / 4, "video_views": 0} for d in DAYS])
            upsert(conn, affiliate_order_lines, [
                {"shop_id": shop, "order_id": f"aff-{d:%m%d}", "sku_id": "sku1",
                 "creator_username": "lily.home", "status": "COMPLETED",
                 "create_time": datetime(d.year, d.month, d.day, 12, tzinfo=UTC),
                 "content_type": "VIDEO", "quantity": 1, "currency": ccy,
                 "price": gmv(shop, d) / 10, "estimated_paid_commission": gmv(shop, d) / 100,
                 "actual_paid_commission": Decimal(0), "refunded_quantity": 0,
                 "returned_quantity": 0} for d in DAYS])
            upsert(conn, sync_cursors, [
                {"source": "orders", "subject_id": shop, "latest_complete_day": DAYS[-1],
                 "updated_at": NOW},
                {"source": "ads_campaign", "subject_id": adv, "latest_complete_day": DAYS[-1],
                 "updated_at": NOW}])


def add_rates(engine: Engine) -> None:
    """GBP->USD and THB->USD for every day of the two weeks, each day its own rate."""
    with engine.begin() as conn:
        upsert(conn, fx_rates, [{"day": d, "base": c, "quote": "USD", "rate": rate(c, d),
                                 "source": "test"} for d in DAYS for c in ("GBP", "THB")])


def in_usd(shop: str, days: list[date], amount=gmv) -> Decimal:  # type: ignore[no-untyped-def]
    """Σ over ``days`` of the shop's daily amount converted at that day's rate (exact)."""
    ccy = SHOPS[shop][2]
    return sum((amount(shop, d) * (Decimal(1) if ccy == "USD" else rate(ccy, d))
                for d in days), Decimal(0))


def own(shop: str, days: list[date], amount=gmv) -> Decimal:  # type: ignore[no-untyped-def]
    """Σ over ``days`` of the shop's daily amount in its own currency."""
    return sum((amount(shop, d) for d in days), Decimal(0))
