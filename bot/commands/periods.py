"""Periods people ask about: "this week", "上周", "2026-W47", "last 7 days", "11-01..11-15",
"this month", "上个月", "november", "11月", "2026年11月".

``find_period(text)`` pulls a period phrase out of a question (``PeriodSpec`` plus the text
without it); ``resolve_period(spec, today)`` turns it into local dates. Weeks run Monday to
Sunday in the store's own time zone, so ``today`` is the local date where the question applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
#: Month names in English (full and short; "may" only with a year or after "in"/"of").
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH_WORD = "|".join(sorted((m for m in MONTHS if m != "may"), key=len, reverse=True)
                       + [m[:3] for m in MONTHS if m not in ("may", "june", "july", "march")]
                       + ["sept"])
_CN_MONTH = "十二|十一|十|一|二|三|四|五|六|七|八|九"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("range", re.compile(rf"({_DATE})\s*(?:\.\.|~|to|至|到|—|–)\s*({_DATE})")),
    ("cn_range", re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*(?:到|至|-|~|—)\s*"
                            r"(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号]")),
    ("cn_day", re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")),
    ("week", re.compile(r"(\d{4})\s*-?\s*w\s*(\d{1,2})(?!\d)")),
    ("week_no", re.compile(r"(?<![\w-])w(\d{1,2})(?![\d\w])|第\s*(\d{1,2})\s*周")),
    ("last_days", re.compile(r"(?:last|past)\s*(\d{1,3})\s*days?"
                             r"|(?:最近|近|过去)\s*(\d{1,3})\s*天")),
    ("month_year", re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\d)"
                              rf"|\b({_MONTH_WORD}|may)\s+(\d{{4}})\b")),
    ("this_month", re.compile(r"\bthis\s*month\b|本月|这个月|这月|本月份")),
    ("last_month", re.compile(r"\blast\s*month\b|\bprevious\s*month\b|上个月|上月")),
    ("month", re.compile(rf"\b({_MONTH_WORD})\b|\b(?:in|of)\s+(may)\b"
                         rf"|(?<![\d年-])(\d{{1,2}}|{_CN_MONTH})\s*月(?!份?\d)")),
    ("before_last", re.compile(r"\bweek before last\b|上上周|上上週|上上个?星期|上上个?礼拜")),
    ("this_week", re.compile(r"\bthis\s*week\b|本周|这周|本週|這週|(?:本|这个?)(?:星期|礼拜)")),
    ("last_week", re.compile(r"\b(?:last|previous)\s*week\b|上周|上週|上个?(?:星期|礼拜)")),
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
    #: The period it is compared with when not simply the one just before (a period cut short
    #: by ``through`` is compared with the same days of the period before).
    compare_to: Period | None = None
    #: The last day with complete data, when the asked period reaches past it.
    through: date | None = None

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for week-on-week changes), or
        ``compare_to`` when set (like with like for a period cut short)."""
        if self.compare_to is not None:
            return self.compare_to
        if re.fullmatch(r"\d{4}-\d{2}", self.label):  # a calendar month: the month before
            first = (self.start - timedelta(days=1)).replace(day=1)
            return Period(first, self.start - timedelta(days=1), iso_month(first))
        length = timedelta(days=self.days)
        start, end = self.start - length, self.end - length
        if self.label.count("-W") == 1:
            return Period(start, end, iso_week_label(start))
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


class PeriodError(ValueError):
    """A period phrase that names no real dates (e.g. 2026-W60, 02-30)."""


def cut_short(period: Period, through: date) -> Period:
    """``period`` ending at ``through`` (the last day with complete data) and compared with the
    same days of the period before: Monday..Tuesday of this week against Monday..Tuesday of last
    week, never a whole week against two days. Unchanged when the data covers it."""
    if through >= period.end:
        return period
    before = Period(period.start, period.end, period.label).previous()
    if through < period.start:  # nothing synced yet: an empty period, said so
        return replace(period, through=through, compare_to=before)
    last = before.start + timedelta(days=(through - period.start).days)
    same = Period(before.start, last, f"{before.start.isoformat()}..{last.isoformat()}")
    return replace(period, end=through, through=through, compare_to=same)


def iso_month(day: date) -> str:
    """"2026-11": the label of the calendar month of ``day``."""
    return f"{day.year}-{day.month:02d}"


def _chinese_dates(kind: str, groups: tuple[str | None, ...]) -> tuple[str, tuple[str, ...]]:
    """"11月1日到15日" as the range 11-1..11-15, "11月20日" as 11-20..11-20."""
    if kind == "cn_day":
        return "range", (f"{groups[0]}-{groups[1]}",) * 2
    month, day, month2, day2 = groups
    return "range", (f"{month}-{day}", f"{month2 or month}-{day2}")


def find_period(text: str) -> tuple[PeriodSpec | None, str]:
    """The first period phrase in ``text`` (lowercased) and the text with it removed."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            args = tuple(g for g in match.groups() if g is not None)
            if kind in ("cn_range", "cn_day"):
                kind, args = _chinese_dates(kind, match.groups())
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
    if spec.kind in ("last_week", "before_last"):
        return _week(monday - timedelta(days=7 if spec.kind == "last_week" else 14))
    if spec.kind == "week":
        if not FIRST_DAY.year <= int(spec.args[0]) <= today.year + 1:
            return Period(date.min, date.min, spec.said)  # outside: refused by resolve_period
        return _week(_iso_monday(f"{spec.args[0]}-W{int(spec.args[1]):02d}"))
    if spec.kind == "week_no":
        return _week(_iso_monday(f"{today.isocalendar()[0]}-W{int(spec.args[0]):02d}"))
    if spec.kind == "last_days":
        n = int(spec.args[0])
        if not 1 <= n <= MAX_DAYS:
            raise PeriodError(f"'{spec.said}': ask for 1 to {MAX_DAYS} days")
        return _span(today - timedelta(days=n), today - timedelta(days=1))
    if spec.kind in ("this_month", "last_month", "month", "month_year"):
        return _month(spec, today)
    if spec.kind in ("yesterday", "today"):
        day = today - timedelta(days=1 if spec.kind == "yesterday" else 0)
        return _span(day, day)
    return _range(spec, today)


def _month(spec: PeriodSpec, today: date) -> Period:
    """A whole calendar month: this/last month, or a named month (the last one not in the
    future when no year is given)."""
    if spec.kind == "this_month":
        year, month = today.year, today.month
    elif spec.kind == "last_month":
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    elif spec.kind == "month_year":
        first_is_year = len(spec.args[0]) == 4 and spec.args[0].isdigit()
        year = int(spec.args[0 if first_is_year else 1])
        month = _month_number(spec.args[1 if first_is_year else 0])
    else:
        month = _month_number(spec.args[0])
        year = today.year if month <= today.month else today.year - 1
    if not 1 <= month <= 12:
        raise PeriodError(f"'{spec.said}': months are 1 to 12")
    if not FIRST_DAY.year <= year <= today.year + 1:
        return Period(date.min, date.min, spec.said)  # outside: refused by resolve_period
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), f"{year}-{month:02d}")


def _month_number(word: str) -> int:
    if word.isdigit():
        return int(word)
    cn = "一二三四五六七八九"
    if word[0] == "十":
        return 10 + (cn.index(word[1]) + 1 if len(word) > 1 else 0)
    if word[0] in cn:
        return cn.index(word[0]) + 1
    return next(i for i, name in enumerate(MONTHS, 1) if name.startswith(word[:3]))


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
