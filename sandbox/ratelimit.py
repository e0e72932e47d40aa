"""The simulator's enforced request rate: a token bucket per API (shop, ads) and app.

A bucket holds at most ``qps`` tokens (one second of burst) and refills continuously, so a client
that paces itself at the allowed rate is never refused and one that bursts beyond it is. Time comes
from ``clock`` (default ``time.monotonic``); tests set their own to move it by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """Allow ``rate`` requests per second on average, with a burst of ``burst`` requests."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self, now: float) -> float:
        """Take one token; return 0 if allowed, else the seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """Token buckets keyed by (api, app); ``qps=None`` means unlimited."""

    def __init__(self, qps: float | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.qps = qps
        self.clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.refused = 0

    def check(self, api: str, app: str) -> float:
        """0 if this request may proceed, else the seconds the caller should wait (Retry-After)."""
        if not self.qps:
            return 0.0
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault(
                (api, app), TokenBucket(self.qps, max(1.0, self.qps), stamp=now))
            wait = bucket.take(now)
            self.refused += wait > 0
            return wait

    def set_qps(self, qps: float | None) -> None:
        """Change the limit (tests and benchmarks); resets the buckets."""
        with self._lock:
            self.qps = qps
            self._buckets.clear()
