"""``why`` charts are drawn once per content: the same question about the same numbers reuses the
cached PNG from Redis; new data draws a new chart; without Redis the chart is still drawn."""

from __future__ import annotations

import dataclasses

from bot.commands import as_text, dispatch
from bot.commands.chart_cache import KEY_PREFIX, cached_png, chart_key
from jobs.warehouse.schema import shop_daily
from tests.bot.conftest import ask_slack


def _keys(redis) -> list[bytes]:  # type: ignore[no-untyped-def]
    return sorted(redis.scan_iter(f"{KEY_PREFIX}why:*"))


def test_the_same_why_question_reuses_the_chart_until_the_data_changes(bot_ctx) -> None:
    redis = bot_ctx.redis
    for key in _keys(redis):
        redis.delete(key)
    first = dispatch(ask_slack("why gmv last week"), bot_ctx)
    (key,) = _keys(redis)
    assert redis.get(key) == first.images[0].png
    redis.set(key, b"\x89PNG cached")  # what the cache holds is what the answer carries
    again = dispatch(ask_slack("why gmv last week"), bot_ctx)
    assert again.images[0].png == b"\x89PNG cached" and as_text(again) == as_text(first)
    with bot_ctx.engine.begin() as conn:  # a late refund changes last week's numbers
        conn.execute(shop_daily.update().values(gross_gmv=shop_daily.c.gross_gmv + 1))
    changed = dispatch(ask_slack("why gmv last week"), bot_ctx)
    assert changed.images[0].png.startswith(b"\x89PNG\r\n") and len(_keys(redis)) == 2
    for k in _keys(redis):
        redis.delete(k)


def test_without_redis_the_chart_is_drawn(bot_ctx) -> None:
    ctx = dataclasses.replace(bot_ctx, redis=None)
    reply = dispatch(ask_slack("why gmv last week"), ctx)
    assert reply.images and reply.images[0].png.startswith(b"\x89PNG\r\n")


def test_keys_follow_every_input(redis_conn) -> None:
    a = chart_key("why", ("GMV", ("W46", 1.0), (("UK", -0.5),), ("W47", 0.5), "USD", "en"))
    b = chart_key("why", ("GMV", ("W46", 1.0), (("UK", -0.5),), ("W47", 0.5), "USD", "zh"))
    assert a != b and a.startswith(KEY_PREFIX + "why:")
    drawn: list[int] = []

    def draw() -> bytes:
        drawn.append(1)
        return b"png"

    redis_conn.delete(chart_key("test", 1))
    assert cached_png(redis_conn, "test", 1, draw) == b"png" == cached_png(
        redis_conn, "test", 1, draw)
    assert len(drawn) == 1 and redis_conn.ttl(chart_key("test", 1)) > 0
    redis_conn.delete(chart_key("test", 1))
