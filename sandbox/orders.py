"""Orders and their line items, generated column-wise (no per-order Python objects).

A line item is one unit (the API has no quantity).
``sale_price = original_price - seller_discount``; ``sub_total = sum(sale_price)``;
``total_amount = sub_total + shipping_fee + tax - platform_discount``.
Order kinds: normal, sample ($0, ``is_sample_order``), replacement ($0, ``is_replacement_order``),
test (buyer message "TEST ORDER", recipient "TEST"), and unpaid (never paid, auto-cancelled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.columns import span_of
from sandbox.regions import REGIONS
from sandbox.seasons import HOURLY_P

ORDER_ID_BASE = 576_000_000_000_000_000
LINE_ID_BASE = 577_000_000_000_000_000
USER_ID_BASE = 7_000_000_000_000_000_000
NO_TIME = -1  # "not happened" in int64 time columns
KIND_NORMAL, KIND_SAMPLE, KIND_REPLACEMENT, KIND_TEST, KIND_UNPAID = range(5)
CHANNELS = ("LIVE", "VIDEO", "PRODUCT_CARD")
CHANNEL_P = np.array([0.3, 0.35, 0.35])
SAMPLE_RATE, REPLACEMENT_RATE, UNPAID_RATE = 0.006, 0.003, 0.03


def build_orders(
    shops: pd.DataFrame,
    skus: pd.DataFrame,
    expected: np.ndarray,
    midnights: np.ndarray,
    test_per_shop: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders (sorted by shop, create_time) and their lines, from expected orders per shop-day."""
    counts = rng.poisson(expected)
    shop_idx = np.repeat(np.arange(counts.shape[0]), counts.sum(axis=1))
    day_idx = np.concatenate([np.repeat(np.arange(counts.shape[1]), row) for row in counts])
    create = _times_in_day(shop_idx, day_idx, midnights, rng)
    order = np.lexsort((create, shop_idx))
    orders = pd.DataFrame(
        {
            "shop_idx": shop_idx[order].astype(np.int32),
            "day_idx": day_idx[order].astype(np.int32),
            "create_time": create[order],
        }
    )
    orders["kind"] = _kinds(orders["shop_idx"].to_numpy(), test_per_shop, rng)
    orders["channel"] = rng.choice(len(CHANNELS), len(orders), p=CHANNEL_P).astype(np.int8)
    _add_payment_times(orders, rng)
    _add_buyers(orders, rng)
    lines = _build_lines(orders, skus, rng)
    _add_money(orders, lines, shops)
    orders.insert(0, "order_id", ORDER_ID_BASE + np.arange(len(orders), dtype=np.int64) * 7 + 3)
    return orders, lines


def _times_in_day(
    shop_idx: np.ndarray, day_idx: np.ndarray, midnights: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Unix seconds inside each order's local day, with an evening-heavy hourly profile."""
    hour = rng.choice(24, shop_idx.size, p=HOURLY_P)
    frac = (hour * 3600 + rng.integers(0, 3600, shop_idx.size)) / 86400.0
    start = midnights[shop_idx, day_idx]
    length = midnights[shop_idx, day_idx + 1] - start
    return start + np.minimum((frac * length).astype(np.int64), length - 1)


def _kinds(shop_idx: np.ndarray, test_per_shop: int, rng: np.random.Generator) -> np.ndarray:
    """Kind of each order; a few test orders per shop at random positions."""
    u = rng.random(shop_idx.size)
    kind = np.full(shop_idx.size, KIND_NORMAL, dtype=np.int8)
    kind[u < SAMPLE_RATE + REPLACEMENT_RATE + UNPAID_RATE] = KIND_UNPAID
    kind[u < SAMPLE_RATE + REPLACEMENT_RATE] = KIND_REPLACEMENT
    kind[u < SAMPLE_RATE] = KIND_SAMPLE
    starts = np.searchsorted(shop_idx, np.unique(shop_idx))
    ends = np.append(starts[1:], shop_idx.size)
    for lo, hi in zip(starts, ends, strict=True):
        picks = rng.choice(np.arange(lo, hi), min(test_per_shop, hi - lo), replace=False)
        kind[picks] = KIND_TEST
    return kind


def _add_payment_times(orders: pd.DataFrame, rng: np.random.Generator) -> None:
    """Payment a few minutes after creation; unpaid orders never pay."""
    delay = (rng.exponential(150, len(orders)) + 5).astype(np.int64)
    paid = orders["create_time"].to_numpy() + delay
    paid[orders["kind"].to_numpy() == KIND_UNPAID] = NO_TIME
    orders["paid_time"] = paid


def _add_buyers(orders: pd.DataFrame, rng: np.random.Generator) -> None:
    """Buyer ids from a per-shop pool, skewed so that some buyers come back."""
    shop = orders["shop_idx"].to_numpy()
    per_shop = np.bincount(shop)
    pool = np.maximum(50, (per_shop * 0.75).astype(np.int64))[shop]
    buyer = (pool * rng.random(shop.size) ** 1.6).astype(np.int64)
    orders["user_id"] = USER_ID_BASE + shop.astype(np.int64) * 100_000_000 + buyer


def _build_lines(
    orders: pd.DataFrame, skus: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Line items (one unit each): SKU by popularity, discounts, and each order's line range."""
    n_lines = np.minimum(rng.geometric(0.68, len(orders)), 8)
    orders["n_lines"] = n_lines.astype(np.int16)
    orders["line_start"] = np.concatenate([[0], np.cumsum(n_lines)[:-1]]).astype(np.int64)
    order_row = np.repeat(np.arange(len(orders)), n_lines)
    line_shop = orders["shop_idx"].to_numpy()[order_row]
    sku_row = np.empty(order_row.size, dtype=np.int64)
    for shop_idx, group in skus.groupby("shop_idx").indices.items():
        lo, hi = span_of(line_shop, shop_idx)  # lines are sorted by shop
        weight = skus["weight"].to_numpy()[group]
        sku_row[lo:hi] = rng.choice(group, hi - lo, p=weight / weight.sum())
    price = skus["price"].to_numpy()[sku_row]
    lines = pd.DataFrame(
        {
            "line_id": LINE_ID_BASE + np.arange(order_row.size, dtype=np.int64) * 3,
            "order_row": order_row,
            "sku_row": sku_row,
            "original_price": price,
        }
    )
    _add_discounts(lines, orders["kind"].to_numpy()[order_row], rng)
    return lines


def _add_discounts(lines: pd.DataFrame, kind: np.ndarray, rng: np.random.Generator) -> None:
    """Seller discounts on some lines, platform vouchers on fewer; $0 samples/replacements."""
    price = lines["original_price"].to_numpy()
    has_seller = rng.random(price.size) < 0.3
    seller = np.where(has_seller, (price * rng.uniform(0.05, 0.3, price.size)).astype(np.int64), 0)
    has_platform = rng.random(price.size) < 0.12
    platform = np.where(
        has_platform, (price * rng.uniform(0.03, 0.1, price.size)).astype(np.int64), 0
    )
    free = (kind == KIND_SAMPLE) | (kind == KIND_REPLACEMENT)
    seller[free] = price[free]
    platform[free] = 0
    platform = np.minimum(platform, price - seller)
    lines["seller_discount"] = seller
    lines["platform_discount"] = platform
    lines["sale_price"] = price - seller


def _add_money(orders: pd.DataFrame, lines: pd.DataFrame, shops: pd.DataFrame) -> None:
    """Order-level payment amounts, consistent with the lines, in minor units."""
    rows = lines["order_row"].to_numpy()
    size = len(orders)
    for name in ("sale_price", "seller_discount", "platform_discount"):
        total = np.bincount(rows, weights=lines[name].to_numpy(), minlength=size)
        orders["sub_total" if name == "sale_price" else name] = np.rint(total).astype(np.int64)
    shop = orders["shop_idx"].to_numpy()
    fee = np.array([REGIONS[r].shipping_fee for r in shops["region"]])[shop]
    over = np.array([REGIONS[r].free_shipping_over for r in shops["region"]])[shop]
    sub = orders["sub_total"].to_numpy()
    kind = orders["kind"].to_numpy()
    free = (sub >= over) | (kind == KIND_SAMPLE) | (kind == KIND_REPLACEMENT)
    orders["shipping_fee"] = np.where(free, 0, fee).astype(np.int64)
    rate_bp = np.array([int(REGIONS[r].tax_rate * 10000) for r in shops["region"]])[shop]
    orders["tax"] = (sub * rate_bp + 5000) // 10000
    orders["total_amount"] = (
        sub
        + orders["shipping_fee"].to_numpy()
        + orders["tax"].to_numpy()
        - orders["platform_discount"].to_numpy()
    )
