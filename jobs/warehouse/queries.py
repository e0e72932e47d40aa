"""Queries every number in the product comes through: rollups into analytics' daily metric rows.

``daily_rows`` reads the rollups (``shop_daily``, ``ad_daily``, ``affiliate_daily``) and
``shop_traffic_daily`` of some stores over a range of local days and returns the long frame
``analytics.daily`` produces from raw rows (``shop_id, day, metric, currency, value``), so
``analytics.daily_kpis`` computes the same KPIs from either (for the analytics that need daily
series).
KPI totals are summed by the database instead, at each day's rate
(``jobs.warehouse.sum_rates``; ``read_rated`` re-exported here): ``period_kpis`` answers some
stores together, ``stores_kpis`` every store apart from one read, ``store_kpis`` one
store (the bot's and alerts' question); the numbers are exactly ``compute_kpis``' over
``daily_rows``. ``answer_currency`` is the one rule of which currency an answer is in (one
store: its own, as Seller Center shows it; several stores or a comparison: the tenant's
reporting currency), so chat, ``tikpulse kpi`` and the digest agree. The numbers of the
report's other sections (stock cover, creators, traffic, content), which the chat shows too,
are read by ``jobs.warehouse.reads``; this module and that one are the whole read API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, select

from analytics.clean import DEFAULT_RULES, CleaningRules, clean_orders
from analytics.daily import COLUMNS, traffic_rows
from analytics.daily_kpis import compute_kpis
from analytics.kpis import KpiSet, kpis_from_totals
from analytics.weeks import local_midnight_utc
from config.tenants import Store
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.loaders import frame, load_orders, raw, shop_info
from jobs.warehouse.owner_sums import read_period
from jobs.warehouse.prepared import Prepared
from jobs.warehouse.schema import (
    ad_daily,
    affiliate_daily,
    shop_daily,
    shop_traffic_daily,
    shop_week_buyers,
    shops,
)
from jobs.warehouse.sum_rates import missing_sums_rates as missing_sums_rates  # the SQL sums
from jobs.warehouse.sum_rates import period_sums as period_sums
from jobs.warehouse.sum_rates import read_rated as read_rated
from jobs.warehouse.sum_rates import summed_buyers
from jobs.warehouse.sum_rates import sums_fx as sums_fx
from jobs.warehouse.sums import store_advertisers as store_advertisers

#: shop_daily column -> daily metric id, and whether rows of zero are kept (sales are zero, not
#: unknown, on a day without orders; settlements and refunds only appear where they happened).
SHOP_METRICS: tuple[tuple[str, str, bool], ...] = (
    ("gross_gmv", "gross_gmv", True), ("orders", "orders", True), ("units", "units", True),
    ("refund_amount", "refunds", False), ("settled_revenue", "settled_revenue", False),
)
MONEY_COLUMNS = frozenset({"gross_gmv", "refund_amount", "settled_revenue", "spend",
                           "purchase_value", "commission", "gmv"})
AD_METRICS = ("spend", "impressions", "clicks", "purchases", "purchase_value")
#: Traffic metric id, shop_traffic_daily column, and whether it is money (``traffic_rows``).
TRAFFIC_METRICS: tuple[tuple[str, str, bool], ...] = (
    ("visitors", "visitors", False), ("page_views", "page_views", False),
    ("traffic_buyers", "buyers", False), ("traffic_gmv", "gmv", True),
)


_CURRENCIES = Prepared(select(shops.c.shop_id, shops.c.currency).where(
    shops.c.shop_id.in_(bindparam("shop_ids", expanding=True))))


def store_currencies(conn: Connection, stores: Iterable[Store]) -> dict[str, str]:
    """Each store's own currency by shop id: the warehouse's (as registered), else the tenants
    file's (configured but never synced); one statement for all of them."""
    stores = list(stores)
    if not stores:
        return {}
    found = dict(_CURRENCIES.rows(conn, {"shop_ids": [s.shop_id for s in stores]}))
    return {s.shop_id: str(found[s.shop_id]) if s.shop_id in found else s.resolved_currency
            for s in stores}


def store_currency(conn: Connection, store: Store) -> str:
    """A store's own currency (``store_currencies``)."""
    return store_currencies(conn, [store])[store.shop_id]


def answer_currency(currencies: Sequence[str], reporting_currency: str) -> str:
    """The currency an answer about stores of ``currencies`` is in (one entry per store the
    answer covers, both sides of a comparison included).

    A question about one store answers in that store's own currency, the figures Seller Center
    shows; totals of several stores and comparisons across stores are in the tenant's reporting
    currency. Chat, ``tikpulse kpi`` and the digest all decide here.
    """
    return currencies[0] if len(currencies) == 1 else reporting_currency


def _long(data: pd.DataFrame, column: str, metric: str, keep_zero: bool) -> pd.DataFrame:
    part = data[data[column].notna()]
    if not keep_zero:
        part = part[part[column] != 0]
    currency = part["currency"] if column in MONEY_COLUMNS else ""
    return pd.DataFrame({"shop_id": part["shop_id"], "day": part["day"], "metric": metric,
                         "currency": currency, "value": part[column].astype("int64")})


def _select_days(table, key: str, ids: Sequence[str], first: date, last: date):  # type: ignore[no-untyped-def]
    cols = [raw(c) if c.name in MONEY_COLUMNS else c for c in table.c]
    return select(*cols).where(table.c[key].in_(list(ids)), table.c.day >= first,
                               table.c.day <= last), list(table.c)


def daily_rows(conn: Connection, shop_ids: Sequence[str], first: date, last: date, *,
               advertiser_shop: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Daily metric rows of ``shop_ids`` for local days ``[first, last]`` from the rollups."""
    parts = []
    shop = frame(conn, *_select_days(shop_daily, "shop_id", shop_ids, first, last))
    parts += [_long(shop, col, metric, keep) for col, metric, keep in SHOP_METRICS]
    affiliate = frame(conn, *_select_days(affiliate_daily, "shop_id", shop_ids, first, last))
    parts.append(_long(affiliate, "commission", "commission_cost", True))
    ad_map = dict(advertiser_shop) if advertiser_shop is not None else store_advertisers(
        conn, shop_ids)
    if ad_map:
        ads = frame(conn, *_select_days(ad_daily, "advertiser_id", list(ad_map), first, last))
        ads["shop_id"] = ads["advertiser_id"].map(ad_map)
        parts += [_long(ads, m, m, True) for m in AD_METRICS]
    traffic = frame(conn, *_select_days(shop_traffic_daily, "shop_id", shop_ids, first, last))
    if not traffic.empty:
        parts.append(traffic_rows(traffic))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "value" else object)
                             for c in COLUMNS})
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    out["value"] = out["value"].astype("int64")
    return out


_WEEK_BUYERS = Prepared(select(shop_week_buyers.c.week_start, shop_week_buyers.c.buyers).where(
    shop_week_buyers.c.shop_id.in_(bindparam("shop_ids", expanding=True)),
    shop_week_buyers.c.week_start.in_(bindparam("mondays", expanding=True))))


def week_buyers(conn: Connection, shop_ids: Sequence[str], mondays: Iterable[date]) -> (
    dict[date, int]
):
    """Distinct buyers per week (local Monday), summed over ``shop_ids`` (``summed_buyers``)."""
    days = sorted(set(mondays))
    if not days:
        return {}
    return summed_buyers(_WEEK_BUYERS.rows(conn, {"shop_ids": list(shop_ids), "mondays": days}),
                         len(set(shop_ids)))


def period_buyers(conn: Connection, shop_id: str, first: date, last: date,
                  rules: CleaningRules = DEFAULT_RULES) -> int | None:
    """Distinct buyers of one store over local days ``[first, last]`` (weeks: from the rollup);
    ``None`` when it has orders but none carries a buyer id."""
    if first.weekday() == 0 and last == first + timedelta(6):
        found = week_buyers(conn, [shop_id], [first])
        if first in found:
            return found[first]
    tz = shop_info(conn, shop_id)["timezone"]
    start, end = local_midnight_utc(tz, first), local_midnight_utc(tz, last + timedelta(1))
    valid = clean_orders(load_orders(conn, shop_id, start, end), rules).valid
    known = valid["buyer_id"].dropna()
    return None if len(valid) and known.empty else int(known.nunique())


def _totals(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
           advertiser_shop: Mapping[str, str] | None) -> dict[str, dict[str, Decimal]]:
    """The stores' exact totals in ``quote`` over local days ``[first, last]``."""
    ad_map = advertiser_shop if advertiser_shop is not None else store_advertisers(conn,
                                                                                  shop_ids)
    read = read_period(conn, shop_ids, ad_map, first, last, quote)
    return read.totals([quote])[quote].get(0, {})


def period_kpis(conn: Connection, shop_ids: Sequence[str], first: date, last: date,
                currency: str, *, advertiser_shop: Mapping[str, str] | None = None,
                buyers: int | None = None) -> KpiSet:
    """The stores' KPIs over local days ``[first, last]`` in ``currency``, aggregated in SQL
    at each day's rate (``read_period``): the numbers ``compute_kpis`` gives from
    ``daily_rows``, without pandas. ``MissingFxRate`` names the day and currency of a missing
    rate (``RatedSums.gaps`` lists them all)."""
    totals = _totals(conn, shop_ids, first, last, currency, advertiser_shop)
    return kpis_from_totals(totals, (last - first).days + 1, currency, buyers=buyers)


def stores_kpis(conn: Connection, shop_ids: Sequence[str], first: date, last: date,
                currency: str, *, advertiser_shop: Mapping[str, str] | None = None) -> (
    dict[str, KpiSet]
):
    """Each store's KPIs over local days ``[first, last]`` in ``currency`` (no buyers), from one
    read for all of them (``period_kpis``'): the weekly table of an agency's stores without a
    query per store. A store without rows gets the KPIs of nothing."""
    totals = _totals(conn, shop_ids, first, last, currency, advertiser_shop)
    days = (last - first).days + 1
    return {shop: kpis_from_totals({shop: totals.get(shop, {})}, days, currency)
            for shop in shop_ids}


def store_kpis(engine: Engine, shop_id: str, start_day: date, end_day: date, *,
               currency: str | None = None,
               advertiser_ids: Sequence[str] = ()) -> KpiSet:
    """One store's KPIs over its local days ``[start_day, end_day]`` (inclusive), from rollups
    aggregated in SQL (``period_kpis``).

    Money is in ``currency`` (default: the store's own), converted at each day's rate;
    ``MissingFxRate`` names the day and currency of a missing rate.
    """
    with engine.connect() as conn:
        info = shop_info(conn, shop_id)
        quote = currency or info["currency"]
        ad_map = store_advertisers(conn, [shop_id], {shop_id: advertiser_ids})
        buyers = period_buyers(conn, shop_id, start_day, end_day)
        return period_kpis(conn, [shop_id], start_day, end_day, quote, advertiser_shop=ad_map,
                           buyers=buyers)


def _store_kpis_pandas(engine: Engine, shop_id: str, start_day: date, end_day: date, *,
                       currency: str | None = None,
                       advertiser_ids: Sequence[str] = ()) -> KpiSet:
    """``store_kpis`` the way it was computed before ``period_kpis``: ``daily_rows`` into
    pandas and ``compute_kpis`` (kept for ``tikpulse bench`` and the equality tests)."""
    with engine.connect() as conn:
        info = shop_info(conn, shop_id)
        quote = currency or info["currency"]
        ad_map = store_advertisers(conn, [shop_id], {shop_id: advertiser_ids})
        rows = daily_rows(conn, [shop_id], start_day, end_day, advertiser_shop=ad_map)
        fx = load_fx(conn, set(rows["currency"]) - {""}, quote, start_day, end_day)
        buyers = period_buyers(conn, shop_id, start_day, end_day)
    days = [start_day + timedelta(i) for i in range((end_day - start_day).days + 1)]
    return compute_kpis(rows, days, quote, fx, buyers=buyers)
