"""Shop analytics: daily performance with channel breakdowns, seasonality and the planted
conversion collapse visible through the API, and content performance with its features."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import httpx
from sandbox_helpers import authorize_shop

from sandbox import Sandbox

PERFORMANCE = "/analytics/202405/shop/performance"


def _daily(caller, cipher: str, start: str, end: str, **extra) -> list[dict]:
    params = {"start_date_ge": start, "end_date_lt": end, "granularity": "1D", **extra}
    body = caller.call("GET", PERFORMANCE, params, cipher=cipher).json()
    assert body["code"] == 0, body
    return body["data"]["performance"]["intervals"]


def test_daily_intervals_and_breakdowns(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 0)
    cipher = caller.shops()[0]["cipher"]
    days = _daily(caller, cipher, "2026-11-01", "2026-11-08")
    assert [d["start_date"] for d in days] == [
        str(date(2026, 11, 1) + timedelta(days=i)) for i in range(7)
    ]
    for d in days:
        assert sum(Decimal(b["amount"]) for b in d["gmv_breakdowns"]) == Decimal(d["gmv"]["amount"])
        assert [b["type"] for b in d["gmv_breakdowns"]] == ["LIVE", "VIDEO", "PRODUCT_CARD"]
        assert (
            sum(int(b["amount"]) for b in d["product_page_view_breakdowns"])
            == d["product_page_views"]
        )
        assert d["buyers"] <= d["orders"] <= d["units_sold"]
    whole = caller.call(
        "GET",
        PERFORMANCE,
        {"start_date_ge": "2026-11-01", "end_date_lt": "2026-11-08"},
        cipher=cipher,
    ).json()["data"]["performance"]["intervals"]
    assert len(whole) == 1 and whole[0]["orders"] == sum(d["orders"] for d in days)
    assert Decimal(whole[0]["gmv"]["amount"]) == sum(Decimal(d["gmv"]["amount"]) for d in days)
    usd = _daily(caller, cipher, "2026-11-01", "2026-11-02", currency="USD")[0]
    assert usd["gmv"]["currency"] == "USD" and Decimal(usd["gmv"]["amount"]) > Decimal(
        days[0]["gmv"]["amount"]
    )
    bad = caller.call(
        "GET",
        PERFORMANCE,
        {"start_date_ge": "2026-11-08", "end_date_lt": "2026-11-01"},
        cipher=cipher,
    )
    assert bad.json()["code"] == 36009004


def test_double_eleven_peak_in_thailand(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 1)
    cipher = caller.shops()[0]["cipher"]
    days = {
        d["start_date"]: d["orders"] for d in _daily(caller, cipher, "2026-11-11", "2026-11-19")
    }
    after = sorted(v for k, v in days.items() if k != "2026-11-11")  # same conversion regime
    assert days["2026-11-11"] > 2.5 * after[len(after) // 2]


def test_conversion_collapse_visible(sb: Sandbox, http: httpx.Client) -> None:
    collapse = next(a for a in sb.anomalies if a["kind"] == "cvr_collapse")
    seller = next(
        i for i, s in enumerate(sb.credentials.sellers) if collapse["shop_id"] in s.shop_ids
    )
    caller = authorize_shop(sb, http, seller)
    cipher = next(s["cipher"] for s in caller.shops() if s["id"] == collapse["shop_id"])
    start = collapse["start"]
    days = _daily(caller, cipher, str(start - timedelta(days=14)), str(start + timedelta(days=7)))
    rate = [d["orders"] / d["product_page_views"] for d in days]
    assert sum(rate[-7:]) / 7 < 0.65 * sum(rate[:14]) / 14
    views = [d["product_page_views"] for d in days]
    assert sum(views[-7:]) / 7 > 0.7 * sum(views[:14]) / 14  # traffic did not collapse


def test_video_performance_and_features(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 0)
    cipher = caller.shops()[0]["cipher"]
    params = {"start_date_ge": "2026-09-14", "end_date_lt": "2026-11-23", "page_size": 50}
    data = caller.call(
        "GET", "/analytics/202409/shop_videos/performance", params, cipher=cipher
    ).json()["data"]
    videos = data["videos"]
    assert data["total_count"] > 100 and len(videos) == 50 and data["next_page_token"]
    gmv = [Decimal(v["gmv"]["amount"]) for v in videos]
    assert gmv == sorted(gmv, reverse=True) and gmv[0] > 0
    assert all(
        {"hook_seconds", "music_trending", "hashtag_count", "views"} <= set(v) for v in videos
    )
    lives = caller.call(
        "GET", "/analytics/202409/shop_lives/performance", params, cipher=cipher
    ).json()["data"]
    assert lives["total_count"] > 20 and all(v["duration"] >= 1800 for v in lives["lives"])


def _all_videos(caller, cipher: str) -> list[dict]:
    params = {"start_date_ge": "2026-09-14", "end_date_lt": "2026-11-23", "page_size": 100}
    videos, token = [], ""
    while True:
        query = {**params, **({"page_token": token} if token else {})}
        data = caller.call(
            "GET", "/analytics/202409/shop_videos/performance", query, cipher=cipher
        ).json()["data"]
        videos += data["videos"]
        token = data["next_page_token"]
        if not token:
            return videos


def test_short_hooks_sell_more(sb: Sandbox, http: httpx.Client) -> None:
    short, long_ = [], []
    for seller in range(len(sb.credentials.sellers)):
        caller = authorize_shop(sb, http, seller)
        for shop in caller.shops():
            videos = _all_videos(caller, shop["cipher"])
            total = sum(Decimal(v["gmv"]["amount"]) for v in videos)
            for v in videos:
                share = Decimal(v["gmv"]["amount"]) / total
                (
                    short if v["hook_seconds"] <= 2 else long_ if v["hook_seconds"] > 4 else []
                ).append(share)
    assert len(short) > 50 and len(long_) > 50
    assert sum(short) / len(short) > Decimal("1.5") * sum(long_) / len(long_)


def test_a_range_outside_the_data_set_is_empty(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 0)
    cipher = caller.shops()[0]["cipher"]
    for first, end in (("2025-01-01", "2025-02-01"), ("2027-01-01", "2027-02-01")):
        params = {"start_date_ge": first, "end_date_lt": end, "page_size": 50}
        for path in ("/analytics/202409/shop_videos/performance",
                     "/analytics/202409/shop_lives/performance"):
            answer = caller.call("GET", path, params, cipher=cipher)
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["total_count"] == 0
