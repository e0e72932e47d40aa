"""Affiliate creators, their short videos and LIVE sessions, and which orders they drove.

Creators follow a power law (a few drive most affiliate GMV). Content features influence results:
short hooks, trending music, a moderate number of hashtags and longer LIVEs sell more. A few
creators carry a fake-engagement signature: many followers and views, almost no sales.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.columns import span_of
from sandbox.orders import KIND_NORMAL, KIND_TEST

CREATOR_ID_BASE = 6_900_000_000_000_000_000
CONTENT_ID_BASE = 7_300_000_000_000_000_000
AFFILIATE_SHARE = {0: 0.45, 1: 0.5, 2: 0.08}  # by order channel LIVE, VIDEO, PRODUCT_CARD
FAKE_RATE = 0.04
CONTENT_TYPES = ("LIVE", "VIDEO", "SHOWCASE")


def build_creators(shops: pd.DataFrame, per_shop: int, rng: np.random.Generator) -> pd.DataFrame:
    """Creators per shop: followers, commission rate, power-law sales weight, fake flag."""
    n = len(shops) * per_shop
    shop_idx = np.repeat(np.arange(len(shops)), per_shop)
    weight = rng.pareto(1.2, n) + 0.05
    fake = rng.random(n) < FAKE_RATE
    fake[rng.integers(0, n)] = True  # at least one per data set
    followers = (rng.lognormal(9.5, 1.3, n) * np.where(fake, 8, 1) * (1 + weight)).astype(np.int64)
    return pd.DataFrame(
        {
            "creator_id": CREATOR_ID_BASE + np.arange(n, dtype=np.int64) * 13,
            "username": [f"creator_{i:05d}" for i in range(n)],
            "shop_idx": shop_idx,
            "followers": followers,
            "commission_bp": rng.choice([800, 1000, 1200, 1500, 2000, 2500], n),
            "weight": np.where(fake, weight * 0.02, weight),
            "fake_engagement": fake,
        }
    )


def build_content(
    creators: pd.DataFrame, start: int, end: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Videos (about two a week each) and LIVE sessions (about one a week) with their features."""
    per = rng.poisson(np.maximum(1.0, (end - start) / 86_400 / 7 * 3), len(creators))
    creator_row = np.repeat(np.arange(len(creators)), per)
    n = creator_row.size
    is_live = rng.random(n) < 0.33
    publish = rng.integers(start - 3 * 86_400, end, n)
    order = np.lexsort((publish, creator_row))
    creator_row, is_live, publish = creator_row[order], is_live[order], publish[order]
    hook = np.round(rng.uniform(0.5, 6.0, n), 1)
    music = rng.random(n) < 0.35
    hashtags = rng.integers(0, 12, n)
    duration = np.where(is_live, rng.integers(1800, 4 * 3600, n), rng.integers(8, 90, n))
    quality = np.exp(-0.25 * hook) * np.where(music, 1.4, 1.0) * np.exp(-0.03 * (hashtags - 4) ** 2)
    quality = np.where(is_live, np.sqrt(duration / 3600.0), quality * 2.2)
    fake = creators["fake_engagement"].to_numpy()[creator_row]
    followers = creators["followers"].to_numpy()[creator_row]
    views = (followers * rng.lognormal(-1.2, 0.8, n) * quality * np.where(fake, 3.0, 1.0)).astype(
        np.int64
    )
    likes = (views * rng.uniform(0.02, 0.08, n) * np.where(fake, 2.5, 1.0)).astype(np.int64)
    return pd.DataFrame(
        {
            "content_id": CONTENT_ID_BASE + np.arange(n, dtype=np.int64) * 17,
            "creator_row": creator_row,
            "is_live": is_live,
            "publish_time": publish,
            "hook_seconds": np.where(is_live, np.nan, hook),
            "duration_seconds": duration,
            "trending_music": music & ~is_live,
            "hashtags": np.where(is_live, 0, hashtags),
            "views": views,
            "likes": likes,
            "comments": (likes * 0.08).astype(np.int64),
            "shares": (likes * 0.05).astype(np.int64),
            "quality": quality,
        }
    )


def attribute_orders(
    orders: pd.DataFrame,
    creators: pd.DataFrame,
    content: pd.DataFrame,
    spike: dict | None,
    rng: np.random.Generator,
) -> None:
    """Give some LIVE/VIDEO orders a creator and the content that sold them (or a showcase)."""
    channel = orders["channel"].to_numpy()
    share = np.select([channel == c for c in AFFILIATE_SHARE], list(AFFILIATE_SHARE.values()))
    kind = orders["kind"].to_numpy()
    aff = ((kind == KIND_NORMAL) | (kind == KIND_TEST)) & (rng.random(len(orders)) < share)
    creator_row = np.full(len(orders), -1, dtype=np.int64)
    shop = orders["shop_idx"].to_numpy()
    for shop_idx, group in creators.groupby("shop_idx").indices.items():
        lo, hi = span_of(shop, shop_idx)
        rows = lo + np.flatnonzero(aff[lo:hi])
        weight = creators["weight"].to_numpy()[group]
        creator_row[rows] = rng.choice(group, rows.size, p=weight / weight.sum())
        if spike and spike["shop_idx"] == shop_idx:
            _apply_spike(orders, rows, group, weight, creator_row, spike, rng)
    orders["creator_row"] = creator_row
    _attach_content(orders, content)


def _apply_spike(
    orders: pd.DataFrame,
    rows: np.ndarray,
    group: np.ndarray,
    weight: np.ndarray,
    creator_row: np.ndarray,
    spike: dict,
    rng: np.random.Generator,
) -> None:
    """Re-draw the creators of the spike week with the spiking creator's weight multiplied."""
    created = orders["create_time"].to_numpy()[rows]
    in_week = rows[(created >= spike["start_ts"]) & (created < spike["end_ts"])]
    spiked = weight.copy()
    spiked[spike["creator_pos"]] *= spike["factor"]
    creator_row[in_week] = rng.choice(group, in_week.size, p=spiked / spiked.sum())


def _attach_content(orders: pd.DataFrame, content: pd.DataFrame) -> None:
    """The creator's latest content published before the order (none: showcase sale)."""
    key = content["creator_row"].to_numpy() * 2**33 + content["publish_time"].to_numpy()
    creator_row = orders["creator_row"].to_numpy()
    probe = creator_row * 2**33 + orders["create_time"].to_numpy()
    pos = np.searchsorted(key, probe, side="right") - 1
    valid = (creator_row >= 0) & (pos >= 0)
    valid &= content["creator_row"].to_numpy()[np.maximum(pos, 0)] == creator_row
    orders["content_row"] = np.where(valid, pos, -1)
