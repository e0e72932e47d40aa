"""Build the weekly, bi-weekly or monthly report of one tenant from the warehouse rollups.

``build_report(engine, tenant, "2026-11")`` (or "2026-W47", "2026-W46-W47"; ``build_weekly_report``
is the weekly case) reads each store's daily rollups for the period and about a year before it
(one query per table for the whole tenant) and computes, with
``analytics.kpi_report.period_report``, every KPI for the period, the previous period, the
baselines of its cadence (4 weeks, 2 fortnights, 3 months; and a year of periods) and the same
period a year ago, per store (each in its own time zone) and for all stores together, plus a
trend history in periods of the same cadence (``jobs.report.history``) and the data-quality
facts. A store's numbers are in its own currency (``answer_currency``), with the same in the
reporting currency beside them; the total converts each store-day at that day's rate. The
result is a frozen ``WeeklyReport``. A missing FX rate never fails it: the total (and each
store's reporting figures) that need the rate are left out, the sections that rank across
stores are empty, and ``missing_fx`` names the rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine

from analytics.fx import FxRates, MissingFxRate, missing_days, rate_gaps, without_missing
from analytics.kpi_report import YEAR_OF_PERIODS, period_report
from analytics.money import quantize
from analytics.periods import Period, baseline_periods, period_window, previous_period, year_ago
from analytics.weeks import WeekWindow, parse_iso_week
from config.tenants import Tenant
from jobs.accounts.targets import METRIC_TARGETS, effective_targets
from jobs.report.assemble import WeekScope, week_insights
from jobs.report.history import history
from jobs.report.model import StoreReport, WeeklyReport
from jobs.report.quality import store_quality
from jobs.report.records import Insights
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.loaders import UnknownShop, shop_info
from jobs.warehouse.queries import (
    answer_currency,
    daily_rows,
    period_buyers,
    store_advertisers,
    week_buyers,
)

#: Weeks of history before the report week that weekly baselines look back over.
BASELINE_WEEKS = YEAR_OF_PERIODS["weekly"]
#: Days the tenant's weekly GMV target is set for; other periods scale it by their length.
TARGET_DAYS = 7


@dataclass(frozen=True)
class _Inputs:
    """Everything loaded once for a tenant-week."""

    period: Period  # in the digest's zone; stores use their own zones for the same label
    currency: str  # the tenant's reporting currency
    daily: pd.DataFrame
    fx: FxRates
    buyers: dict[str, dict[str, int]]  # shop -> period label -> distinct buyers
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
    return build_report(engine, tenant, week, insights=insights)


def build_report(engine: Engine, tenant: Tenant, label: str, *,
                 insights: bool = True) -> WeeklyReport:
    """The frozen report of ``tenant`` for any period label: a week "2026-W47", a fortnight
    "2026-W46-W47" or a month "2026-11" (its cadence read from the label; ``ValueError`` with the
    accepted forms for a bad one). Same sections as the weekly report, over the period's days."""
    period = period_window(tenant.digest.timezone, label)
    shop_ids = [s.shop_id for s in tenant.stores]
    with snapshot_connection(engine) as conn:
        inputs = _load(conn, tenant, period)
        built = [_store(conn, tenant, inputs, s.shop_id) for s in tenant.stores]
        stores = tuple(store for store, _ in built)
        total_buyers = _sum_buyers(inputs.buyers, shop_ids)
        total = None if inputs.missing else period_report(
            inputs.daily, inputs.period, inputs.currency, inputs.fx, shop_ids=shop_ids,
            scope=tenant.id, buyers=total_buyers, targets=inputs.targets)
        reporting = {s.shop_id: s.in_currency(inputs.currency) for s in stores}
        sections = week_insights(conn, tenant, effective_targets(conn, tenant),
                                 _scope(tenant, inputs), {s.shop_id: s.kpis for s in stores},
                                 total, reporting) if insights else Insights()
    missing = rate_gaps([*inputs.missing, *(gap for _, gaps in built for gap in gaps)])
    return WeeklyReport(
        tenant_id=tenant.id, tenant_name=tenant.name, week=period.label, cadence=period.cadence,
        reporting_currency=inputs.currency, languages=tuple(tenant.language),
        stores=stores, total=total,
        total_history=() if total is None else history(
            inputs.daily, inputs.currency, inputs.fx, shop_ids, total_buyers, inputs.period),
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
        days=inputs.period.days, previous_days=previous_period(inputs.period).days,
        currency=inputs.currency, fx=inputs.fx, daily=inputs.daily,
        shop_tz={s: i["timezone"] for s, i in inputs.info.items()},
        regions={s: i["region"] for s, i in inputs.info.items()},
        advertiser_shop=inputs.advertiser_shop,
        lead_times={s.shop_id: s.lead_time_days for s in tenant.stores},
    )


def _load(conn: Connection, tenant: Tenant, period: Period) -> _Inputs:
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
    before = baseline_periods(period, YEAR_OF_PERIODS[period.cadence])
    first = min(before[-1].first, year_ago(period).first)  # a label names the same local days
    last = period.last  # in every zone, so the stores' own periods fall inside these
    shop_ids = list(info)
    ad_map = store_advertisers(conn, shop_ids, {s.shop_id: s.advertiser_ids
                                                for s in tenant.stores})
    daily = daily_rows(conn, shop_ids, first, last, advertiser_shop=ad_map)
    reporting = tenant.reporting_currency  # of the total; each store answers in its own
    currencies = set(daily["currency"]) - {""}
    fx = load_fx(conn, currencies, reporting, first, last)
    return _Inputs(period, reporting, daily, fx, _buyers(conn, info, period),
                   _targets(conn, tenant, len(period.days)), info, ad_map, first,
                   missing_days(daily, reporting, fx))


def _buyers(conn: Connection, info: Mapping[str, Mapping[str, str]], period: Period) -> (
    dict[str, dict[str, int]]
):
    """Distinct buyers per store and period label: every week of a year from the weekly rollup;
    for fortnights and months (no rollup) the period, the one before and a year ago."""
    if period.cadence == "weekly":
        mondays = [period.first - timedelta(7 * i) for i in range(BASELINE_WEEKS + 1)]
        return {shop: {_label(m): n for m, n in week_buyers(conn, [shop], mondays).items()}
                for shop in info}
    out: dict[str, dict[str, int]] = {}
    for shop, shop_info_ in info.items():
        counts = out.setdefault(shop, {})
        for label in (period.label, previous_period(period).label, year_ago(period).label):
            local = period_window(shop_info_["timezone"], label)
            try:
                found = period_buyers(conn, shop, local.first, local.last)
            except UnknownShop:
                found = None
            if found is not None:
                counts[label] = found
    return out


def _label(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def _targets(conn: Connection, tenant: Tenant, days: int) -> dict[str, Decimal]:
    """The tenant's targets for a period of ``days`` days: the weekly GMV target scaled by the
    period's length (a 30-day month: 30/7 of it); rates (ROAS, CVR, CPA) as they are."""
    targets = effective_targets(conn, tenant)
    out = {}
    for metric, name in METRIC_TARGETS.items():
        value = getattr(targets, name)
        if value is not None:
            scaled = metric == "gross_gmv" and days != TARGET_DAYS
            out[metric] = quantize(Decimal(value) * days / TARGET_DAYS) if scaled else value
    return out


def _sum_buyers(buyers: Mapping[str, Mapping[str, int]], shop_ids: Sequence[str]) -> (
    dict[str, int]
):
    """Buyers per period over the stores; one any store lacks (unknown buyers) is left out."""
    out: dict[str, int] = {}
    seen: dict[str, int] = {}
    for shop in shop_ids:
        for label, count in buyers.get(shop, {}).items():
            out[label] = out.get(label, 0) + count
            seen[label] = seen.get(label, 0) + 1
    return {label: n for label, n in out.items() if seen[label] == len(shop_ids)}


def _as_window(period: Period) -> WeekWindow:
    """The period in the shape the data-quality checks read (first day, days, bounds)."""
    return WeekWindow(label=period.label, tz=period.tz, start_utc=period.start_utc,
                      end_utc=period.end_utc, days=period.days)


def _store(conn: Connection, tenant: Tenant, inputs: _Inputs, shop_id: str) -> tuple[
    StoreReport, list[MissingFxRate]
]:
    """One store's report in its own currency, the reporting currency beside it, and the rates
    its own numbers lack (an ads account billed in another currency without a rate: those
    metrics read "not available")."""
    info = inputs.info[shop_id]
    window = period_window(info["timezone"], inputs.period.label)
    buyers = inputs.buyers.get(shop_id, {})
    daily = inputs.daily[inputs.daily["shop_id"] == shop_id]
    currency = answer_currency([info["currency"]], inputs.currency)
    fx = load_fx(conn, set(daily["currency"]) - {"", currency}, currency, inputs.first,
                 window.days[-1])
    gaps = missing_days(daily, currency, fx)
    rows = without_missing(daily, currency, fx) if gaps else daily
    kpis = period_report(rows, window, currency, fx, shop_ids=[shop_id], scope=shop_id,
                         buyers=buyers)
    reporting = None
    if currency != inputs.currency and not missing_days(daily, inputs.currency, inputs.fx):
        reporting = period_report(daily, window, inputs.currency, inputs.fx, shop_ids=[shop_id],
                                  scope=shop_id, buyers=buyers)
    return StoreReport(
        shop_id=shop_id, name=info["name"], region=info["region"], currency=info["currency"],
        timezone=info["timezone"], first_day=window.first, last_day=window.last,
        kpis=kpis, history=history(rows, currency, fx, [shop_id], buyers, window),
        quality=store_quality(conn, tenant, shop_id, _as_window(window)), reporting=reporting,
    ), gaps
