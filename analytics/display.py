"""How a number reads in chat and on the terminal: money with its currency, ROAS as a multiple,
rates as percents, each catalog metric in its catalog unit.

Inputs are plain values (Decimal money, float ratios, int counts; ``None`` or NaN when not
computable); outputs are short strings. Every formatter prints "n/a" for a value that cannot be
computed, never 0, and money stays Decimal until it becomes text. The bot's answers and
``tikpulse kpi`` both read numbers through here; the digest's prose uses the locale-aware
``jobs.digest.words`` on top of the same catalog. A store's money reads in its own currency with
the reporting-currency figure beside it (``with_reporting``); ``fx_missing_note`` is the one
sentence, in English or Chinese, that names missing FX rates and how to add them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from analytics.catalog import get_metric
from analytics.fx import MissingRates

__all__ = ["FX_FIX", "NOT_AVAILABLE", "change", "count", "fx_missing_note", "metric_name",
           "metric_value", "missing", "money", "multiple", "percent", "plain", "with_reporting"]

#: What a value that cannot be computed reads as.
NOT_AVAILABLE = "n/a"
#: How to add a missing FX rate, per language: ``{q}`` quotes a command.
FX_FIX: dict[str, str] = {
    "en": "Add the missing rates with {q}tikpulse fx sync{q} (daily reference rates), or "
          "{q}tikpulse fx import FILE{q} with the columns day,base,quote,rate.",
    "zh": "请运行 {q}tikpulse fx sync{q} 同步每日参考汇率，或用 {q}tikpulse fx import FILE{q} "
          "导入（列：day,base,quote,rate）。",
}


def missing(value: object) -> bool:
    """True for ``None`` and for NaN/NA (a ratio over nothing)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except TypeError:  # pandas.NA refuses to be a bool
        return True


def money(amount: Decimal | None, currency: str) -> str:
    """``12,345.67 USD`` (two decimals, half-even)."""
    if amount is None or missing(amount):
        return NOT_AVAILABLE
    rounded = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return f"{rounded:,.2f} {currency}"


def count(value: int | Decimal | None) -> str:
    """``12,345``."""
    return NOT_AVAILABLE if missing(value) else f"{int(value):,}"  # type: ignore[arg-type]


def multiple(value: float | None) -> str:
    """ROAS-style ``3.21x``."""
    return NOT_AVAILABLE if missing(value) else f"{value:.2f}x"


def percent(value: float | None, digits: int = 2) -> str:
    """``2.45%`` from a ratio of 0.0245."""
    return NOT_AVAILABLE if missing(value) else f"{value * 100:.{digits}f}%"  # type: ignore[operator]


def metric_value(metric_id: str, value: Decimal | float | int | None, currency: str) -> str:
    """A catalog metric's value in the unit the catalog gives it."""
    unit = get_metric(metric_id).unit
    if unit == "money":
        return money(value if value is None else Decimal(value), currency)
    if unit == "count":
        return count(value)  # type: ignore[arg-type]
    if unit == "multiple":
        return multiple(None if value is None else float(value))
    return percent(None if value is None else float(value))


def with_reporting(metric_id: str, value: Decimal | float | int | None, currency: str,
                   reporting: Decimal | float | int | None, reporting_currency: str) -> str:
    """A store's value in its own currency, and for money the reporting-currency figure beside
    it when the currencies differ: ``1,234.00 GBP (≈ 1,560.12 USD)``."""
    text = metric_value(metric_id, value, currency)
    if (get_metric(metric_id).unit != "money" or currency == reporting_currency
            or missing(value) or reporting is None or missing(reporting)):
        return text
    return f"{text} (≈ {metric_value(metric_id, reporting, reporting_currency)})"


def _days(gap: MissingRates, lang: str) -> str:
    first, last = gap.first.isoformat(), gap.last.isoformat()
    zh = lang == "zh"
    if gap.days == 1:
        return first
    if gap.days == (gap.last - gap.first).days + 1:
        return f"{first} 至 {last}" if zh else f"{first} to {last}"
    return (f"{first} 至 {last} 间的 {gap.days} 天" if zh else
            f"{gap.days} days between {first} and {last}")


def fx_missing_note(gaps: Sequence[MissingRates], lang: str, *, quote: str = "`") -> str:
    """"No FX rate GBP->USD for 2026-11-16 to 2026-11-22. Add it with `tikpulse fx sync`..."
    (``quote`` wraps the commands: a backtick in chat, a plain quote in documents)."""
    zh = lang == "zh"
    pairs = ("；" if zh else "; ").join(
        f"{g.currency}->{g.quote}（{_days(g, lang)}）" if zh else
        f"{g.currency}->{g.quote} {'on' if g.days == 1 else 'for'} {_days(g, lang)}"
        for g in gaps)
    fix = FX_FIX["zh" if zh else "en"].format(q=quote)
    what = "、".join(sorted({g.currency for g in gaps})) if zh else " and ".join(
        sorted({g.currency for g in gaps}))
    quotes = sorted({g.quote for g in gaps})
    if zh:
        return (f"缺少汇率 {pairs}，{what} 金额无法换算为 {'、'.join(quotes)}。{fix}")
    return (f"No FX rate {pairs}, so amounts in {what} cannot be converted to "
            f"{' and '.join(quotes)}. {fix}")


def change(current: Decimal | float | int | None, previous: Decimal | float | int | None) -> str:
    """``+12.3%`` / ``-4.0%`` against the previous value; "n/a" when not comparable."""
    if current is None or previous is None or missing(current) or missing(previous) \
            or previous == 0:
        return NOT_AVAILABLE
    pct = (float(current) - float(previous)) / abs(float(previous)) * 100
    return f"{pct:+.1f}%"


def metric_name(metric_id: str, lang: str) -> str:
    """The metric's display name in ``lang``."""
    metric = get_metric(metric_id)
    return metric.zh if lang == "zh" else metric.en


def plain(value: Decimal | float | int | None) -> str | int | float | None:
    """A JSON-safe number: Decimal as an exact string, ints and floats as they are."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return value
