"""One rate limiter per (TikTok app, API), shared by every worker process through Redis.

A sliding-window log: the allowance is ``qps`` requests per second, so a request is granted when
fewer than ``n = max(1, floor(qps))`` grants (of any worker) happened in the last ``n / qps``
seconds; otherwise the caller sleeps until the oldest of them leaves the window and asks again.
Grants are made "now", never reserved ahead, so the grant times themselves satisfy the limit in
every window however late a sleeping worker wakes up; a late wake-up delays only its own slot
(the other ``n - 1`` slots of the window stay usable), so little capacity is lost. The window is
stretched by ``1 / utilization`` to leave room for jitter between the grant and the moment the
request reaches TikTok. Redis' own clock (``TIME``) is the
only clock, so machines with skewed clocks still agree. A daily quota is counted in the same Lua
script (per UTC day); once it is used up ``acquire`` raises ``QuotaExhausted`` until 00:00 UTC.
When TikTok says "slow down" anyway, ``pause`` holds back the next grant of every worker.
"""

from __future__ import annotations

import math
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
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
if now < hold then
  return {1, hold - now}
end
if redis.call('LLEN', KEYS[1]) >= n then
  local oldest = tonumber(redis.call('LINDEX', KEYS[1], n - 1))
  if now - oldest < window then
    return {1, oldest + window - now}
  end
end
if quota > 0 then
  local today = math.floor(sec / 86400)
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
redis.call('LPUSH', KEYS[1], string.format('%d', now))
redis.call('LTRIM', KEYS[1], 0, n - 1)
redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 60000)
return {0, now}
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
local hold = tonumber(redis.call('GET', KEYS[1]) or '0')
if hold < until_ then
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX',
             math.floor(tonumber(ARGV[1]) / 1000) + 60000)
end
return 0
"""


@dataclass(frozen=True)
class RateLimit:
    """The allowance of one app on one API: requests per second and per UTC day (0 = none)."""

    qps: float
    daily_quota: int = 0
    utilization: float = DEFAULT_UTILIZATION
    #: Grants allowed inside one window when the allowance is counted per longer window
    #: (a WeCom robot's 20 per minute: ``qps=20 / 60, per_window=20``); 0: ``floor(qps)``.
    per_window: int = 0

    @property
    def burst(self) -> int:
        """Grants allowed inside one window."""
        return max(1, self.per_window or math.floor(self.qps))

    @property
    def window_us(self) -> int:
        """Length of the sliding window in microseconds (``burst / qps``, stretched)."""
        return max(1, round(1_000_000 * self.burst / (self.qps * self.utilization)))


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
        prefix = f"{KEY_PREFIX}:{app}:{api}"
        self._keys = [f"{prefix}:grants", f"{prefix}:day", f"{prefix}:hold"]
        self._acquire = conn.register_script(_ACQUIRE)
        self._pause = conn.register_script(_PAUSE)
        self._sleep = sleep
        #: Redis time (unix seconds) of this limiter's latest grant.
        self.last_grant = 0.0

    def acquire(self) -> float:
        """Block until this process may send one request; return the seconds waited."""
        waited = 0.0
        args = [self.limit.burst, self.limit.window_us, self.limit.daily_quota]
        while True:
            status, value = (int(x) for x in self._acquire(keys=self._keys, args=args))
            if status < 0:
                raise QuotaExhausted("daily request quota used up", retry_after=value / 1e6)
            if status == 0:
                self.last_grant = value / 1e6
                return waited
            self._sleep(value / 1e6)
            waited += value / 1e6

    def pause(self, seconds: float) -> None:
        """Hold every worker's next request back by ``seconds`` (after a 429 or throttle code)."""
        self._pause(keys=[self._keys[2]], args=[int(seconds * 1_000_000)])


class Unlimited:
    """A limiter that never waits, for tests against mock transports and one-off scripts."""

    def acquire(self) -> float:
        """Never blocks."""
        return 0.0

    def pause(self, seconds: float) -> None:
        """Nothing to hold back."""


Limiter = RateLimiter | Unlimited
