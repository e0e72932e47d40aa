"""The report's trend series (``jobs.report.history``): made in one pass over the daily rows, each
period's KPIs equal ``compute_kpis`` over its days exactly, with money in several currencies
converted at each day's own rate, for weeks and for months."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from analytics.daily_kpis import compute_kpis
from analytics.fx import FxRates, MissingFxRate
from analytics.periods import baseline_periods, period_window
from jobs.report.history import HISTORY_PERIODS, history

SHOPS = ("uk1", "us1")
#: (metric, money): money in the store's own currency, counts in none.
METRICS = (("gross_gmv", True), ("refunds", True), ("spend", True), ("purchase_value", True),
           ("orders", False), ("units", False), ("visitors", False), ("traffic_buyers", False),
           ("impressions", False), ("clicks", False), ("purchases", False))
FIRST, LAST = date(2026, 7, 1), date(2026, 11, 30)


def _days() -> list[date]:
    return [FIRST + timedelta(i) for i in range((LAST - FIRST).days + 1)]


def _daily(seed: int = 7) -> pd.DataFrame:
    """Two stores (GBP and USD) with every metric on most days, in a shuffled row order."""
    rng = random.Random(seed)
    rows = [{"shop_id": shop, "day": day, "metric": metric,
             "currency": ("GBP" if shop == "uk1" else "USD") if money else "",
             "value": rng.randint(0, 10**9 if money else 5000)}
            for day in _days() for shop in SHOPS for metric, money in METRICS
            if rng.random() > 0.1]
    rng.shuffle(rows)
    return pd.DataFrame(rows).astype({"value": "int64"})


def _fx() -> FxRates:
    rng = random.Random(3)
    return FxRates({(day, "GBP", "USD"): Decimal(f"1.{rng.randint(1000, 9999)}")
                    for day in _days()})


@pytest.mark.parametrize("label", ["2026-W47", "2026-W45-W46", "2026-11"])
@pytest.mark.parametrize("quote", ["USD", "GBP"])
def test_each_period_of_the_trend_is_compute_kpis_over_its_days(label: str, quote: str) -> None:
    daily, fx = _daily(), _fx()
    period = period_window("Europe/London", label)
    buyers = {period.label: 321}
    series = history(daily, quote, fx, list(SHOPS), buyers, period)
    assert series[-1].week == period.label and 1 < len(series) <= HISTORY_PERIODS[
        period.cadence]
    days = {p.label: p.days for p in [period, *baseline_periods(period, len(series))]}
    for point in series:
        want = compute_kpis(daily, days[point.week], quote, fx, shop_ids=list(SHOPS),
                            buyers=buyers.get(point.week))
        assert point.kpis == want, point.week


def test_one_store_of_several_and_a_missing_rate_fail_alike() -> None:
    daily, period = _daily(), period_window("Europe/London", "2026-W47")
    series = history(daily, "USD", _fx(), ["uk1"], {}, period)
    assert series[-1].kpis == compute_kpis(daily, period.days, "USD", _fx(), shop_ids=["uk1"])
    with pytest.raises(MissingFxRate):
        history(daily, "USD", FxRates({}), ["uk1"], {}, period)

