"""The vocabulary of anomaly detection: its settings, the flag it returns, and the named defaults.

``AnomalyConfig`` holds every knob of the detector (grain, history, threshold, the count and log
treatments, the volume and money gates, confirmed runs and sustained shifts); ``Anomaly`` is one
flagged point with how unusual it is (``robust_z``), what was expected and the money at stake in
its own currency; ``Severity`` grades it. The defaults live here, in one place:
``DEFAULT_MIN_MONEY`` (about USD 50 per market, in each market's currency), ``WEEKLY`` (settings
for weekly series), ``MAX_GAP`` (periods a confirmed run may skip) and ``WEEKDAY_SIGNAL`` (how far
a weekday profile must stand out to be used). The computation is in ``analytics.anomaly_baseline``
(expected value and scale), ``analytics.anomaly_detection`` (one series' flags) and
``analytics.anomalies`` (all series, merged).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = [
    "Anomaly", "AnomalyConfig", "DEFAULT_MIN_MONEY", "MAX_GAP", "Severity", "WEEKDAY_SIGNAL",
    "WEEKLY",
]


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
    log: bool = False  # judge log(1 + value): for multiplicative noise (money, CPM)
    min_volume: float = 0.0  # volume needed (the point's or the history median's)
    min_money: Mapping[str, float] = field(default_factory=dict)  # per currency; "*" default
    min_run: int = 1  # consecutive unusual periods (same direction) needed: 2 = confirmed shift
    sustain: int = 1  # also flag k consecutive same-direction periods with |sum z| / sqrt(k) >= t
    sustain_min_z: float = 1.0  # ... each of them at least this unusual (above ordinary drift)

    def money_gate(self, currency: str) -> float:
        """The minimum money at stake for a flag in ``currency``."""
        return float(self.min_money.get(currency, self.min_money.get("*", 0.0)))


#: A confirmed run may skip this many periods (missing report rows, excluded event days).
MAX_GAP = 2
#: A weekday profile is used only if its offsets stand out by this many standard errors.
WEEKDAY_SIGNAL = 1.5
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
