"""The rows ``jobs.warehouse.sums`` reads, converted exactly: ``RatedSums``.

Money in another currency than the answer's converts at each day's own rate. The database joins
the rate stored for each row's day and sums per rate (``read_rated``), so the days sharing one
(every day, when it is fixed) are multiplied once: ``analytics.totals.exact_totals`` makes the
same integers as the day-by-day arithmetic. Money whose day has no stored rate of its own comes
per day and takes ``load_fx``'s rate (carried forward, inverted, crossed through a pivot), read
in one more statement only then. A rate stored for the day itself is what ``load_fx`` picks too
(a direct pair of the day is the freshest and wins a tie), so the numbers are the pandas path's.
A table of many stores sums each store's days together instead (``owner_sums.read_period``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from analytics.fx import FxRates, MissingRates, rate_gaps
from analytics.money import add_scaled, scaled_rate
from analytics.totals import MetricSum, exact_totals
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.prepared import as_date
from jobs.warehouse.sum_parts import METRICS
from jobs.warehouse.sums import rated_rows, store_advertisers

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


def _one_digits(books: Mapping[int, Mapping[str, Mapping[str, int]]]) -> (
    dict[str, dict[str, list[int]]]
):
    """Money added up per number of digits of its rates (per digits, store and metric: units
    times ``10**digits``) as one ``[integer, digits]`` per store and metric (``add_scaled``)."""
    out: dict[str, dict[str, list[int]]] = {}
    for digits, book in books.items():
        for shop, found in book.items():
            mine = out.get(shop)
            if mine is None:  # the common case: a store's rates all of one number of digits
                out[shop] = {metric: [total, digits] for metric, total in found.items()}
                continue
            for metric, total in found.items():
                add_scaled(mine, metric, total, 1, digits)
    return out


def _fallback_rate(row: Sequence[Any], quote: str, fx: FxRates | None) -> Any:
    """``load_fx``'s rate into ``quote`` for the day of a row without a stored rate of its
    own (``fx``: ``read_rated``'s)."""
    day = as_date(row[6])
    assert fx is not None and day is not None, "read without read_rated"
    return fx.rate(day, row[3], quote)


def _lacking(rows: Iterable[Sequence[Any]], n: int, quote: str) -> set[tuple[date, str]]:
    """(day, currency) of the money converting into ``quote`` (the ``n``-th) needs a rate for
    and has none stored for its own day (such rows come with ``fx_day``)."""
    found = set()  # the days as read: each is made a date once
    for row in rows:
        if row[6] is None or row[3] == quote or row[5 if n else 4] is not None:
            continue
        if any(row[i] is not None for i, _ in _LAYOUT.get(row[0], ((), ()))[1]):
            found.add((row[6], row[3]))
    out = set()
    for read_day, currency in found:
        day = as_date(read_day)
        assert day is not None
        out.add((day, currency))
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
        exact totals, from one pass over the rows: counts once, money at each quote's rate.
        Each distinct rate is scaled once (``scaled_rate``) and the money is added up per
        number of digits of its rates, ``add_scaled`` only then bringing each store's metric to
        one ``[integer, digits]``: daily rates differ in digits from day to day."""
        at = [(self.quotes.index(q), q, self.fallback.get(q)) for q in quotes]
        books: dict[int, tuple[dict[str, dict[str, int]], list[dict[str, dict[str, int]]],
                               list[dict[int, dict[str, dict[str, int]]]]]] = {}
        scaled_rates: dict[Any, tuple[int, int]] = {}  # rate (or quote, day, currency) -> scaled
        ad_map = self.ad_map
        for row in self.rows:
            kind = row[0]
            layout = _LAYOUT.get(kind)
            if layout is None:
                continue
            shop = ad_map[row[1]] if kind == "ads" else row[1]
            found_book = books.get(row[2])
            if found_book is None:
                found_book = books[row[2]] = ({}, [{} for _ in at], [{} for _ in at])
            counts, whole, scaled = found_book
            _add_units(counts, shop, row, layout[0])
            currency = row[3]
            for k, (n, quote, fx) in enumerate(at):
                mine, coefficient = None, 1  # the store's sums this row's money adds to
                for i, metric in layout[1]:
                    value = row[i]
                    if value is None:
                        continue
                    if mine is None:  # in the quote already, else at the rate, scaled once
                        book = whole[k]
                        if currency != quote:
                            rate = row[5] if n else row[4]
                            key = rate if rate is not None else (quote, row[6], currency)
                            found = scaled_rates.get(key)
                            if found is None:
                                found = scaled_rates[key] = scaled_rate(
                                    _fallback_rate(row, quote, fx) if rate is None else rate)
                            coefficient, digits = found
                            book = scaled[k].get(digits) or scaled[k].setdefault(digits, {})
                        mine = book.get(shop)
                        if mine is None:
                            mine = book[shop] = {}
                    mine[metric] = mine.get(metric, 0) + int(value) * coefficient
        return {q: {period: exact_totals((counts, whole[k]), _one_digits(scaled[k]))
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
