"""One series' flags: which of its points are unusual enough, and worth a seller's attention.

Input: one key's rows of the long series frame (``day``, ``value`` and optionally ``volume``,
``money_per_unit``, ``currency``; see ``analytics.anomalies``), sorted by day, and an
``AnomalyConfig``. Output: its ``Anomaly`` flags. Each point is scored against its own history
(``analytics.anomaly_baseline.expected_value``) and flagged when |z| >= ``threshold``, the volume
gate passes and the money at stake (|value - expected| x money_per_unit) reaches ``min_money``;
with ``min_run`` = n, only once the n - 1 periods before it were unusual in the same direction too
(a confirmed shift: for noisy small series such as one campaign's CPM). With ``sustain`` = k, k
consecutive periods that each lean the same way (|z| >= ``sustain_min_z``) also make a flag when
|Σz| / √k reaches the threshold: a lasting level shift that no single day shows clearly (its
``robust_z`` is that combined value). Severity grows with |z| and with the money at stake.
Internal to ``analytics.anomalies``, whose ``detect_anomalies`` calls ``_detect_one`` per key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from analytics.anomaly_baseline import expected_value
from analytics.anomaly_types import MAX_GAP, Anomaly, AnomalyConfig, Severity

__all__: list[str] = []


@dataclass(frozen=True)
class _Point:
    expected: float  # natural scale
    z: float
    hist: list[int]


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


def _severity(z: float, money: float | None, gate: float, threshold: float) -> Severity:
    big_money = money is not None and gate > 0 and money >= 10 * gate
    if abs(z) >= 2 * threshold or big_money:
        return "high"
    mid_money = money is not None and gate > 0 and money >= 3 * gate
    if abs(z) >= 1.5 * threshold or mid_money:
        return "medium"
    return "low"
