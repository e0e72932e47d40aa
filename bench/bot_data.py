"""Agency-size rollups for the bot benchmark: 20 tenants sharing ``shops`` stores, a year of days.

The bot answers from rollups only, so the benchmark writes rollup rows directly (bulk, raw
driver ``executemany``; money as integer units of 1e-4 the way ``Money`` stores it) instead of
generating and rolling up raw orders. Values are random but plausible (GMV, spend, ROAS 1-5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import Engine

from config.chat_bindings import Chats, SlackBinding
from config.regions import REGIONS
from config.tenant_registry import TenantRegistry
from config.tenants import Store, Tenant

TENANTS = 20
LAST_DAY = date(2026, 11, 24)
REGION_CYCLE = ("GB", "US", "TH", "MY", "VN", "ID", "PH", "SG", "MX", "ES")
#: Units of 1 USD in each currency (rough, fixed: the benchmark measures speed, not FX).
USD_RATE = {"USD": 1.0, "GBP": 1.27, "THB": 0.028, "MYR": 0.21, "VND": 0.00004, "IDR": 0.000063,
            "PHP": 0.017, "SGD": 0.74, "MXN": 0.055, "EUR": 1.08}
STAMP = datetime(2026, 11, 25, tzinfo=UTC)


def _shop(i: int) -> tuple[str, str, str]:
    """Shop ``i``: id, region and currency (each tenant's stores span the regions)."""
    region = REGION_CYCLE[(i // TENANTS) % len(REGION_CYCLE)]
    return f"9{i:018d}", region, REGIONS[region].currency


def agency_registry(shops: int) -> TenantRegistry:
    """20 tenants, each with its share of the stores and one Slack channel."""
    tenants = []
    for t in range(TENANTS):
        stores = tuple(Store(shop_id=_shop(i)[0], name=f"Client {t} {_shop(i)[1]} {i}",
                             region=_shop(i)[1], advertiser_ids=(f"8{i:018d}",))
                       for i in range(shops) if i % TENANTS == t)
        tenants.append(Tenant(id=f"client-{t:02d}", name=f"Client {t}", stores=stores,
                              chats=Chats(slack=(SlackBinding(channel=f"C0AGENCY{t:02d}"),))))
    return TenantRegistry(None, tuple(tenants))


def _insert(conn, table: str, columns: Iterable[str], rows: list[tuple]) -> int:  # type: ignore[no-untyped-def, type-arg]
    cols = list(columns)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
    for start in range(0, len(rows), 50_000):
        conn.exec_driver_sql(sql, rows[start:start + 50_000])
    return len(rows)


def load_agency(engine: Engine, shops: int, days: int, seed: int = 7) -> int:
    """Write tenants, shops, advertisers, FX and ``days`` of rollups; returns rollup rows."""
    rng = np.random.default_rng(seed)
    sqlite = engine.dialect.name == "sqlite"
    stamp = STAMP.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else STAMP
    day_list = [LAST_DAY - timedelta(days=d) for d in range(days)]
    written = 0
    with engine.begin() as conn:
        _insert(conn, "tenants", ("tenant_id", "name", "reporting_currency", "language",
                                  "created_at", "updated_at"),
                [(f"client-{t:02d}", f"Client {t}", "USD", "en", stamp, stamp)
                 for t in range(TENANTS)])
        shop_rows, ad_rows = [], []
        for i in range(shops):
            shop_id, region, ccy = _shop(i)
            shop_rows.append((shop_id, f"client-{i % TENANTS:02d}", f"Client {i}", region, ccy,
                              REGIONS[region].timezone, "config", stamp, stamp))
            ad_rows.append((f"8{i:018d}", f"client-{i % TENANTS:02d}", shop_id, "ads", ccy,
                            REGIONS[region].timezone, stamp, stamp))
        _insert(conn, "shops", ("shop_id", "tenant_id", "name", "region", "currency", "timezone",
                                "source", "created_at", "updated_at"), shop_rows)
        _insert(conn, "advertisers", ("advertiser_id", "tenant_id", "shop_id", "name", "currency",
                                      "timezone", "created_at", "updated_at"), ad_rows)
        fx = [(d, ccy, "USD", repr(rate), "bench") for d in day_list
              for ccy, rate in USD_RATE.items() if ccy != "USD"]
        _insert(conn, "fx_rates", ("day", "base", "quote", "rate", "source"), fx)
        for i in range(shops):
            written += _shop_days(conn, rng, i, day_list, stamp)
    return written


def daily_rate(rate: str, day: date, currency: str) -> str:
    """``rate`` moved by -1.0%..+1.0% on ``day`` (a step of 0.2% cycling over 11 days, as the
    demo rates move): rates that change every day, as a reference feed's do."""
    step = (day.toordinal() * 7 + sum(map(ord, currency))) % 11 - 5
    return str((Decimal(rate) * (1000 + 2 * step) / 1000).normalize())


def move_rates_daily(engine: Engine) -> int:
    """Rewrite every stored rate with ``daily_rate``; returns the rates rewritten."""
    with engine.begin() as conn:
        rows = conn.exec_driver_sql("SELECT day, base, quote, rate FROM fx_rates").fetchall()
        moved = [(daily_rate(rate, day if isinstance(day, date) else date.fromisoformat(day),
                             base), day, base, quote)
                 for day, base, quote, rate in rows]
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        conn.exec_driver_sql(f"UPDATE fx_rates SET rate = {mark} WHERE day = {mark} AND "
                             f"base = {mark} AND quote = {mark}", moved)
    return len(moved)


def ecb_rates(engine: Engine) -> int:
    """Replace every stored rate with the ECB's kind: ``1 EUR = rate currency`` on weekdays
    only, four significant digits, moving as ``daily_rate`` moves them. Converting into USD
    then crosses two rates (28 digits) and carries Friday's over the weekend, as with the
    default feed. Returns the rates written."""
    with engine.begin() as conn:
        days = sorted({d if isinstance(d, date) else date.fromisoformat(d) for (d,) in
                       conn.exec_driver_sql("SELECT DISTINCT day FROM fx_rates").fetchall()})
        conn.exec_driver_sql("DELETE FROM fx_rates")
        per_eur = {c: Decimal(repr(USD_RATE["EUR"])) / Decimal(repr(r))
                   for c, r in USD_RATE.items() if c != "EUR"}
        rows = [(d, "EUR", c, str(Decimal(daily_rate(str(rate), d, c)).quantize(
                     Decimal(10) ** (rate.adjusted() - 3))), "bench")
                for d in days if d.weekday() < 5 for c, rate in per_eur.items()]
        _insert(conn, "fx_rates", ("day", "base", "quote", "rate", "source"), rows)
    return len(rows)


def _shop_days(conn, rng, i: int, day_list: list[date], stamp: object) -> int:  # type: ignore[no-untyped-def]
    shop_id, _, ccy = _shop(i)
    scale = 1 / USD_RATE[ccy]
    n = len(day_list)
    orders = rng.poisson(40, n)
    gmv = (orders * rng.uniform(15, 45, n) * scale * 10_000).astype(np.int64)
    refunds = (gmv * rng.uniform(0, 0.08, n)).astype(np.int64)
    spend = (gmv * rng.uniform(0.1, 0.4, n)).astype(np.int64)
    value = (spend * rng.uniform(1, 5, n)).astype(np.int64)
    rows = [(shop_id, d, ccy, int(o), int(o) + 3, int(o), int(g), 1, int(r), 0, 0, stamp)
            for d, o, g, r in zip(day_list, orders, gmv, refunds, strict=True)]
    count = _insert(conn, "shop_daily", (
        "shop_id", "day", "currency", "orders", "units", "buyers", "gross_gmv", "refunds",
        "refund_amount", "settled_orders", "settled_revenue", "refreshed_at"), rows)
    ads = [(f"8{i:018d}", d, f"c{k}", f"campaign {k}", ccy, int(s) // 2, 20_000, 600, 30,
            int(o) // 3, int(v) // 2, 9_000)
           for d, s, v, o in zip(day_list, spend, value, orders, strict=True) for k in (1, 2)]
    count += _insert(conn, "ad_daily", (
        "advertiser_id", "day", "campaign_id", "campaign_name", "currency", "spend",
        "impressions", "clicks", "conversions", "purchases", "purchase_value", "video_views"), ads)
    traffic = [(shop_id, d, ch, int(50_000 * f), int(3_000 * f), int(1_500 * f), int(300 * f),
                int(o * f), int(o * f) + 2, int(o * f), ccy, int(g * f))
               for d, o, g in zip(day_list, orders, gmv, strict=True)
               for ch, f in (("ALL", 1.0), ("PAID", 0.35), ("VIDEO", 0.65))]
    count += _insert(conn, "shop_traffic_daily", (
        "shop_id", "day", "channel", "impressions", "page_views", "visitors", "add_to_cart",
        "orders", "units", "buyers", "currency", "gmv"), traffic)
    creators = [(shop_id, d, f"creator{(i + k) % 50}", "VIDEO", ccy, 3, 3, int(g) // (5 + k),
                 int(g) // (50 + k), 0) for d, g in zip(day_list, gmv, strict=True)
                for k in range(3)]
    count += _insert(conn, "affiliate_daily", (
        "shop_id", "day", "creator_username", "content_type", "currency", "orders", "units",
        "gmv", "commission", "refunded_units"), creators)
    return count
