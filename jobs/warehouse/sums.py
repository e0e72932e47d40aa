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
links and the weeks' distinct buyers: an answer is one round trip. The parts, their sums and
their rules are ``sum_parts``' (they serve ``owner_sums``' and ``day_pivot``'s statements too,
which sum per owner alone). Built once per shape, bound per question (``Prepared``), the same
SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from jobs.warehouse.prepared import Prepared
from jobs.warehouse.schema import advertisers, fx_rates, shop_week_buyers, shops
from jobs.warehouse.sum_parts import SOURCES, VALUES, parts, summed

#: Most quotes one statement converts into (an answer: the store's own and the reporting one).
QUOTES = 2


def _padded(*heads: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """A row of the answer's other kinds: its heads, NULL (typed, for PostgreSQL's UNION) in
    the places left."""
    types = (String, String, Integer, String, String, String, Date) + (BigInteger,) * VALUES
    return [*heads, *(cast(null(), t) for t in types[len(heads):])]


def _in_period(day: ColumnElement[Any], n: int) -> ColumnElement[bool]:
    return and_(day >= bindparam(f"first{n}", type_=Date), day <= bindparam(f"last{n}", type_=Date))


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
