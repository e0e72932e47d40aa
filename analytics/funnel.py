"""The shopping funnel per channel and where its drop-off changed.

Inputs: ``shop_traffic_daily`` rows (channel, impressions, page_views, add_to_cart, orders), and
optionally ``content_daily`` joined with ``contents.content_type`` (a ``content_type`` column) for
the "views" stage of the VIDEO and LIVE channels; the local days of the current and previous
period. Output: ``FunnelResult`` with a ``table`` (one row per channel and stage: counts, step
rate from the previous available stage, its change in percentage points) and ``biggest_drop``,
the step whose conversion fell most (among steps with enough volume), or ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.money import ratio

__all__ = [
    "FunnelResult", "FunnelShift", "STAGES", "compare_funnels",
]


STAGES: tuple[str, ...] = ("impressions", "views", "page_views", "add_to_cart", "orders")
#: A step needs this many entrants in both periods before its change is reported.
DEFAULT_MIN_VOLUME = 100


@dataclass(frozen=True)
class FunnelShift:
    """One funnel step whose conversion changed."""

    channel: str
    from_stage: str
    to_stage: str
    previous_rate: float
    current_rate: float
    change_pp: float  # percentage points, current - previous


@dataclass(frozen=True)
class FunnelResult:
    """The funnel table and the step whose conversion fell most."""

    table: pd.DataFrame
    biggest_drop: FunnelShift | None


def _stage_sums(traffic: pd.DataFrame, content: pd.DataFrame | None,
                days: list[date]) -> pd.DataFrame:
    rows = traffic[traffic["day"].isin(days)]
    cols = ["impressions", "page_views", "add_to_cart", "orders"]
    sums = rows.groupby("channel")[cols].sum(min_count=1)
    sums["views"] = pd.NA
    if content is not None:
        part = content[content["day"].isin(days)]
        views = part.groupby("content_type")["views"].sum(min_count=1)
        for channel, value in views.items():
            if channel in sums.index:
                sums.loc[channel, "views"] = value
    return sums


def _value(frame: pd.DataFrame, channel: str, stage: str) -> int | None:
    if channel not in frame.index:
        return None
    value = frame.loc[channel, stage]
    return None if pd.isna(value) else int(value)


def compare_funnels(
    traffic: pd.DataFrame, current_days: Iterable[date], previous_days: Iterable[date], *,
    content: pd.DataFrame | None = None, shop_ids: Iterable[str] | None = None,
    min_volume: int = DEFAULT_MIN_VOLUME,
) -> FunnelResult:
    """Funnel counts per channel for both periods, step rates and the biggest drop."""
    if shop_ids is not None:
        shops = list(shop_ids)
        traffic = traffic[traffic["shop_id"].isin(shops)]
        content = None if content is None else content[content["shop_id"].isin(shops)]
    cur = _stage_sums(traffic, content, list(current_days))
    prev = _stage_sums(traffic, content, list(previous_days))
    records = []
    for channel in sorted(set(cur.index) | set(prev.index)):
        last: tuple[str, int | None, int | None] | None = None
        for stage in STAGES:
            c, p = _value(cur, channel, stage), _value(prev, channel, stage)
            if c is None and p is None:
                continue
            rec = {"channel": channel, "stage": stage, "current": c, "previous": p,
                   "from_stage": None, "current_rate": None, "previous_rate": None,
                   "change_pp": None, "volume_ok": False}
            if last is not None:
                rate_c, rate_p = ratio(c, last[1]), ratio(p, last[2])
                rec.update(from_stage=last[0], current_rate=rate_c, previous_rate=rate_p)
                if rate_c is not None and rate_p is not None:
                    rec["change_pp"] = 100 * (rate_c - rate_p)
                rec["volume_ok"] = min(last[1] or 0, last[2] or 0) >= min_volume
            records.append(rec)
            last = (stage, c, p)
    table = pd.DataFrame(records, columns=[
        "channel", "stage", "from_stage", "current", "previous", "current_rate", "previous_rate",
        "change_pp", "volume_ok"])
    return FunnelResult(table, _biggest_drop(table))


def _biggest_drop(table: pd.DataFrame) -> FunnelShift | None:
    steps = table[table["volume_ok"] & table["change_pp"].notna()]
    steps = steps[steps["change_pp"].astype(float) < 0]
    if steps.empty:
        return None
    row = steps.loc[steps["change_pp"].astype(float).idxmin()]
    return FunnelShift(str(row["channel"]), str(row["from_stage"]), str(row["stage"]),
                       float(row["previous_rate"]), float(row["current_rate"]),
                       float(row["change_pp"]))
