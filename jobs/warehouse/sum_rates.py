"""The rows ``jobs.warehouse.sums`` reads, converted exactly: ``RatedSums``.

Money in another currency than the answer's converts at each day's own rate. The database joins
the rate stored for each row's day and sums per rate (``read_rated``), so the days sharing one
(every day, when it is fixed) are multiplied once: ``analytics.totals.exact_totals`` makes the
same integers as the day-by-day arithmetic. Money whose day has no stored rate of its own comes
per day and takes ``load_fx``'s rate (carried forward, inverted, crossed through a pivot), read
in one more statement only then. A rate stored for the day itself is what ``load_fx`` picks too
(a direct pair of the day is the freshest and wins a tie), so the numbers are the pandas path's.
A table of many stores (``read_period``) first reads which rates are fixed over its range: then
each store's days are summed together without joining a rate per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, and_, bindparam, func, select, union

from analytics.fx import FxRates, MissingRates, rate_gaps
from analytics.money import add_scaled, scaled_rate
from analytics.totals import MetricSum, exact_totals
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.prepared import Prepared, as_date
from jobs.warehouse.schema import advertisers, fx_rates, shops
from jobs.warehouse.sums import METRICS, OWNER_SUMS, rated_rows, store_advertisers

#: Per store and metric, a total in the quote (money) or a count: ``store_totals``' result.
Totals = dict[str, dict[str, Decimal]]
#: Per part, the (place in a wide row, metric) of its counts and of its money.
_LAYOUT = {kind: tuple(tuple((7 + i, m) for i, (m, money) in enumerate(ms) if money is kept)
                       for kept in (False, True)) for kind, ms in METRICS.items()}


def _add_units(book: dict[str, dict[str, int]], shop: str, row: Sequence[Any],
               places: Sequence[tuple[int, str]]) -> None:
    """Add a row's values at ``places`` (place in the row, metric) to the store's in ``book``."""
    mine = book.get(shop)
    for i, metric in places:
        if row[i] is not None:
            if mine is None:
                mine = book[shop] = {}
            mine[metric] = mine.get(metric, 0) + int(row[i])


def _fallback_rate(row: Sequence[Any], quote: str, fx: FxRates | None) -> Any:
    """``load_fx``'s rate into ``quote`` for the day of a row without a stored rate of its
    own (``fx``: ``read_rated``'s)."""
    day = as_date(row[6])
    assert fx is not None and day is not None, "read without read_rated"
    return fx.rate(day, row[3], quote)


def _lacking(rows: Iterable[Sequence[Any]], n: int, quote: str) -> set[tuple[date, str]]:
    """(day, currency) of the money converting into ``quote`` (the ``n``-th) needs a rate for
    and has none stored for its own day (such rows come with ``fx_day``)."""
    out = set()
    for row in rows:
        if row[6] is None or row[3] == quote or row[5 if n else 4] is not None:
            continue
        if any(row[i] is not None for i, _ in _LAYOUT.get(row[0], ((), ()))[1]):
            day = as_date(row[6])
            assert day is not None
            out.add((day, row[3]))
    return out


def summed_buyers(found: Iterable[tuple[Any, Any]], stores: int) -> dict[date, int]:
    """Distinct buyers per week (local Monday) from ``(monday, buyers)`` rows of ``stores``
    stores (buyers are per shop, so they add up); a week is left out when any of the stores
    does not know its buyers (no buyer ids)."""
    out: dict[date, int] = {}
    seen: dict[date, int] = {}
    for found_day, buyers in found:
        monday = as_date(found_day)
        assert monday is not None
        out[monday] = out.get(monday, 0) + int(buyers)
        seen[monday] = seen.get(monday, 0) + 1
    return {monday: n for monday, n in out.items() if seen[monday] == stores}


def lacking_fx(conn: Connection, needed: set[tuple[date, str]], quote: str) -> FxRates:
    """``load_fx``'s rates into ``quote`` for the ``needed`` (day, currency) pairs."""
    if not needed:
        return FxRates({})
    return load_fx(conn, sorted({c for _, c in needed}), quote, min(d for d, _ in needed),
                   max(d for d, _ in needed))


@dataclass(frozen=True)
class RatedSums:
    """The rows of one question (``sums.rated_rows``) with the rates they lack: per quote, the
    pairs without a stored rate of their day and ``load_fx``'s rates for them."""

    rows: Sequence[Sequence[Any]]
    quotes: Sequence[str]
    ad_map: Mapping[str, str]  # advertiser -> store
    lacking: Mapping[str, set[tuple[date, str]]] = field(default_factory=dict)
    fallback: Mapping[str, FxRates] = field(default_factory=dict)

    def gaps(self, quote: str) -> tuple[MissingRates, ...]:
        """The rates converting into ``quote`` needs and the warehouse lacks, per pair."""
        fx = self.fallback.get(quote)
        return rate_gaps(fx.check(self.lacking[quote], quote)) if fx is not None else ()

    def totals(self, quotes: Sequence[str]) -> dict[str, dict[int, Totals]]:
        """Per quote of ``quotes`` (read, and without ``gaps``) and period (0, 1), the stores'
        exact totals, from one pass over the rows: counts once, money at each quote's rate
        (per store and metric, ``add_scaled``'s ``[integer, digits]``)."""
        at = [(self.quotes.index(q), q, self.fallback.get(q)) for q in quotes]
        books: dict[int, tuple[dict[str, dict[str, int]], list[dict[str, dict[str, int]]],
                               list[dict[str, dict[str, list[int]]]]]] = {}
        for row in self.rows:
            layout = _LAYOUT.get(row[0])
            if layout is None:
                continue
            shop = self.ad_map[row[1]] if row[0] == "ads" else row[1]
            counts, whole, scaled = books.get(row[2]) or books.setdefault(
                row[2], ({}, [{} for _ in at], [{} for _ in at]))
            _add_units(counts, shop, row, layout[0])
            for (n, quote, fx), local, foreign in zip(at, whole, scaled, strict=True):
                if row[3] == quote:
                    _add_units(local, shop, row, layout[1])
                    continue
                coefficient = 0
                for i, metric in layout[1]:
                    if row[i] is None:
                        continue
                    if not coefficient:  # the rate, once a row has money to convert
                        rate = row[5] if n else row[4]
                        coefficient, digits = scaled_rate(
                            _fallback_rate(row, quote, fx) if rate is None else rate)
                        mine = foreign.get(shop) or foreign.setdefault(shop, {})
                    # add_scaled's two common cases inline (once per row and metric), the rest
                    # through it
                    found = mine.get(metric)
                    if found is None:
                        mine[metric] = [int(row[i]) * coefficient, digits]
                    elif found[1] == digits:
                        found[0] += int(row[i]) * coefficient
                    else:
                        add_scaled(mine, metric, int(row[i]), coefficient, digits)
        return {q: {period: exact_totals((counts, whole[k]), scaled[k])
                    for period, (counts, whole, scaled) in books.items()}
                for k, (_, q, _) in enumerate(at)}

    def currencies(self) -> dict[str, str]:
        """Each store's registered currency (an answer's rows)."""
        return {row[1]: row[3] for row in self.rows if row[0] == "currency"}

    def buyers(self, stores: int) -> dict[date, int]:
        """Distinct buyers per week asked, of all ``stores`` (an answer's rows)."""
        return summed_buyers(((row[6], row[7]) for row in self.rows if row[0] == "buyers"),
                             stores)

    def metric_sums(self, quote: str) -> list[MetricSum]:
        """The rows of a statement without quotes (summed per day) as ``store_totals`` takes
        them for ``quote``: money in another currency with its day."""
        out: list[MetricSum] = []
        for kind, owner, _, currency, _, _, fx_day, *values in self.rows:
            shop = self.ad_map[owner] if kind == "ads" else owner
            day = None if currency == quote else as_date(fx_day)
            for (metric, money), value in zip(METRICS[kind], values, strict=False):
                if value is not None:
                    out.append((shop, metric, currency, day, int(value)) if money
                               else (shop, metric, "", None, int(value)))
        return out


def read_rated(conn: Connection, shop_ids: Sequence[str], configured: Mapping[str, str],
               periods: Sequence[tuple[date, date]], quotes: Sequence[str], *,
               answer: bool = False, all_ids: Sequence[str] = (),
               mondays: Sequence[date] = ()) -> RatedSums:
    """The stores' sums over ``periods`` with the rates into ``quotes``: one statement, and one
    more per quote only when some day lacks a stored rate of its own. ``configured`` maps
    advertisers to stores; an ``answer`` adds those the warehouse links to the stores."""
    rows = rated_rows(conn, shop_ids, configured, periods, quotes, answer=answer,
                      all_ids=all_ids, mondays=mondays)
    ad_map = dict(configured)
    if answer:
        for row in rows:
            if row[0] == "link":
                ad_map.setdefault(row[1], row[3])
    if not quotes:
        return RatedSums(rows, quotes, ad_map)
    lacking = {q: _lacking(rows, n, q) for n, q in enumerate(quotes)}
    return RatedSums(rows, quotes, ad_map, lacking,
                     {q: lacking_fx(conn, found, q) for q, found in lacking.items() if found})


_REGISTERED = union(
    select(shops.c.currency).where(shops.c.shop_id.in_(bindparam("shop_ids", expanding=True))),
    select(advertisers.c.currency).where(
        advertisers.c.advertiser_id.in_(bindparam("advertiser_ids", expanding=True))),
).subquery("registered")
#: Each currency the stores and their ad accounts are registered in, with its lowest and
#: highest rate into the quote over the range and the days that have one.
_RANGE = Prepared(
    select(_REGISTERED.c.currency, func.min(fx_rates.c.rate), func.max(fx_rates.c.rate),
           func.count(fx_rates.c.rate))
    .select_from(_REGISTERED.outerjoin(fx_rates, and_(
        fx_rates.c.base == _REGISTERED.c.currency, fx_rates.c.quote == bindparam("quote"),
        fx_rates.c.day >= bindparam("first", type_=Date),
        fx_rates.c.day <= bindparam("last", type_=Date))))
    .group_by(_REGISTERED.c.currency))


def read_period(conn: Connection, shop_ids: Sequence[str], ad_map: Mapping[str, str],
                first: date, last: date, quote: str) -> RatedSums:
    """The stores' sums over local days ``[first, last]`` in ``quote`` (a table of many stores):
    the rates fixed over the range are read first (one stored rate, the same every day); when
    every registered currency converts at one, the sums are made per store alone
    (``OWNER_SUMS``) and kept if each store's money was in one such currency; else
    ``read_rated``. Two statements, three when a store bills in an unregistered currency."""
    found = _RANGE.rows(conn, {"shop_ids": list(shop_ids), "advertiser_ids": sorted(ad_map),
                               "quote": quote, "first": first, "last": last})
    days = (last - first).days + 1
    fixed = {base: low for base, low, high, count in found if count == days and low == high}
    if all(base == quote or base in fixed for base, *_ in found):
        rows = OWNER_SUMS.rows(conn, {"shop_ids": list(shop_ids),
                                      "advertiser_ids": sorted(ad_map),
                                      "first": first, "last": last})
        if all(low == high and (low == quote or low in fixed)
               for low, high in {(row[2], row[3]) for row in rows}):
            return RatedSums([(row[0], row[1], 0, row[2], fixed.get(row[2]), None, None,
                               *row[4:]) for row in rows], [quote], ad_map)
    return read_rated(conn, shop_ids, ad_map, [(first, last)], [quote])


def period_sums(conn: Connection, shop_ids: Sequence[str], first: date, last: date, quote: str,
                *, advertiser_shop: Mapping[str, str] | None = None) -> list[MetricSum]:
    """The stores' KPI inputs over local days ``[first, last]`` per day, as ``store_totals``
    takes them for ``quote`` (``sums_fx`` gives the rates they need)."""
    ad_map = advertiser_shop if advertiser_shop is not None else store_advertisers(conn,
                                                                                  shop_ids)
    return read_rated(conn, shop_ids, ad_map, [(first, last)], []).metric_sums(quote)


def sums_fx(conn: Connection, sums: Iterable[MetricSum], quote: str) -> FxRates:
    """The rates ``store_totals`` needs to convert ``sums`` into ``quote`` (``load_fx``'s)."""
    return lacking_fx(conn, {(day, c) for _, _, c, day, _ in sums
                             if day is not None and c not in ("", quote)}, quote)


def missing_sums_rates(sums: Iterable[MetricSum], quote: str, fx: FxRates) -> (
    tuple[MissingRates, ...]
):
    """The rates converting ``sums`` into ``quote`` needs and ``fx`` lacks, per currency pair."""
    return rate_gaps(fx.check([(day, c) for _, _, c, day, _ in sums if day is not None], quote))
