"""KPI inputs summed by the database: one ``GROUP BY`` statement over the rollups per question.

``PERIOD_SUMS`` reads ``shop_daily``, ``affiliate_daily``, ``ad_daily`` and
``shop_traffic_daily`` of some stores (ads: of their advertisers) over a range of local days and
returns wide rows, one per table part, owner, currency and, for money whose currency converts at
each day's own rate (not ``:day_free``), local day: ``kind, owner, currency, fx_day`` and up to
``VALUES`` summed columns in integer units. ``OWNER_SUMS`` is the same per owner alone (its
lowest and highest currency instead), for stores whose money all converts without its day
(``jobs.warehouse.sum_rates``: the answer's own currency, or a rate fixed over the range). The
rules are ``queries.daily_rows``': sales with their zero days, refunds and settlements where
non-zero, commission, campaign ads where reported, traffic (channel ALL, else the sum of the
channels) and the PAID channel's GMV. ``owner_sums`` turns them into ``analytics.kpis.MetricSum``
rows serving every currency an answer shows and ``priced`` readies them for one; ``quote_sums``
(with the rates read) and ``period_sums`` do both for one currency. The statements are built once
and only bound per question, the same on SQLite and PostgreSQL."""

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
from jobs.warehouse.prepared import Prepared, as_date
from jobs.warehouse.schema import (
    ad_daily,
    advertisers,
    affiliate_daily,
    shop_daily,
    shop_traffic_daily,
)
from jobs.warehouse.sum_rates import RangeRates, range_rates, sums_fx  # noqa: F401 - re-exported

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


def _part(kind: str, table: Table, owner: str, ids: str, *where: ColumnElement[bool],
          by_day: bool) -> Any:
    """One part as wide rows: kind, owner, then ``by_day``: currency and the day of money in a
    currency not ``:day_free`` (else NULL), grouped by the three; else one row per owner and its
    lowest and highest currency; then each metric's sum (zero days left out where the rules say
    so)."""
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    sums = []
    for _, column, _, keep in PARTS[kind]:
        value = type_coerce(table.c[column], BigInteger)
        sums.append(func.sum(value if keep else case((value != 0, value), else_=null())))
    sums += [type_coerce(null(), BigInteger)] * (VALUES - len(sums))
    key, currency = table.c[owner], table.c.currency
    heads: tuple[ColumnElement[Any], ColumnElement[Any]]
    group: tuple[ColumnElement[Any], ...]
    if by_day:
        fx_day = case((currency.not_in(bindparam("day_free", expanding=True)), table.c.day),
                      else_=null())
        heads, group = (currency, fx_day), (key, currency, fx_day)
    else:  # grouped by the index's first column alone: the rows stream, no sort
        heads, group = (func.min(currency), func.max(currency)), (key,)
    return (select(literal(kind, String).label("kind"), key.label("owner"),
                   heads[0].label("currency"), heads[1].label("fx_day"),
                   *(s.label(f"v{i}") for i, s in enumerate(sums)))
            .where(key.in_(bindparam(ids, expanding=True)), table.c.day >= first,
                   table.c.day <= last, *where)
            .group_by(*group))


def _statement(*, by_day: bool) -> Any:
    tr = shop_traffic_daily
    every = tr.alias("every_channel")
    has_all = select(every.c.shop_id).where(every.c.shop_id == tr.c.shop_id,
                                            every.c.day == tr.c.day,
                                            every.c.channel == "ALL").exists()
    return union_all(
        _part("shop", shop_daily, "shop_id", "shop_ids", by_day=by_day),
        _part("commission", affiliate_daily, "shop_id", "shop_ids", by_day=by_day),
        _part("ads", ad_daily, "advertiser_id", "advertiser_ids", by_day=by_day),
        _part("traffic", tr, "shop_id", "shop_ids", or_(tr.c.channel == "ALL", ~has_all),
              by_day=by_day),
        _part("paid", tr, "shop_id", "shop_ids", tr.c.channel == "PAID", by_day=by_day))


#: The statements, built once (compiled once per dialect; each question binds): per owner,
#: currency and (money not in a day-free currency) day; and per owner alone.
PERIOD_SUMS, OWNER_SUMS = _statement(by_day=True), _statement(by_day=False)
_BY_DAY, _BY_OWNER = Prepared(PERIOD_SUMS), Prepared(OWNER_SUMS)
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


def period_sums_params(shop_ids: Sequence[str], first: date, last: date,
                       day_free: Sequence[str], ad_map: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of ``PERIOD_SUMS`` for one question (``OWNER_SUMS`` ignores
    ``day_free``)."""
    return {"shop_ids": list(shop_ids), "advertiser_ids": sorted(ad_map),
            "first": first, "last": last, "day_free": list(day_free)}


#: Per part, its metrics as (metric id, money) in the order of the summed columns.
_METRICS = {kind: tuple((m, money) for m, _, money, _ in metrics)
            for kind, metrics in PARTS.items()}


def owner_sums(conn: Connection, shop_ids: Sequence[str], ad_map: Mapping[str, str],
               first: date, last: date, rates: RangeRates, quotes: Sequence[str]) -> (
    list[MetricSum]
):
    """The stores' KPI inputs over local days ``[first, last]`` as ``store_totals`` adds them
    up, from one ``GROUP BY`` over the rollups: sums per store, metric and currency, and per day
    for money whose currency converts into one of ``quotes`` at each day's own rate (``day``:
    None otherwise; ``priced`` dates the rest). A metric may come in several rows (ads come per
    advertiser).

    When every currency the stores are registered in converts without its day, the sums are
    made per store alone (``OWNER_SUMS``: the rollups stream in key order, nothing to sort) and
    kept if each store's rows were all in one such currency."""
    day_free = rates.day_free(quotes)
    params = period_sums_params(shop_ids, first, last, day_free, ad_map)
    if rates.registered <= set(day_free):
        found = _BY_OWNER.rows(conn, {k: v for k, v in params.items() if k != "day_free"})
        currencies = {(low, high) for _, _, low, high, *_ in found}
        if all(low == high and low in day_free for low, high in currencies):
            return _metric_sums(found, ad_map, by_day=False)
    return _metric_sums(_BY_DAY.rows(conn, params), ad_map, by_day=True)


def _metric_sums(found: Iterable[Sequence[Any]], ad_map: Mapping[str, str], *,
                 by_day: bool) -> list[MetricSum]:
    """Wide rows (kind, owner, currency, then ``by_day``: fx_day, else ignored; values) as
    ``MetricSum`` rows of the stores."""
    out: list[MetricSum] = []
    days: dict[Any, date | None] = {None: None}
    for kind, owner, currency, fx_day, *values in found:
        shop = ad_map[owner] if kind == "ads" else owner
        day = None if not by_day else days[fx_day] if fx_day in days else days.setdefault(
            fx_day, as_date(fx_day))
        for (metric, money), value in zip(_METRICS[kind], values, strict=False):
            if value is not None:
                out.append((shop, metric, currency, day, int(value)) if money else
                           (shop, metric, "", None, int(value)))
    return out


def priced(sums: Iterable[MetricSum], quote: str, first: date) -> list[MetricSum]:
    """``sums`` of a range starting ``first`` ready to convert into ``quote``: money of a
    currency at a fixed rate, summed over its days, is dated ``first`` (any day of the range
    has that rate) so ``store_totals`` converts it once."""
    return [(shop, metric, currency, first, units)
            if day is None and currency not in ("", quote) else (shop, metric, currency, day, units)
            for shop, metric, currency, day, units in sums]


def quote_sums(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
               *, advertiser_shop: Mapping[str, str] | None = None) -> (
    tuple[list[MetricSum], RangeRates]
):
    """The stores' KPI inputs over local days ``[first, last]`` ready to convert into ``quote``
    (``owner_sums``, ``priced``) and the rates read with them (``sums_fx`` takes them)."""
    ad_map = dict(advertiser_shop) if advertiser_shop is not None else store_advertisers(
        conn, shop_ids)
    rates = range_rates(conn, shop_ids, ad_map, first, last, [quote])
    return priced(owner_sums(conn, shop_ids, ad_map, first, last, rates, [quote]), quote,
                  first), rates


def period_sums(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
                *, advertiser_shop: Mapping[str, str] | None = None) -> list[MetricSum]:
    """The stores' KPI inputs over local days ``[first, last]`` in ``quote`` (``quote_sums``)."""
    return quote_sums(conn, shop_ids, first, last, quote, advertiser_shop=advertiser_shop)[0]


def missing_sums_rates(sums: Iterable[MetricSum], quote: str, fx: FxRates) -> (
    tuple[MissingRates, ...]
):
    """The rates converting ``sums`` into ``quote`` needs and ``fx`` lacks, per currency pair."""
    return rate_gaps(fx.check([(day, c) for _, _, c, day, _ in sums if day is not None], quote))
