"""Build the weekly report of one tenant from the warehouse rollups.

``build_weekly_report(engine, tenant, "2026-W47")`` reads each store's daily rollups for the week
and the 52 weeks before it (one query per table for the whole tenant) and computes, with
``analytics.kpis``, every KPI for the week, the previous week, the 4- and 52-week baselines and the
same week a year ago, per store and for all stores together, plus a trend history and the
data-quality facts. A store's numbers are in its own currency (``answer_currency``), with the same
in the reporting currency beside them; the total converts each store-day at that day's rate. The
result is a frozen ``WeeklyReport``. A missing FX rate never fails it: the total (and each
store's reporting figures) that need the rate are left out, the sections that rank across stores
are empty, and ``missing_fx`` names the rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine

from analytics.fx import FxRates, MissingFxRate, missing_days, rate_gaps, without_missing
from analytics.kpis import compute_kpis, weekly_report
from analytics.weeks import WeekWindow, parse_iso_week, previous_weeks, week_window
from config.tenants import Tenant
from jobs.accounts.targets import METRIC_TARGETS, effective_targets
from jobs.report.assemble import WeekScope, week_insights
from jobs.report.model import StoreReport, WeekKpis, WeeklyReport
from jobs.report.quality import store_quality
from jobs.report.records import Insights
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.loaders import UnknownShop, shop_info
from jobs.warehouse.queries import answer_currency, daily_rows, store_advertisers, week_buyers

#: Weeks of history before the report week that baselines look back over.
BASELINE_WEEKS = 52
#: Weeks in the trend series of each store and of the tenant (the report week included).
HISTORY_WEEKS = 12


@dataclass(frozen=True)
class _Inputs:
    """Everything loaded once for a tenant-week."""

    week: WeekWindow  # in the digest's zone; stores use their own zones for the same label
    currency: str  # the tenant's reporting currency
    daily: pd.DataFrame
    fx: FxRates
    buyers: dict[str, dict[str, int]]  # shop -> week label -> distinct buyers
    targets: dict[str, Decimal]
    info: dict[str, dict[str, str]]
    advertiser_shop: dict[str, str]
    first: date  # the first day loaded (baselines reach back to it)
    missing: list[MissingFxRate]  # rates into ``currency`` that the total needs and lacks


def build_weekly_report(engine: Engine, tenant: Tenant, week: str, *,
                        insights: bool = True) -> WeeklyReport:
    """The frozen weekly report of ``tenant`` for ISO week ``week`` (e.g. "2026-W47").

    ``insights=False`` skips the sections beyond KPIs (anomalies, creators, stock...), for
    callers that only need the numbers (an empty ``Insights`` is stored instead).
    """
    parse_iso_week(week)  # a malformed label fails here with a clear message
    shop_ids = [s.shop_id for s in tenant.stores]
    with snapshot_connection(engine) as conn:
        inputs = _load(conn, tenant, week)
        built = [_store(conn, tenant, inputs, s.shop_id) for s in tenant.stores]
        stores = tuple(store for store, _ in built)
        total_buyers = _sum_buyers(inputs.buyers, shop_ids)
        total = None if inputs.missing else weekly_report(
            inputs.daily, inputs.week, inputs.currency, inputs.fx, shop_ids=shop_ids,
            scope=tenant.id, buyers=total_buyers, targets=inputs.targets)
        reporting = {s.shop_id: s.in_currency(inputs.currency) for s in stores}
        sections = week_insights(conn, tenant, effective_targets(conn, tenant),
                                 _scope(tenant, inputs), {s.shop_id: s.kpis for s in stores},
                                 total, reporting) if insights else Insights()
    missing = rate_gaps([*inputs.missing, *(gap for _, gaps in built for gap in gaps)])
    return WeeklyReport(
        tenant_id=tenant.id, tenant_name=tenant.name, week=week,
        reporting_currency=inputs.currency, languages=tuple(tenant.language),
        stores=stores, total=total,
        total_history=() if total is None else _history(
            inputs.daily, inputs.currency, inputs.fx, shop_ids, total_buyers, inputs.week),
        insights=sections, missing_fx=missing,
    )


def snapshot_connection(engine: Engine) -> Connection:
    """A connection whose reads all see one snapshot (PostgreSQL: repeatable read; SQLite: one
    explicit read transaction under WAL), so a sync committing pages meanwhile cannot make the
    stores and the total disagree."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    conn.exec_driver_sql("BEGIN")  # pysqlite would otherwise read each statement afresh
    return conn


def _scope(tenant: Tenant, inputs: _Inputs) -> WeekScope:
    return WeekScope(
        days=inputs.week.days, currency=inputs.currency, fx=inputs.fx, daily=inputs.daily,
        shop_tz={s: i["timezone"] for s, i in inputs.info.items()},
        regions={s: i["region"] for s, i in inputs.info.items()},
        advertiser_shop=inputs.advertiser_shop,
        lead_times={s.shop_id: s.lead_time_days for s in tenant.stores},
    )


def _load(conn: Connection, tenant: Tenant, week: str) -> _Inputs:
    info: dict[str, dict[str, str]] = {}
    for store in tenant.stores:
        try:
            info[store.shop_id] = shop_info(conn, store.shop_id)
        except UnknownShop:  # configured but never synced: its numbers are empty, not an error
            info[store.shop_id] = {"name": store.shop_id, "region": store.region,
                                   "currency": store.resolved_currency,
                                   "timezone": store.resolved_timezone}
        if store.name:  # the tenants file's display name wins over the platform's
            info[store.shop_id]["name"] = store.name
    window = week_window(tenant.digest.timezone, week)
    first = window.monday - timedelta(7 * BASELINE_WEEKS)
    shop_ids = list(info)
    ad_map = store_advertisers(conn, shop_ids, {s.shop_id: s.advertiser_ids
                                                for s in tenant.stores})
    daily = daily_rows(conn, shop_ids, first, window.days[-1], advertiser_shop=ad_map)
    reporting = tenant.reporting_currency  # of the total; each store answers in its own
    currencies = set(daily["currency"]) - {""}
    fx = load_fx(conn, currencies, reporting, first, window.days[-1])
    mondays = [window.monday - timedelta(7 * i) for i in range(BASELINE_WEEKS + 1)]
    buyers = {shop: {_label(m): n for m, n in week_buyers(conn, [shop], mondays).items()}
              for shop in shop_ids}
    return _Inputs(window, reporting, daily, fx, buyers, _targets(conn, tenant), info, ad_map,
                   first, missing_days(daily, reporting, fx))


def _label(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def _targets(conn: Connection, tenant: Tenant) -> dict[str, Decimal]:
    targets = effective_targets(conn, tenant)
    out = {}
    for metric, name in METRIC_TARGETS.items():
        value = getattr(targets, name)
        if value is not None:
            out[metric] = value
    return out


def _sum_buyers(buyers: Mapping[str, Mapping[str, int]], shop_ids: Sequence[str]) -> (
    dict[str, int]
):
    """Buyers per week over the stores; a week any store lacks (unknown buyers) is left out."""
    out: dict[str, int] = {}
    seen: dict[str, int] = {}
    for shop in shop_ids:
        for label, count in buyers.get(shop, {}).items():
            out[label] = out.get(label, 0) + count
            seen[label] = seen.get(label, 0) + 1
    return {label: n for label, n in out.items() if seen[label] == len(shop_ids)}


def _history(daily: pd.DataFrame, currency: str, fx: FxRates, shop_ids: Sequence[str],
             buyers: Mapping[str, int], window: WeekWindow) -> tuple[WeekKpis, ...]:
    weeks = [*reversed(previous_weeks(window, HISTORY_WEEKS - 1)), window]
    return tuple(
        WeekKpis(w.label, w.monday, compute_kpis(daily, w.days, currency, fx, shop_ids=shop_ids,
                                                 buyers=buyers.get(w.label)))
        for w in weeks
    )


def _store(conn: Connection, tenant: Tenant, inputs: _Inputs, shop_id: str) -> tuple[
    StoreReport, list[MissingFxRate]
]:
    """One store's report in its own currency, the reporting currency beside it, and the rates
    its own numbers lack (an ads account billed in another currency without a rate: those
    metrics read "not available")."""
    info = inputs.info[shop_id]
    window = week_window(info["timezone"], inputs.week.label)
    buyers = inputs.buyers.get(shop_id, {})
    daily = inputs.daily[inputs.daily["shop_id"] == shop_id]
    currency = answer_currency([info["currency"]], inputs.currency)
    fx = load_fx(conn, set(daily["currency"]) - {"", currency}, currency, inputs.first,
                 window.days[-1])
    gaps = missing_days(daily, currency, fx)
    rows = without_missing(daily, currency, fx) if gaps else daily
    kpis = weekly_report(rows, window, currency, fx, shop_ids=[shop_id], scope=shop_id,
                         buyers=buyers)
    reporting = None
    if currency != inputs.currency and not missing_days(daily, inputs.currency, inputs.fx):
        reporting = weekly_report(daily, window, inputs.currency, inputs.fx, shop_ids=[shop_id],
                                  scope=shop_id, buyers=buyers)
    return StoreReport(
        shop_id=shop_id, name=info["name"], region=info["region"], currency=info["currency"],
        timezone=info["timezone"], first_day=window.monday, last_day=window.days[-1],
        kpis=kpis, history=_history(rows, currency, fx, [shop_id], buyers, window),
        quality=store_quality(conn, tenant, shop_id, window), reporting=reporting,
    ), gaps
