"""How a number reads in chat and on the terminal: money with its currency, ROAS as a multiple,
rates as percents, each catalog metric in its catalog unit.

Inputs are plain values (Decimal money, float ratios, int counts; ``None`` or NaN when not
computable); outputs are short strings. Every formatter prints "n/a" for a value that cannot be
computed, never 0, and money stays Decimal until it becomes text. The bot's answers and
``tikpulse kpi`` both read numbers through here; the digest's prose uses the locale-aware
``jobs.digest.words`` on top of the same catalog.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from analytics.catalog import get_metric

__all__ = ["NOT_AVAILABLE", "change", "count", "metric_name", "metric_value", "missing", "money",
           "multiple", "percent", "plain"]

#: What a value that cannot be computed reads as.
NOT_AVAILABLE = "n/a"


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
