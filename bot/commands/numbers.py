"""KPIs for chat answers, read from the daily rollups through the shared query layer.

``scope_kpis(conn, stores, period, currency)`` loads the daily metric rows of the stores for the
period and the one before it with ``jobs.warehouse.queries.daily_rows`` (the same rows the weekly
report uses) and lets ``analytics.daily_kpis.compute_kpis`` do the arithmetic, so chat, digest and
alerts share one definition of every number. ``per_store`` gives the same per store (for ``why``).

``scope_answer`` is what a KPI answer shows, read in one statement
(``jobs.warehouse.queries.read_rated``: both periods summed by the database with each day's
rate joined, the same arithmetic, no pandas) for every currency it shows at once: the numbers
in the currency ``jobs.warehouse.queries.answer_currency`` picks (one store: its own; several:
the reporting currency), the reporting-currency figures beside a store's own, and, when a rate
the answer needs is missing, each store in its own currency with the missing rates named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection

from analytics.daily_kpis import compute_kpis
from analytics.fx import FxRates, MissingRates
from analytics.kpis import KpiSet, kpis_from_totals
from bot.commands.periods import Period
from config.tenants import Store
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.queries import (
    answer_currency,
    daily_rows,
    read_rated,
    store_advertisers,
    store_currencies,
    week_buyers,
)


@dataclass(frozen=True)
class ScopeNumbers:
    """One scope's KPIs for a period and for the period before it."""

    current: KpiSet
    previous: KpiSet | None  # None: no comparable period (a digest's first week)
    period: Period
    #: The same in the tenant's reporting currency, beside a store's own (None: same currency,
    #: or a rate is missing).
    reporting: ScopeNumbers | None = None


@dataclass(frozen=True)
class ScopeAnswer:
    """What a KPI answer can show: ``numbers`` in the answer's currency, or, when they need a
    missing rate, ``stores``: each store in its own currency; ``missing`` names the rates."""

    numbers: ScopeNumbers | None
    stores: tuple[tuple[Store, ScopeNumbers], ...] = ()
    missing: tuple[MissingRates, ...] = ()


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=i) for i in range(period.days)]


def _rows(conn: Connection, stores: list[Store], period: Period) -> pd.DataFrame:
    ids = [s.shop_id for s in stores]
    ads = store_advertisers(conn, ids, {s.shop_id: s.advertiser_ids for s in stores})
    return daily_rows(conn, ids, period.previous().start, period.end, advertiser_shop=ads)


def _load(conn: Connection, stores: list[Store], period: Period, currency: str) -> (
    tuple[pd.DataFrame, FxRates]
):
    rows = _rows(conn, stores, period)
    return rows, fx_for(conn, rows["currency"], currency, period.previous().start, period.end)


def fx_for(conn: Connection, currencies: Iterable[str], currency: str, first: date,
           last: date) -> FxRates:
    """FX rates from ``currencies`` into ``currency`` for the days ``first``..``last``."""
    return load_fx(conn, set(currencies) - {""}, currency, first, last)


def _buyers(conn: Connection, stores: list[Store], period: Period) -> int | None:
    """Distinct buyers of an ISO-week period (summed over stores), else ``None``."""
    if "-W" not in period.label:
        return None
    return week_buyers(conn, [s.shop_id for s in stores], [period.start]).get(period.start)


def scope_kpis(conn: Connection, stores: Iterable[Store], period: Period, currency: str) -> (
    ScopeNumbers
):
    """KPIs of the stores over ``period`` and the period before, in ``currency``."""
    stores = list(stores)
    rows, fx = _load(conn, stores, period, currency)
    before = period.previous()
    now = compute_kpis(rows, _days(period), currency, fx, buyers=_buyers(conn, stores, period))
    prev = compute_kpis(rows, _days(before), currency, fx, buyers=_buyers(conn, stores, before))
    return ScopeNumbers(now, prev, period)


def scope_and_stores(conn: Connection, stores: Iterable[Store], period: Period,
                     currency: str) -> tuple[ScopeNumbers, dict[str, ScopeNumbers]]:
    """``scope_kpis`` of all the stores together and of each store, from one load."""
    stores = list(stores)
    rows, fx = _load(conn, stores, period, currency)
    before = period.previous()
    total = ScopeNumbers(
        compute_kpis(rows, _days(period), currency, fx, buyers=_buyers(conn, stores, period)),
        compute_kpis(rows, _days(before), currency, fx, buyers=_buyers(conn, stores, before)),
        period)
    each = {s.shop_id: ScopeNumbers(
        compute_kpis(rows, _days(period), currency, fx, shop_ids=[s.shop_id]),
        compute_kpis(rows, _days(before), currency, fx, shop_ids=[s.shop_id]), period)
        for s in stores}
    return total, each


def per_store(conn: Connection, stores: Iterable[Store], period: Period, currency: str) -> (
    dict[str, ScopeNumbers]
):
    """``scope_kpis`` of each store separately (one load for all of them)."""
    return scope_and_stores(conn, stores, period, currency)[1]


def scope_currency(conn: Connection, stores: Iterable[Store], reporting_currency: str) -> str:
    """The currency an answer about ``stores`` is in (``answer_currency``)."""
    stores = list(stores)
    own = store_currencies(conn, stores)
    return answer_currency([own[s.shop_id] for s in stores], reporting_currency)


#: Per currency, an answer's numbers in it, or ``None`` and the rates that are missing.
Found = dict[str, tuple[ScopeNumbers | None, tuple[MissingRates, ...]]]


def _answers(conn: Connection, stores: list[Store], period: Period, quotes: Sequence[str],
             all_ids: Sequence[str]) -> tuple[dict[str, str], Found]:
    """The registered currencies of ``all_ids`` and the stores' numbers in each of ``quotes``,
    or ``None`` and the rates that are missing, from one statement (``read_rated``: both
    periods, every quote's rates joined, both weeks' buyers, the currencies; one more per quote
    only for days without a stored rate of their own)."""
    ids = [s.shop_id for s in stores]
    before = period.previous()
    weeks = {p.start: p for p in (period, before) if "-W" in p.label}
    read = read_rated(conn, ids, {a: s.shop_id for s in stores for a in s.advertiser_ids},
                      [(period.start, period.end), (before.start, before.end)], quotes,
                      answer=True, all_ids=all_ids, mondays=list(weeks))
    buyers = read.buyers(len(set(ids)))
    out: Found = {}
    gaps = {quote: read.gaps(quote) for quote in quotes}
    found = read.totals([quote for quote in quotes if not gaps[quote]])
    for quote in quotes:
        if gaps[quote]:
            out[quote] = (None, gaps[quote])
            continue
        now, then = (kpis_from_totals(found[quote].get(n, {}), p.days, quote,
                                      buyers=buyers.get(p.start) if p.start in weeks else None)
                     for n, p in enumerate((period, before)))
        out[quote] = (ScopeNumbers(now, then, period), ())
    return read.currencies(), out


def scope_answer(conn: Connection, stores: Iterable[Store], period: Period,
                 reporting_currency: str, *, compared_with: Iterable[Store] = ()) -> ScopeAnswer:
    """The KPIs of ``stores`` over ``period`` (and the period before) for an answer.

    The currency is ``answer_currency``'s over ``stores`` and ``compared_with`` (the other side
    of a comparison); a store's own currency gets the reporting-currency figures beside it. A
    missing rate never fails the answer: without it the stores are given each in its own
    currency, and ``missing`` says which rates to add. The read is one statement, asked in the
    currency the tenants file implies; again only if the warehouse registers another.
    """
    stores = list(stores)
    named = [*stores, *compared_with]
    ids = [s.shop_id for s in named]

    def currency_of(own: Mapping[str, str]) -> str:
        return answer_currency([own.get(s.shop_id, s.resolved_currency) for s in named],
                               reporting_currency)

    guess = currency_of({})
    registered, found = _answers(conn, stores, period, _quotes(guess, reporting_currency), ids)
    currency = currency_of(registered)
    if currency != guess:
        registered, found = _answers(conn, stores, period,
                                     _quotes(currency, reporting_currency), ids)
    numbers, gaps = found[currency]
    if numbers is not None:
        if currency == reporting_currency:
            return ScopeAnswer(numbers)
        beside, gaps = found[reporting_currency]
        return ScopeAnswer(replace(numbers, reporting=beside), missing=gaps)
    each = []
    for store in stores:
        own = registered.get(store.shop_id, store.resolved_currency)
        alone, own_gaps = _answers(conn, [store], period, [own], [])[1][own]
        if alone is not None:
            each.append((store, alone))
        gaps += own_gaps
    return ScopeAnswer(None, tuple(each), _merged(gaps))


def _quotes(currency: str, reporting_currency: str) -> list[str]:
    return list(dict.fromkeys([currency, reporting_currency]))


def _merged(gaps: tuple[MissingRates, ...]) -> tuple[MissingRates, ...]:
    """One entry per pair (a pair missing for the scope and for a store is said once)."""
    out: dict[tuple[str, str], MissingRates] = {}
    for gap in gaps:
        seen = out.get((gap.currency, gap.quote))
        if seen is None or gap.days > seen.days:
            out[(gap.currency, gap.quote)] = gap
    return tuple(out[k] for k in sorted(out))
