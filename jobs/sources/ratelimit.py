"""One rate limiter per (TikTok app, API), shared by every worker process through Redis.

Each call reserves the next free send slot (GCRA: slots are ``1 / qps`` seconds apart) and the
caller sleeps until its slot, so any number of processes on any number of machines together
send at the allowed rate, evenly spaced, never above it. Redis' own clock (``TIME``) is the only
clock, so machines with skewed clocks still agree. A daily quota is counted in the same Lua
script (per UTC day); once it is used up ``acquire`` raises ``QuotaExhausted`` until 00:00 UTC.
When TikTok says "slow down" anyway, ``pause`` pushes the next slot of every worker back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from jobs.sources.errors import QuotaExhausted

#: Prefix of every Redis key this module writes.
KEY_PREFIX = "tikpulse:ratelimit"
#: Share of the allowed rate actually used, to absorb send-time jitter between workers.
DEFAULT_UTILIZATION = 0.97

_ACQUIRE = """
local t = redis.call('TIME')
local sec = tonumber(t[1])
local now = sec * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local quota = tonumber(ARGV[2])
local today = math.floor(sec / 86400)
if quota > 0 then
  local day = tonumber(redis.call('HGET', KEYS[2], 'day') or '-1')
  if day ~= today then
    redis.call('HSET', KEYS[2], 'day', today, 'used', 0)
  end
  local used = tonumber(redis.call('HGET', KEYS[2], 'used'))
  if used >= quota then
    return {-1, ((today + 1) * 86400 - sec) * 1000000}
  end
  redis.call('HINCRBY', KEYS[2], 'used', 1)
  redis.call('EXPIREAT', KEYS[2], (today + 2) * 86400)
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nxt = tat + interval
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.floor((nxt - now) / 1000) + 60000)
return {0, tat - now}
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local hold = tonumber(ARGV[1])
local until_ = now + hold
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < until_ then
  local ttl = math.floor(hold / 1000) + 60000
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', ttl)
end
return 0
"""


@dataclass(frozen=True)
class RateLimit:
    """The allowance of one app on one API: requests per second and per UTC day (0 = none)."""

    qps: float
    daily_quota: int = 0
    utilization: float = DEFAULT_UTILIZATION

    @property
    def interval_us(self) -> int:
        """Microseconds between two send slots."""
        return max(1, round(1_000_000 / (self.qps * self.utilization)))


class RateLimiter:
    """The shared limiter for one (app, api); cheap to create, safe to use from many processes."""

    def __init__(
        self,
        conn: redis.Redis,
        app: str,
        api: str,
        limit: RateLimit,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self._slot_key = f"{KEY_PREFIX}:{app}:{api}:slot"
        self._quota_key = f"{KEY_PREFIX}:{app}:{api}:day"
        self._acquire = conn.register_script(_ACQUIRE)
        self._pause = conn.register_script(_PAUSE)
        self._sleep = sleep

    def acquire(self) -> float:
        """Block until this process may send one request; return the seconds waited."""
        status, wait_us = self._acquire(
            keys=[self._slot_key, self._quota_key],
            args=[self.limit.interval_us, self.limit.daily_quota],
        )
        if int(status) < 0:
            raise QuotaExhausted("daily request quota used up", retry_after=int(wait_us) / 1e6)
        wait = int(wait_us) / 1e6
        if wait > 0:
            self._sleep(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """Hold every worker's next request back by ``seconds`` (after a 429 or throttle code)."""
        self._pause(keys=[self._slot_key], args=[int(seconds * 1_000_000)])


class Unlimited:
    """A limiter that never waits, for tests against mock transports and one-off scripts."""

    def acquire(self) -> float:
        """Never blocks."""
        return 0.0

    def pause(self, seconds: float) -> None:
        """Nothing to hold back."""


Limiter = RateLimiter | Unlimited
