"""Queries every number in the product comes through: rollups into analytics' daily metric rows.

``daily_rows`` reads the rollups (``shop_daily``, ``ad_daily``, ``affiliate_daily``) and
``shop_traffic_daily`` of some stores over a range of local days and returns the long frame
``analytics.daily`` produces from raw rows (``shop_id, day, metric, currency, value``), so
``analytics.kpis`` computes the same KPIs from either. ``store_kpis`` answers one store's KPIs
over a day range (the bot's and alerts' question) from rollups alone. ``answer_currency`` is
the one rule of which currency an answer is in (one store: its own, as Seller Center shows it;
several stores or a comparison: the tenant's reporting currency), so chat, ``tikpulse kpi`` and
the digest agree. The numbers of the report's other sections (stock cover, creators, traffic,
content), which the chat shows too, are read by ``jobs.warehouse.reads``; this module and that one
are the whole read API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Engine,
    String,
    Table,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from analytics.clean import DEFAULT_RULES, CleaningRules, clean_orders
from analytics.daily import COLUMNS, traffic_rows
from analytics.fx import FxRates, MissingRates, rate_gaps
from analytics.kpis import KpiSet, MetricSum, compute_kpis, kpis_from_totals, store_totals
from analytics.weeks import local_midnight_utc
from config.tenants import Store
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.loaders import UnknownShop, frame, load_orders, raw, shop_info
from jobs.warehouse.schema import (
    ad_daily,
    advertisers,
    affiliate_daily,
    shop_daily,
    shop_traffic_daily,
    shop_week_buyers,
)

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


def store_currency(conn: Connection, store: Store) -> str:
    """A store's own currency: the warehouse's (as registered), else the tenants file's."""
    try:
        return str(shop_info(conn, store.shop_id)["currency"])
    except UnknownShop:  # configured but never synced
        return store.resolved_currency


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


def store_advertisers(conn: Connection, shop_ids: Iterable[str],
                      configured: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """advertiser_id -> shop_id: the tenants file's ``advertiser_ids`` and the warehouse links."""
    shops = list(shop_ids)
    out = {a: s for s, ids in (configured or {}).items() if s in shops for a in ids}
    rows = conn.execute(select(advertisers.c.advertiser_id, advertisers.c.shop_id)
                        .where(advertisers.c.shop_id.in_(shops)))
    for advertiser_id, shop_id in rows:
        out.setdefault(advertiser_id, shop_id)
    return out


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


def week_buyers(conn: Connection, shop_ids: Sequence[str], mondays: Iterable[date]) -> (
    dict[date, int]
):
    """Distinct buyers per week (local Monday), summed over ``shop_ids`` (buyers are per shop);
    a week is left out when any of the stores does not know its buyers (no buyer ids)."""
    days = sorted(set(mondays))
    if not days:
        return {}
    stmt = select(shop_week_buyers.c.week_start, shop_week_buyers.c.buyers).where(
        shop_week_buyers.c.shop_id.in_(list(shop_ids)),
        shop_week_buyers.c.week_start.in_(days),
    )
    out: dict[date, int] = {}
    seen: dict[date, int] = {}
    for monday, buyers in conn.execute(stmt):
        out[monday] = out.get(monday, 0) + int(buyers)
        seen[monday] = seen.get(monday, 0) + 1
    stores = len(set(shop_ids))
    return {monday: n for monday, n in out.items() if seen[monday] == stores}


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


def _branch(table: Table, shop: ColumnElement[str], metric: str, column: str, money: bool,
            quote: ColumnElement[str], *where: ColumnElement[bool]) -> Any:
    """One metric of a rollup as long rows: shop, metric, currency ("" for counts), the day of
    money in another currency than ``quote`` (else NULL) and the value in integer units."""
    value = table.c[column]
    currency: ColumnElement[str] = table.c.currency if money else literal("", String)
    fx_day = (case((table.c.currency != quote, table.c.day), else_=null()) if money
              else cast(null(), Date))
    return select(shop.label("shop_id"), literal(metric, String).label("metric"),
                  currency.label("currency"), fx_day.label("fx_day"),
                  type_coerce(value, BigInteger).label("value")
                  ).where(value.is_not(None), *where)


def _metric_rows() -> Any:
    """Every KPI input of the stores ``:shop_ids`` (ads: of ``:advertiser_ids``, keyed by
    advertiser) over local days ``[:first, :last]`` as long rows (``_branch``), under the same
    rules as ``daily_rows``: shop sales with zero days, refunds and settlements where non-zero,
    commission, campaign ads where reported, traffic (channel ALL, else the sum of channels) and
    the PAID channel's GMV."""
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    quote = bindparam("quote", type_=String)

    def days(t: Table, key: str = "shop_id", ids: str = "shop_ids") -> (
        list[ColumnElement[bool]]
    ):
        return [t.c[key].in_(bindparam(ids, expanding=True)), t.c.day >= first, t.c.day <= last]

    sd, af, ad, tr = shop_daily, affiliate_daily, ad_daily, shop_traffic_daily
    parts = [_branch(sd, sd.c.shop_id, metric, col, col in MONEY_COLUMNS, quote, *days(sd),
                     *(() if keep else (sd.c[col] != 0,)))
             for col, metric, keep in SHOP_METRICS]
    parts.append(_branch(af, af.c.shop_id, "commission_cost", "commission", True, quote,
                         *days(af)))
    parts += [_branch(ad, ad.c.advertiser_id, m, m, m in MONEY_COLUMNS, quote,
                      *days(ad, "advertiser_id", "advertiser_ids")) for m in AD_METRICS]
    every = tr.alias("every_channel")
    has_all = select(every.c.shop_id).where(every.c.shop_id == tr.c.shop_id,
                                            every.c.day == tr.c.day,
                                            every.c.channel == "ALL").exists()
    total = or_(tr.c.channel == "ALL", ~has_all)
    for metric, col, money in TRAFFIC_METRICS:
        parts.append(_branch(tr, tr.c.shop_id, metric, col, money, quote, *days(tr), total))
    parts.append(_branch(tr, tr.c.shop_id, "paid_gmv", "gmv", True, quote, *days(tr),
                         tr.c.channel == "PAID"))
    return union_all(*parts).subquery("metric_rows")


def _sums_statement() -> Any:
    rows = _metric_rows()
    keys = (rows.c.shop_id, rows.c.metric, rows.c.currency, rows.c.fx_day)
    return select(*keys, func.sum(rows.c.value)).group_by(*keys)


#: ``period_sums``' one statement, built once (its parameters are bound per question), so
#: SQLAlchemy compiles it once per dialect and each answer only binds and runs it.
PERIOD_SUMS = _sums_statement()


def period_sums_params(shop_ids: Sequence[str], first: date, last: date, quote: str,
                       ad_map: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of ``PERIOD_SUMS`` for one question."""
    return {"shop_ids": list(shop_ids), "advertiser_ids": sorted(ad_map), "first": first,
            "last": last, "quote": quote}


def period_sums(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
                *, advertiser_shop: Mapping[str, str] | None = None) -> list[MetricSum]:
    """The stores' KPI inputs over local days ``[first, last]`` summed by the database in one
    ``GROUP BY`` over the rollups: per store, metric and currency, and per day for money in a
    currency other than ``quote`` (each day converts at its own rate), as
    ``analytics.kpis.store_totals`` takes them. Ads are summed per advertiser and added to
    their store here."""
    ad_map = dict(advertiser_shop) if advertiser_shop is not None else store_advertisers(
        conn, shop_ids)
    found = conn.execute(PERIOD_SUMS, period_sums_params(shop_ids, first, last, quote, ad_map))
    out: dict[tuple[str, str, str, date | None], int] = {}
    for owner, metric, currency, day, total in found:
        shop = ad_map[owner] if metric in AD_METRICS else str(owner)
        key = (shop, str(metric), str(currency), day)
        out[key] = out.get(key, 0) + int(total)
    return [(*key, total) for key, total in out.items()]


def sums_fx(conn: Connection, sums: Iterable[MetricSum], quote: str) -> FxRates:
    """The rates ``store_totals`` needs to convert ``sums`` into ``quote`` (each day's own)."""
    needed = [(day, currency) for _, _, currency, day, _ in sums if day is not None]
    if not needed:
        return FxRates({})
    days = [day for day, _ in needed]
    return load_fx(conn, {c for _, c in needed}, quote, min(days), max(days))


def period_kpis(conn: Connection, shop_ids: Sequence[str], first: date, last: date,
                currency: str, *, advertiser_shop: Mapping[str, str] | None = None,
                buyers: int | None = None, fx: FxRates | None = None) -> KpiSet:
    """The stores' KPIs over local days ``[first, last]`` in ``currency``, aggregated in SQL
    (``period_sums``): the numbers ``compute_kpis`` gives from ``daily_rows``, without pandas.

    ``fx`` defaults to the stored rates of the days that need one; ``MissingFxRate`` names the
    day and currency of a missing rate (``missing_sums_rates`` lists them all beforehand).
    """
    sums = period_sums(conn, shop_ids, first, last, currency, advertiser_shop=advertiser_shop)
    rates = fx if fx is not None else sums_fx(conn, sums, currency)
    return kpis_from_totals(store_totals(sums, currency, rates), (last - first).days + 1,
                            currency, buyers=buyers)


def missing_sums_rates(sums: Iterable[MetricSum], quote: str, fx: FxRates) -> (
    tuple[MissingRates, ...]
):
    """The rates converting ``sums`` into ``quote`` needs and ``fx`` lacks, per currency pair."""
    return rate_gaps(fx.check([(day, c) for _, _, c, day, _ in sums if day is not None], quote))


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
