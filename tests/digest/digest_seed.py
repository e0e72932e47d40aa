"""A tenant with a story for the digest tests, written as warehouse rollup rows.

Acme (USD) has a UK store (GBP at 1.25 USD) and a US store, eight weeks W40..W47 of 2026.
In W47 the UK store's traffic falls 20% (GMV follows; conversion and order value hold); its ads
return far above the ROAS target (raise budget). The US store's ads stay below break-even
(pause). ``complete=False`` leaves the UK orders sync two days short of the week's end.
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
    fx_rates,
    shop_daily,
    shop_traffic_daily,
    shops,
    sync_cursors,
    tenants,
)
from jobs.warehouse.upsert import upsert

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
UK, US = "7495000000000000001", "7495000000000000002"
ADV_UK, ADV_US = "7300000000000000001", "7300000000000000002"
CHANNEL, CHAT = "C0ACMEOPS", -1001234567890
FIRST_MONDAY, W47 = date(2026, 9, 28), date(2026, 11, 16)  # W40, W47
DAYS = [FIRST_MONDAY + timedelta(days=i) for i in range((W47 - FIRST_MONDAY).days + 7)]
STORES = {UK: ("Acme UK", "GB", "GBP", "Europe/London", ADV_UK),
          US: ("Acme US", "US", "USD", "America/Los_Angeles", ADV_US)}


def tenant_entry(language: object = "en", stores: tuple[str, ...] = (UK, US),
                 slack: bool = True, telegram: bool = True) -> dict[str, object]:
    """Acme's entry in a tenants file."""
    return {
        "id": "acme", "name": "Acme Home 家居", "reporting_currency": "USD", "language": language,
        "targets": {"roas": 3.0, "break_even_roas": 1.8, "weekly_gmv": 20000},
        "digest": {"cron": "0 9 * * MON", "timezone": "Asia/Shanghai", "hold_hours": 6},
        "stores": [{"shop_id": s, "name": STORES[s][0], "region": STORES[s][1],
                    "advertiser_ids": [STORES[s][4]]} for s in stores],
        "chats": {"slack": [{"channel": CHANNEL}] if slack else [],
                  "telegram": [{"chat": CHAT}] if telegram else []},
    }


def write_tenants(folder: Path, *entries: dict[str, object]) -> Path:
    """A tenants file with ``entries`` (default: Acme) in ``folder``."""
    path = folder / "tenants.yaml"
    body = {"tenants": list(entries) or [tenant_entry()]}
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def _store_day(shop: str, day: date, scale: Decimal) -> dict[str, object]:
    in_w47 = day >= W47
    base = Decimal(1000) if shop == UK else Decimal(1500)
    drop = Decimal("0.8") if shop == UK and in_w47 else Decimal(1)
    orders = int(25 * drop) if shop == UK else 30
    return {"shop_id": shop, "day": day, "currency": STORES[shop][2], "orders": orders,
            "units": orders, "buyers": orders, "gross_gmv": base * drop * scale, "refunds": 1,
            "refund_amount": Decimal(20), "settled_orders": 0, "settled_revenue": Decimal(0),
            "refreshed_at": NOW}


def _traffic(shop: str, day: date, gmv: Decimal, orders: int) -> list[dict[str, object]]:
    visitors = 40 * orders
    paid = Decimal("0.6") if shop == UK else Decimal("0.2")
    return [{"shop_id": shop, "day": day, "channel": ch, "impressions": int(30 * visitors * s),
             "page_views": int(2 * visitors * s), "visitors": int(visitors * s),
             "add_to_cart": int(4 * orders * s), "orders": int(orders * s),
             "units": int(orders * s), "buyers": int(orders * s), "currency": STORES[shop][2],
             "gmv": gmv * s} for ch, s in (("ALL", Decimal(1)), ("PAID", paid))]


def _ads(shop: str, day: date) -> dict[str, object]:
    spend, value = (Decimal(100), Decimal(500)) if shop == UK else (Decimal(400), Decimal(480))
    return {"advertiser_id": STORES[shop][4], "day": day, "campaign_id": "c1",
            "campaign_name": "Autumn-Sale", "currency": STORES[shop][2], "spend": spend,
            "impressions": 20000, "clicks": 400, "conversions": 20, "purchases": 20,
            "purchase_value": value, "video_views": 0}


def seed(engine: Engine, *, complete: bool = True, scale: Decimal = Decimal(1),
         stores: tuple[str, ...] = (UK, US)) -> None:
    """Acme's shops, eight weeks of rollups, FX and sync cursors (UK orders late if not
    ``complete``); ``scale`` multiplies GMV (a corrected re-run uses another scale)."""
    with engine.begin() as conn:
        upsert(conn, tenants, [{"tenant_id": "acme", "name": "Acme Home 家居",
                                "reporting_currency": "USD", "language": "en",
                                "created_at": NOW, "updated_at": NOW}])
        for shop in stores:
            name, region, ccy, zone, adv = STORES[shop]
            upsert(conn, shops, [{"shop_id": shop, "tenant_id": "acme", "name": name,
                                  "region": region, "currency": ccy, "timezone": zone,
                                  "source": "config", "created_at": NOW, "updated_at": NOW}])
            upsert(conn, advertisers, [{"advertiser_id": adv, "tenant_id": "acme",
                                        "shop_id": shop, "name": adv, "currency": ccy,
                                        "timezone": zone, "created_at": NOW, "updated_at": NOW}])
            rows = [_store_day(shop, d, scale) for d in DAYS]
            upsert(conn, shop_daily, rows)
            upsert(conn, shop_traffic_daily, [t for r in rows for t in _traffic(
                shop, r["day"], r["gross_gmv"], r["orders"])])  # type: ignore[arg-type]
            upsert(conn, ad_daily, [_ads(shop, d) for d in DAYS])
            last = DAYS[-1] - timedelta(days=0 if complete or shop != UK else 2)
            upsert(conn, sync_cursors, [
                {"source": "orders", "subject_id": shop, "latest_complete_day": last,
                 "updated_at": NOW},
                {"source": "ads_campaign", "subject_id": adv, "latest_complete_day": DAYS[-1],
                 "updated_at": NOW}])
        upsert(conn, fx_rates, [{"day": d, "base": "GBP", "quote": "USD",
                                 "rate": Decimal("1.25"), "source": "test"} for d in DAYS])
