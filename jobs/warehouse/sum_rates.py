"""The FX rates the SQL sums convert at: rates fixed over a range, and each day's stored rate.

Money in another currency than the answer's converts at each day's own rate, so the database
sums it per day (``jobs.warehouse.sums``). When a currency's rate into the answer's is one and
the same stored rate on every day of the range (a fixed accounting rate, a pegged currency), the
days of that currency may be summed together: one multiplication of their sum is exactly the
day-by-day arithmetic. ``range_rates`` reads in one statement the currencies the stores and their
ad accounts are registered in and which of them have such a fixed rate into each quote
(``RangeRates``); ``sums_fx`` gives the rates summed money needs: the fixed ones, else the rate
stored for each day when every day has one, else ``load_fx``'s (carried forward, inverted,
crossed through a pivot). A rate stored for the day itself is what ``load_fx`` picks too (a
direct pair of the day is the freshest and wins a tie), so all three give the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Date, and_, bindparam, func, select, union

from analytics.fx import FxRates
from analytics.kpis import MetricSum
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.prepared import Prepared, as_date
from jobs.warehouse.schema import advertisers, fx_rates, shops


@dataclass(frozen=True)
class RangeRates:
    """The currencies the stores and their ad accounts are registered in (``registered``), and
    ``fixed[(currency, quote)]``: the one rate stored for every day of the range, where there
    is one."""

    registered: frozenset[str]
    fixed: Mapping[tuple[str, str], Decimal]

    def day_free(self, quotes: Sequence[str]) -> list[str]:
        """The currencies whose money converts into each of ``quotes`` without its day (it is
        the quote, or its rate is fixed), so the database may sum their days together."""
        known = self.registered | set(quotes)
        return sorted(c for c in known if all(c == q or (c, q) in self.fixed for q in quotes))


_FIRST, _LAST = bindparam("first", type_=Date), bindparam("last", type_=Date)
_REGISTERED = union(
    select(shops.c.currency).where(shops.c.shop_id.in_(bindparam("shop_ids", expanding=True))),
    select(advertisers.c.currency).where(
        advertisers.c.advertiser_id.in_(bindparam("advertiser_ids", expanding=True))),
).subquery("registered")
_RANGE = Prepared(
    select(_REGISTERED.c.currency, fx_rates.c.quote, func.min(fx_rates.c.rate),
           func.max(fx_rates.c.rate), func.count(fx_rates.c.rate))
    .select_from(_REGISTERED.outerjoin(fx_rates, and_(
        fx_rates.c.base == _REGISTERED.c.currency,
        fx_rates.c.quote.in_(bindparam("quotes", expanding=True)),
        fx_rates.c.day >= _FIRST, fx_rates.c.day <= _LAST)))
    .group_by(_REGISTERED.c.currency, fx_rates.c.quote))
_STORED = Prepared(select(fx_rates.c.day, fx_rates.c.base, fx_rates.c.rate).where(
    fx_rates.c.quote == bindparam("quote"),
    fx_rates.c.base.in_(bindparam("currencies", expanding=True)),
    fx_rates.c.day >= _FIRST, fx_rates.c.day <= _LAST))


def range_rates(conn: Connection, shop_ids: Sequence[str], advertiser_ids: Iterable[str],
                first: date, last: date, quotes: Sequence[str]) -> RangeRates:
    """The stores' registered currencies and their rates into ``quotes`` fixed over the local
    days ``[first, last]`` (stored for every day, all the same)."""
    days = (last - first).days + 1
    found = _RANGE.rows(conn, {"shop_ids": list(shop_ids),
                               "advertiser_ids": sorted(advertiser_ids),
                               "quotes": list(quotes), "first": first, "last": last})
    fixed = {(str(base), str(quote)): Decimal(low) for base, quote, low, high, count in found
             if count == days and low == high}
    return RangeRates(frozenset(str(row[0]) for row in found), fixed)


def sums_fx(conn: Connection, sums: Iterable[MetricSum], quote: str,
            rates: RangeRates | None = None) -> FxRates:
    """The rates ``store_totals`` needs to convert ``sums`` into ``quote`` (each day's own):
    ``rates``' fixed ones (of the range they were read for) when they serve every sum, else
    the rate stored for each day when every day has one, else ``load_fx``'s."""
    needed = {(day, c) for _, _, c, day, _ in sums if day is not None and c not in ("", quote)}
    if not needed:
        return FxRates({})
    fixed = rates.fixed if rates is not None else {}
    if all((c, quote) in fixed for _, c in needed):
        return FxRates({(day, c, quote): fixed[(c, quote)] for day, c in needed})
    currencies = sorted({c for _, c in needed})
    first, last = min(d for d, _ in needed), max(d for d, _ in needed)
    stored = {(as_date(day), str(base)): Decimal(rate) for day, base, rate in _STORED.rows(
        conn, {"quote": quote, "currencies": currencies, "first": first, "last": last})}
    if needed <= stored.keys():
        return FxRates({(day, c, quote): stored[(day, c)] for day, c in needed})
    return load_fx(conn, currencies, quote, first, last)
