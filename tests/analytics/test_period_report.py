"""``period_report``: a month or a fortnight against its own references (the month before, the
average of the 3 months / 2 fortnights before, the same period a year earlier)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from analytics_frames import m, orders

from analytics.daily import daily_metrics
from analytics.fx import FxRates
from analytics.kpi_report import period_report
from analytics.periods import period_window

TZ = {"s1": "Europe/London"}


def _daily_orders(first: date, last: date, per_day) -> object:  # type: ignore[no-untyped-def]
    """``per_day(day)`` orders of 10 GBP on every day from ``first`` to ``last``."""
    rows, day = [], first
    while day <= last:
        rows += [{"order_id": f"{day}-{j}", "paid_time": f"{day} 12:00", "sub_total": m("10")}
                 for j in range(per_day(day))]
        day += timedelta(1)
    return daily_metrics(shop_tz=TZ, orders=orders(*rows))


def test_a_month_compares_with_the_month_before_its_3_month_average_and_a_year_ago() -> None:
    # one order a day, except November 2026: two a day; data from 2025-11-01
    daily = _daily_orders(date(2025, 11, 1), date(2026, 11, 30),
                          lambda d: 2 if (d.year, d.month) == (2026, 11) else 1)
    report = period_report(daily, period_window("Europe/London", "2026-11"), "GBP", FxRates({}),
                           targets={"orders": 50})
    assert (report.week, report.current.days, report.current.orders) == ("2026-11", 30, 60)
    assert report.previous is not None and report.previous.orders == 31  # October
    base = report.baseline_4w  # Aug 31 + Sep 30 + Oct 31 days, averaged per month
    assert base is not None and base.weeks == 3
    assert base.value("orders") == pytest.approx(92 / 3)
    assert base.value("gross_gmv") == Decimal("306.6667")  # 920 GBP / 3 months
    assert report.year_ago is not None and report.year_ago.orders == 30  # November 2025
    assert report.baseline_52w is not None and report.baseline_52w.weeks == 12
    assert report.change("orders").pct == pytest.approx(60 / 31 - 1)
    assert report.change("orders", "4w").pct == pytest.approx(60 / (92 / 3) - 1)
    assert [t.met for t in report.targets] == [True]


def test_a_fortnight_uses_the_two_fortnights_before_and_not_a_partial_one() -> None:
    daily = _daily_orders(date(2026, 10, 21), date(2026, 11, 29), lambda d: 1 + d.day % 2)
    fortnight = period_window("Europe/London", "2026-W47-W48")  # 16..29 Nov
    report = period_report(daily, fortnight, "GBP", FxRates({}))
    days = [date(2026, 11, 16) + timedelta(i) for i in range(14)]
    assert report.current.orders == sum(1 + d.day % 2 for d in days)
    before = [d - timedelta(14) for d in days]
    assert report.previous is not None
    assert report.previous.orders == sum(1 + d.day % 2 for d in before)
    # W43-W44 began on 19 Oct, before the data (21 Oct): only one whole fortnight in the baseline
    assert report.baseline_4w is not None and report.baseline_4w.weeks == 1
    assert report.year_ago is None
