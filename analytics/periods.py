"""Reporting periods of the three cadences: weekly, bi-weekly and monthly (周报 / 双周报 / 月报).

A period is a run of whole local days in one IANA time zone, from local 00:00 of its first day to
local 00:00 after its last (half-open, DST-safe like ``analytics.weeks``):

- weekly: an ISO week, Monday to Monday, labelled "2026-W47";
- bi-weekly: two ISO weeks, labelled "2026-W46-W47" ("2026-W53-2027-W01" across a year). The
  pairs are fixed by counting weeks from ``BIWEEKLY_EPOCH``, so every tenant's fortnights line up
  and a pair never depends on when a report was asked for;
- monthly: a calendar month, labelled "2026-11".

Each cadence compares with its own references: the previous period of the same cadence, the
average of the ``BASELINE_PERIODS`` before it, and the same period a year earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from analytics.weeks import MAX_YEAR, MIN_YEAR, iso_week_label, local_midnight_utc, parse_iso_week

__all__ = [
    "BASELINE_PERIODS", "BIWEEKLY_EPOCH", "CADENCES", "Period", "baseline_periods",
    "last_complete_period", "parse_period", "period_window", "previous_period", "year_ago",
]

#: The cadences a tenant's report can run on.
CADENCES = ("weekly", "biweekly", "monthly")
#: Monday that bi-weekly pairs are counted from: fortnights start on an even number of weeks
#: after it (2000-01-03 is the Monday of ISO week 2000-W01).
BIWEEKLY_EPOCH = date(2000, 1, 3)
#: Periods before the report's own that its "vs average" baseline covers, per cadence
#: (weekly: the 4-week average of the weekly report).
BASELINE_PERIODS = {"weekly": 4, "biweekly": 2, "monthly": 3}

_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_PAIR = re.compile(r"^(\d{4})-W(\d{2})-(?:(\d{4})-)?W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """One reporting period of one cadence in one time zone."""

    cadence: str  # weekly | biweekly | monthly
    label: str  # "2026-W47", "2026-W46-W47" or "2026-11"
    tz: str
    start_utc: datetime  # local 00:00 of the first day, as aware UTC
    end_utc: datetime  # local 00:00 after the last day, as aware UTC (exclusive)
    days: tuple[date, ...]  # the local dates, first day first

    @property
    def first(self) -> date:
        """The period's first local day."""
        return self.days[0]

    @property
    def last(self) -> date:
        """The period's last local day."""
        return self.days[-1]

    @property
    def hours(self) -> float:
        """Length in hours (a period with a DST change is an hour longer or shorter)."""
        return (self.end_utc - self.start_utc).total_seconds() / 3600

    def contains(self, moment: datetime) -> bool:
        """Whether an aware point in time falls inside the period."""
        return self.start_utc <= moment < self.end_utc


def parse_period(label: str) -> tuple[str, date]:
    """The cadence and first day a label names; ``ValueError`` that shows the accepted forms."""
    text = label.strip()
    if _WEEK.match(text):
        return "weekly", parse_iso_week(text)
    if pair := _PAIR.match(text):
        year, week, year2, week2 = pair.groups()
        first = parse_iso_week(f"{year}-W{week}")
        second = parse_iso_week(f"{year2 or year}-W{week2}")
        if second - first != timedelta(7) or _fortnight_start(first) != first:
            raise ValueError(f"{label!r} is not a bi-weekly period: the pairs are "
                             f"{_pair_label(_fortnight_start(first))} and the like")
        return "biweekly", first
    if month := _MONTH.match(text):
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12:
            raise ValueError(f"no such month: {label!r} (expected e.g. 2026-11)")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"{label!r} is out of range: months of {MIN_YEAR} to {MAX_YEAR}")
        return "monthly", date(year, number, 1)
    raise ValueError(f"not a report period: {label!r} (expected a week 2026-W47, two weeks "
                     "2026-W46-W47 or a month 2026-11)")


def period_window(tz: str, when: date | str, cadence: str | None = None) -> Period:
    """The period of ``cadence`` in zone ``tz`` containing the local date ``when``, or the one a
    label names (its cadence read from the label; a ``cadence`` that disagrees is an error)."""
    if isinstance(when, str):
        named, day = parse_period(when)
        if cadence is not None and cadence != named:
            raise ValueError(f"{when!r} is a {named} period, not {cadence}")
        cadence = named
    else:
        day = when
    if cadence not in CADENCES:
        raise ValueError(f"unknown cadence {cadence!r}: one of {', '.join(CADENCES)}")
    first, after = _bounds(cadence, day)
    days = tuple(first + timedelta(i) for i in range((after - first).days))
    return Period(cadence=cadence, label=_label(cadence, first), tz=tz,
                  start_utc=local_midnight_utc(tz, first),
                  end_utc=local_midnight_utc(tz, after), days=days)


def previous_period(period: Period, n: int = 1) -> Period:
    """The period of the same cadence ``n`` periods before ``period``."""
    for _ in range(n):
        period = period_window(period.tz, period.first - timedelta(1), period.cadence)
    return period


def baseline_periods(period: Period, n: int | None = None) -> list[Period]:
    """The ``n`` periods before ``period`` (default: its cadence's baseline), most recent first."""
    count = BASELINE_PERIODS[period.cadence] if n is None else n
    out: list[Period] = []
    for _ in range(count):
        period = previous_period(period)
        out.append(period)
    return out


def year_ago(period: Period) -> Period:
    """The same period a year earlier: 52 weeks back for weeks and fortnights (same weekdays),
    the same calendar month for months."""
    if period.cadence == "monthly":
        return period_window(period.tz, period.first.replace(year=period.first.year - 1),
                             "monthly")
    return period_window(period.tz, period.first - timedelta(364), period.cadence)


def last_complete_period(tz: str, cadence: str, today: date) -> Period:
    """The latest period of ``cadence`` in ``tz`` that ended before local ``today``."""
    current = period_window(tz, today, cadence)
    return previous_period(current)


def _bounds(cadence: str, day: date) -> tuple[date, date]:
    """First day and the day after the last of the period containing ``day``."""
    if cadence == "monthly":
        first = day.replace(day=1)
        after = (first + timedelta(32)).replace(day=1)
        return first, after
    monday = day - timedelta(day.weekday())
    if cadence == "weekly":
        return monday, monday + timedelta(7)
    start = _fortnight_start(monday)
    return start, start + timedelta(14)


def _fortnight_start(monday: date) -> date:
    weeks = (monday - BIWEEKLY_EPOCH).days // 7
    return monday - timedelta(7 * (weeks % 2))


def _label(cadence: str, first: date) -> str:
    if cadence == "monthly":
        return f"{first.year}-{first.month:02d}"
    if cadence == "weekly":
        return iso_week_label(first)
    return _pair_label(first)


def _pair_label(first: date) -> str:
    one, two = iso_week_label(first), iso_week_label(first + timedelta(7))
    return f"{one}-{two[5:]}" if one[:4] == two[:4] else f"{one}-{two}"
