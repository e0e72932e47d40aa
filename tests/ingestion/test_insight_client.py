"""Content, creator search and settlement calls of TikTokShopClient against httpx.MockTransport:
what goes on the wire, how answers parse, and a used-up Creator Marketplace quota (45101004)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from jobs.sources import errors as e
from tests.ingestion.test_shop_client import SHOP, client, envelope


def test_content_performance_sends_dates_and_parses_features() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=envelope({"lives": [{
            "id": "73", "username": "creator_00001", "title": "LIVE", "start_time": 1_790_000_000,
            "duration": 3600, "views": 1200, "likes": 80, "comments": 6, "shares": 4,
            "gmv": {"amount": "123.45", "currency": "GBP"}, "sku_orders": 7, "units_sold": 9,
        }], "next_page_token": "", "total_count": 1}))

    pages = list(client(handler).content_performance(SHOP, "LIVE", date(2026, 11, 1),
                                                     date(2026, 11, 8)))
    assert seen[0].url.path == "/analytics/202409/shop_lives/performance"
    assert seen[0].url.params["start_date_ge"] == "2026-11-01"
    assert seen[0].url.params["end_date_lt"] == "2026-11-08"
    item = pages[0].items[0]
    assert (item.content_type, item.username, item.duration_s) == ("LIVE", "creator_00001", 3600)
    assert item.posted_at == datetime.fromtimestamp(1_790_000_000, UTC)
    assert (item.gmv, item.currency, item.orders, item.units) == (Decimal("123.45"), "GBP", 7, 9)
    assert (item.hook_s, item.music, item.hashtags) == (None, None, [])


def test_video_features_keep_hook_music_and_named_hashtags() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope({"videos": [
            {"id": "1", "post_time": 1_790_000_000, "hook_seconds": 2.5, "music_trending": True,
             "hashtags": ["#ootd", "sale"]},
            {"id": "2", "post_time": 1_790_000_000, "hook_seconds": 1.4, "music": "Song A",
             "hashtag_count": 3},
        ], "next_page_token": ""}))

    items = next(client(handler).content_performance(SHOP, "VIDEO", date(2026, 11, 1),
                                                     date(2026, 11, 2))).items
    assert [(x.hook_s, x.music, x.hashtags) for x in items] == [
        (3, "trending", ["ootd", "sale"]), (1, "Song A", [])]


def test_creator_search_posts_the_username_and_takes_the_exact_match() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=envelope({"creators": [
            {"creator_user_id": "11", "username": "anna_x"},
            {"creator_user_id": "12", "username": "Anna"},
        ]}))

    assert client(handler).find_creator_user_id(SHOP, "anna") == "12"
    assert json.loads(seen[0].content) == {"keyword": "anna"}
    assert seen[0].url.params["page_size"] in ("12", "20")
    assert client(handler).find_creator_user_id(SHOP, "bob") is None


def test_a_used_up_marketplace_quota_is_raised_after_one_call_not_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=envelope(None, 45101004, "quota exceeded"))

    with pytest.raises(e.QuotaExhausted):
        client(handler).creator_profile(SHOP, "12")
    assert len(calls) == 1


def test_settled_order_is_none_until_settled_then_sums_commissions() -> None:
    answers = [
        {"order_id": "5", "settlement_status": "UNSETTLED", "sku_transactions": []},
        {"order_id": "5", "settlement_status": "SETTLED", "settle_time": 1_790_000_000,
         "currency": "GBP", "revenue_amount": "20.00", "fee_and_tax_amount": "-3.00",
         "shipping_cost_amount": "-1.00", "settlement_amount": "16.00",
         "sku_transactions": [
             {"platform_commission_amount": "-1.20", "affiliate_commission_amount": "-1.00"},
             {"platform_commission_amount": "-0.40", "affiliate_commission_amount": "0.00"}]},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/finance/202309/orders/5/statement_transactions"
        return httpx.Response(200, json=envelope(answers.pop(0)))

    shop = client(handler)
    assert shop.settled_order(SHOP, "5") is None
    settled = shop.settled_order(SHOP, "5")
    assert settled is not None
    assert settled.settle_time == datetime.fromtimestamp(1_790_000_000, UTC)
    assert (settled.settlement_amount, settled.platform_commission_amount,
            settled.affiliate_commission_amount) == (Decimal("16.00"), Decimal("-1.60"),
                                                     Decimal("-1.00"))
