"""Periods people ask about: "this week", "上周", "2026-W47", "last 7 days", "11-01..11-15".

``find_period(text)`` pulls a period phrase out of a question (``PeriodSpec`` plus the text
without it); ``resolve_period(spec, today)`` turns it into local dates. Weeks run Monday to
Sunday in the store's own time zone, so ``today`` is the local date where the question applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from analytics.weeks import iso_week_label, parse_iso_week

#: What a question without a period is about: the last complete week, like the digest.
DEFAULT_PERIOD = "last_week"
#: Longest "last N days" window answered from chat.
MAX_DAYS = 400
#: First day a question may reach (TikTok Shop's cross-border shops opened after it); the last
#: is a year after today. Outside, the answer is "bad period" with this range, not a crash.
FIRST_DAY = date(2020, 1, 1)

_DATE = r"(?:\d{4}-)?\d{1,2}-\d{1,2}"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("range", re.compile(rf"({_DATE})\s*(?:\.\.|~|to|至|到|—|–)\s*({_DATE})")),
    ("week", re.compile(r"(\d{4})\s*-?\s*w\s*(\d{1,2})(?!\d)")),
    ("week_no", re.compile(r"(?<![\w-])w(\d{1,2})(?![\d\w])|第\s*(\d{1,2})\s*周")),
    ("last_days", re.compile(r"(?:last|past)\s*(\d{1,3})\s*days?"
                             r"|(?:最近|近|过去)\s*(\d{1,3})\s*天")),
    ("this_week", re.compile(r"\bthis\s*week\b|本周|这周|本週|這週|本星期")),
    ("last_week", re.compile(r"\blast\s*week\b|\bprevious\s*week\b|上周|上週|上星期")),
    ("yesterday", re.compile(r"\byesterday\b|昨天|昨日")),
    ("today", re.compile(r"\btoday\b|今天|今日")),
)


@dataclass(frozen=True)
class PeriodSpec:
    """A period as asked, before it is tied to a calendar (``args`` are the raw captures)."""

    kind: str
    args: tuple[str, ...] = ()
    said: str = ""


@dataclass(frozen=True)
class Period:
    """Local dates ``start``..``end`` (both included) and the label shown in answers."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for week-on-week changes)."""
        length = timedelta(days=self.days)
        start, end = self.start - length, self.end - length
        if self.label.count("-W") == 1:
            return Period(start, end, iso_week_label(start))
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


class PeriodError(ValueError):
    """A period phrase that names no real dates (e.g. 2026-W60, 02-30)."""


def find_period(text: str) -> tuple[PeriodSpec | None, str]:
    """The first period phrase in ``text`` (lowercased) and the text with it removed."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            args = tuple(g for g in match.groups() if g is not None)
            rest = text[: match.start()] + " " + text[match.end():]
            return PeriodSpec(kind, args, match.group(0).strip()), rest
    return None, text


def resolve_period(spec: PeriodSpec | None, today: date) -> Period:
    """Local dates for ``spec`` as seen on local date ``today`` (``None``: the default period);
    ``PeriodError`` with the valid range for a period outside it."""
    try:
        period = _resolve(spec or PeriodSpec(DEFAULT_PERIOD), today)
    except OverflowError:  # beyond year 9999
        period = None
    last = today + timedelta(days=366)
    if period is None or period.start < FIRST_DAY or period.end > last:
        said = spec.said if spec else DEFAULT_PERIOD
        raise PeriodError(f"'{said}' is outside the periods I can answer: from "
                          f"{iso_week_label(FIRST_DAY)} ({FIRST_DAY}) to {last}")
    return period


def _resolve(spec: PeriodSpec, today: date) -> Period:
    monday = today - timedelta(days=today.weekday())
    if spec.kind == "this_week":
        return _week(monday)
    if spec.kind == "last_week":
        return _week(monday - timedelta(days=7))
    if spec.kind == "week":
        return _week(_iso_monday(f"{spec.args[0]}-W{int(spec.args[1]):02d}"))
    if spec.kind == "week_no":
        return _week(_iso_monday(f"{today.isocalendar()[0]}-W{int(spec.args[0]):02d}"))
    if spec.kind == "last_days":
        n = int(spec.args[0])
        if not 1 <= n <= MAX_DAYS:
            raise PeriodError(f"'{spec.said}': ask for 1 to {MAX_DAYS} days")
        return _span(today - timedelta(days=n), today - timedelta(days=1))
    if spec.kind in ("yesterday", "today"):
        day = today - timedelta(days=1 if spec.kind == "yesterday" else 0)
        return _span(day, day)
    return _range(spec, today)


def _week(monday: date) -> Period:
    return Period(monday, monday + timedelta(days=6), iso_week_label(monday))


def _span(start: date, end: date) -> Period:
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


def _iso_monday(label: str) -> date:
    try:
        return parse_iso_week(label)
    except ValueError as exc:
        raise PeriodError(f"{exc}; weeks are numbered 01-52 (or 53), e.g. 2026-W47") from None


def _range(spec: PeriodSpec, today: date) -> Period:
    first, last = (_day(arg, today) for arg in spec.args)
    if last.month < first.month and spec.args[1].count("-") == 1:  # Dec..Jan crosses a year
        last = last.replace(year=first.year + 1)
    if first.year == today.year and first > today and spec.args[0].count("-") == 1:
        first, last = first.replace(year=first.year - 1), last.replace(year=last.year - 1)
    if last < first:
        raise PeriodError(f"'{spec.said}': the end comes before the start; try 11-01..11-15")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError(f"'{spec.said}': ask for at most {MAX_DAYS} days")
    return _span(first, last)


def _day(text: str, today: date) -> date:
    parts = [int(p) for p in text.split("-")]
    year, month, day = parts if len(parts) == 3 else (today.year, *parts)
    try:
        return date(year, month, day)
    except ValueError:
        raise PeriodError(f"'{text}' is not a date; write month-day like 11-01") from None
