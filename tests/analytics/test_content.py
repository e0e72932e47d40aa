from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from analytics_frames import m, ts

from analytics.content import Trait, content_table, top_content, winner_traits
from analytics.weeks import week_window

W47 = week_window("Europe/London", "2026-W47")
TZ = {"s1": "Europe/London"}
D16, D17 = date(2026, 11, 16), date(2026, 11, 17)


def _frames():
    specs = [  # id, type, hook, duration, music, hashtags, posted (UTC)
        ("v1", "VIDEO", 2, 15, "x", ["sale", "ootd"], "2026-11-16 19:00"),
        ("v2", "VIDEO", 5, 60, None, ["ootd"], "2026-11-16 10:00"),
        ("v3", "VIDEO", 6, 45, None, ["haul"], "2026-11-16 09:00"),
        ("v4", "VIDEO", 4, 30, "y", ["sale"], "2026-11-16 12:00"),
        ("v5", "VIDEO", 8, 90, None, [], "2026-11-16 08:00"),
        ("l1", "LIVE", None, 3600, None, [], "2026-11-17 12:00"),
    ]
    contents = pd.DataFrame({
        "shop_id": "s1", "content_id": [s[0] for s in specs], "content_type": [s[1] for s in specs],
        "creator_username": "alice", "hook_s": [s[2] for s in specs],
        "duration_s": [s[3] for s in specs], "music": [s[4] for s in specs],
        "hashtags": [s[5] for s in specs], "posted_at": [ts(s[6]) for s in specs]})
    daily = [  # id, day, views, likes, comments, shares, gmv
        ("v1", D16, 600, 50, 3, 2, "60"), ("v1", D17, 400, 40, 2, 3, "40"),
        ("v1", date(2026, 11, 10), 5, 0, 0, 0, "999"),
        ("v2", D16, 2000, 10, 1, 1, "10"), ("v3", D16, 300, 3, 0, 0, "5"),
        ("v4", D16, 100, 1, 0, 0, None), ("v5", D16, 800, 8, 1, 0, "20"),
        ("l1", D17, 5000, 100, 50, 10, "500"),
    ]
    content_daily = pd.DataFrame({
        "shop_id": "s1", "content_id": [d[0] for d in daily], "day": [d[1] for d in daily],
        "views": [d[2] for d in daily], "likes": [d[3] for d in daily],
        "comments": [d[4] for d in daily], "shares": [d[5] for d in daily],
        "product_clicks": 0, "orders": 0, "currency": "GBP",
        "gmv": pd.array([None if d[6] is None else m(d[6]) for d in daily], "Int64")})
    return contents, content_daily


def test_content_table_totals_and_ranks():
    table = content_table(*_frames(), W47.days, "GBP", TZ).set_index("content_id")
    assert table.loc["v1", "gmv"] == Decimal("100") and table.loc["v1", "views"] == 1000
    assert table.loc["v1", "engagement_rate"] == pytest.approx(0.1)
    assert table.loc["v1", "gmv_per_1k_views"] == pytest.approx(100.0)
    assert table.loc["v1", "posting_hour"] == 19
    assert table.loc["v4", "gmv"] == Decimal("0")
    videos = table[table["content_type"] == "VIDEO"]["rank"].to_dict()
    assert videos == {"v1": 1, "v5": 2, "v2": 3, "v3": 4, "v4": 5}
    assert table.loc["l1", "rank"] == 1
    top = top_content(table.reset_index(), "VIDEO", n=2)
    assert list(top["content_id"]) == ["v1", "v5"]


def test_winner_traits_against_the_rest():
    table = content_table(*_frames(), W47.days, "GBP", TZ)
    profile = winner_traits(table, "VIDEO")
    assert (profile.winners, profile.rest) == (1, 4)
    traits = {t.name: t for t in profile.traits}
    assert traits["hook_s"] == Trait("hook_s", 2.0, 5.5)
    assert traits["duration_s"] == Trait("duration_s", 15.0, 52.5)
    assert traits["posting_hour"] == Trait("posting_hour", 19.0, 9.5)
    assert traits["music_share"] == Trait("music_share", 1.0, 0.25)
    assert [t for t in profile.traits if t.name.startswith("#")] == [
        Trait("#ootd", 1.0, 0.25), Trait("#sale", 1.0, 0.25)]


def test_single_content_has_winners_and_no_rest():
    contents, daily = _frames()
    table = content_table(contents, daily, W47.days, "GBP", TZ)
    profile = winner_traits(table, "LIVE")
    assert (profile.winners, profile.rest) == (1, 0)
    traits = {t.name: t for t in profile.traits}
    assert traits["duration_s"] == Trait("duration_s", 3600.0, None)
    assert traits["music_share"] == Trait("music_share", 0.0, None)


def _videos(hooks, lengths, music, gmv, clicks=None):
    n = len(hooks)
    return pd.DataFrame({
        "content_id": [f"v{i}" for i in range(n)], "content_type": "VIDEO", "hook_s": hooks,
        "duration_s": lengths, "music": music, "hashtags": [["home"]] * n,
        "posting_hour": [float(12 + i % 2) for i in range(n)],
        "views": [1000] * n, "product_clicks": clicks or [50] * n,
        "gmv": [Decimal(g) for g in gmv]})


def test_lessons_name_only_the_traits_that_set_the_winners_apart():
    from analytics.content_lessons import lessons

    table = _videos(hooks=[1, 2, 2, 5, 6, 2, 5, 7, 6, 5],
                    lengths=[18, 22, 40, 45, 60, 50, 45, 70, 55, 65],
                    music=["a", None, "b", None, "c", None, "d", None, "e", None],
                    gmv=[900, 800, 700, 100, 90, 80, 70, 60, 50, 40])
    win, rest = table.head(3), table.iloc[3:]
    found = {x.kind: x for x in lessons(win, rest, "VIDEO")}
    hook = found["hook"]  # three in four winners hook within 2 s; 1 in 7 of the rest
    assert (hook.threshold, hook.hits, hook.winners) == (2.0, 3, 3)
    assert hook.rest_share == pytest.approx(1 / 7)
    shorter = found["shorter"]
    assert shorter.threshold == 35.0 and shorter.hits == 2  # 18 and 22 s; none of the rest
    # music (2 of 3 vs 2 of 7), the same hashtag, posting hours, clicks per view: not material
    assert set(found) == {"hook", "shorter"}


def test_lives_compare_sales_per_hour_of_long_and_short_sessions():
    from analytics.content_lessons import lessons

    lives = pd.DataFrame({
        "content_id": list("abcdef"), "content_type": "LIVE", "hook_s": None,
        "duration_s": [10800, 9000, 10800, 3600, 3600, 2700], "music": None,
        "hashtags": [[]] * 6, "posting_hour": [19.0] * 6, "views": [1000] * 6,
        "product_clicks": [10] * 6,
        "gmv": [Decimal(g) for g in (3000, 2400, 2800, 300, 250, 200)]})
    (lesson,) = lessons(lives.head(1), lives.iloc[1:], "LIVE")
    assert (lesson.kind, lesson.threshold) == ("per_hour_long", 7200.0)  # 2 h
    assert lesson.multiple == pytest.approx((8200 / 8.5) / (750 / 2.75))  # GMV per hour


def test_no_lessons_when_winners_look_like_the_rest():
    from analytics.content_lessons import lessons

    table = _videos(hooks=[3] * 6, lengths=[30] * 6, music=[None] * 6,
                    gmv=[600, 500, 400, 300, 200, 100])
    assert lessons(table.head(2), table.iloc[2:], "VIDEO") == ()
