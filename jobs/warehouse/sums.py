"""KPI inputs summed by the database: one ``GROUP BY`` statement over the rollups per question.

``PERIOD_SUMS`` reads ``shop_daily``, ``affiliate_daily``, ``ad_daily`` and
``shop_traffic_daily`` of some stores (ads: of their advertisers) over a range of local days and
returns wide rows, one per table part, owner, currency and, for money in another currency than
the answer's, local day (each day converts at its own rate): ``kind, owner, currency, fx_day``
and up to ``VALUES`` summed columns in integer units. The rules are ``queries.daily_rows``':
sales with their zero days, refunds and settlements where non-zero, commission, campaign ads
where reported, traffic (channel ALL, else the sum of the channels) and the PAID channel's GMV.
``period_sums`` turns them into ``analytics.kpis.MetricSum`` rows; ``stores_sums`` into the same
rows grouped per store (many stores' KPIs from one statement). The statement is built once and
only bound per question, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    String,
    Table,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from analytics.fx import FxRates, MissingRates, rate_gaps
from analytics.kpis import MetricSum
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.prepared import Prepared, as_date
from jobs.warehouse.schema import (
    ad_daily,
    advertisers,
    affiliate_daily,
    shop_daily,
    shop_traffic_daily,
)

#: Summed columns of a wide row (the widest part: ``shop`` and ``ads`` have five).
VALUES = 5
#: Each part of the statement: its metrics as (metric id, column, money, zero days kept).
PARTS: dict[str, tuple[tuple[str, str, bool, bool], ...]] = {
    "shop": (("gross_gmv", "gross_gmv", True, True), ("orders", "orders", False, True),
             ("units", "units", False, True), ("refunds", "refund_amount", True, False),
             ("settled_revenue", "settled_revenue", True, False)),
    "commission": (("commission_cost", "commission", True, True),),
    "ads": (("spend", "spend", True, True), ("impressions", "impressions", False, True),
            ("clicks", "clicks", False, True), ("purchases", "purchases", False, True),
            ("purchase_value", "purchase_value", True, True)),
    "traffic": (("visitors", "visitors", False, True), ("page_views", "page_views", False, True),
                ("traffic_buyers", "buyers", False, True), ("traffic_gmv", "gmv", True, True)),
    "paid": (("paid_gmv", "gmv", True, True),),
}
#: Metric ids summed from ads, keyed by advertiser (added to the advertiser's store).
AD_METRICS = frozenset(m for m, *_ in PARTS["ads"])


def _part(kind: str, table: Table, owner: str, ids: str, *where: ColumnElement[bool]) -> Any:
    """One part as wide rows: kind, owner, currency, the day of money in another currency than
    ``:quote`` (else NULL) and each metric's sum (zero days left out where the rules say so)."""
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    fx_day = case((table.c.currency != bindparam("quote", type_=String), table.c.day),
                  else_=null())
    sums = []
    for _, column, _, keep in PARTS[kind]:
        value = type_coerce(table.c[column], BigInteger)
        sums.append(func.sum(value if keep else case((value != 0, value), else_=null())))
    sums += [type_coerce(null(), BigInteger)] * (VALUES - len(sums))
    key = table.c[owner]
    return (select(literal(kind, String).label("kind"), key.label("owner"),
                   table.c.currency.label("currency"), fx_day.label("fx_day"),
                   *(s.label(f"v{i}") for i, s in enumerate(sums)))
            .where(key.in_(bindparam(ids, expanding=True)), table.c.day >= first,
                   table.c.day <= last, *where)
            .group_by(key, table.c.currency, fx_day))


def _statement() -> Any:
    tr = shop_traffic_daily
    every = tr.alias("every_channel")
    has_all = select(every.c.shop_id).where(every.c.shop_id == tr.c.shop_id,
                                            every.c.day == tr.c.day,
                                            every.c.channel == "ALL").exists()
    return union_all(
        _part("shop", shop_daily, "shop_id", "shop_ids"),
        _part("commission", affiliate_daily, "shop_id", "shop_ids"),
        _part("ads", ad_daily, "advertiser_id", "advertiser_ids"),
        _part("traffic", tr, "shop_id", "shop_ids", or_(tr.c.channel == "ALL", ~has_all)),
        _part("paid", tr, "shop_id", "shop_ids", tr.c.channel == "PAID"))


#: The one statement, built once (SQLAlchemy compiles it once per dialect; each question binds).
PERIOD_SUMS = _statement()


_SUMS = Prepared(PERIOD_SUMS)
_ADVERTISERS = Prepared(select(advertisers.c.advertiser_id, advertisers.c.shop_id).where(
    advertisers.c.shop_id.in_(bindparam("shop_ids", expanding=True))))


def store_advertisers(conn: Connection, shop_ids: Iterable[str],
                      configured: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """advertiser_id -> shop_id: the tenants file's ``advertiser_ids`` and the warehouse links."""
    shops = list(shop_ids)
    out = {a: s for s, ids in (configured or {}).items() if s in shops for a in ids}
    for advertiser_id, shop_id in _ADVERTISERS.rows(conn, {"shop_ids": shops}):
        out.setdefault(advertiser_id, shop_id)
    return out


def period_sums_params(shop_ids: Sequence[str], first: date, last: date, quote: str,
                       ad_map: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of ``PERIOD_SUMS`` for one question."""
    return {"shop_ids": list(shop_ids), "advertiser_ids": sorted(ad_map),
            "first": first, "last": last, "quote": quote}


#: Per part, its metrics as (metric id, money) in the order of the summed columns.
_METRICS = {kind: tuple((m, money) for m, _, money, _ in metrics)
            for kind, metrics in PARTS.items()}


def stores_sums(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
                *, advertiser_shop: Mapping[str, str] | None = None) -> (
    dict[str, list[MetricSum]]
):
    """Per store, its KPI inputs over local days ``[first, last]`` as ``store_totals`` adds them
    up, from one ``GROUP BY`` over the rollups for all the stores: sums per metric and currency,
    and per day for money in a currency other than ``quote`` (a metric may come in several
    rows: counts of a store in another currency come per day, ads per advertiser)."""
    ad_map = dict(advertiser_shop) if advertiser_shop is not None else store_advertisers(
        conn, shop_ids)
    found = _SUMS.rows(conn, period_sums_params(shop_ids, first, last, quote, ad_map))
    out: dict[str, list[MetricSum]] = {}
    days: dict[Any, date | None] = {}
    for kind, owner, currency, fx_day, *values in found:
        shop = ad_map[owner] if kind == "ads" else owner
        rows = out.get(shop)
        if rows is None:
            rows = out[shop] = []
        day = days[fx_day] if fx_day in days else days.setdefault(fx_day, as_date(fx_day))
        for (metric, money), value in zip(_METRICS[kind], values, strict=False):
            if value is not None:
                rows.append((shop, metric, currency, day, int(value)) if money else
                            (shop, metric, "", None, int(value)))
    return out


def period_sums(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
                *, advertiser_shop: Mapping[str, str] | None = None) -> list[MetricSum]:
    """The stores' KPI inputs over local days ``[first, last]`` (``stores_sums``, all stores in
    one list)."""
    found = stores_sums(conn, shop_ids, first, last, quote, advertiser_shop=advertiser_shop)
    return [row for rows in found.values() for row in rows]


def sums_fx(conn: Connection, sums: Iterable[MetricSum], quote: str) -> FxRates:
    """The rates ``store_totals`` needs to convert ``sums`` into ``quote`` (each day's own)."""
    needed = [(day, currency) for _, _, currency, day, _ in sums if day is not None]
    if not needed:
        return FxRates({})
    days = [day for day, _ in needed]
    return load_fx(conn, {c for _, c in needed}, quote, min(days), max(days))


def missing_sums_rates(sums: Iterable[MetricSum], quote: str, fx: FxRates) -> (
    tuple[MissingRates, ...]
):
    """The rates converting ``sums`` into ``quote`` needs and ``fx`` lacks, per currency pair."""
    return rate_gaps(fx.check([(day, c) for _, _, c, day, _ in sums if day is not None], quote))
