"""The expected value of a point and the scale of its noise, from its own series' history.

Input: the history's days and values (on the working scale: ``log1p`` of the values for a
``log`` config), the day judged and an ``AnomalyConfig``. Output: ``(expected, scale)``, so that
``robust_z = (value - expected) / scale``.
Method (robust, seasonal-naive with a weekday profile): over the ``history`` periods before the
point, the weekday factor is median(weekday) / median(all) (weekdays seen at least twice); the
expected value is the median of the de-seasonalised history times the point's weekday factor;
the noise is 1.4826 x MAD of the week-over-week differences / sqrt(2) (seasonal-naive), inflated
for the uncertainty of the estimated level and weekday factor, and floored at
``min_relative_scale`` of the expected value (and at sqrt(expected) for counts, whose level is
the larger of the median and the mean without the largest point, for sparse series).
With ``log=True`` the same is done on log(1 + value) with additive weekday offsets, which suits
multiplicative noise (GMV, CPM).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from analytics.anomaly_types import WEEKDAY_SIGNAL, AnomalyConfig

__all__ = ["expected_value"]


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
