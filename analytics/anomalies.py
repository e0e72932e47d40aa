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
the noise is 1.4826 x MAD of the week-over-week differences / sqrt(2) (seasonal-naive), inflated
for the uncertainty of the estimated level and weekday factor, and floored at
``min_relative_scale`` of the expected value (and at sqrt(expected) for counts, whose level is
the larger of the median and the mean without the largest point, for sparse series).
``robust_z = (value - expected) / scale``.
With ``log=True`` the same is done on log(1 + value) with additive weekday offsets, which suits
multiplicative noise (GMV, CPM); ``expected`` is still reported on the natural scale.
Known event days (promotions, paydays) can be excluded per series: not judged, not history.
A point is flagged when |z| >= ``threshold``, the volume gate passes and the money at stake
(|value - expected| x money_per_unit) reaches ``min_money``; with ``min_run`` = n, only once the
n - 1 periods before it were unusual in the same direction too (a confirmed shift: for noisy
small series such as one campaign's CPM). With ``sustain`` = k, k consecutive periods that each
lean the same way (|z| >= ``sustain_min_z``) also make a flag when |Σz| / √k reaches the
threshold: a lasting
level shift that no single day shows clearly (its ``robust_z`` is that combined value).
Output: ``Anomaly`` records, most severe first.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "Anomaly", "AnomalyConfig", "DEFAULT_MIN_MONEY", "WEEKLY", "detect_anomalies",
    "expected_value", "merge_flags",
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


def _weekday_offsets(days: list[date], values: np.ndarray, log: bool) -> dict[int, float]:
    """Per weekday seen at least twice: its median over the overall median (a difference on
    the log scale, a ratio otherwise)."""
    overall = float(np.median(values))
    if not log and overall <= 0:
        return {}
    offsets: dict[int, float] = {}
    weekdays = np.array([d.weekday() for d in days])
    for wd in range(7):
        part = values[weekdays == wd]
        if len(part) < 2:
            continue
        med = float(np.median(part))
        if log:
            offsets[wd] = med - overall
        elif med > 0:
            offsets[wd] = med / overall
    return offsets


def _noise(days: list[date], values: np.ndarray) -> float | None:
    """Noise sd of one point from week-over-week differences (seasonal-naive: free of the
    weekday profile and of slow trends); None with fewer than 6 pairs."""
    index = {d: i for i, d in enumerate(days)}
    diffs = [values[i] - values[index[d - timedelta(days=7)]] for i, d in enumerate(days)
             if d - timedelta(days=7) in index]
    if len(diffs) < 6:
        return None
    d = np.array(diffs)
    return float(np.median(np.abs(d - np.median(d)))) * 1.4826 / math.sqrt(2)


def expected_value(days: list[date], values: np.ndarray, when: date,
                   config: AnomalyConfig) -> tuple[float, float]:
    """(expected, scale) of the point at ``when`` from the history, on the working scale
    (``log1p`` of the values when ``config.log``).

    The weekday profile is used only when it stands out from the noise (its offsets' RMS is
    more than ``WEEKDAY_SIGNAL`` standard errors); the scale is the noise sd inflated for the
    uncertainty of the estimated level and weekday offset (medians of n points have variance
    about pi/2 x sd^2 / n).
    """
    neutral = 0.0 if config.log else 1.0
    offsets = _weekday_offsets(days, values, config.log) if config.grain == "day" else {}
    raw_level = float(np.median(values))
    noise = _noise(days, values)
    if offsets and noise is not None:
        effects = [o if config.log else (o - 1) * raw_level for o in offsets.values()]
        per_day = len(days) / 7
        if math.sqrt(float(np.mean(np.square(effects)))) < WEEKDAY_SIGNAL * noise * math.sqrt(
                math.pi / 2 / per_day):
            offsets = {}
    seasonal = np.array([offsets.get(d.weekday(), neutral) for d in days])
    flat = values - seasonal if config.log else values / seasonal
    level = float(np.median(flat))
    if config.count and not config.log and len(flat) >= 5:  # sparse counts: trimmed mean
        level = max(level, float(np.mean(np.sort(flat)[:-1])))
    own = offsets.get(when.weekday(), neutral)
    expected = level + own if config.log else level * own
    if noise is None:
        noise = float(np.median(np.abs(flat - level))) * 1.4826 * (1.0 if config.log else own)
    n_same = sum(1 for d in days if d.weekday() == when.weekday())
    inflate = math.sqrt(1 + math.pi / 2 * ((1 / max(n_same, 1) if offsets else 0)
                                           + 1 / len(days)))
    noise *= inflate
    if config.log:
        natural = math.expm1(expected)
        floor = math.log1p(config.min_relative_scale)
        if config.count:
            floor = max(floor, 1 / math.sqrt(max(natural, 1.0)))
        return expected, max(noise, floor, 1e-12)
    floor = config.min_relative_scale * abs(expected)
    if config.count:
        floor = max(floor, math.sqrt(max(expected, 1.0)))
    return expected, max(noise, floor, 1e-12)


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
    exclude: Mapping[str, Collection[date]] | None = None,
) -> list[Anomaly]:
    """Flag unusual points of each series (only at ``evaluate`` periods when given).

    ``exclude`` maps a key to days that are neither judged nor used as history, e.g. the
    region's promotion days (``analytics.events.event_days``): a normal 11.11 is not news.
    """
    wanted = None if evaluate is None else set(evaluate)
    if exclude:
        skip = pd.Series([d in exclude.get(str(k), ()) for k, d in
                          zip(series["key"], series["day"], strict=True)], index=series.index)
        series = series[~skip]
    found: list[Anomaly] = []
    for key, part in series.sort_values("day").groupby("key", sort=True):
        part = part[part["value"].notna()]
        found += _detect_one(str(key), part, metric, config, wanted)
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda a: (rank[a.severity], -abs(a.robust_z)))


@dataclass(frozen=True)
class _Point:
    expected: float  # natural scale
    z: float
    hist: list[int]


def _score(i: int, days: list[date], work: np.ndarray, step: timedelta,
           config: AnomalyConfig) -> _Point | None:
    lo = days[i] - step * config.history
    hist = [j for j in range(i) if days[j] >= lo]
    if len(hist) < config.min_history:
        return None
    expected, scale = expected_value([days[j] for j in hist], work[hist], days[i], config)
    natural = math.expm1(expected) if config.log else expected
    return _Point(natural, float((work[i] - expected) / scale), hist)


def _run_z(i: int, days: list[date], points: list[_Point | None], k: int, min_z: float,
           step: timedelta) -> float | None:
    """|Σz|/√k over the k consecutive periods ending at i, if all lean the same way."""
    zs = []
    for back in range(k):
        j = i - back
        point = points[j] if j >= 0 else None
        if point is None or days[j] != days[i] - step * back or abs(point.z) < min_z:
            return None
        zs.append(point.z)
    if not (all(z > 0 for z in zs) or all(z < 0 for z in zs)):
        return None
    return sum(zs) / math.sqrt(k)


def _detect_one(key: str, part: pd.DataFrame, metric: str, config: AnomalyConfig,
                wanted: set[date] | None) -> list[Anomaly]:
    step = timedelta(days=7 if config.grain == "week" else 1)
    days = list(part["day"])
    values = part["value"].astype(float).to_numpy()
    work = np.log1p(np.maximum(values, 0.0)) if config.log else values
    points = [_score(i, days, work, step, config) for i in range(len(days))]
    out = []
    for i, point in enumerate(points):
        if point is None or (wanted is not None and days[i] not in wanted):
            continue
        z: float | None = point.z if abs(point.z) >= config.threshold else None
        if z is None and config.sustain > 1:
            run = _run_z(i, days, points, config.sustain, config.sustain_min_z, step)
            z = run if run is not None and abs(run) >= config.threshold else None
        if z is None or not _confirmed(i, z, days, points, step, config):
            continue
        flag = _gate(metric, key, days[i], i, z, point, values, part, config)
        if flag is not None:
            out.append(flag)
    return out


def _confirmed(i: int, z: float, days: list[date], points: list[_Point | None],
               step: timedelta, config: AnomalyConfig) -> bool:
    """With ``min_run`` > 1: the observed periods just before (gaps of up to ``MAX_GAP``
    periods allowed: missing or excluded days) were unusual in the same direction too."""
    for k in range(1, config.min_run):
        j = i - k
        point = points[j] if j >= 0 else None
        if point is None or days[j + 1] - days[j] > step * MAX_GAP:
            return False
        if abs(point.z) < config.threshold or (point.z > 0) != (z > 0):
            return False
    return True


def _gate(metric: str, key: str, when: date, i: int, z: float, point: _Point,
          values: np.ndarray, part: pd.DataFrame, config: AnomalyConfig) -> Anomaly | None:
    """The anomaly if it passes the volume and money gates."""
    hist, expected = point.hist, point.expected
    if "volume" in part:
        volume = part["volume"].astype(float).to_numpy()
        usual = float(np.nanmedian(volume[hist]))
        if max(float(np.nan_to_num(volume[i])), usual) < config.min_volume:
            return None
    money: float | None = None
    if "money_per_unit" in part:
        per_unit = part["money_per_unit"].astype(float).to_numpy()
        unit = per_unit[i] if not np.isnan(per_unit[i]) else float(np.nanmedian(per_unit[hist]))
        money = abs(values[i] - expected) * unit if not np.isnan(unit) else None
    currency = str(part["currency"].iloc[0]) if "currency" in part else ""
    gate = config.money_gate(currency)
    if gate > 0 and (money is None or money < gate):
        return None
    change = None if expected == 0 else (values[i] - expected) / abs(expected)
    return Anomaly(
        metric=metric, key=key, period=when, grain=config.grain, value=float(values[i]),
        expected=expected, robust_z=z, change_pct=change,
        money_at_stake=None if money is None else Decimal(str(round(money, 2))),
        currency=currency, severity=_severity(z, money, gate, config.threshold))


def merge_flags(*flag_lists: Iterable[Anomaly]) -> list[Anomaly]:
    """One flag per (key, period): several metrics of one store on one day are one event.

    Keeps the most unusual flag (largest |z|), so GMV and orders dropping together is reported
    once; most severe first.
    """
    best: dict[tuple[str, date], Anomaly] = {}
    for flags in flag_lists:
        for a in flags:
            have = best.get((a.key, a.period))
            if have is None or abs(a.robust_z) > abs(have.robust_z):
                best[(a.key, a.period)] = a
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(best.values(), key=lambda a: (rank[a.severity], -abs(a.robust_z)))
