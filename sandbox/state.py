"""Everything a running simulator holds: data set, credentials, tokens, faults, rate limiter, and
per-shop views of the data "as of" the API clock (computed once, lazily, column-wise).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
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
from sandbox.webhooks import WebhookSender

#: Search results kept (sorted positions per shop and query), so paging one is a slice per page.
SEARCH_CACHE_SIZE = 512


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
    #: CPU seconds the handlers spent per path (thread time, so concurrent calls add up).
    cpu_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    days_back: int = 0  # the API clock is this many days before the data set's end
    webhooks: WebhookSender = field(init=False)
    _views: dict[int, ShopView] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict)
    _searches: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.webhooks = WebhookSender(self.credentials.app_key, self.credentials.app_secret)
        for i, seller in enumerate(self.credentials.sellers):
            self.tokens.add_code("shop", seller.shop_auth_code, i)
            self.tokens.add_code("ads", seller.ads_auth_code, i)

    def count_request(self, path: str, cpu: float) -> None:
        """Count one answered request of ``path`` and the CPU seconds its handler took."""
        with self._count_lock:
            self.requests[path] += 1
            self.cpu_seconds[path] += cpu

    def clock_day(self) -> int:
        """Index of the local day the API clock is at (days before it are complete)."""
        return self.dataset.config.days - self.days_back

    def as_of(self, shop_idx: int) -> int:
        """The API clock of one shop: the last second before its local midnight of ``clock_day``."""
        return int(self.dataset.midnights[shop_idx][self.clock_day()]) - 1

    def as_of_all(self) -> np.ndarray:
        """The API clock of every shop."""
        return self.dataset.midnights[:, self.clock_day()] - 1

    def set_days_back(self, days: int) -> None:
        """Move the API clock to ``days`` days before the data set's end (0: the end)."""
        if not 0 <= days < self.dataset.config.days:
            raise ValueError(f"days_back must be 0..{self.dataset.config.days - 1}")
        with self._lock:
            self.days_back = days
            self._views.clear()
            self._cache.clear()
            self._searches.clear()

    def shop_view(self, shop_idx: int) -> ShopView:
        """The cached as-of view of one shop."""
        with self._lock:
            if shop_idx not in self._views:
                self._views[shop_idx] = self._build_view(shop_idx)
            return self._views[shop_idx]

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """A value computed once per key (until the clock moves)."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def search(self, key: Any, build: Callable[[], Any]) -> Any:
        """A search result computed once per key while recently used (``SEARCH_CACHE_SIZE``
        kept, until the clock moves); ``build`` runs outside the lock."""
        with self._lock:
            if key in self._searches:
                self._searches.move_to_end(key)
                return self._searches[key]
        value = build()
        with self._lock:
            self._searches[key] = value
            while len(self._searches) > SEARCH_CACHE_SIZE:
                self._searches.popitem(last=False)
        return value

    def _build_view(self, shop_idx: int) -> ShopView:
        ds = self.dataset
        as_of = self.as_of(shop_idx)
        full = ds.shop_orders(shop_idx)
        created = ds.orders["create_time"].to_numpy()[full]  # sorted within the shop
        span = slice(full.start, full.start + int(np.searchsorted(created, as_of, side="right")))
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
