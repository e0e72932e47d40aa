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
