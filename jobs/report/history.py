"""The report's trend series: KPIs of each of the last periods of its cadence, oldest first.

``history(daily, currency, fx, shop_ids, buyers, period)`` gives the ``HISTORY_PERIODS`` periods
up to the report's own as ``WeekKpis``. Their sums are made in one pass over the daily rows (one
``GROUP BY`` with the period as a key, not one per period) and turned into KPIs by
``analytics.totals.store_totals`` and ``analytics.kpis.kpis_from_totals``: each period's KPIs
are exactly what ``compute_kpis`` gives over its days, at a tenth of the cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analytics.daily import MONEY_METRICS
from analytics.fx import FxRates
from analytics.kpis import KpiSet, kpis_from_totals
from analytics.periods import Period, baseline_periods
from analytics.totals import MetricSum, store_totals
from jobs.report.model import WeekKpis

#: Periods in the trend series of each store and of the tenant (the report's own included), per
#: cadence: 12 weeks, 8 fortnights, 12 months.
HISTORY_PERIODS = {"weekly": 12, "biweekly": 8, "monthly": 12}


def history(daily: pd.DataFrame, currency: str, fx: FxRates, shop_ids: Sequence[str],
            buyers: Mapping[str, int], period: Period) -> tuple[WeekKpis, ...]:
    """The trend series: ``HISTORY_PERIODS`` periods of the report's cadence, oldest first;
    a fortnight or month the data starts inside of is left out (three days are not a month's
    GMV), a week is kept as the weekly report always has."""
    count = HISTORY_PERIODS[period.cadence]
    rows = daily[daily["shop_id"].isin(list(shop_ids))]
    start = None if rows.empty or period.cadence == "weekly" else min(rows["day"])
    periods = [p for p in [*reversed(baseline_periods(period, count - 1)), period]
               if p is period or start is None or not p.first < start <= p.last]
    kpis = periods_kpis(rows, periods, currency, fx, buyers)
    return tuple(WeekKpis(p.label, p.first, k) for p, k in zip(periods, kpis, strict=True))


def periods_kpis(rows: pd.DataFrame, periods: Sequence[Period], currency: str, fx: FxRates,
                 buyers: Mapping[str, int]) -> list[KpiSet]:
    """Each period's KPIs over all stores in ``rows`` (``periods`` do not overlap), as
    ``compute_kpis`` over the period's days; ``MissingFxRate`` like it for a missing rate."""
    sums = periods_sums(rows, periods, currency)
    return [kpis_from_totals(store_totals(sums[i], currency, fx), len(p.days), currency,
                             buyers=buyers.get(p.label)) for i, p in enumerate(periods)]


def periods_sums(rows: pd.DataFrame, periods: Sequence[Period], quote: str) -> (
    list[list[MetricSum]]
):
    """Per period, its daily metric rows summed as ``store_totals`` takes them, in the order
    ``compute_kpis`` sums them (counts and money in ``quote`` per store and metric, then other
    money per store, metric, day and currency), so even the order of additions is the same."""
    index = {day: i for i, p in enumerate(periods) for day in p.days}
    at = rows["day"].map(index)
    rows = rows[at.notna()].assign(period=at[at.notna()].astype(int))
    out: list[list[MetricSum]] = [[] for _ in periods]
    is_money = rows["metric"].isin(list(MONEY_METRICS))
    local = is_money & (rows["currency"] == quote)
    for part in (rows[~is_money], rows[local]):
        sums = part.groupby(["period", "shop_id", "metric"], sort=False)["value"].sum()
        for (i, shop, metric), value in sums.items():
            out[i].append((str(shop), str(metric), quote, None, int(value)))
    foreign = rows[is_money & ~local].groupby(["period", "shop_id", "metric", "day", "currency"],
                                              sort=False)["value"].sum()
    for (i, shop, metric, day, currency), value in foreign.items():
        out[i].append((str(shop), str(metric), str(currency), day, int(value)))
    return out
