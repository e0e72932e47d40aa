"""A small in-process cache of computed numbers, so a question asked again within a minute
(typically right after a digest lands) is answered without reloading the rollups.

Rollups change only when a sync finishes, so an answer is at most ``ttl`` seconds older than the
warehouse. Entries are per process and bounded; nothing here is shared between tenants because
keys hold the exact shop ids asked about.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

#: Seconds a computed answer is reused.
ANSWER_CACHE_TTL_S = 60.0
#: Entries kept at most (least recently used go first).
ANSWER_CACHE_SIZE = 1024


class TtlCache:
    """Values by key for ``ttl`` seconds, at most ``size`` of them (thread-safe)."""

    def __init__(self, ttl: float = ANSWER_CACHE_TTL_S, size: int = ANSWER_CACHE_SIZE) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, or ``compute()`` stored under it."""
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] > now:
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]  # type: ignore[return-value]
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[key] = (now + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
