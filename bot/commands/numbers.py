"""KPIs for chat answers, read from the daily rollups through the shared query layer.

``scope_kpis(conn, stores, period, currency)`` loads the daily metric rows of the stores for the
period and the one before it with ``jobs.warehouse.queries.daily_rows`` (the same rows the weekly
report uses) and lets ``analytics.kpis.compute_kpis`` do the arithmetic, so chat, digest and
alerts share one definition of every number. ``per_store`` gives the same per store (for ``why``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection

from analytics.fx import FxRates
from analytics.kpis import KpiSet, compute_kpis
from bot.commands.periods import Period
from config.tenants import Store
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.queries import daily_rows, store_advertisers, week_buyers


@dataclass(frozen=True)
class ScopeNumbers:
    """One scope's KPIs for a period and for the period before it."""

    current: KpiSet
    previous: KpiSet | None  # None: no comparable period (a digest's first week)
    period: Period


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=i) for i in range(period.days)]


def _load(conn: Connection, stores: list[Store], period: Period, currency: str) -> (
    tuple[pd.DataFrame, FxRates]
):
    ids = [s.shop_id for s in stores]
    before = period.previous()
    ads = store_advertisers(conn, ids, {s.shop_id: s.advertiser_ids for s in stores})
    rows = daily_rows(conn, ids, before.start, period.end, advertiser_shop=ads)
    fx = load_fx(conn, set(rows["currency"]) - {""}, currency, before.start, period.end)
    return rows, fx


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
