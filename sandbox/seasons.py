"""Local days of each shop and how much people buy on them: weekday rhythm, promotions, paydays.

Local midnights are computed with the shop's time zone, so a day on which clocks change is 23 or
25 hours long and every timestamp generated inside it falls on that local date (DST-safe).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

#: Relative demand Monday..Sunday: evenings and weekends sell more on TikTok.
WEEKDAY_FACTOR = np.array([0.93, 0.95, 0.98, 1.0, 1.04, 1.12, 1.16])
#: Share of the day's orders per local hour (evening peak around 20:00-22:00).
HOURLY_WEIGHT = np.array(
    [
        1.2,
        0.8,
        0.5,
        0.3,
        0.3,
        0.4,
        0.7,
        1.2,
        1.8,
        2.2,
        2.6,
        3.0,
        3.4,
        3.3,
        3.1,
        3.0,
        3.2,
        3.6,
        4.2,
        5.0,
        5.8,
        6.0,
        5.0,
        2.8,
    ]
)
HOURLY_P = HOURLY_WEIGHT / HOURLY_WEIGHT.sum()
SEA = frozenset({"TH", "MY", "VN", "ID"})


def local_midnights(days: list[date], timezone: str) -> np.ndarray:
    """Unix seconds of 00:00 local time for each day, plus one extra for the day after the last."""
    stamps = pd.DatetimeIndex([*days, days[-1] + timedelta(days=1)]).tz_localize(
        timezone, nonexistent="shift_forward", ambiguous=False
    )
    return (stamps.as_unit("s").asi8).astype(np.int64)


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1)


def promo_factor(day: date, region: str) -> float:
    """Demand multiplier of a promotion day (11.11, Black Friday, Cyber Monday, double days)."""
    sea = region in SEA
    bf = black_friday(day.year)
    if day.month == day.day and day.month in (9, 10, 11, 12):
        big = {11: 4.0, 12: 3.0}.get(day.month, 2.2) if sea else {11: 1.7}.get(day.month, 1.1)
        return big
    if day == bf:
        return 1.6 if sea else 2.6
    if day in (bf + timedelta(days=1), bf + timedelta(days=2)):
        return 1.2 if sea else 1.6
    if day == bf + timedelta(days=3):
        return 1.2 if sea else 1.9
    if sea and day.day == 25:
        return 1.3
    return 1.0


def demand_factors(days: list[date], region: str) -> np.ndarray:
    """Weekday rhythm times promotion peaks for each day of one region."""
    weekday = WEEKDAY_FACTOR[[d.weekday() for d in days]]
    promo = np.array([promo_factor(d, region) for d in days])
    return weekday * promo
