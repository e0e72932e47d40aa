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
    content_daily,
    contents,
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


def _ads(shop: str, day: date) -> list[dict[str, object]]:
    """Two campaigns a day: the store's ads add up as before (UK 100 -> 500, US 400 -> 480)."""
    parts = ((("c1", "Autumn-Sale", 60, 400, 12000, 300, 16), ("c2", None, 40, 100, 8000, 100, 4))
             if shop == UK else
             (("c1", "Autumn-Sale", 300, 330, 15000, 300, 14),
              ("c3", "Black Friday Teaser", 100, 150, 5000, 100, 6)))
    return [{"advertiser_id": STORES[shop][4], "day": day, "campaign_id": cid,
             "campaign_name": name, "currency": STORES[shop][2], "spend": Decimal(spend),
             "impressions": imps, "clicks": clicks, "conversions": buys, "purchases": buys,
             "purchase_value": Decimal(value), "video_views": 0}
            for cid, name, spend, value, imps, clicks, buys in parts]


#: The UK store's W47 videos and LIVEs: id, title, creator, hook (s), length (s), music,
#: hashtags, posted (UTC hour), views, product clicks, GMV (GBP). Winning videos hook within
#: 2 s and run under 30 s; LIVEs of 2 h or more sell several times more per hour.
CONTENT = (
    ("v01", "Desk lamp in 3 seconds", "lily.home", 1, 18, "lofi", ["lamp"], 19, 40000, 2400, 900),
    ("v02", "Cozy corner makeover", "maxdecor", 2, 22, "lofi", ["cozy"], 20, 30000, 1500, 700),
    ("v03", "Unboxing the mug set", "lily.home", 2, 25, None, ["mug"], 18, 25000, 1300, 600),
    ("v04", "Before and after: the shelf", "anna.diy", 5, 60, None, [], 11, 20000, 600, 180),
    ("v05", "Three lamp hacks", "maxdecor", 4, 55, "pop", ["lamp"], 9, 18000, 400, 160),
    ("v06", "Room tour", "anna.diy", 6, 80, None, [], 12, 15000, 300, 120),
    ("v07", "Mug review", "lily.home", 5, 45, None, ["mug"], 10, 12000, 250, 100),
    ("v08", "Shelf styling", "maxdecor", 2, 70, "pop", [], 13, 11000, 200, 90),
    ("v09", "Gift ideas", "anna.diy", 7, 90, None, [], 8, 10000, 200, 80),
    ("L1", "Friday night home sale", "lily.home", None, 10800, None, [], 19, 60000, 5000, 3000),
    ("L2", "Lamp week LIVE", "maxdecor", None, 9000, None, [], 18, 50000, 4000, 2400),
    ("L3", "Weekend deals", "lily.home", None, 10800, None, [], 20, 55000, 4500, 2800),
    ("L4", "Quick Q&A", "anna.diy", None, 3600, None, [], 12, 8000, 300, 300),
    ("L5", "Morning drop", "maxdecor", None, 3600, None, [], 9, 7000, 250, 250),
    ("L6", "Flash LIVE", "anna.diy", None, 2700, None, [], 13, 5000, 150, 200),
)


def _content(shop: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(contents, content_daily) of the UK store: each posted on W47's Tuesday, its week's
    stats on that day."""
    day = W47 + timedelta(days=1)
    meta, daily = [], []
    for cid, title, who, hook, secs, music, tags, hour, views, clicks, gmv in CONTENT:
        meta.append({"shop_id": shop, "content_id": cid,
                     "content_type": "LIVE" if cid.startswith("L") else "VIDEO",
                     "creator_username": who, "title": title, "duration_s": secs, "hook_s": hook,
                     "posted_at": datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                     "music": music, "hashtags": tags})
        daily.append({"shop_id": shop, "content_id": cid, "day": day, "views": views,
                      "likes": views // 20, "comments": views // 200, "shares": views // 500,
                      "product_clicks": clicks, "orders": gmv // 50, "units": gmv // 50,
                      "currency": STORES[shop][2], "gmv": Decimal(gmv)})
    return meta, daily


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
            upsert(conn, ad_daily, [row for d in DAYS for row in _ads(shop, d)])
            if shop == UK:
                meta, stats = _content(shop)
                upsert(conn, contents, meta)
                upsert(conn, content_daily, stats)
            last = DAYS[-1] - timedelta(days=0 if complete or shop != UK else 2)
            upsert(conn, sync_cursors, [
                {"source": "orders", "subject_id": shop, "latest_complete_day": last,
                 "updated_at": NOW},
                {"source": "ads_campaign", "subject_id": adv, "latest_complete_day": DAYS[-1],
                 "updated_at": NOW}])
        upsert(conn, fx_rates, [{"day": d, "base": "GBP", "quote": "USD",
                                 "rate": Decimal("1.25"), "source": "test"} for d in DAYS])
