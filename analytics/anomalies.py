"""Anomaly flags on daily and weekly series: how unusual, and how much money is involved.

Input: a long frame with one row per series and period: ``key`` (store, campaign or creator id),
``day`` (a local date; for weekly series the Monday), ``value`` and optionally ``volume`` (the
count a rate rests on, for the volume gate), ``money_per_unit`` (money per unit of deviation of
``value``: 1 for a money metric, AOV for orders, visitors x AOV for CVR, impressions/1000 for
CPM) and ``currency``. Each series is compared with its own history only (a store's or region's
own context: no CTR comparison of a UK store with an ID store).
Known event days (promotions, paydays) can be excluded per series: not judged, not history.
Output: ``Anomaly`` records (``analytics.anomaly_types``), most severe first; ``merge_flags``
makes several metrics of one key and period one event.
How a point is judged: ``analytics.anomaly_baseline`` (expected value and noise scale from the
series' own history, with a weekday profile) and ``analytics.anomaly_detection`` (the threshold,
confirmed runs, sustained shifts, the volume and money gates, severity); the settings and
defaults are in ``analytics.anomaly_types``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

import pandas as pd

from analytics.anomaly_detection import _detect_one
from analytics.anomaly_types import Anomaly, AnomalyConfig

__all__ = ["detect_anomalies", "merge_flags"]


def detect_anomalies(
    series: pd.DataFrame, metric: str, config: AnomalyConfig = AnomalyConfig(), *,  # noqa: B008
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
