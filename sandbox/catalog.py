"""Sellers, their shops and each shop's products and SKUs (prices, stock, popularity)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.config import GeneratorConfig
from sandbox.regions import REGIONS

SHOP_ID_BASE = 7_494_000_000_000_000_000 // 1000  # 16-digit ids such as 7494000000000001
PRODUCT_ID_BASE = 1_729_000_000_000_000_000 // 100
SKU_ID_BASE = 1_729_500_000_000_000_000 // 100
SHOPS_PER_SELLER = 2
PRODUCT_WORDS = (
    "Glow Serum",
    "Silk Scrunchie",
    "Phone Grip",
    "LED Strip",
    "Yoga Mat",
    "Lip Tint",
    "Cargo Pants",
    "Desk Lamp",
    "Pet Brush",
    "Water Bottle",
    "Hair Clip",
    "Face Mask",
    "Sneaker Cleaner",
    "Mini Fan",
    "Bucket Hat",
    "Storage Box",
    "Eyelash Kit",
    "Tote Bag",
)
VARIANTS = ("Black", "White", "Pink", "Blue", "S", "M", "L", "XL")


def build_shops(cfg: GeneratorConfig, rng: np.random.Generator) -> pd.DataFrame:
    """One row per shop: ids, seller, region, currency, time zone, cipher and daily orders."""
    idx = np.arange(cfg.shops)
    regions = [cfg.regions[i % len(cfg.regions)] for i in idx]
    size = cfg.daily_orders * rng.lognormal(0.0, 0.45, cfg.shops)
    size = size / np.exp(0.45**2 / 2)  # keep the mean at cfg.daily_orders
    return pd.DataFrame(
        {
            "shop_id": [str(SHOP_ID_BASE + 1 + i) for i in idx],
            "name": [
                f"Demo {REGIONS[r].code} Shop {i + 1}" for i, r in zip(idx, regions, strict=True)
            ],
            "code": [f"{r}LC{i + 1:04d}" for i, r in zip(idx, regions, strict=True)],
            "region": regions,
            "currency": [REGIONS[r].currency for r in regions],
            "timezone": [REGIONS[r].timezone for r in regions],
            "exponent": [REGIONS[r].exponent for r in regions],
            "cipher": [f"ROW_{_token(rng, 22)}" for _ in idx],
            "seller_idx": idx // SHOPS_PER_SELLER,
            "daily_orders": size,
            "growth": rng.normal(0.25, 0.3, cfg.shops),  # yearly log growth
        }
    )


def build_skus(shops: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """SKUs of every shop with list price (minor units), stock and a Zipf-like popularity weight."""
    frames = []
    next_product = 0
    for shop_idx, region in enumerate(shops["region"]):
        lo, hi = REGIONS[region].price_range
        n_products = int(rng.integers(15, 45))
        n_skus = rng.integers(1, 5, n_products)
        product = np.repeat(np.arange(n_products), n_skus)
        base = np.exp(rng.uniform(np.log(lo), np.log(hi), n_products))
        price = _nice_price(base[product] * rng.uniform(0.95, 1.1, product.size), lo)
        words = [PRODUCT_WORDS[(next_product + p) % len(PRODUCT_WORDS)] for p in product]
        variant = np.concatenate([np.arange(k) for k in n_skus])
        frames.append(
            pd.DataFrame(
                {
                    "shop_idx": shop_idx,
                    "product_id": [str(PRODUCT_ID_BASE + next_product + p) for p in product],
                    "product_name": [
                        f"{w} #{next_product + p}" for w, p in zip(words, product, strict=True)
                    ],
                    "variant": [VARIANTS[v % len(VARIANTS)] for v in variant],
                    "price": price,
                    "stock": rng.negative_binomial(2, 0.01, product.size),
                    "weight": 1.0 / (rng.permutation(product.size) + 1.0) ** 1.1,
                }
            )
        )
        next_product += n_products
    skus = pd.concat(frames, ignore_index=True)
    skus["sku_id"] = [str(SKU_ID_BASE + i) for i in range(len(skus))]
    skus["seller_sku"] = [f"SKU-{i:06d}" for i in range(len(skus))]
    return skus


def _nice_price(values: np.ndarray, lo: int) -> np.ndarray:
    """Round list prices to retail endings (x.99 for cent currencies, whole hundreds otherwise)."""
    step = 100 if lo < 100_000 else 1000
    return (np.maximum(np.round(values / step), 1) * step - (1 if step == 100 else 0)).astype(
        np.int64
    )


def _token(rng: np.random.Generator, n: int) -> str:
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    return "".join(rng.choice(alphabet, n))
