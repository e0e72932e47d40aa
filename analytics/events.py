"""Retail event calendar per region: days whose sales are expected to be unusual.

Input: a region code (GB, US, TH, MY, VN, ID, ...) and local days. Output: ``{day: event name}``
for double days (9.9, 10.10, 11.11, 12.12 everywhere; every month's double day in Southeast
Asia), Black Friday, its weekend and Cyber Monday, and the Southeast Asian payday (the 25th).
Anomaly detection leaves these days out (``detect_anomalies(..., exclude=...)``), so an ordinary
11.11 is neither flagged nor allowed to inflate the baseline of the days after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

__all__ = [
    "black_friday", "event_days", "event_days_by_key",
]


SOUTHEAST_ASIA: frozenset[str] = frozenset({"TH", "MY", "VN", "ID", "PH", "SG"})
#: Months whose double day (m.m) is a sale day outside Southeast Asia.
GLOBAL_DOUBLE_DAY_MONTHS: frozenset[int] = frozenset({9, 10, 11, 12})
PAYDAY = 25


def black_friday(year: int) -> date:
    """The Friday after the fourth Thursday of November."""
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1)


def event_days(region: str, days: Iterable[date]) -> dict[date, str]:
    """The event days among ``days`` in ``region``."""
    sea = region.upper() in SOUTHEAST_ASIA
    out: dict[date, str] = {}
    for day in days:
        bf = black_friday(day.year)
        if day.month == day.day and (sea or day.month in GLOBAL_DOUBLE_DAY_MONTHS):
            out[day] = f"{day.month}.{day.day}"
        elif day == bf:
            out[day] = "Black Friday"
        elif day in (bf + timedelta(1), bf + timedelta(2)):
            out[day] = "Black Friday weekend"
        elif day == bf + timedelta(3):
            out[day] = "Cyber Monday"
        elif sea and day.day == PAYDAY:
            out[day] = "payday"
    return out


def event_days_by_key(regions: Mapping[str, str], days: Iterable[date]) -> dict[str, set[date]]:
    """For each key (store, campaign, creator) with its region: the days to exclude."""
    days = list(days)
    cache: dict[str, set[date]] = {}
    out = {}
    for key, region in regions.items():
        if region not in cache:
            cache[region] = set(event_days(region, days))
        out[key] = cache[region]
    return out
