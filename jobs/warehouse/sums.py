"""KPI inputs summed by the database over the rollups, each day's FX rate joined.

``rated_rows`` reads ``shop_daily``, ``affiliate_daily``, ``ad_daily`` and
``shop_traffic_daily`` of some stores (ads: of their advertisers) over one or two ranges of
local days: wide rows ``kind, owner, period, currency, rate0, rate1, fx_day`` and up to
``VALUES`` sums in integer units. The rate stored for the rows' day into the last quote is
joined in SQL (``rate1`` of two, ``rate0`` of one) and the sums are grouped by it: the days
sharing a rate (all of them when it is fixed) come as one row, multiplied once, exactly, in
Python (``sum_rates``). ``fx_day`` is the day of money without a stored rate of its own day
(``load_fx`` carries, inverts or crosses one), else NULL; without quotes the sums are per day.
A chat answer's statement also carries the stores' registered currencies, their advertisers'
links and the weeks' distinct buyers: an answer is one round trip. The parts (``parts``) and
their sums (``summed``) serve ``owner_sums``' statements too, which sum per owner alone. The
rules are ``queries.daily_rows``': sales with their zero days, refunds and settlements where
non-zero, commission, campaign ads where reported, traffic (channel ALL, else the sum of the
channels) and, read with it, the PAID channel's GMV. Built once per shape, bound per question
(``Prepared``), the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cache, partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from jobs.warehouse.prepared import Prepared
from jobs.warehouse.schema import (
    ad_daily,
    advertisers,
    affiliate_daily,
    fx_rates,
    shop_daily,
    shop_traffic_daily,
    shop_week_buyers,
    shops,
)

#: Summed columns of a wide row (the widest part: ``shop`` and ``ads`` have five).
VALUES = 5
#: Most quotes one statement converts into (an answer: the store's own and the reporting one).
QUOTES = 2
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
                ("traffic_buyers", "buyers", False, True), ("traffic_gmv", "gmv", True, True),
                ("paid_gmv", "gmv", True, True)),
}
#: Per part, its metrics as (metric id, money) in the order of the summed columns.
METRICS = {kind: tuple((m, money) for m, _, money, _ in metrics)
           for kind, metrics in PARTS.items()}
#: Traffic is read in two parts: the days' ALL rows with the PAID channel's (``_TRAFFIC``), and
#: every channel of the rare days without an ALL row (``_CHANNELS``), whose sum is then the
#: day's total. (Joining each row to its day's ALL row instead cost a lookup per row: the
#: traffic of 200 stores' week read in 4.7 ms that way, in 3.8 ms this way.)
_TRAFFIC, _CHANNELS = shop_traffic_daily, shop_traffic_daily.alias("channels")
_DAYS = shop_traffic_daily.alias("traffic_days")
#: The stores' days in the range that have traffic rows but none of channel ALL.
_WITHOUT_ALL = (select(_DAYS.c.shop_id, _DAYS.c.day)
                .where(_DAYS.c.shop_id.in_(bindparam("shop_ids", expanding=True)),
                       _DAYS.c.day >= bindparam("first", type_=Date),
                       _DAYS.c.day <= bindparam("last", type_=Date))
                .group_by(_DAYS.c.shop_id, _DAYS.c.day)
                .having(func.max(case((_DAYS.c.channel == "ALL", 1), else_=0)) == 0)
                .subquery("without_all"))
#: What a part reads when not its table alone: the channels of the days without an ALL row.
SOURCES = {_CHANNELS.name: _CHANNELS.join(_WITHOUT_ALL, and_(
    _WITHOUT_ALL.c.shop_id == _CHANNELS.c.shop_id, _WITHOUT_ALL.c.day == _CHANNELS.c.day))}
_TOTALS = ("visitors", "page_views", "traffic_buyers", "traffic_gmv")
#: Per table read (by name), the rows a metric sums when not all of them: the day's total (ALL)
#: or the PAID channel's; none of the channels of a day without ALL is the PAID GMV read apart.
_ONLY: dict[str, dict[str, ColumnElement[bool]]] = {
    _TRAFFIC.name: {**dict.fromkeys(_TOTALS, _TRAFFIC.c.channel == "ALL"),
                    "paid_gmv": _TRAFFIC.c.channel == "PAID"},
    _CHANNELS.name: {"paid_gmv": false()},
}


def _padded(*heads: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """A row of the answer's other kinds: its heads, NULL (typed, for PostgreSQL's UNION) in
    the places left."""
    types = (String, String, Integer, String, String, String, Date) + (BigInteger,) * VALUES
    return [*heads, *(cast(null(), t) for t in types[len(heads):])]


def _in_period(day: ColumnElement[Any], n: int) -> ColumnElement[bool]:
    return and_(day >= bindparam(f"first{n}", type_=Date), day <= bindparam(f"last{n}", type_=Date))


def summed(kind: str, table: Table, coefficient: ColumnElement[Any] | None = None) -> (
    list[ColumnElement[Any]]
):
    """Each metric's sum (over its rows, ``_ONLY``; zero days left out where the rules say so),
    money times ``coefficient`` if given, NULL up to ``VALUES``."""
    sums = [func.sum(kept * coefficient if money and coefficient is not None else kept)
            for money, kept in counted(kind, table)]
    return sums + [cast(null(), BigInteger)] * (VALUES - len(sums))


def counted(kind: str, table: Table) -> list[tuple[bool, ColumnElement[Any]]]:
    """Per metric of the part, whether it is money and the value a row adds to its sum: NULL
    where the metric does not count the row (``_ONLY``; zero days where the rules leave them
    out)."""
    out: list[tuple[bool, ColumnElement[Any]]] = []
    only = _ONLY.get(table.name, {})
    for metric, column, money, keep in PARTS[kind]:
        value = type_coerce(table.c[column], BigInteger)
        rules = [c for c in (only.get(metric), None if keep else value != 0) if c is not None]
        out.append((money, case((and_(*rules), value), else_=null()) if rules else value))
    return out


def _part(kind: str, table: Table, owner: ColumnElement[Any], *where: ColumnElement[bool],
          quotes: int, periods: int) -> Any:
    """One part as wide rows grouped by owner, period, currency, the last quote's rate of the
    day (joined) and the day of money without a rate (``quotes`` 0: by day); each metric's
    sum. The first of two quotes (an answer's store's own currency) has no rate joined: only
    money billed in another currency needs one, and comes per day."""
    day, currency = table.c.day, table.c.currency
    rate = fx_rates.alias("rate")
    source = SOURCES.get(table.name, table)
    joined = source if not quotes else source.outerjoin(rate, and_(
        rate.c.day == day, rate.c.base == currency,
        rate.c.quote == bindparam(f"quote{quotes - 1}")))
    lacking = [currency != bindparam(f"quote{n}") for n in range(quotes)]
    if quotes:
        lacking[-1] = and_(lacking[-1], rate.c.rate.is_(None))
    fx_day = case((or_(*lacking), day), else_=null()) if quotes else day
    period = case((_in_period(day, 0), 0), else_=1) if periods == 2 else None
    rates: list[ColumnElement[Any]] = [cast(null(), String)] * QUOTES
    if quotes:
        rates[quotes - 1] = type_coerce(rate.c.rate, String)
    ranges = [_in_period(day, n) for n in range(periods)]
    keys = [owner, *([] if period is None else [period]), currency,
            *([rate.c.rate] if quotes else []), fx_day]
    return (select(literal(kind, String), owner,
                   literal_column("0", Integer) if period is None else period, currency,
                   *rates, fx_day, *summed(kind, table))
            .select_from(joined)
            .where(day >= bindparam("first", type_=Date), day <= bindparam("last", type_=Date),
                   or_(*ranges) if periods == 2 else ranges[0], *where)
            .group_by(*keys))


def _answer_rows() -> list[Any]:
    """What an answer reads beside the sums: the registered currency of each store it names
    (``all_ids``: both sides of a comparison), the warehouse's advertiser links, and the
    distinct buyers of the weeks asked (``fx_day``: the week's Monday; ``v0``: buyers)."""
    wb = shop_week_buyers
    return [
        select(*_padded(literal("currency", String), shops.c.shop_id, cast(null(), Integer),
                        shops.c.currency))
        .where(shops.c.shop_id.in_(bindparam("all_ids", expanding=True))),
        select(*_padded(literal("link", String), advertisers.c.advertiser_id,
                        cast(null(), Integer), advertisers.c.shop_id))
        .where(advertisers.c.shop_id.in_(bindparam("shop_ids", expanding=True))),
        select(*_padded(literal("buyers", String), wb.c.shop_id, cast(null(), Integer),
                        cast(null(), String), cast(null(), String), cast(null(), String),
                        wb.c.week_start, type_coerce(wb.c.buyers, BigInteger)))
        .where(wb.c.shop_id.in_(bindparam("shop_ids", expanding=True)),
               wb.c.week_start.in_(bindparam("mondays", expanding=True))),
    ]


def parts(build: Callable[..., Any], *, answer: bool) -> list[Any]:
    """The statement's parts, each ``build(kind, table, owner, *where)``: sales, commission, ads
    (an ``answer``'s: of the configured advertisers the warehouse does not link to the stores
    and, apart so that each part reads by its index, of those it links), traffic: the days'
    ALL rows with the PAID channel's GMV, and every channel of a day without an ALL row
    (``SOURCES``, ``_ONLY``). (A list parameter is never both in ``IN`` and
    ``NOT IN``: SQLAlchemy renders an empty list once per name.)"""
    shop_ids: Any = bindparam("shop_ids", expanding=True)
    configured = ad_daily.c.advertiser_id.in_(bindparam("advertiser_ids", expanding=True))
    linked = ad_daily.c.advertiser_id.in_(select(advertisers.c.advertiser_id).where(
        advertisers.c.shop_id.in_(shop_ids)))
    return [
        build("shop", shop_daily, shop_daily.c.shop_id, shop_daily.c.shop_id.in_(shop_ids)),
        build("commission", affiliate_daily, affiliate_daily.c.shop_id,
              affiliate_daily.c.shop_id.in_(shop_ids)),
        *([build("ads", ad_daily, ad_daily.c.advertiser_id, configured, ~linked),
           build("ads", ad_daily, ad_daily.c.advertiser_id, linked)] if answer
          else [build("ads", ad_daily, ad_daily.c.advertiser_id, configured)]),
        build("traffic", _TRAFFIC, _TRAFFIC.c.shop_id, _TRAFFIC.c.shop_id.in_(shop_ids),
              _TRAFFIC.c.channel.in_(("ALL", "PAID"))),
        build("traffic", _CHANNELS, _CHANNELS.c.shop_id)]


@cache
def statement(quotes: int, periods: int, answer: bool) -> Prepared:
    """The statement of one shape: ``quotes`` quotes (0-2), ``periods`` ranges (1-2),
    ``answer``: with an answer's other rows, ads of the configured advertisers
    (``advertiser_ids``) and of those the warehouse links to the stores; else of
    ``advertiser_ids`` alone."""
    built = parts(partial(_part, quotes=quotes, periods=periods), answer=answer)
    return Prepared(union_all(*built, *(_answer_rows() if answer else ())))


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


def rated_query(shop_ids: Sequence[str], advertiser_ids: Iterable[str],
                periods: Sequence[tuple[date, date]], quotes: Sequence[str], *,
                all_ids: Sequence[str] = (), mondays: Sequence[date] = (),
                answer: bool = False) -> tuple[Prepared, dict[str, Any]]:
    """The ``statement`` of one question and its parameters: the stores' sums over each of
    ``periods`` (disjoint ranges of local days; ``period`` 0 or 1 says which) to convert into
    ``quotes`` (at most ``QUOTES``; the last one's rates joined; none: per day)."""
    assert len(quotes) <= QUOTES and 1 <= len(periods) <= 2
    params: dict[str, Any] = {
        "shop_ids": list(shop_ids), "advertiser_ids": sorted(advertiser_ids),
        "first": min(p[0] for p in periods), "last": max(p[1] for p in periods),
        **{f"quote{n}": q for n, q in enumerate(quotes)}}
    for n, (first, last) in enumerate(periods):
        params.update({f"first{n}": first, f"last{n}": last})
    if answer:
        params.update({"all_ids": list(all_ids), "mondays": list(mondays)})
    return statement(len(quotes), len(periods), answer), params


def rated_rows(conn: Connection, shop_ids: Sequence[str], advertiser_ids: Iterable[str],
               periods: Sequence[tuple[date, date]], quotes: Sequence[str], *,
               all_ids: Sequence[str] = (), mondays: Sequence[date] = (),
               answer: bool = False) -> list[Any]:
    """The wide rows of ``rated_query``'s statement."""
    prepared, params = rated_query(shop_ids, advertiser_ids, periods, quotes, all_ids=all_ids,
                                   mondays=mondays, answer=answer)
    return prepared.rows(conn, params)
