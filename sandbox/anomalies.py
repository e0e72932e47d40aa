"""Planted anomalies: known, recorded disturbances that analytics tests should (or should not) find.

- ``cvr_collapse``: a shop whose conversion rate drops (orders fall, page views do not).
- ``cpm_jump``: a campaign whose CPM jumps (same spend, far fewer impressions).
- ``creator_spike``: a creator whose affiliate sales multiply for one week.
- ``missing_day``: an advertiser with no report rows at all for one day.
Each is written to the manifest with ids and local dates; the data itself carries the effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

CVR_COLLAPSE_FACTOR = 0.45
CPM_JUMP_FACTOR = 2.6
CREATOR_SPIKE_FACTOR = 8.0


@dataclass
class AnomalyPlan:
    """The anomalies chosen for one data set (day indexes are local days from the start)."""

    start: date
    cvr_collapse: dict[str, Any] | None = None
    cpm_jump: dict[str, Any] | None = None
    creator_spike: dict[str, Any] | None = None
    missing_day: dict[str, Any] | None = None
    manifest: list[dict[str, Any]] = field(default_factory=list)

    def day(self, idx: int) -> date:
        """Local date of a day index."""
        return self.start + timedelta(days=int(idx))


def plan_anomalies(
    n_shops: int, n_days: int, start: date, enabled: bool, rng: np.random.Generator
) -> AnomalyPlan:
    """Choose the shop, start day and size of the order-side anomaly (ads-side ones come later)."""
    plan = AnomalyPlan(start=start)
    if not enabled or n_days < 21:
        return plan
    shop = int(rng.integers(0, n_shops))
    day = int(rng.integers(n_days - 14, n_days - 6))
    plan.cvr_collapse = {"shop_idx": shop, "day_idx": day, "factor": CVR_COLLAPSE_FACTOR}
    return plan


def demand_multiplier(plan: AnomalyPlan, n_shops: int, n_days: int) -> np.ndarray:
    """Shops x days multiplier of orders (the conversion collapse)."""
    mult = np.ones((n_shops, n_days))
    if plan.cvr_collapse:
        c = plan.cvr_collapse
        mult[c["shop_idx"], c["day_idx"] :] = c["factor"]
    return mult


def plan_creator_spike(
    plan: AnomalyPlan, n_days: int, per_shop: int, midnights: np.ndarray, rng: np.random.Generator
) -> None:
    """Pick a creator and a week in which its affiliate orders multiply."""
    if plan.cvr_collapse is None or per_shop < 2 or n_days < 21:
        return
    shop = int(rng.integers(0, midnights.shape[0]))
    week = int(rng.integers(1, n_days // 7 - 1))
    plan.creator_spike = {
        "shop_idx": shop,
        "creator_pos": int(rng.integers(per_shop // 2, per_shop)),
        "start_ts": int(midnights[shop, week * 7]),
        "end_ts": int(midnights[shop, week * 7 + 7]),
        "day_idx": week * 7,
        "factor": CREATOR_SPIKE_FACTOR,
    }


def plan_ads_anomalies(
    plan: AnomalyPlan, n_campaigns: int, n_advertisers: int, n_days: int, rng: np.random.Generator
) -> None:
    """Pick the campaign whose CPM jumps and the advertiser-day with missing rows."""
    if plan.cvr_collapse is None:
        return
    plan.cpm_jump = {
        "campaign_row": int(rng.integers(0, n_campaigns)),
        "day_idx": int(rng.integers(n_days // 2, n_days - 3)),
        "factor": CPM_JUMP_FACTOR,
    }
    plan.missing_day = {
        "advertiser_row": int(rng.integers(0, n_advertisers)),
        "day_idx": int(rng.integers(7, n_days - 7)),
    }
