"""Bounded retries with exponential backoff and full jitter for transient TikTok failures.

Retried: ``RateLimited`` (waiting at least the server's ``Retry-After``), ``UpstreamError``
(5xx, timeouts, internal codes) and ``BadResponse`` marked ``retryable`` (a cut-off body).
Never retried: ``AuthError`` and ``BadRequest``: the same call cannot succeed.
A wait longer than ``max_wait`` (e.g. a daily quota until midnight) is not slept through: the
error goes up so the job can be rescheduled instead of holding a worker.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from jobs.sources.errors import (
    BadResponse,
    QuotaExhausted,
    RateLimited,
    TikTokError,
    UpstreamError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Attempts per call, the first included.
DEFAULT_ATTEMPTS = 6
#: First backoff step in seconds; doubled per attempt.
DEFAULT_BASE_DELAY = 0.5
#: Largest backoff step in seconds.
DEFAULT_MAX_DELAY = 30.0
#: Longest single wait we sleep through instead of giving the error back to the job.
DEFAULT_MAX_WAIT = 120.0


@dataclass
class RetryPolicy:
    """How often and how long to retry; ``sleep`` and ``rng`` are injectable for tests."""

    attempts: int = DEFAULT_ATTEMPTS
    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    max_wait: float = DEFAULT_MAX_WAIT
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    #: Called with (error, wait) before every retry, e.g. to count retries in the run log.
    on_retry: Callable[[TikTokError, float], None] | None = None

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential delay for the ``attempt``-th retry (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)

    def wait_for(self, error: TikTokError, attempt: int) -> float | None:
        """Seconds to wait before retrying after ``error``, or ``None`` if not retryable."""
        if not is_retryable(error) or isinstance(error, QuotaExhausted):
            return None  # a daily quota does not come back within a retry's wait
        delay = self.backoff(attempt)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            delay = max(delay, error.retry_after)
        return delay if delay <= self.max_wait else None

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` and retry it on transient errors, at most ``attempts`` times in all."""
        attempt = 1
        while True:
            try:
                return fn()
            except TikTokError as error:
                wait = self.wait_for(error, attempt)
                if wait is None or attempt >= self.attempts:
                    raise
                log.info("retry %d after %.2fs: %s", attempt, wait, error)
                if self.on_retry is not None:
                    self.on_retry(error, wait)
                self.sleep(wait)
                attempt += 1


def is_retryable(error: TikTokError) -> bool:
    """True for errors that a later identical call may not hit."""
    if isinstance(error, RateLimited | UpstreamError):
        return True
    return isinstance(error, BadResponse) and error.retryable
