"""A separate OS process that sends ``count`` requests through the shared limiter.

Run as ``python -m tests.ingestion.ratelimit_worker URL QPS COUNT OUTFILE``; it writes one
grant time (Redis clock) per line, so the parent can check the combined rate.
"""

from __future__ import annotations

import sys
import time

import redis

from jobs.sources.ratelimit import RateLimit, RateLimiter


def main(url: str, qps: float, count: int, out: str, start_at: float) -> None:
    """Wait for the common start, then acquire ``count`` grants; record each grant's Redis time."""
    limiter = RateLimiter(redis.Redis.from_url(url), "app", "shop", RateLimit(qps=qps))
    while time.time() < start_at:
        time.sleep(0.001)
    stamps = []
    for _ in range(count):
        limiter.acquire()
        stamps.append(limiter.last_grant)
    with open(out, "w") as fh:
        fh.write("\n".join(f"{s:.6f}" for s in stamps))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
