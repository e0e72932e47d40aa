"""Planted anomalies: known, recorded disturbances that analytics tests should (or should not) find.

- ``cvr_collapse``: a shop whose conversion rate drops (orders fall, page views do not).
- ``cpm_jump``: a campaign whose CPM jumps (same spend, far fewer impressions).
- ``creator_spike``: a creator whose affiliate sales multiply for one week.
- ``missing_day``: an advertiser with no report rows at all for one day.
Each is written to the manifest with ids and local dates; the data itself carries the effect.
Each is planted only where it is visible (``sandbox.placement``): a shop with volume, a creator
with steady sales and weeks of history, a campaign that delivers before and on the planted days,
an advertiser that delivered on the day its rows go missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sandbox import placement
from sandbox.creators import AFFILIATE_SHARE, SPIKE_MIN_SHARE
from sandbox.orders import KIND_NORMAL, KIND_TEST

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


def place_collapse(plan: AnomalyPlan, base: np.ndarray) -> None:
    """Move the conversion collapse to a shop with volume (``base``: expected orders per
    shop-day before any anomaly)."""
    if c := plan.cvr_collapse:
        c["shop_idx"] = placement.collapse_shop(c["shop_idx"], c["day_idx"], base)


def weekly_affiliate_orders(orders: pd.DataFrame, n_shops: int, n_weeks: int) -> np.ndarray:
    """Expected creator-attributed orders a week per shop (before any spike)."""
    channel = orders["channel"].to_numpy()
    share = np.select([channel == c for c in AFFILIATE_SHARE], list(AFFILIATE_SHARE.values()))
    kind = orders["kind"].to_numpy()
    share = np.where((kind == KIND_NORMAL) | (kind == KIND_TEST), share, 0.0)
    return np.bincount(orders["shop_idx"], weights=share, minlength=n_shops) / max(n_weeks, 1)


def plan_creator_spike(
    plan: AnomalyPlan,
    n_days: int,
    creators: pd.DataFrame,
    weekly_orders: np.ndarray,
    midnights: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Pick a creator with steady sales and a week with enough history before it, in which its
    affiliate orders multiply (``weekly_orders``: affiliate-eligible orders a week per shop)."""
    per_shop = len(creators) // max(midnights.shape[0], 1)
    if plan.cvr_collapse is None or per_shop < 2 or n_days < 21:
        return
    preferred = int(rng.integers(0, midnights.shape[0]))
    week = placement.spike_week(int(rng.integers(1, n_days // 7 - 1)), n_days // 7)
    rng.integers(per_shop // 2, per_shop)  # drawn as before, so later draws stay the same
    shape = (midnights.shape[0], per_shop)
    shop, pos = placement.spike_creator(
        weekly_orders, creators["weight"].to_numpy().reshape(shape),
        creators["fake_engagement"].to_numpy().reshape(shape), CREATOR_SPIKE_FACTOR,
        SPIKE_MIN_SHARE, preferred)
    plan.creator_spike = {
        "shop_idx": shop,
        "creator_pos": pos,
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


def place_ads_anomalies(
    plan: AnomalyPlan, rows: pd.DataFrame, purchases: np.ndarray, n_campaigns: int,
    n_advertisers: int, n_days: int,
) -> None:
    """Move the missing day and the CPM jump to where they are visible, given the ad rows
    (``advertiser_row``, ``campaign_row``, ``day_idx``) and each row's expected purchases
    after a jump."""
    adv, camp, day = (rows[c].to_numpy() for c in ("advertiser_row", "campaign_row", "day_idx"))
    if m := plan.missing_day:
        delivers = placement.campaign_days(adv, day, n_advertisers, n_days)
        m["advertiser_row"], m["day_idx"] = placement.missing_day_place(
            delivers, (m["advertiser_row"], m["day_idx"]), range(7, n_days - 7))
    if c := plan.cpm_jump:
        kept = np.ones(adv.size, dtype=bool)
        if m:
            kept = (adv != m["advertiser_row"]) | (day != m["day_idx"])
        delivers = placement.campaign_days(camp[kept], day[kept], n_campaigns, n_days)
        seen = placement.campaign_days(camp[kept], day[kept], n_campaigns, n_days,
                                       purchases[kept])
        c["campaign_row"], c["day_idx"] = placement.cpm_jump_place(
            delivers, seen, (c["campaign_row"], c["day_idx"]), range(n_days // 2, n_days - 3))
