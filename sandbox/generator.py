"""Build a complete, deterministic data set from a ``GeneratorConfig`` (seeded numpy
``Generator``).

Order of work: shops and SKUs -> daily demand (seasonality, promotions, growth, anomalies) ->
orders and lines -> fulfilment, cancellations, returns, settlement -> creators and content ->
advertisers, campaigns, ads and their daily rows -> truth and the anomaly manifest.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sandbox import ads as ads_mod
from sandbox import aftersales, anomalies, catalog, creators
from sandbox.config import GeneratorConfig
from sandbox.dataset import Dataset
from sandbox.orders import build_orders
from sandbox.seasons import demand_factors, local_midnights
from sandbox.truth import compute_truth


def generate(config: GeneratorConfig | None = None) -> Dataset:
    """Generate the data set described by ``config`` (same config, same data)."""
    cfg = config or GeneratorConfig()
    rng = np.random.default_rng(cfg.seed)
    shops = catalog.build_shops(cfg, rng)
    skus = catalog.build_skus(shops, rng)
    days = [cfg.start + timedelta(days=i) for i in range(cfg.days)]
    midnights = np.vstack([local_midnights(days, tz) for tz in shops["timezone"]])
    clock = midnights[:, -1] - 1
    plan = anomalies.plan_anomalies(len(shops), cfg.days, cfg.start, cfg.plant_anomalies, rng)
    base = _base_demand(shops, days, rng)
    anomalies.place_collapse(plan, base)
    expected = base * anomalies.demand_multiplier(plan, len(shops), cfg.days)
    orders, lines = build_orders(shops, skus, expected, midnights, cfg.test_orders_per_shop, rng)
    aftersales.add_fulfilment(orders, rng)
    refunds = aftersales.build_refunds(orders, lines, rng)
    aftersales.add_settlement(orders, refunds, rng)
    people = creators.build_creators(shops, cfg.creators_per_shop, rng)
    content = creators.build_content(people, int(midnights[:, 0].min()), int(clock.max()), rng)
    weekly = anomalies.weekly_affiliate_orders(orders, len(shops), cfg.weeks)
    anomalies.plan_creator_spike(plan, cfg.days, people, weekly, midnights, rng)
    creators.attribute_orders(orders, people, content, plan.creator_spike, rng)
    shops["page_views"] = list(np.rint(base / _conversion_rate(shops)[:, None]).astype(np.int64))
    advertisers, campaigns, ads, ad_rows = _build_ads(cfg, shops, orders, base, plan, clock, rng)
    truth = compute_truth(shops, orders, refunds, ad_rows, midnights, cfg.start, clock)
    return Dataset(
        cfg,
        shops,
        skus,
        orders,
        lines,
        refunds,
        people,
        content,
        advertisers,
        campaigns,
        ads,
        ad_rows,
        midnights,
        clock,
        truth,
        _manifest(plan, shops, people, campaigns, advertisers),
    )


def _base_demand(shops: pd.DataFrame, days: list[date], rng: np.random.Generator) -> np.ndarray:
    """Expected orders per shop-day: size x weekday x promotions x growth x noise."""
    t = np.arange(len(days)) / 365.0
    rows = []
    for size, region, growth in zip(
        shops["daily_orders"], shops["region"], shops["growth"], strict=True
    ):
        noise = rng.lognormal(0, 0.08, len(days))
        rows.append(size * demand_factors(days, region) * np.exp(growth * t) * noise)
    return np.vstack(rows)


def _conversion_rate(shops: pd.DataFrame) -> np.ndarray:
    """Product page view to order conversion rate per shop (steady; the collapse is in orders)."""
    return 0.018 + 0.01 * (np.arange(len(shops)) % 3)


def _build_ads(
    cfg: GeneratorConfig,
    shops: pd.DataFrame,
    orders: pd.DataFrame,
    base: np.ndarray,
    plan: anomalies.AnomalyPlan,
    clock: np.ndarray,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Advertisers, campaigns, ads and their daily rows with values as served at the clock."""
    advertisers = ads_mod.build_advertisers(shops, cfg.advertisers_per_shop)
    campaigns, ads = ads_mod.build_campaigns(advertisers, rng)
    anomalies.plan_ads_anomalies(plan, len(campaigns), len(advertisers), cfg.days, rng)
    aov = _average_order_value(shops, orders)
    rows = ads_mod.build_ad_days(shops, advertisers, campaigns, ads, base, aov, plan, rng)
    if plan.missing_day:
        m = plan.missing_day
        gone = (rows["advertiser_row"] == m["advertiser_row"]) & (rows["day_idx"] == m["day_idx"])
        rows = rows[~gone].reset_index(drop=True)
    rows["shop_idx"] = advertisers["shop_idx"].to_numpy()[rows["advertiser_row"].to_numpy()]
    lag = cfg.days - 1 - rows["day_idx"].to_numpy()
    rows["conversion_served"] = ads_mod.matured(rows["conversion"].to_numpy(), lag)
    rows["value_served"] = ads_mod.matured(rows["value"].to_numpy(), lag)
    return advertisers, campaigns, ads, rows


def _average_order_value(shops: pd.DataFrame, orders: pd.DataFrame) -> np.ndarray:
    """Mean sub_total per shop (minor units), the basket size of ad-driven purchases."""
    sums = np.bincount(orders["shop_idx"], weights=orders["sub_total"], minlength=len(shops))
    counts = np.maximum(np.bincount(orders["shop_idx"], minlength=len(shops)), 1)
    return sums / counts


def _manifest(
    plan: anomalies.AnomalyPlan,
    shops: pd.DataFrame,
    people: pd.DataFrame,
    campaigns: pd.DataFrame,
    advertisers: pd.DataFrame,
) -> list[dict[str, Any]]:
    """The planted anomalies with public ids and local dates."""
    out: list[dict[str, Any]] = []
    if c := plan.cvr_collapse:
        out.append(
            {
                "kind": "cvr_collapse",
                "shop_id": shops["shop_id"][c["shop_idx"]],
                "start": plan.day(c["day_idx"]),
                "factor": c["factor"],
            }
        )
    if c := plan.cpm_jump:
        adv = int(campaigns["advertiser_row"][c["campaign_row"]])
        out.append(
            {
                "kind": "cpm_jump",
                "campaign_id": campaigns["campaign_id"][c["campaign_row"]],
                "advertiser_id": advertisers["advertiser_id"][adv],
                "shop_id": shops["shop_id"][advertisers["shop_idx"][adv]],
                "start": plan.day(c["day_idx"]),
                "factor": c["factor"],
            }
        )
    if c := plan.creator_spike:
        row = c["shop_idx"] * len(people) // len(shops) + c["creator_pos"]
        out.append(
            {
                "kind": "creator_spike",
                "creator_id": str(people["creator_id"][row]),
                "username": people["username"][row],
                "shop_id": shops["shop_id"][c["shop_idx"]],
                "start": plan.day(c["day_idx"]),
                "end": plan.day(c["day_idx"] + 7),
                "factor": c["factor"],
            }
        )
    if c := plan.missing_day:
        adv = c["advertiser_row"]
        out.append(
            {
                "kind": "missing_day",
                "advertiser_id": advertisers["advertiser_id"][adv],
                "shop_id": shops["shop_id"][advertisers["shop_idx"][adv]],
                "date": plan.day(c["day_idx"]),
            }
        )
    return out
