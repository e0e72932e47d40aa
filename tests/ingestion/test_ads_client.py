"""TikTokAdsClient on httpx.MockTransport: "-" is missing, 30-day chunks, errors, throttling."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import httpx
import pytest

from jobs.sources import errors as e
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok.ads import Advertiser, TikTokAdsClient, report_chunks
from jobs.sources.tiktok.envelope import ads_throttle_wait

ADV = Advertiser(id="adv1", name="Demo", currency="GBP", timezone="Europe/London")


def ok(data: object) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "OK", "request_id": "r", "data": data})


def fail(code: int, message: str = "err") -> httpx.Response:
    return httpx.Response(200, json={"code": code, "message": message, "request_id": "r",
                                     "data": {}})


def client(handler: Callable[[httpx.Request], httpx.Response],
           sleeps: list[float] | None = None, now: float = 1_790_000_000.25) -> TikTokAdsClient:
    policy = RetryPolicy(sleep=(sleeps if sleeps is not None else []).append)
    return TikTokAdsClient(httpx.Client(transport=httpx.MockTransport(handler)), app_id="app",
                           secret="sec", api_url="http://ads.test/open_api/v1.3",
                           retry=policy, clock=lambda: now)


def row(day: str, spend: str, cid: str = "c1") -> dict[str, object]:
    return {"dimensions": {"campaign_id": cid, "stat_time_day": f"{day} 00:00:00"},
            "metrics": {"campaign_name": "Spring", "spend": spend, "impressions": "1000",
                        "clicks": "-", "total_onsite_shopping_value": "55.10"}}


def test_report_parses_strings_and_dash_is_none_not_zero() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Access-Token"] == "TOK"
        assert request.url.path == "/open_api/v1.3/report/integrated/get/"
        assert json.loads(request.url.params["dimensions"]) == ["campaign_id", "stat_time_day"]
        assert "spend" in json.loads(request.url.params["metrics"])
        return ok({"list": [row("2026-11-02", "12.34")],
                   "page_info": {"page": 1, "page_size": 1000, "total_number": 1,
                                 "total_page": 1}})

    pages = list(client(handler).report("TOK", ADV, "AUCTION_CAMPAIGN", date(2026, 11, 1),
                                        date(2026, 11, 3)))
    r = pages[0].rows[0]
    assert r.spend == Decimal("12.34") and r.metrics["impressions"] == Decimal(1000)
    assert r.metrics["clicks"] is None
    assert (r.day, r.timezone, r.campaign_name) == (date(2026, 11, 2), "Europe/London", "Spring")


def test_long_ranges_are_split_into_30_day_chunks_and_pages() -> None:
    windows: list[tuple[str, str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        p = request.url.params
        windows.append((p["start_date"], p["end_date"], p["page"]))
        total = 2 if p["start_date"] == "2026-01-01" else 1
        return ok({"list": [], "page_info": {"page": int(p["page"]), "total_page": total}})

    list(client(handler).report("TOK", ADV, "AUCTION_AD", date(2026, 1, 1), date(2026, 3, 5)))
    assert windows == [("2026-01-01", "2026-01-30", "1"), ("2026-01-01", "2026-01-30", "2"),
                       ("2026-01-31", "2026-03-01", "1"), ("2026-03-02", "2026-03-05", "1")]
    assert all((b - a).days < 30 for a, b in report_chunks(date(2026, 1, 1), date(2026, 12, 31)))


def test_throttle_40100_waits_for_the_next_second_then_succeeds() -> None:
    answers = [fail(40100, "Too many requests per second"), ok({"list": [], "page_info": {}})]
    sleeps: list[float] = []
    list(client(lambda _r: answers.pop(0), sleeps).report("TOK", ADV, "AUCTION_CAMPAIGN",
                                                          date(2026, 1, 1), date(2026, 1, 1)))
    assert answers == [] and 0.74 <= sleeps[0] <= 30


def test_throttle_recovery_windows_follow_the_doc() -> None:
    now = 1_790_000_000.25  # 2026-09-21 13:33:20.25 UTC
    assert ads_throttle_wait("qps limit", now) == pytest.approx(0.751)
    assert ads_throttle_wait("Too many requests per minute", now) == 300.0
    assert ads_throttle_wait("daily limit reached", now) == pytest.approx(
        1_790_035_200 - now)


def test_daily_cap_is_not_slept_through() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return fail(40100, "daily request limit exceeded")

    with pytest.raises(e.QuotaExhausted):
        list(client(handler).report("TOK", ADV, "AUCTION_CAMPAIGN", date(2026, 1, 1),
                                    date(2026, 1, 1)))
    assert len(calls) == 1


@pytest.mark.parametrize(("code", "error", "calls_expected"), [
    (40102, e.TokenExpired, 1), (40105, e.TokenInvalid, 1), (40001, e.MissingScope, 1),
    (40002, e.BadRequest, 1), (50000, e.UpstreamError, 6), (60001, e.UpstreamError, 6),
])
def test_error_codes_map_to_types(code: int, error: type[e.TikTokError],
                                  calls_expected: int) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return fail(code)

    with pytest.raises(error):
        list(client(handler).report("TOK", ADV, "AUCTION_CAMPAIGN", date(2026, 1, 1),
                                    date(2026, 1, 1)))
    assert len(calls) == calls_expected


def test_token_exchange_and_advertisers_with_time_zone() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/access_token/"):
            assert json.loads(request.content)["auth_code"] == "CODE"
            return ok({"access_token": "TOK", "advertiser_ids": ["adv1"], "scope": [4]})
        if request.url.path.endswith("/oauth2/advertiser/get/"):
            return ok({"list": [{"advertiser_id": "adv1", "advertiser_name": "Demo Ads"}]})
        assert json.loads(request.url.params["advertiser_ids"]) == ["adv1"]
        return ok({"list": [{"advertiser_id": "adv1", "currency": "GBP",
                             "timezone": "Etc/GMT", "display_timezone": "Europe/London"}]})

    c = client(handler)
    token = c.exchange_code("CODE")
    assert token.advertiser_ids == ("adv1",)
    assert c.advertisers("TOK") == [Advertiser("adv1", "Demo Ads", "GBP", "Europe/London")]
