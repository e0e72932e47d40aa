"""Data quality: coverage and freshness per source, rows excluded per rule, reconciliation.

Inputs: a frame of (``source``, ``subject_id``, ``day``) for each local day a source has data
(e.g. orders per shop, ad rows per advertiser), the expected days and today's date; the
``Exclusion`` records of ``analytics.clean``; our totals and the platform's own totals.
Outputs: ``coverage_table`` (days expected/present, missing days, last day, lag, fresh),
``exclusion_table`` (rows and money per rule and currency, summed over stores),
``Reconciliation`` per metric (difference and whether it is within tolerance).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from analytics.clean import Exclusion
from analytics.money import ratio

__all__ = [
    "Reconciliation", "coverage_table", "exclusion_table", "reconcile",
]


#: Days a source may lag behind today before it is stale (affiliate data lags 24-48 h).
DEFAULT_MAX_LAG_DAYS: dict[str, int] = {"orders": 1, "refunds": 1, "ads": 1, "affiliate": 3,
                                        "settlements": 14, "traffic": 2, "content": 2}
#: Relative difference tolerated between our totals and the platform's.
DEFAULT_TOLERANCE = 0.01


@dataclass(frozen=True)
class Reconciliation:
    """Our total of a metric against the platform's own total."""

    metric: str
    ours: Decimal
    platform: Decimal
    difference: Decimal  # ours - platform
    difference_pct: float | None  # difference / platform
    ok: bool


def coverage_table(
    present: pd.DataFrame, expected_days: Iterable[date], today: date,
    max_lag_days: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Per (source, subject): coverage of the expected days, missing days, lag and freshness."""
    expected = sorted(set(expected_days))
    lags = {**DEFAULT_MAX_LAG_DAYS, **(max_lag_days or {})}
    records = []
    for (source, subject), part in present.groupby(["source", "subject_id"], sort=True):
        have = set(part["day"])
        missing = tuple(d for d in expected if d not in have)
        last = max(have) if have else None
        lag = None if last is None else (today - last).days
        records.append({
            "source": source, "subject_id": subject, "days_expected": len(expected),
            "days_present": len(expected) - len(missing),
            "coverage": ratio(len(expected) - len(missing), len(expected)),
            "missing_days": missing, "last_day": last, "lag_days": lag,
            "fresh": lag is not None and lag <= lags.get(str(source), 1),
        })
    return pd.DataFrame(records, columns=[
        "source", "subject_id", "days_expected", "days_present", "coverage", "missing_days",
        "last_day", "lag_days", "fresh"])


def exclusion_table(exclusions: Iterable[Exclusion]) -> pd.DataFrame:
    """Rows and money excluded per rule (and currency), summed over every store given."""
    rows: dict[str, int] = {}
    money: dict[tuple[str, str], Decimal] = {}
    for e in exclusions:
        rows[e.rule] = rows.get(e.rule, 0) + e.rows
        for currency, amount in e.money.items():
            money[(e.rule, currency)] = money.get((e.rule, currency), Decimal(0)) + amount
    records = []
    for rule, count in rows.items():
        amounts = {c: a for (r, c), a in money.items() if r == rule}
        records.append({"rule": rule, "rows": count, "money": amounts})
    return pd.DataFrame(records, columns=["rule", "rows", "money"])


def reconcile(
    ours: Mapping[str, Decimal], platform: Mapping[str, Decimal], *,
    tolerance: float = DEFAULT_TOLERANCE, absolute: Decimal = Decimal("0.01"),
) -> tuple[Reconciliation, ...]:
    """Compare every metric both sides have; ok within ``tolerance`` (relative) or ``absolute``."""
    out = []
    for metric in sorted(set(ours) & set(platform)):
        a, b = ours[metric], platform[metric]
        diff = a - b
        pct = ratio(diff, b)
        ok = abs(diff) <= absolute or (pct is not None and abs(pct) <= tolerance)
        out.append(Reconciliation(metric, a, b, diff, pct, ok))
    return tuple(out)
