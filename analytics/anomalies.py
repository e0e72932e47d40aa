"""Anomaly flags on daily and weekly series: how unusual, and how much money is involved.

Input: a long frame with one row per series and period: ``key`` (store, campaign or creator id),
``day`` (a local date; for weekly series the Monday), ``value`` and optionally ``volume`` (the
count a rate rests on, for the volume gate), ``money_per_unit`` (money per unit of deviation of
``value``: 1 for a money metric, AOV for orders, visitors x AOV for CVR, impressions/1000 for
CPM) and ``currency``. Each series is compared with its own history only (a store's or region's
own context: no CTR comparison of a UK store with an ID store).
Method (robust, seasonal-naive with a weekday profile): over the ``history`` periods before the
point, the weekday factor is median(weekday) / median(all) (weekdays seen at least twice); the
expected value is the median of the de-seasonalised history times the point's weekday factor;
the scale is 1.4826 x MAD of the de-seasonalised history, floored at ``min_relative_scale`` of
the expected value (and at sqrt(expected) for counts). ``robust_z = (value - expected) / scale``.
A point is flagged when |z| >= ``threshold``, the volume gate passes and the money at stake
(|value - expected| x money_per_unit) reaches ``min_money``.
Output: ``Anomaly`` records, most severe first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

Severity = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class AnomalyConfig:
    """Detection settings; the defaults suit daily store series."""

    grain: Literal["day", "week"] = "day"
    history: int = 28  # periods of history (days, or weeks for weekly series)
    min_history: int = 14  # fewer points: no verdict
    threshold: float = 4.0  # |robust z| needed
    min_relative_scale: float = 0.05  # the scale is at least this share of the expected value
    count: bool = False  # counts: the scale is at least sqrt(expected) (Poisson noise)
    min_volume: float = 0.0  # volume needed (the point's or the history median's)
    min_money: Mapping[str, float] = field(default_factory=dict)  # per currency; "*" default

    def money_gate(self, currency: str) -> float:
        """The minimum money at stake for a flag in ``currency``."""
        return float(self.min_money.get(currency, self.min_money.get("*", 0.0)))


#: Money at stake worth a flag, about USD 50 in each market's own currency (region context).
DEFAULT_MIN_MONEY: dict[str, float] = {
    "USD": 50, "GBP": 40, "EUR": 45, "SGD": 65, "THB": 1_800, "MYR": 230, "PHP": 2_900,
    "VND": 1_250_000, "IDR": 800_000,
}
WEEKLY = AnomalyConfig(grain="week", history=8, min_history=4, threshold=3.5)


@dataclass(frozen=True)
class Anomaly:
    """One flagged point, with how unusual it is and the money involved."""

    metric: str
    key: str
    period: date  # the day, or the Monday of the week
    grain: str
    value: float
    expected: float
    robust_z: float
    change_pct: float | None  # (value - expected) / expected
    money_at_stake: Decimal | None  # in ``currency``; None when no money_per_unit is known
    currency: str
    severity: Severity
    driver: str | None = None  # filled by analytics.drivers.explain_* when known
    explanation: str = ""

    @property
    def direction(self) -> str:
        """"up" or "down"."""
        return "up" if self.value > self.expected else "down"

    def explained(self, driver: str, explanation: str) -> Anomaly:
        """A copy with its driver and explanation set."""
        return replace(self, driver=driver, explanation=explanation)


def _weekday_factors(days: list[date], values: np.ndarray) -> dict[int, float]:
    overall = float(np.median(values))
    if overall <= 0:
        return {}
    factors: dict[int, float] = {}
    weekdays = np.array([d.weekday() for d in days])
    for wd in range(7):
        part = values[weekdays == wd]
        if len(part) >= 2 and np.median(part) > 0:
            factors[wd] = float(np.median(part)) / overall
    return factors


def expected_value(days: list[date], values: np.ndarray, when: date,
                   config: AnomalyConfig) -> tuple[float, float]:
    """(expected, scale) of the point at ``when`` from the history ``days``/``values``."""
    factors = _weekday_factors(days, values) if config.grain == "day" else {}
    seasonal = np.array([factors.get(d.weekday(), 1.0) for d in days])
    flat = values / seasonal
    level = float(np.median(flat))
    factor = factors.get(when.weekday(), 1.0)
    expected = level * factor
    mad = float(np.median(np.abs(flat - level))) * 1.4826 * factor
    floor = config.min_relative_scale * abs(expected)
    if config.count:
        floor = max(floor, math.sqrt(max(expected, 1.0)))
    return expected, max(mad, floor, 1e-12)


def _severity(z: float, money: float | None, gate: float, threshold: float) -> Severity:
    big_money = money is not None and gate > 0 and money >= 10 * gate
    if abs(z) >= 2 * threshold or big_money:
        return "high"
    mid_money = money is not None and gate > 0 and money >= 3 * gate
    if abs(z) >= 1.5 * threshold or mid_money:
        return "medium"
    return "low"


def detect_anomalies(
    series: pd.DataFrame, metric: str, config: AnomalyConfig = AnomalyConfig(), *,
    evaluate: Iterable[date] | None = None,
) -> list[Anomaly]:
    """Flag unusual points of each series (only at ``evaluate`` periods when given)."""
    wanted = None if evaluate is None else set(evaluate)
    step = timedelta(days=7 if config.grain == "week" else 1)
    found: list[Anomaly] = []
    for key, part in series.sort_values("day").groupby("key", sort=True):
        part = part[part["value"].notna()]
        days = list(part["day"])
        values = part["value"].astype(float).to_numpy()
        volume = part["volume"].astype(float).to_numpy() if "volume" in part else None
        per_unit = (part["money_per_unit"].astype(float).to_numpy()
                    if "money_per_unit" in part else None)
        currency = str(part["currency"].iloc[0]) if "currency" in part and len(part) else ""
        for i, when in enumerate(days):
            if wanted is not None and when not in wanted:
                continue
            lo = when - step * config.history
            hist = [j for j in range(i) if days[j] >= lo]
            if len(hist) < config.min_history:
                continue
            flag = _check(metric, str(key), when, i, hist, days, values, volume, per_unit,
                          currency, config)
            if flag is not None:
                found.append(flag)
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda a: (rank[a.severity], -abs(a.robust_z)))


def _check(metric: str, key: str, when: date, i: int, hist: list[int], days: list[date],
           values: np.ndarray, volume: np.ndarray | None, per_unit: np.ndarray | None,
           currency: str, config: AnomalyConfig) -> Anomaly | None:
    expected, scale = expected_value([days[j] for j in hist], values[hist], when, config)
    z = (values[i] - expected) / scale
    if abs(z) < config.threshold:
        return None
    if volume is not None:
        usual = float(np.nanmedian(volume[hist])) if len(hist) else 0.0
        if max(float(np.nan_to_num(volume[i])), usual) < config.min_volume:
            return None
    money: float | None = None
    if per_unit is not None:
        unit = per_unit[i] if not np.isnan(per_unit[i]) else float(np.nanmedian(per_unit[hist]))
        money = abs(values[i] - expected) * unit if not np.isnan(unit) else None
    gate = config.money_gate(currency)
    if gate > 0 and (money is None or money < gate):
        return None
    change = None if expected == 0 else (values[i] - expected) / abs(expected)
    return Anomaly(
        metric=metric, key=key, period=when, grain=config.grain, value=float(values[i]),
        expected=expected, robust_z=float(z), change_pct=change,
        money_at_stake=None if money is None else Decimal(str(round(money, 2))),
        currency=currency, severity=_severity(z, money, gate, config.threshold))
