"""A period's KPIs against its references and targets, per store, tenant or region.

Inputs: the daily metric rows of ``analytics.daily`` (``shop_id, day, metric, currency, value``),
a week (``WeekWindow``) or a ``Period`` of any cadence, the reporting currency, ``FxRates``, and
optionally distinct buyer counts per period label (``analytics.daily_kpis.count_buyers``) and
targets. Outputs: ``KpiReport`` (the period + previous + ``BASELINE_PERIODS`` and about a year of
baselines + the same period a year ago + target progress), its parts ``Baseline``, ``Change`` and
``TargetProgress``, and ``compare`` / ``target_progress`` for one metric or one ``KpiSet``. Each
period's ``KpiSet`` is ``analytics.daily_kpis.compute_kpis``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from analytics.catalog import METRICS, get_metric
from analytics.daily_kpis import compute_kpis
from analytics.fx import FxRates
from analytics.kpis import KpiSet
from analytics.money import quantize, ratio
from analytics.periods import BASELINE_PERIODS, Period, baseline_periods, period_window, year_ago
from analytics.weeks import WeekWindow

__all__ = [
    "YEAR_OF_PERIODS", "Baseline", "Change", "KpiReport", "TargetProgress", "compare",
    "period_report", "reports_by_group", "target_progress", "weekly_report",
]

_CATALOG_IDS = frozenset(m.id for m in METRICS)

_ADDITIVE: frozenset[str] = frozenset({
    "gross_gmv", "refunds", "net_gmv", "settled_revenue", "spend", "purchase_value",
    "commission_cost", "ads_net_revenue", "orders", "units", "visitors", "impressions", "clicks",
    "purchases"})


@dataclass(frozen=True)
class Baseline:
    """Several past weeks together; ``value`` gives the average week (ratios: over all weeks)."""

    totals: KpiSet
    weeks: int

    def value(self, metric_id: str) -> Decimal | float | None:
        """Average weekly value of an additive metric; the pooled ratio for a rate.

        Distinct buyers do not average over weeks, so ``buyers`` is ``None``.
        """
        total = self.totals.value(metric_id)
        if metric_id == "buyers" or total is None:
            return None
        if metric_id in _ADDITIVE:
            if isinstance(total, Decimal):
                return quantize(total / self.weeks)
            return float(total) / self.weeks
        return total


@dataclass(frozen=True)
class Change:
    """A metric now against a reference value; ``good`` follows the catalog direction."""

    metric: str
    current: Decimal | float | int | None
    reference: Decimal | float | int | None
    delta: float | None  # current - reference
    pct: float | None  # delta / |reference|; None when the reference is 0 or missing
    good: bool | None  # None: no change, neutral metric or not computable


@dataclass(frozen=True)
class TargetProgress:
    """Progress of one KPI against the tenant's target for the period."""

    metric: str
    target: Decimal | float
    actual: Decimal | float | int | None
    progress: float | None  # actual / target
    met: bool | None  # lower_better metrics are met at or below target


def compare(metric_id: str, current: Decimal | float | int | None,
            reference: Decimal | float | int | None) -> Change:
    """The change of ``metric_id`` from ``reference`` to ``current``."""
    if current is None or reference is None:
        return Change(metric_id, current, reference, None, None, None)
    delta = float(current) - float(reference)
    pct = None if reference == 0 else delta / abs(float(reference))
    direction = get_metric(metric_id).direction if metric_id in _CATALOG_IDS else "neutral"
    good = None if delta == 0 or direction == "neutral" else (
        (delta > 0) == (direction == "higher_better"))
    return Change(metric_id, current, reference, delta, pct, good)


def target_progress(kpis: KpiSet, targets: Mapping[str, Decimal | float | int]) -> tuple[
    TargetProgress, ...
]:
    """Each target against the actual value; ``progress`` is ``None`` for a zero target."""
    out = []
    for metric_id, target in targets.items():
        actual = kpis.value(metric_id)
        progress = ratio(actual, target)
        lower = get_metric(metric_id).direction == "lower_better"
        met = None if actual is None else (actual <= target if lower else actual >= target)
        out.append(TargetProgress(metric_id, target, actual, progress, met))
    return tuple(out)


@dataclass(frozen=True)
class KpiReport:
    """One scope's week with its references; ``change`` compares against any of them."""

    scope: str
    week: str
    current: KpiSet
    previous: KpiSet | None
    baseline_4w: Baseline | None
    baseline_52w: Baseline | None
    year_ago: KpiSet | None
    targets: tuple[TargetProgress, ...]

    def change(self, metric_id: str, against: str = "previous") -> Change:
        """Change of a metric against "previous", "4w", "52w" or "year_ago"."""
        ref: Decimal | float | int | None
        if against in ("previous", "year_ago"):
            other = self.previous if against == "previous" else self.year_ago
            ref = None if other is None else other.value(metric_id)
        elif against in ("4w", "52w"):
            base = self.baseline_4w if against == "4w" else self.baseline_52w
            ref = None if base is None else base.value(metric_id)
        else:
            raise ValueError(f"unknown reference {against!r}")
        return compare(metric_id, self.current.value(metric_id), ref)


def _history_start(daily: pd.DataFrame, shop_ids: list[str] | None) -> date | None:
    rows = daily if shop_ids is None else daily[daily["shop_id"].isin(shop_ids)]
    return None if rows.empty else min(rows["day"])


def weekly_report(
    daily: pd.DataFrame, week: WeekWindow, currency: str, fx: FxRates, *,
    shop_ids: Iterable[str] | None = None, scope: str = "all",
    buyers: Mapping[str, int] | None = None,
    targets: Mapping[str, Decimal | float | int] | None = None,
    history_start: date | None = None,
) -> KpiReport:
    """The week's KPIs with previous week, 4- and 52-week baselines and the same week a year ago.

    Only full weeks on or after ``history_start`` (default: the scope's first day with data) count,
    so with one week of history every reference is ``None``. ``buyers`` maps week labels to
    distinct buyer counts (``count_buyers``); ``targets`` are weekly targets by metric id.
    """
    return period_report(daily, period_window(week.tz, week.monday, "weekly"), currency, fx,
                         shop_ids=shop_ids, scope=scope, buyers=buyers, targets=targets,
                         history_start=history_start)


def reports_by_group(
    daily: pd.DataFrame, week: WeekWindow, currency: str, fx: FxRates,
    groups: Mapping[str, str], **kwargs: object,
) -> dict[str, KpiReport]:
    """One ``weekly_report`` per group; ``groups`` maps shop_id to a store, region or tenant."""
    members: dict[str, list[str]] = {}
    for shop, group in groups.items():
        members.setdefault(group, []).append(shop)
    return {
        group: weekly_report(daily, week, currency, fx, shop_ids=shops, scope=group,
                             **kwargs)  # type: ignore[arg-type]
        for group, shops in members.items()
    }


#: Periods before the report's own that the long ("52w") baseline covers: about a year of each
#: cadence (52 weeks, 26 fortnights, 12 months).
YEAR_OF_PERIODS = {"weekly": 52, "biweekly": 26, "monthly": 12}


def period_report(
    daily: pd.DataFrame, period: Period, currency: str, fx: FxRates, *,
    shop_ids: Iterable[str] | None = None, scope: str = "all",
    buyers: Mapping[str, int] | None = None,
    targets: Mapping[str, Decimal | float | int] | None = None,
    history_start: date | None = None,
) -> KpiReport:
    """The period's KPIs with its own cadence's references: the previous period, the average of
    the ``BASELINE_PERIODS`` before it (``baseline_4w``), of about a year of them
    (``baseline_52w``), and the same period a year ago: a month compares with months, a
    fortnight with fortnights. ``weekly_report`` is this for a weekly period.

    Only whole periods on or after ``history_start`` (default: the scope's first day with data)
    count. A baseline's ``value`` is the average period (``Baseline.weeks`` counts periods).
    ``buyers`` maps period labels to distinct buyers; ``targets`` are per period.
    """
    shops = None if shop_ids is None else list(shop_ids)
    start = history_start if history_start is not None else _history_start(daily, shops)
    buyers = buyers or {}

    def kpis(p: Period) -> KpiSet:
        return compute_kpis(daily, p.days, currency, fx, shop_ids=shops, buyers=buyers.get(p.label))

    def usable(p: Period) -> bool:
        return start is not None and p.first >= start

    before = baseline_periods(period, YEAR_OF_PERIODS[period.cadence])
    past = [p for p in before if usable(p)]

    def baseline(n: int) -> Baseline | None:
        chosen = [p for p in past if p.first >= before[n - 1].first]
        if not chosen:
            return None
        days = [d for p in chosen for d in p.days]
        return Baseline(compute_kpis(daily, days, currency, fx, shop_ids=shops), len(chosen))

    current = kpis(period)
    previous = kpis(before[0]) if usable(before[0]) else None
    then = year_ago(period)
    return KpiReport(
        scope=scope, week=period.label, current=current, previous=previous,
        baseline_4w=baseline(BASELINE_PERIODS[period.cadence]),
        baseline_52w=baseline(YEAR_OF_PERIODS[period.cadence]),
        year_ago=kpis(then) if usable(then) else None,
        targets=target_progress(current, targets or {}),
    )
