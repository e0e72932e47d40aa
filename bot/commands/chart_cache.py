"""Chat charts drawn once per content: a PNG is cached in Redis under the hash of everything it
is drawn from, so the same question about the same numbers reuses the picture.

The key is the chart's kind and a SHA-256 of its inputs (store names, period labels, values,
currency, language) and ``CHART_VERSION``. New data (a late order, a refund, a re-sync) changes
the values, hence the key: a cached chart is never stale, and nothing has to be invalidated. The
cache is a convenience: without Redis, or when Redis fails, the chart is drawn as before.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable

from redis import Redis, RedisError

#: Prefix of the cache keys.
KEY_PREFIX = "tikpulse:chart:"
#: Seconds a cached chart is kept after it was last drawn (a week: the questions of a week).
TTL_SECONDS = 7 * 24 * 3600
#: Bumped when the look of the chat charts changes, so older pictures are not served.
CHART_VERSION = "1"


def chart_key(kind: str, inputs: object) -> str:
    """The cache key of a ``kind`` chart drawn from ``inputs`` (anything with a stable repr:
    tuples of strings and numbers)."""
    digest = hashlib.sha256(repr((CHART_VERSION, inputs)).encode("utf-8")).hexdigest()
    return f"{KEY_PREFIX}{kind}:{digest}"


def cached_png(redis: Redis | None, kind: str, inputs: object,
               draw: Callable[[], bytes]) -> bytes:
    """The PNG of ``kind`` for ``inputs``: from the cache when it was drawn before, else
    ``draw()`` (then kept for ``TTL_SECONDS``)."""
    if redis is None:
        return draw()
    key = chart_key(kind, inputs)
    try:
        hit = redis.get(key)
    except RedisError:
        return draw()
    if isinstance(hit, bytes):
        return hit
    png = draw()
    with contextlib.suppress(RedisError):  # not cached this time; the answer is unaffected
        redis.set(key, png, ex=TTL_SECONDS)
    return png
