"""The generated data set: columnar tables (pandas DataFrames) plus truth and the anomaly manifest.

Tables are kept column-wise and sorted so the server can slice one shop's rows with a binary search
and build JSON only for the page it returns. Money columns are int64 minor units of the shop's
currency (see ``shops.exponent``); time columns are int64 unix seconds, ``-1`` for "never".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sandbox.columns import span_of
from sandbox.config import GeneratorConfig
from sandbox.truth import ShopWeekTruth


@dataclass
class Dataset:
    """Everything the simulator serves, and the truth the pipeline must reproduce."""

    config: GeneratorConfig
    shops: (
        pd.DataFrame
    )  # shop_id, name, code, region, currency, timezone, exponent, cipher, seller_idx
    skus: (
        pd.DataFrame
    )  # shop_idx, product_id, product_name, variant, price, stock, sku_id, seller_sku
    orders: pd.DataFrame  # sorted by (shop_idx, create_time); lines are line_start..+n_lines
    lines: pd.DataFrame  # line_id, order_row, sku_row, original_price, discounts, sale_price
    refunds: pd.DataFrame  # cancellations and returns, sorted by order_row
    creators: pd.DataFrame
    content: pd.DataFrame  # videos and LIVE sessions, sorted by (creator_row, publish_time)
    advertisers: pd.DataFrame
    campaigns: pd.DataFrame
    ads: pd.DataFrame
    ad_rows: pd.DataFrame  # one row per ad per active day, sorted by (advertiser_row, day_idx)
    midnights: np.ndarray  # shops x (days + 1) local midnights, unix seconds
    clock: np.ndarray  # per shop: the API's "now" (last second of the data set)
    truth: dict[tuple[str, date], ShopWeekTruth]
    anomalies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def start(self) -> date:
        """First local day of the data set."""
        return self.config.start

    def shop_row(self, shop_id: str) -> int:
        """Row of a shop by its id (KeyError if unknown)."""
        matches = np.flatnonzero(self.shops["shop_id"].to_numpy() == shop_id)
        if matches.size == 0:
            raise KeyError(shop_id)
        return int(matches[0])

    def shop_orders(self, shop_idx: int) -> slice:
        """Row range of one shop's orders."""
        lo, hi = span_of(self.orders["shop_idx"].to_numpy(), shop_idx)
        return slice(lo, hi)

    def order_lines(self, rows: np.ndarray) -> np.ndarray:
        """Line rows of the given order rows, in order."""
        starts = self.orders["line_start"].to_numpy()[rows]
        counts = self.orders["n_lines"].to_numpy()[rows].astype(np.int64)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(starts, counts) + offsets
