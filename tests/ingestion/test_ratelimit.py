"""The Redis-backed limiter: one rate shared by separate OS processes, daily quota, pause."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from jobs.sources.errors import QuotaExhausted
from jobs.sources.ratelimit import RateLimit, RateLimiter

ROOT = Path(__file__).resolve().parents[2]


def max_in_window(stamps: list[float], window: float = 1.0) -> int:
    """Largest number of sends inside any half-open window of ``window`` seconds."""
    best, lo = 0, 0
    for hi, t in enumerate(stamps):
        while t - stamps[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_two_processes_share_one_rate(redis_url: str, tmp_path: Path) -> None:
    qps, per_worker = 20.0, 40
    start_at = time.time() + 1.5
    outs = [tmp_path / f"w{i}.txt" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, "-m", "tests.ingestion.ratelimit_worker",
                               redis_url, str(qps), str(per_worker), str(o), str(start_at)],
                              cwd=ROOT) for o in outs]
    for p in procs:
        assert p.wait(timeout=60) == 0
    per_proc = [[float(x) for x in o.read_text().split()] for o in outs]
    stamps = sorted(s for proc in per_proc for s in proc)
    assert all(len(p) == per_worker for p in per_proc)
    # both processes really interleaved rather than one running after the other
    assert min(per_proc[1]) < max(per_proc[0]) and min(per_proc[0]) < max(per_proc[1])
    assert max_in_window(stamps) <= qps
    sustained = (len(stamps) - qps) / (stamps[-1] - stamps[0])  # after the first second's burst
    assert 0.9 * qps <= sustained <= qps


def test_daily_quota_is_shared_and_enforced(redis_conn: redis.Redis) -> None:
    limit = RateLimit(qps=1000, daily_quota=5)
    a = RateLimiter(redis_conn, "app", "affiliate", limit)
    b = RateLimiter(redis_conn, "app", "affiliate", limit)
    for limiter in (a, b, a, b, a):
        limiter.acquire()
    with pytest.raises(QuotaExhausted) as raised:
        b.acquire()
    assert 0 < raised.value.retry_after <= 86400
    other_api = RateLimiter(redis_conn, "app", "orders", limit)
    other_api.acquire()  # quotas are per (app, api)


def test_pause_holds_every_worker_back(redis_conn: redis.Redis) -> None:
    limiter = RateLimiter(redis_conn, "app", "ads", RateLimit(qps=100))
    limiter.pause(0.5)
    started = time.monotonic()
    waited = RateLimiter(redis_conn, "app", "ads", RateLimit(qps=100)).acquire()
    assert time.monotonic() - started >= 0.4 and 0.4 <= waited <= 0.6


def test_a_late_waker_neither_breaks_the_window_nor_wastes_capacity(
    redis_conn: redis.Redis,
) -> None:
    def oversleep(seconds: float) -> None:  # a loaded machine: every wake-up 30 ms late
        time.sleep(seconds + 0.03)

    limiter = RateLimiter(redis_conn, "app", "x", RateLimit(qps=20), sleep=oversleep)
    grants = []
    for _ in range(60):
        limiter.acquire()
        grants.append(limiter.last_grant)
    assert max_in_window(grants) <= 20
    assert (len(grants) - 20) / (grants[-1] - grants[0]) >= 0.9 * 20
