"""Ad accounts linked to shops, their campaigns and ads, and daily delivery (final values).

An advertiser uses its shop's currency and time zone. Each ad runs for a stretch of days; its daily
spend follows the shop's demand; impressions follow the region's CPM, clicks its CTR, purchases its
CVR, and ``total_onsite_shopping_value`` the shop's basket size. Values here are final; the API
shows recent days' conversions still maturing (see ``conversion_maturity``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.anomalies import AnomalyPlan, place_ads_anomalies
from sandbox.regions import REGIONS

ADVERTISER_ID_BASE = 7_100_000_000_000_000_000
CAMPAIGN_ID_BASE = 1_800_000_000_000_000_000
AD_ID_BASE = 1_810_000_000_000_000_000
#: Share of the final conversions already reported 0, 1, 2 days after the day (3+: all).
MATURITY = (0.55, 0.8, 0.93)
#: Daily ad budget of a shop as a share of its ordinary daily GMV.
AD_BUDGET_SHARE = 0.05
OBJECTIVES = ("PRODUCT_SALES", "PRODUCT_SALES", "VIDEO_VIEWS", "REACH")


def build_advertisers(shops: pd.DataFrame, per_shop: int) -> pd.DataFrame:
    """Ad accounts, each linked to one shop and sharing its currency and time zone."""
    shop_idx = np.repeat(np.arange(len(shops)), per_shop)
    return pd.DataFrame(
        {
            "advertiser_id": [str(ADVERTISER_ID_BASE + i * 101) for i in range(shop_idx.size)],
            "name": [
                f"{shops['name'][s]} Ads {k + 1}"
                for s, k in zip(shop_idx, np.tile(np.arange(per_shop), len(shops)), strict=True)
            ],
            "shop_idx": shop_idx,
            "currency": shops["currency"].to_numpy()[shop_idx],
            "timezone": shops["timezone"].to_numpy()[shop_idx],
        }
    )


def build_campaigns(
    advertisers: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Campaigns (3-5 per advertiser) and ads (2-4 per campaign)."""
    n_camp = rng.integers(3, 6, len(advertisers))
    adv_row = np.repeat(np.arange(len(advertisers)), n_camp)
    campaigns = pd.DataFrame(
        {
            "campaign_id": [str(CAMPAIGN_ID_BASE + i * 37) for i in range(adv_row.size)],
            "campaign_name": [
                f"{OBJECTIVES[i % 4].title().replace('_', ' ')} {i:04d}"
                for i in range(adv_row.size)
            ],
            "objective_type": [OBJECTIVES[i % 4] for i in range(adv_row.size)],
            "advertiser_row": adv_row,
            "budget_share": rng.dirichlet(np.ones(3), adv_row.size)[:, 0] + 0.1,
        }
    )
    n_ads = rng.integers(2, 5, len(campaigns))
    camp_row = np.repeat(np.arange(len(campaigns)), n_ads)
    ads = pd.DataFrame(
        {
            "ad_id": [str(AD_ID_BASE + i * 41) for i in range(camp_row.size)],
            "ad_name": [f"Creative {i:05d}" for i in range(camp_row.size)],
            "campaign_row": camp_row,
            "advertiser_row": campaigns["advertiser_row"].to_numpy()[camp_row],
            "quality": rng.lognormal(0, 0.3, camp_row.size),
        }
    )
    return campaigns, ads


def build_ad_days(
    shops: pd.DataFrame,
    advertisers: pd.DataFrame,
    campaigns: pd.DataFrame,
    ads: pd.DataFrame,
    demand: np.ndarray,
    aov: np.ndarray,
    plan: AnomalyPlan,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per ad per active day: spend, impressions, clicks, conversions and revenue.
    The plan's CPM jump and missing day are first moved to where they are visible."""
    ad_row, day_idx = _active_days(demand.shape[1], len(ads), rng)
    shop_idx = advertisers["shop_idx"].to_numpy()[ads["advertiser_row"].to_numpy()][ad_row]
    camp_row = ads["campaign_row"].to_numpy()[ad_row]
    region = [REGIONS[r] for r in shops["region"]]
    cpm = np.array([r.cpm for r in region])[shop_idx] * rng.lognormal(0, 0.15, ad_row.size)
    budget = aov[shop_idx] * shops["daily_orders"].to_numpy()[shop_idx] * AD_BUDGET_SHARE
    budget *= campaigns["budget_share"].to_numpy()[camp_row]
    pace = demand[shop_idx, day_idx] / demand.mean(axis=1)[shop_idx]
    spend = np.rint(budget * pace * rng.lognormal(0, 0.35, ad_row.size)).astype(np.int64) + 1
    frame = pd.DataFrame(
        {
            "ad_row": ad_row,
            "day_idx": day_idx.astype(np.int32),
            "advertiser_row": ads["advertiser_row"].to_numpy()[ad_row],
            "campaign_row": camp_row,
            "spend": spend,
        }
    )
    quality = ads["quality"].to_numpy()[ad_row]
    ctr = np.minimum(np.array([r.ctr for r in region])[shop_idx] * quality, 0.2)
    cvr = np.array([r.cvr for r in region])[shop_idx]
    if cpm_jump := plan.cpm_jump:
        jumped = spend * 1000 / (cpm * cpm_jump["factor"]) * ctr * cvr  # expected purchases
        place_ads_anomalies(plan, frame, jumped, len(campaigns), len(advertisers),
                            demand.shape[1])
        hit = (camp_row == cpm_jump["campaign_row"]) & (day_idx >= cpm_jump["day_idx"])
        cpm = np.where(hit, cpm * cpm_jump["factor"], cpm)
    _add_funnel(frame, cpm, ctr, cvr, aov[shop_idx], rng)
    return frame.sort_values(["advertiser_row", "day_idx", "ad_row"], ignore_index=True)


def _active_days(
    n_days: int, n_ads: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(ad, day) pairs on which each ad ran: one stretch per ad, with a few paused days."""
    first = rng.integers(-n_days // 2, n_days, n_ads)
    last = first + rng.integers(10, n_days + 1, n_ads)
    days = np.arange(n_days)
    active = (days[None, :] >= first[:, None]) & (days[None, :] <= last[:, None])
    ad_row, day_idx = np.nonzero(active & (rng.random(active.shape) < 0.93))
    return ad_row, day_idx


def _add_funnel(
    frame: pd.DataFrame,
    cpm: np.ndarray,
    ctr: np.ndarray,
    cvr: np.ndarray,
    aov: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Impressions from spend and CPM, then clicks, purchases and their value."""
    impressions = np.maximum((frame["spend"].to_numpy() * 1000 / cpm).astype(np.int64), 1)
    clicks = rng.binomial(impressions, ctr)
    conversions = rng.binomial(clicks, cvr)
    noise = rng.lognormal(0, 0.25, impressions.size)
    frame["impressions"], frame["clicks"] = impressions, clicks
    frame["reach"] = (impressions * rng.uniform(0.6, 0.9, impressions.size)).astype(np.int64)
    frame["conversion"] = conversions
    frame["value"] = np.rint(conversions * aov * noise).astype(np.int64)
    frame["video_play_actions"] = (impressions * rng.uniform(0.3, 0.6, impressions.size)).astype(
        np.int64
    )


def matured(final: np.ndarray, days_before_clock: np.ndarray) -> np.ndarray:
    """Conversions (or value) reported so far for days that many days before the clock."""
    share = np.ones(final.shape)
    for lag, fraction in enumerate(MATURITY):
        share[days_before_clock == lag] = fraction
    return np.floor(final * share).astype(np.int64)
