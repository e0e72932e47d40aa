"""Why the week looks the way it does: anomalies with their drivers, KPI decompositions and the
stores, campaigns, creators and products that moved the totals.

Inputs come from ``jobs.report.build`` (the daily metric rows of the tenant's stores, FX rates, the
KPI reports) and a few reads of rollups (``ad_daily``, ``affiliate_daily``); all judgement is done
by ``analytics`` (anomalies, drivers, events). Each series is judged in its own store's context and
its region's sale days are left out, so an ordinary 11.11 is not news.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection

from analytics.anomalies import detect_anomalies
from analytics.anomaly_types import DEFAULT_MIN_MONEY, WEEKLY, Anomaly, AnomalyConfig
from analytics.drivers import contribution_table, decompose_gmv, decompose_roas
from analytics.events import event_days_by_key
from analytics.explain import explain_campaign_anomaly, explain_store_anomaly
from analytics.fx import FxRates, convert_totals
from analytics.kpi_report import KpiReport
from analytics.kpis import KpiSet
from analytics.series import campaign_series, creator_weekly_series, store_series
from jobs.report.records import Contributor, Driver
from jobs.warehouse.schema import ad_daily, affiliate_daily
from jobs.warehouse.section_loaders import load_shop_days

#: Store-day GMV: at least 20 orders a day and about USD 50 at stake (as bench_anomalies tunes).
STORE_ANOMALIES = AnomalyConfig(min_volume=20, min_money=DEFAULT_MIN_MONEY, log=True)
#: Campaign-day CPM: at least 1,000 impressions and about USD 5 at stake.
CAMPAIGN_ANOMALIES = AnomalyConfig(min_volume=1_000, log=True, min_money={
    c: v / 10 for c, v in DEFAULT_MIN_MONEY.items()})
#: Creator-week affiliate units (counts).
CREATOR_ANOMALIES = replace(WEEKLY, count=True, min_volume=5, min_money=DEFAULT_MIN_MONEY)
#: Days of history the daily detectors look back over.
HISTORY_DAYS = 35
#: Rows kept per contribution dimension.
TOP_CONTRIBUTORS = 5


def store_anomalies(daily: pd.DataFrame, regions: Mapping[str, str], days: Sequence[date]) -> (
    list[Anomaly]
):
    """Unusual store-days of gross GMV in the week, each with its GMV driver."""
    lo = days[0] - timedelta(days=HISTORY_DAYS)
    history = daily[(daily["day"] >= lo) & (daily["day"] <= days[-1])]
    if history.empty:
        return []
    series = store_series(history)["gross_gmv"]
    window = [lo + timedelta(i) for i in range((days[-1] - lo).days + 1)]
    flags = detect_anomalies(series, "gross_gmv", STORE_ANOMALIES, evaluate=days,
                             exclude=event_days_by_key(regions, window))
    return [explain_store_anomaly(a, history) for a in flags]


def ad_rows(conn: Connection, advertiser_shop: Mapping[str, str], first: date, last: date) -> (
    pd.DataFrame
):
    """Campaign-level daily ad rows of the advertisers (from ``ad_daily``), with ``shop_id``."""
    rows = load_shop_days(conn, ad_daily, list(advertiser_shop), first, last,
                          key="advertiser_id")
    return rows.assign(level="campaign", shop_id=rows["advertiser_id"].map(advertiser_shop))


def campaign_anomalies(ads: pd.DataFrame, regions: Mapping[str, str], days: Sequence[date]) -> (
    list[Anomaly]
):
    """Unusual campaign-days of CPM in the week, each with its ROAS driver."""
    if ads.empty:
        return []
    series = campaign_series(ads)["cpm"]
    window = sorted(set(ads["day"]))
    by_campaign = dict(zip(ads["campaign_id"], ads["shop_id"].map(regions), strict=True))
    flags = detect_anomalies(series, "cpm", CAMPAIGN_ANOMALIES, evaluate=days,
                             exclude=event_days_by_key(by_campaign, window))
    return [explain_campaign_anomaly(a, ads) for a in flags]


def creator_anomalies(lines: pd.DataFrame, monday: date) -> list[Anomaly]:
    """Creators whose weekly affiliate units jumped or fell this week (``lines`` carry a local
    ``day``; weeks before serve as history)."""
    if lines.empty:
        return []
    return detect_anomalies(creator_weekly_series(lines), "creator_units", CREATOR_ANOMALIES,
                            evaluate=[monday])


def _f(value: object) -> float:
    return 0.0 if value is None else float(value)  # type: ignore[arg-type]


def drivers(scope: str, report: KpiReport) -> list[Driver]:
    """GMV (traffic x CVR x AOV) and ROAS (CTR, CVR, AOV, CPM) changes against last week."""
    cur, prev = report.current, report.previous
    if prev is None:
        return []
    out = [Driver(scope, decompose_gmv(_gmv_parts(prev), _gmv_parts(cur)))]
    if _has_ads(prev) and _has_ads(cur):
        out.append(Driver(scope, decompose_roas(_roas_parts(prev), _roas_parts(cur))))
    return out


def _gmv_parts(k: KpiSet) -> tuple[float | None, float, float]:
    return (None if k.visitors is None else float(k.visitors)), float(k.orders), _f(k.gross_gmv)


def _has_ads(k: KpiSet) -> bool:
    return all(v for v in (k.spend, k.impressions, k.clicks, k.purchases, k.purchase_value))


def _roas_parts(k: KpiSet) -> tuple[float, float, float, float, float]:
    return (_f(k.spend), _f(k.impressions), _f(k.clicks), _f(k.purchases),
            _f(k.purchase_value))


def contributors(dimension: str, metric: str, current: pd.Series, previous: pd.Series) -> (
    list[Contributor]
):
    """The keys that moved a total most (``contribution_table``), top few."""
    table = contribution_table(current, previous).head(TOP_CONTRIBUTORS)
    return [Contributor(dimension, metric, str(r.key), float(r.current), float(r.previous),
                        float(r.delta), None if pd.isna(r.share) else float(r.share))
            for r in table.itertuples(index=False)]


def converted(frame: pd.DataFrame, key: str, money: str, quote: str, fx: FxRates | None,
              days: Sequence[date]) -> pd.Series:
    """Σ ``money`` per ``key`` over ``days`` in ``quote`` (each day at its own rate)."""
    part = frame[frame["day"].isin(list(days))]
    totals = convert_totals(part, [key], money, quote, fx)
    return totals.set_index(key)[money].map(float) if not totals.empty else pd.Series(
        dtype=float)


def affiliate_days(conn: Connection, shop_ids: Sequence[str], first: date, last: date) -> (
    pd.DataFrame
):
    """Affiliate rollup rows (per shop, day, creator) of the stores."""
    return load_shop_days(conn, affiliate_daily, shop_ids, first, last)
