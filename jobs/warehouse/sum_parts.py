"""The parts of the read API's statements: what each rollup table sums, and by which rules.

``PARTS`` names each part's metrics (sales, commission, ads, traffic) with their columns, whether
they are money, and whether a day of zeros counts; ``parts(build)`` lists the statement's parts,
each built by the caller (``sums._part`` for an answer's wide rows, ``owner_sums`` and
``day_pivot`` for a table of stores); ``summed`` and ``counted`` give each metric's sum and the
value a row adds to it. The rules are ``queries.daily_rows``': sales with their zero days,
refunds and settlements where non-zero, commission, campaign ads where reported, traffic
(channel ALL, else the sum of the channels) and, read with it, the PAID channel's GMV.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from jobs.warehouse.schema import (
    ad_daily,
    advertisers,
    affiliate_daily,
    shop_daily,
    shop_traffic_daily,
    traffic_days_without_all,
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
_ALL_ROWS = shop_traffic_daily.alias("all_rows")
#: The stores' days in the range that have traffic rows but none of channel ALL: the days the
#: triggers keep (``traffic_days_without_all``), each checked to have no ALL row still (the
#: table may hold a day that has one, never lack one). Grouping every traffic row of the range
#: to find them cost 2.2 ms of the 200 stores' week on SQLite, 3.4 ms on PostgreSQL.
_WITHOUT_ALL = (select(traffic_days_without_all.c.shop_id, traffic_days_without_all.c.day)
                .where(traffic_days_without_all.c.shop_id.in_(
                           bindparam("shop_ids", expanding=True)),
                       traffic_days_without_all.c.day >= bindparam("first", type_=Date),
                       traffic_days_without_all.c.day <= bindparam("last", type_=Date),
                       ~exists().where(_ALL_ROWS.c.shop_id == traffic_days_without_all.c.shop_id,
                                       _ALL_ROWS.c.day == traffic_days_without_all.c.day,
                                       _ALL_ROWS.c.channel == "ALL"))
                .subquery("without_all"))


class _Driven(Join):
    """A join read from its left side: on SQLite a ``CROSS JOIN``, the one join whose order
    SQLite's planner keeps as written (without statistics it read every traffic row of the range
    and looked each up in the nearly empty table of days without ALL: 1.6 ms against 0.1 ms);
    a plain join elsewhere."""

    inherit_cache = True


@compiles(_Driven, "sqlite")
def _cross_join(element: _Driven, compiler: SQLCompiler, **kw: Any) -> str:
    kw = {**kw, "asfrom": True}
    return (f"{element.left._compiler_dispatch(compiler, **kw)} CROSS JOIN "
            f"{element.right._compiler_dispatch(compiler, **kw)} ON "
            f"{element.onclause._compiler_dispatch(compiler, **{**kw, 'asfrom': False})}")


#: What a part reads when not its table alone: the channels of the days without an ALL row.
SOURCES = {_CHANNELS.name: _Driven(_WITHOUT_ALL, _CHANNELS, and_(
    _WITHOUT_ALL.c.shop_id == _CHANNELS.c.shop_id, _WITHOUT_ALL.c.day == _CHANNELS.c.day))}
_TOTALS = ("visitors", "page_views", "traffic_buyers", "traffic_gmv")
#: Per table read (by name), the rows a metric sums when not all of them: the day's total (ALL)
#: or the PAID channel's; none of the channels of a day without ALL is the PAID GMV read apart.
_ONLY: dict[str, dict[str, ColumnElement[bool]]] = {
    _TRAFFIC.name: {**dict.fromkeys(_TOTALS, _TRAFFIC.c.channel == "ALL"),
                    "paid_gmv": _TRAFFIC.c.channel == "PAID"},
    _CHANNELS.name: {"paid_gmv": false()},
}


def per_owner(kind: str, table: Table, owner: ColumnElement[Any], where: Sequence[Any],
              sums: Sequence[ColumnElement[Any]], source: Any = None) -> Any:
    """One part summed per owner alone over ``first``..``last`` (a table of stores): kind,
    owner, lowest and highest currency, then ``sums``; read from ``source`` (default: the
    table's ``SOURCES``, else the table)."""
    day, currency = table.c.day, table.c.currency
    return (select(literal(kind, String), owner, func.min(currency), func.max(currency), *sums)
            .select_from(SOURCES.get(table.name, table) if source is None else source)
            .where(day >= bindparam("first", type_=Date), day <= bindparam("last", type_=Date),
                   *where)
            .group_by(owner))


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
