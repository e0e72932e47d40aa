"""Currency conversion of daily totals into the tenant's reporting currency, exactly.

Inputs: an ``fx_rates`` frame (``day``, ``base``, ``quote``, ``rate``; 1 base = rate quote; rate a
``Decimal`` or decimal string). Outputs: ``Decimal`` amounts. The rate of the amount's own day is
used; a missing rate raises ``MissingFxRate`` naming the day and currency (never a silent 1.0).
The inverse of a stored pair is used when only the other direction is stored.
``missing_rates`` lists, per currency pair, the days a frame's money needs a rate for and lacks
(``MissingRates``: what a "rate missing" note names), so callers can show what they can instead of
failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from analytics.money import quantize, units_to_decimal

__all__ = [
    "FxRates", "MissingFxRate", "MissingRates", "convert_totals", "missing_days", "missing_rates",
    "rate_gaps",
    "without_missing",
]


class MissingFxRate(LookupError):
    """No rate for converting ``currency`` to ``quote`` on ``day``."""

    def __init__(self, day: date, currency: str, quote: str) -> None:
        self.day = day
        self.currency = currency
        self.quote = quote
        super().__init__(f"missing FX rate {currency}->{quote} for {day.isoformat()}")


def _as_date(value: object) -> date:
    if isinstance(value, datetime):  # includes pandas Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class FxRates:
    """Daily FX rates keyed by (day, base, quote)."""

    def __init__(self, rates: Mapping[tuple[date, str, str], Decimal]) -> None:
        self._rates = dict(rates)

    @classmethod
    def from_frame(cls, fx_rates: pd.DataFrame) -> FxRates:
        """Build from warehouse ``fx_rates`` rows; float rates are refused (not exact)."""
        table: dict[tuple[date, str, str], Decimal] = {}
        for day, base, quote, rate in fx_rates[["day", "base", "quote", "rate"]].itertuples(
            index=False
        ):
            if isinstance(rate, float):
                raise TypeError(f"FX rate {base}->{quote} on {day} is a float; use Decimal or str")
            table[(_as_date(day), str(base), str(quote))] = Decimal(rate)
        return cls(table)

    def rate(self, day: date, currency: str, quote: str) -> Decimal:
        """How many ``quote`` one ``currency`` buys on ``day``; ``MissingFxRate`` if unknown."""
        day = _as_date(day)
        if currency == quote:
            return Decimal(1)
        direct = self._rates.get((day, currency, quote))
        if direct is not None:
            return direct
        inverse = self._rates.get((day, quote, currency))
        if inverse is not None and inverse != 0:
            return Decimal(1) / inverse
        raise MissingFxRate(day, currency, quote)

    def convert(
        self, amount: Decimal, currency: str, day: date, quote: str, *, exact: bool = False
    ) -> Decimal:
        """``amount`` of ``currency`` on ``day`` in ``quote``, rounded to the money quantum.

        ``exact=True`` skips the rounding, for sums that are rounded once at the end.
        """
        if currency == quote:
            return amount
        converted = amount * self.rate(day, currency, quote)
        return converted if exact else quantize(converted)

    def check(self, needed: Iterable[tuple[date, str]], quote: str) -> list[MissingFxRate]:
        """Every (day, currency) in ``needed`` without a rate into ``quote`` (for data quality)."""
        missing = []
        for day, currency in sorted(set(needed)):
            try:
                self.rate(day, currency, quote)
            except MissingFxRate as exc:
                missing.append(exc)
        return missing


def convert_totals(
    frame: pd.DataFrame, keys: list[str], money: str, quote: str, fx: FxRates | None = None,
    *, day: str = "day",
) -> pd.DataFrame:
    """Σ ``money`` units per ``keys`` as ``Decimal`` in ``quote``: daily totals, each converted.

    Rows are summed per key, day and currency first, then each daily total is converted at that
    day's rate (exact), and the key's total is rounded once. Without ``fx`` every row must
    already be in ``quote``. Missing values are skipped; a key with none gets ``None``.
    Returns one row per key with columns ``keys + [money]``.
    """
    part = frame[frame[money].notna()]
    if part.empty:
        return pd.DataFrame(columns=[*keys, money])
    sums = part.groupby([*keys, day, "currency"], sort=False)[money].sum()
    totals: dict[tuple[object, ...], Decimal] = {}
    for index, units in sums.items():
        *key, when, currency = index if isinstance(index, tuple) else (index,)
        amount = units_to_decimal(units)
        if currency != quote:
            if fx is None:
                raise MissingFxRate(_as_date(when), str(currency), quote)
            amount = fx.convert(amount, str(currency), _as_date(when), quote, exact=True)
        totals[tuple(key)] = totals.get(tuple(key), Decimal(0)) + amount
    rows = [(*key, quantize(amount)) for key, amount in totals.items()]
    return pd.DataFrame(rows, columns=[*keys, money])


@dataclass(frozen=True)
class MissingRates:
    """One currency pair without a rate on ``days`` days from ``first`` to ``last``."""

    currency: str
    quote: str
    first: date
    last: date
    days: int


def rate_gaps(missing: Iterable[MissingFxRate]) -> tuple[MissingRates, ...]:
    """Missing (day, pair) rates grouped per pair, pairs in code order."""
    days: dict[tuple[str, str], set[date]] = {}
    for gap in missing:
        days.setdefault((gap.currency, gap.quote), set()).add(gap.day)
    return tuple(MissingRates(ccy, quote, min(found), max(found), len(found))
                 for (ccy, quote), found in sorted(days.items()))


def missing_days(frame: pd.DataFrame, quote: str, fx: FxRates | None, *,
                 days: Sequence[date] | None = None, day: str = "day") -> list[MissingFxRate]:
    """Each (day, currency) whose rate into ``quote`` converting ``frame``'s money needs and
    ``fx`` lacks. ``frame`` has a ``currency`` column ("" for counts) and a ``day`` column;
    only the rows of ``days`` count when given."""
    if frame.empty:
        return []
    rows = frame if days is None else frame[frame[day].isin(list(days))]
    rows = rows[(rows["currency"] != "") & (rows["currency"] != quote)]
    needed = {(_as_date(d), str(c)) for d, c in zip(rows[day], rows["currency"], strict=True)}
    return (fx or FxRates({})).check(needed, quote) if needed else []


def missing_rates(frame: pd.DataFrame, quote: str, fx: FxRates | None, *,
                  days: Sequence[date] | None = None, day: str = "day") -> tuple[MissingRates, ...]:
    """``missing_days`` grouped per currency pair."""
    return rate_gaps(missing_days(frame, quote, fx, days=days, day=day))


def without_missing(frame: pd.DataFrame, quote: str, fx: FxRates) -> pd.DataFrame:
    """``frame`` (daily metric rows) without every store metric that has a row lacking a rate
    into ``quote``, so the metric reads "not available" rather than a partial sum.

    Meant for a store in its own currency, where only money from another source (an ads account
    billed in another currency) can lack a rate.
    """
    foreign = frame[(frame["currency"] != "") & (frame["currency"] != quote)]
    if foreign.empty:
        return frame
    lacking: set[tuple[str, str]] = set()
    keys = foreign[["shop_id", "metric", "day", "currency"]].drop_duplicates()
    for shop, metric, day, currency in keys.itertuples(index=False):
        if (str(shop), str(metric)) not in lacking and fx.check([(_as_date(day), str(currency))],
                                                                quote):
            lacking.add((str(shop), str(metric)))
    keep = [(str(s), str(m)) not in lacking for s, m in zip(frame["shop_id"], frame["metric"],
                                                             strict=True)]
    return frame[keep]
