"""Reporting weeks: Monday 00:00 to the next Monday 00:00 in the store's own IANA time zone.

Inputs: a zone name and a date or an ISO week label ("2026-W47"). Outputs: ``WeekWindow`` with the
UTC bounds (half-open ``[start_utc, end_utc)``), the seven local dates and the label. DST-safe: the
bounds are computed from local midnights, so a week with a clock change lasts 167 or 169 hours.
``local_days`` turns UTC timestamps into each store's local calendar day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = [
    "WeekWindow", "iso_week_label", "local_days", "local_midnight_utc", "parse_iso_week",
    "previous_weeks", "week_window",
]


_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class WeekWindow:
    """One reporting week of one time zone."""

    label: str  # ISO week label, e.g. "2026-W47"
    tz: str
    start_utc: datetime  # local Monday 00:00, as aware UTC
    end_utc: datetime  # next local Monday 00:00, as aware UTC (exclusive)
    days: tuple[date, ...]  # the seven local dates, Monday first

    @property
    def hours(self) -> float:
        """Length in hours: 168, or 167/169 in a week with a DST change."""
        return (self.end_utc - self.start_utc).total_seconds() / 3600

    @property
    def monday(self) -> date:
        """The local Monday the week starts on."""
        return self.days[0]

    def contains(self, moment: datetime) -> bool:
        """Whether an aware point in time falls inside the week."""
        return self.start_utc <= moment < self.end_utc


def iso_week_label(day: date) -> str:
    """The ISO week label of a date, e.g. ``date(2026, 11, 16) -> "2026-W47"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


#: Years a week label may name: reports, imports and questions never reach outside them.
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_iso_week(label: str) -> date:
    """The Monday of an ISO week label ("2026-W47"); ``ValueError`` for a malformed label."""
    match = _LABEL.match(label.strip())
    if not match:
        raise ValueError(f"not an ISO week label: {label!r} (expected e.g. 2026-W47)")
    year, week = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{label!r} is out of range: weeks of {MIN_YEAR} to {MAX_YEAR}")
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"no such ISO week: {label!r}") from exc


def local_midnight_utc(tz: str, day: date) -> datetime:
    """Local 00:00 of ``day`` in zone ``tz`` as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def week_window(tz: str, when: date | str) -> WeekWindow:
    """The Monday-to-Monday week of ``tz`` containing ``when`` (a local date or "YYYY-Www")."""
    monday = parse_iso_week(when) if isinstance(when, str) else when - timedelta(when.weekday())
    days = tuple(monday + timedelta(i) for i in range(7))
    return WeekWindow(
        label=iso_week_label(monday),
        tz=tz,
        start_utc=local_midnight_utc(tz, monday),
        end_utc=local_midnight_utc(tz, monday + timedelta(7)),
        days=days,
    )


def previous_weeks(week: WeekWindow, n: int) -> list[WeekWindow]:
    """The ``n`` weeks before ``week``, most recent first (baselines use 4 and 52)."""
    return [week_window(week.tz, week.monday - timedelta(7 * i)) for i in range(1, n + 1)]


def local_days(times: pd.Series, shop_ids: pd.Series, shop_tz: Mapping[str, str]) -> pd.Series:
    """The local calendar day (``datetime.date``) of each aware UTC time, in its shop's zone.

    Missing times give missing days; a shop without a zone raises ``KeyError`` naming it.
    """
    out = pd.Series([None] * len(times), index=times.index, dtype=object)
    utc = pd.to_datetime(times, utc=True)
    for shop, idx in shop_ids.groupby(shop_ids, sort=False).groups.items():
        if shop not in shop_tz:
            raise KeyError(f"no time zone for shop {shop!r}")
        part = utc.loc[idx]
        local = part.dt.tz_convert(shop_tz[shop]).dt.date
        out.loc[idx] = local.where(part.notna(), None)
    return out
