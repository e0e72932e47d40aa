"""A table of many stores over one range, each store's days summed together: ``read_period``.

The weekly KPIs of an agency's stores need each store's totals, not its days: the statements
here sum per owner alone (grouped by the index's first column: the rollups stream in key order,
nothing to sort), with the parts and rules of ``sums``. The range's rates into the quote are
read first. When each currency converts at one rate over the whole range, the money is
multiplied once per store afterwards (``OWNER_SUMS``). When the rates move daily, the statement
multiplies each row by its day's rate itself (``day_rated``): the rates (the one stored for
the day, else ``load_fx``'s, as ``sum_rates`` picks them) are bound as a small table of
(day, currency, integer coefficient), one number of digits per currency (``scaled_rate``), so
the sums stay exact: integers on SQLite (a product or a sum out of its 64 bits comes back as a
float or an error, and the rows are then read per rate), NUMERIC on PostgreSQL, which also
takes the 28-digit coefficients of inverted and crossed rates (the ECB's EUR-based rates,
crossed into the quote). SQLite cannot multiply those within 64 bits: there a week's money is
summed per day, one column per day (``day_pivot``), and Python multiplies each day's sum by
its coefficient. Anything else (a longer range at such rates, a store billing in a currency it
is not registered in, a missing rate) reads per rate (``sum_rates.read_rated``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Numeric,
    String,
    Table,
    and_,
    bindparam,
    cast,
    column,
    select,
    union,
    union_all,
    values,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from analytics.fx import MissingFxRate
from analytics.money import scaled_rate
from jobs.warehouse.day_pivot import pivoted_rows
from jobs.warehouse.prepared import Prepared, as_date
from jobs.warehouse.schema import advertisers, fx_rates, shops
from jobs.warehouse.sum_parts import SOURCES, parts, per_owner, summed
from jobs.warehouse.sum_rates import RatedSums, lacking_fx, read_rated

#: Largest rate coefficient SQLite multiplies in the statement: far above a published rate's (a
#: few significant digits), far below an inverted or crossed one's (28 digits), which could not
#: multiply money within its 64 bits anyway and is multiplied in Python (``day_pivot``).
#: PostgreSQL multiplies any coefficient (NUMERIC): the ECB's EUR-based rates, crossed into the
#: quote, read in one statement there (the all-stores week of 200 stores: 63 ms per rate, 37 ms
#: multiplied).
MAX_COEFFICIENT = 10**12
#: Most (day, currency) rates bound to one statement (a month of 30 currencies); a longer
#: range is summed per rate.
MAX_DAY_RATES = 1000


class _Text(FunctionElement[str]):
    """A day or currency as it is, on SQLite as TEXT: there the rollups' DATE column has
    NUMERIC affinity and a bound table's columns none, and SQLite builds an index on the bound
    table for the join (an automatic one) only when both sides compare as text; without it,
    each row scans the table (eight times slower)."""

    type = String()
    inherit_cache = True


@compiles(_Text)
def _as_is(element: _Text, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(list(element.clauses)[0], **kw))


@compiles(_Text, "sqlite")
def _as_text(element: _Text, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(list(element.clauses)[0], **kw)} AS TEXT)"


def _owner_part(kind: str, table: Table, owner: ColumnElement[Any], *where: ColumnElement[bool],
                rates: Any = None) -> Any:
    """One part summed per owner alone over ``first``..``last``: kind, owner, lowest and highest
    currency, sums; the money times its day's coefficient when ``rates`` (the bound table) are
    given."""
    if rates is None:
        return per_owner(kind, table, owner, where, summed(kind, table))
    source = SOURCES.get(table.name, table).outerjoin(rates, and_(
        rates.c.day == _Text(table.c.day), rates.c.base == table.c.currency))
    return per_owner(kind, table, owner, where, summed(kind, table, rates.c.coefficient), source)


#: The sums of one range per owner alone, for money that converts without its day.
OWNER_SUMS = Prepared(union_all(*parts(_owner_part, answer=False)))


@lru_cache(maxsize=8)
def day_rated(count: int) -> Prepared:
    """The sums of one range per owner alone, each row's money times its day's coefficient from
    ``count`` bound (day, currency, coefficient) rates (``day<i>``, ``base<i>``,
    ``coefficient<i>``). NUMERIC on PostgreSQL (exact), an integer on SQLite."""
    rates = values(column("day", Date), column("base", String), column("coefficient", Numeric),
                   name="day_rates").data([
        (_Text(bindparam(f"day{i}", type_=Date)), _Text(bindparam(f"base{i}", type_=String)),
         cast(bindparam(f"coefficient{i}"), Numeric)) for i in range(count)]).cte("day_rates")
    return Prepared(union_all(*parts(partial(_owner_part, rates=rates), answer=False)))


_REGISTERED = union(
    select(shops.c.currency).where(shops.c.shop_id.in_(bindparam("shop_ids", expanding=True))),
    select(advertisers.c.currency).where(
        advertisers.c.advertiser_id.in_(bindparam("advertiser_ids", expanding=True))),
).subquery("registered")
#: Each currency the stores and their ad accounts are registered in, with each day of the range
#: that has a stored rate into the quote and that rate (none: one row of NULLs).
_RANGE = Prepared(
    select(_REGISTERED.c.currency, fx_rates.c.day, fx_rates.c.rate)
    .select_from(_REGISTERED.outerjoin(fx_rates, and_(
        fx_rates.c.base == _REGISTERED.c.currency, fx_rates.c.quote == bindparam("quote"),
        fx_rates.c.day >= bindparam("first", type_=Date),
        fx_rates.c.day <= bindparam("last", type_=Date)))))


def _coefficients(conn: Connection, stored: Mapping[str, Mapping[date, str]], quote: str,
                  days: Sequence[date]) -> dict[str, tuple[int, list[int]]] | None:
    """Per currency of ``stored`` (its stored rates into ``quote`` by day) and the quote itself,
    its digits and each day's rate as an integer at them: the day's stored rate, else
    ``load_fx``'s. ``None`` for more than ``MAX_DAY_RATES`` or a missing rate."""
    if len(stored.keys() | {quote}) * len(days) > MAX_DAY_RATES:
        return None
    fx = lacking_fx(conn, {(day, c) for c, rates in stored.items() if c != quote
                           for day in days if day not in rates}, quote)
    out = {quote: (0, [1] * len(days))}
    for currency, rates in stored.items():
        if currency == quote:
            continue
        try:
            scaled = [scaled_rate(rates[day] if day in rates else fx.rate(day, currency, quote))
                      for day in days]
        except MissingFxRate:
            return None
        digits = max(n for _, n in scaled)
        out[currency] = (digits, [k * 10 ** (digits - n) for k, n in scaled])
    return out


def _read_day_rated(conn: Connection, params: Mapping[str, Any], quote: str,
                    stored: Mapping[str, Mapping[date, str]], days: Sequence[date],
                    ad_map: Mapping[str, str]) -> RatedSums | None:
    """``day_rated``'s sums (on SQLite, at a coefficient too long to multiply there,
    ``day_pivot``'s) as ``RatedSums`` (a store's money at its currency's digits: a rate of
    ``10**-digits``), or ``None`` when they cannot be made so: no ``_coefficients``, a store
    with money in several currencies or in one not registered (no coefficient joined), a sum
    out of SQLite's 64 bits, a range too long to pivot."""
    found = _coefficients(conn, stored, quote, days)
    if found is None:
        return None
    if conn.dialect.name == "sqlite" and max(
            abs(k) for _, ks in found.values() for k in ks) > MAX_COEFFICIENT:
        rows = pivoted_rows(conn, params, found, days)  # multiplied in Python
        if rows is None:
            return None
    else:
        bound = dict(params)
        pairs = ((day, currency, k) for currency, (_, ks) in found.items()
                 for day, k in zip(days, ks, strict=True))
        for i, (day, currency, k) in enumerate(pairs):
            bound |= {f"day{i}": day, f"base{i}": currency, f"coefficient{i}": k}
        try:
            rows = day_rated(len(found) * len(days)).rows(conn, bound)
        except conn.dialect.loaded_dbapi.OperationalError as exc:
            if "integer overflow" in str(exc):  # SQLite: a sum out of 64 bits
                return None
            raise
    if float in {type(value) for row in rows for value in row[4:]} or any(
            row[2] != row[3] or row[2] not in found for row in rows):
        return None  # a product out of 64 bits (SQLite makes it a float), or not one currency
    rates = {c: None if c == quote else Decimal(1).scaleb(-digits)
             for c, (digits, _) in found.items()}
    return RatedSums([(row[0], row[1], 0, row[2], rates[row[2]], None, None, *row[4:])
                      for row in rows], [quote], ad_map)


def read_period(conn: Connection, shop_ids: Sequence[str], ad_map: Mapping[str, str],
                first: date, last: date, quote: str) -> RatedSums:
    """The stores' sums over local days ``[first, last]`` in ``quote`` (a table of many stores),
    each store's days together: ``OWNER_SUMS`` when each registered currency has the same
    stored rate every day (kept if each store's money was in one such currency), else
    ``day_rated``; ``read_rated`` when neither can. Two statements (the rates, the sums), one
    more for ``load_fx`` when a day lacks a stored rate, more when falling back."""
    params = {"shop_ids": list(shop_ids), "advertiser_ids": sorted(ad_map), "first": first,
              "last": last}
    stored: dict[str, dict[date, str]] = {}
    for currency, found_day, rate in _RANGE.rows(conn, {**params, "quote": quote}):
        rates = stored.setdefault(currency, {})
        day = as_date(found_day)
        if day is not None:
            rates[day] = rate
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    fixed = {c: next(iter(r.values())) for c, r in stored.items()
             if len(r) == len(days) and len(set(r.values())) == 1}
    if all(c == quote or c in fixed for c in stored):
        rows = OWNER_SUMS.rows(conn, params)
        if all(low == high and (low == quote or low in fixed)
               for low, high in {(row[2], row[3]) for row in rows}):
            return RatedSums([(row[0], row[1], 0, row[2], fixed.get(row[2]), None, None,
                               *row[4:]) for row in rows], [quote], ad_map)
    else:
        found = _read_day_rated(conn, params, quote, stored, days, ad_map)
        if found is not None:
            return found
    return read_rated(conn, shop_ids, ad_map, [(first, last)], [quote])
