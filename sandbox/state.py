"""Everything a running simulator holds: data set, credentials, tokens, faults, rate limiter, and
per-shop views of the data "as of" the API clock (computed once, lazily, column-wise).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.credentials import DemoCredentials
from sandbox.dataset import Dataset
from sandbox.faults import FaultRegistry
from sandbox.lifecycle import (
    happened,
    order_status,
    order_update_time,
    refund_status,
    refund_update_time,
)
from sandbox.ratelimit import RateLimiter
from sandbox.tokens import TokenStore


@dataclass
class ShopView:
    """One shop's orders and refund records as the API shows them at the clock."""

    rows: np.ndarray  # order rows of the shop (dataset.orders positions)
    status: np.ndarray
    update_time: np.ndarray
    refund_rows: np.ndarray  # visible refund records of the shop
    refund_status: np.ndarray
    refund_update_time: np.ndarray
    as_of: int


@dataclass
class SandboxState:
    """Shared, thread-safe state behind every endpoint."""

    dataset: Dataset
    credentials: DemoCredentials
    tokens: TokenStore
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(None))
    requests: Counter[str] = field(default_factory=Counter)
    _views: dict[int, ShopView] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for i, seller in enumerate(self.credentials.sellers):
            self.tokens.add_code("shop", seller.shop_auth_code, i)
            self.tokens.add_code("ads", seller.ads_auth_code, i)

    def shop_view(self, shop_idx: int) -> ShopView:
        """The cached as-of view of one shop."""
        with self._lock:
            if shop_idx not in self._views:
                self._views[shop_idx] = self._build_view(shop_idx)
            return self._views[shop_idx]

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """A value computed once per key (the data set and the clock do not change)."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _build_view(self, shop_idx: int) -> ShopView:
        ds = self.dataset
        as_of = int(ds.clock[shop_idx])
        span = ds.shop_orders(shop_idx)
        orders = ds.orders.iloc[span]
        refunds = ds.refunds
        lo, hi = np.searchsorted(
            refunds["order_row"].to_numpy(),
            np.array([span.start, span.stop], dtype=refunds["order_row"].dtype),
        )
        shop_refunds = refunds.iloc[lo:hi]
        visible = happened(shop_refunds["request_time"].to_numpy(), as_of)
        r_update = refund_update_time(shop_refunds, as_of)
        per_order = np.full(len(orders), -1, dtype=np.int64)
        local = shop_refunds["order_row"].to_numpy() - span.start
        per_order[local[visible]] = r_update[visible]
        return ShopView(
            rows=np.arange(span.start, span.stop),
            status=order_status(orders, as_of),
            update_time=order_update_time(orders, [per_order], as_of),
            refund_rows=np.arange(lo, hi)[visible],
            refund_status=refund_status(shop_refunds, as_of)[visible],
            refund_update_time=r_update[visible],
            as_of=as_of,
        )
