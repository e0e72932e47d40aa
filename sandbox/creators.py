"""Affiliate creators, their short videos and LIVE sessions, and which orders they drove.

Creators follow a power law (a few drive most affiliate GMV). Content features influence results:
short hooks, trending music, a moderate number of hashtags and longer LIVEs sell more. A few
creators carry a fake-engagement signature: many followers and views, almost no sales.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox.columns import span_of
from sandbox.orders import KIND_NORMAL, KIND_TEST

CREATOR_ID_BASE = 6_900_000_000_000_000_000
CONTENT_ID_BASE = 7_300_000_000_000_000_000
AFFILIATE_SHARE = {0: 0.45, 1: 0.5, 2: 0.08}  # by order channel LIVE, VIDEO, PRODUCT_CARD
FAKE_RATE = 0.04
CONTENT_TYPES = ("LIVE", "VIDEO", "SHOWCASE")
SPIKE_MIN_SHARE = 0.3  # in its spike week a creator takes at least this share of the shop's weight
CHUNK = 250_000  # creator orders handled at a time (bounds memory at 200-shop scale)
CONTENT_CANDIDATES = 6  # recent posts considered for each creator order
CONTENT_WINDOW = 7 * 86_400  # a post sells for about a week
CONTENT_HALF_LIFE = 3 * 86_400  # recency weight (e-folding time, seconds)


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
    spike: dict[str, Any] | None,
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
    _attach_content(orders, content, rng)


def _apply_spike(
    orders: pd.DataFrame,
    rows: np.ndarray,
    group: np.ndarray,
    weight: np.ndarray,
    creator_row: np.ndarray,
    spike: dict[str, Any],
    rng: np.random.Generator,
) -> None:
    """Re-draw the creators of the spike week with the spiking creator's weight multiplied."""
    created = orders["create_time"].to_numpy()[rows]
    in_week = rows[(created >= spike["start_ts"]) & (created < spike["end_ts"])]
    spiked = weight.copy()
    pos = spike["creator_pos"]
    spiked[pos] = max(spiked[pos] * spike["factor"], SPIKE_MIN_SHARE * weight.sum())
    creator_row[in_week] = rng.choice(group, in_week.size, p=spiked / spiked.sum())


def _attach_content(orders: pd.DataFrame, content: pd.DataFrame, rng: np.random.Generator) -> None:
    """The content that sold each creator order: one of the creator's recent posts of the order's
    channel (LIVE or VIDEO), chosen in proportion to its quality and recency, so content
    features drive sales; PRODUCT_CARD orders and orders with no such post are showcase sales."""
    rows = np.flatnonzero(orders["creator_row"].to_numpy() >= 0)
    chosen = np.concatenate(
        [
            _choose_content(orders, content, rows[i : i + CHUNK], rng)
            for i in range(0, rows.size, CHUNK)
        ]
        or [np.empty(0, dtype=np.int64)]
    )
    content_row = np.full(len(orders), -1, dtype=np.int64)
    content_row[rows] = chosen
    lost = rows[(chosen >= 0) & (rng.random(rows.size) >= _keep_chance(content)[chosen])]
    content_row[lost] = -1  # weak content converts less: those buyers came organically
    creator_row = orders["creator_row"].to_numpy().copy()
    creator_row[lost] = -1
    orders["creator_row"], orders["content_row"] = creator_row, content_row


def _choose_content(
    orders: pd.DataFrame, content: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For some creator orders: the chosen content row, or -1 (Gumbel-max weighted choice)."""
    creator = orders["creator_row"].to_numpy()[rows]
    t = orders["create_time"].to_numpy()[rows]
    c_creator, c_time = content["creator_row"].to_numpy(), content["publish_time"].to_numpy()
    latest = np.searchsorted(c_creator * 2**33 + c_time, creator * 2**33 + t, side="right") - 1
    cand = latest[:, None] - np.arange(CONTENT_CANDIDATES)[None, :]
    safe = np.maximum(cand, 0)
    age = t[:, None] - c_time[safe]
    ok = (cand >= 0) & (c_creator[safe] == creator[:, None]) & (age <= CONTENT_WINDOW)
    channel = orders["channel"].to_numpy()[rows][:, None]
    live = content["is_live"].to_numpy()[safe]
    ok &= np.where(channel == 0, live, ~live) & (channel != 2)
    score = np.log(content["quality"].to_numpy()[safe]) - age / CONTENT_HALF_LIFE
    score = np.where(ok, score + rng.gumbel(size=cand.shape), -np.inf)
    chosen = cand[np.arange(rows.size), np.argmax(score, axis=1)]
    return np.where(ok.any(axis=1), chosen, -1)


def _keep_chance(content: pd.DataFrame) -> np.ndarray:
    """Chance that a post's viewer buys through it: its quality against its kind's best quarter."""
    quality, live = content["quality"].to_numpy(), content["is_live"].to_numpy()
    chance = np.empty(quality.size)
    for kind in (True, False):
        mask = live == kind
        if mask.any():
            chance[mask] = np.minimum(1.0, quality[mask] / np.quantile(quality[mask], 0.75))
    return chance
