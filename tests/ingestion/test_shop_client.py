"""TikTokShopClient against httpx.MockTransport: signing on the wire, paging, parsing, errors."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from jobs.sources import errors as e
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.sources.tiktok.shop_transport import ShopAccess

SECRET = "s3cret"
SHOP = ShopAccess(shop_id="7001", cipher="CIPHER1", access_token="TOKEN1")
T0 = datetime(2026, 11, 1, tzinfo=UTC)
T1 = datetime(2026, 11, 8, tzinfo=UTC)


def envelope(data: object, code: int = 0, message: str = "Success") -> dict[str, object]:
    return {"code": code, "message": message, "request_id": "req-1", "data": data}


def client(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> TikTokShopClient:
    sleeps: list[float] = []
    retry = kw.pop("retry", None) or RetryPolicy(sleep=sleeps.append)
    return TikTokShopClient(
        httpx.Client(transport=httpx.MockTransport(handler)),
        app_key="ak", app_secret=SECRET, auth_url="http://auth.test", api_url="http://api.test",
        retry=retry, clock=lambda: 1_790_000_000.0,  # type: ignore[arg-type]
    )


def expected_sign(request: httpx.Request) -> str:
    """Independent re-statement of the documented algorithm, from the request as sent."""
    params = sorted((k, v) for k, v in request.url.params.multi_items()
                    if k not in ("sign", "access_token"))
    text = request.url.path + "".join(k + v for k, v in params)
    body = request.content if request.method != "GET" else b""
    message = SECRET.encode() + text.encode() + body + SECRET.encode()
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


def order_json(order_id: str, update: int) -> dict[str, object]:
    return {
        "id": order_id, "status": "COMPLETED", "create_time": update - 100, "update_time": update,
        "paid_time": update - 90,
        "payment": {"currency": "GBP", "sub_total": "20.00", "shipping_fee": "2.99",
                    "seller_discount": "1.50", "platform_discount": "0.50",
                    "total_amount": "21.49", "tax": "3.58"},
        "recipient_address": {"region_code": "GB"},
        "line_items": [
            {"id": f"{order_id}-1", "sku_id": "sku1", "product_id": "p1", "product_name": "Mug",
             "original_price": "11.50", "sale_price": "10.00", "seller_discount": "1.50",
             "platform_discount": "0.00", "currency": "GBP"},
            {"id": f"{order_id}-2", "sku_id": "sku1", "product_id": "p1", "product_name": "Mug",
             "original_price": "10.00", "sale_price": "10.00", "currency": "GBP"},
        ],
    }


def test_orders_are_signed_paged_and_parsed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.url.params["sign"] == expected_sign(request)
        assert request.headers["x-tts-access-token"] == "TOKEN1"
        assert request.url.params["shop_cipher"] == "CIPHER1"
        assert json.loads(request.content) == {"update_time_ge": int(T0.timestamp()),
                                               "update_time_lt": int(T1.timestamp())}
        if request.url.params.get("page_token") == "p2":
            return httpx.Response(200, json=envelope(
                {"orders": [order_json("o2", 1_790_000_200)], "next_page_token": ""}))
        return httpx.Response(200, json=envelope(
            {"orders": [order_json("o1", 1_790_000_100)], "next_page_token": "p2",
             "total_count": 2}))

    pages = list(client(handler).orders(SHOP, T0, T1))
    assert [p.next_page_token for p in pages] == ["p2", ""]
    assert [o.id for p in pages for o in p.items] == ["o1", "o2"]
    order = pages[0].items[0]
    assert order.total_amount == Decimal("21.49") and isinstance(order.tax, Decimal)
    assert order.update_time == datetime.fromtimestamp(1_790_000_100, UTC)
    assert order.update_time.tzinfo is not None
    assert [line.sale_price for line in order.lines] == [Decimal("10.00"), Decimal("10.00")]
    assert order.lines[1].seller_discount == Decimal(0)
    assert seen[0].url.params["sort_field"] == "update_time"


def test_paging_resumes_from_a_given_page_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["page_token"] == "p2"
        return httpx.Response(200, json=envelope({"orders": [], "next_page_token": ""}))

    pages = list(client(handler).orders(SHOP, T0, T1, page_token="p2"))
    assert len(pages) == 1 and pages[0].is_last


def test_token_get_is_unsigned_and_expiries_are_absolute() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "auth.test"
        assert "sign" not in request.url.params
        assert request.url.params["grant_type"] == "authorized_code"
        return httpx.Response(200, json=envelope({
            "access_token": "A", "access_token_expire_in": 1_790_604_800,
            "refresh_token": "R", "refresh_token_expire_in": 1_800_000_000,
            "open_id": "oid", "seller_name": "Demo", "seller_base_region": "GB",
            "granted_scopes": ["seller.order.info"]}))

    token = client(handler).get_token("CODE")
    assert token.access_token_expires_at == datetime.fromtimestamp(1_790_604_800, UTC)
    assert token.granted_scopes == ("seller.order.info",)


def test_authorized_shops_do_not_send_a_cipher() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "shop_cipher" not in request.url.params
        assert request.url.params["sign"] == expected_sign(request)
        return httpx.Response(200, json=envelope({"shops": [
            {"id": "7001", "name": "UK", "region": "GB", "seller_type": "CROSS_BORDER",
             "cipher": "C1", "code": "GBX"}]}))

    shops = client(handler).authorized_shops("TOKEN1")
    assert [(s.id, s.cipher, s.region) for s in shops] == [("7001", "C1", "GB")]


@pytest.mark.parametrize(("code", "status", "error"), [
    (105002, 200, e.TokenExpired), (105001, 200, e.TokenInvalid), (105005, 200, e.MissingScope),
    (36004005, 200, e.Revoked), (36004001, 200, e.RefreshExpired), (101000, 200, e.ShopMismatch),
    (106001, 401, e.BadRequest), (105999, 200, e.AuthError),
])
def test_auth_and_request_errors_are_typed_and_not_retried(
    code: int, status: int, error: type[e.TikTokError]
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json=envelope(None, code=code, message="nope"))

    with pytest.raises(error) as raised:
        list(client(handler).orders(SHOP, T0, T1))
    assert raised.value.code == code and raised.value.request_id == "req-1"
    assert len(calls) == 1


def test_transient_failures_are_retried_with_retry_after_honoured() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={}),
        httpx.Response(503, text="busy"),
        httpx.Response(200, content=b'{"code":0,"data":{"orders":[{"id":'),  # truncated
        httpx.Response(200, json=envelope(None, code=36009003, message="internal")),
        httpx.Response(200, json=envelope(None, code=36009002, message="slow down")),
        httpx.Response(200, json=envelope({"orders": [], "next_page_token": ""})),
    ]
    sleeps: list[float] = []
    retries: list[type] = []
    policy = RetryPolicy(attempts=6, sleep=sleeps.append,
                         on_retry=lambda err, _w: retries.append(type(err)))
    pages = list(client(lambda _r: answers.pop(0), retry=policy).orders(SHOP, T0, T1))
    assert pages[0].items == [] and answers == []
    assert retries == [e.RateLimited, e.UpstreamError, e.BadResponse, e.UpstreamError,
                       e.RateLimited]
    assert sleeps[0] >= 7.0
    assert all(s <= policy.max_delay for s in sleeps[1:])


def test_retries_are_bounded() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502, text="bad gateway")

    with pytest.raises(e.UpstreamError):
        list(client(handler, retry=RetryPolicy(attempts=4, sleep=lambda _s: None))
             .orders(SHOP, T0, T1))
    assert len(calls) == 4


def test_timeouts_become_upstream_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(e.UpstreamError):
        list(client(handler, retry=RetryPolicy(attempts=2, sleep=lambda _s: None))
             .orders(SHOP, T0, T1))


def test_unexpected_shape_is_a_non_retryable_bad_response() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json=envelope({"orders": [{"id": "o1", "status": "PAID",
                                                              "create_time": "yesterday",
                                                              "update_time": 5}]}))

    with pytest.raises(e.BadResponse) as raised:
        list(client(handler).orders(SHOP, T0, T1))
    assert not raised.value.retryable and len(calls) == 1


def test_a_wait_beyond_max_wait_is_not_slept_through() -> None:
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "3600"})

    with pytest.raises(e.RateLimited):
        list(client(handler, retry=RetryPolicy(sleep=sleeps.append)).orders(SHOP, T0, T1))
    assert sleeps == []


def test_finance_affiliate_and_stock_parse_money_as_decimal() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/statements"):
            assert request.url.params["sort_field"] == "statement_time"
            return httpx.Response(200, json=envelope({"statements": [
                {"id": "st1", "statement_time": 1_790_000_000, "currency": "GBP",
                 "settlement_amount": "80.10", "revenue_amount": "100.00",
                 "fee_amount": "-19.90", "net_sales_amount": "95.00"}], "next_page_token": ""}))
        if path.endswith("/statement_transactions"):
            return httpx.Response(200, json=envelope({
                "currency": "GBP", "revenue_amount": "20.00", "fee_and_tax_amount": "-3.10",
                "settlement_amount": "16.90", "sku_transactions": [
                    {"platform_commission_amount": "-1.80", "affiliate_commission_amount": "-1.00"},
                    {"platform_commission_amount": "-0.30"}]}))
        if path.startswith("/affiliate_seller"):
            return httpx.Response(200, json=envelope({"orders": [
                {"id": "o1", "status": "COMPLETED", "create_time": 1_790_000_000, "skus": [
                    {"product_id": "p1", "creator_username": "cr", "content_type": "VIDEO",
                     "content_id": "v1", "quantity": 2, "price": {"amount": "9.99",
                                                                 "currency": "GBP"},
                     "commission_rate": "0.10", "estimated_paid_commission": "2.00"}]}],
                "next_page_token": ""}))
        return httpx.Response(200, json=envelope({"products": [
            {"id": "p1", "title": "Mug", "status": "ACTIVATE", "skus": [
                {"id": "sku1", "price": {"currency": "GBP", "sale_price": "9.99"},
                 "inventory": [{"quantity": 3}, {"quantity": 4}]}]}], "next_page_token": ""}))

    c = client(handler)
    statement = next(iter(c.statements(SHOP, T0, T1))).items[0]
    assert statement.fee_amount == Decimal("-19.90")
    settlement = c.order_settlement(SHOP, "o1")
    assert settlement.platform_commission_amount == Decimal("-2.10")
    assert settlement.affiliate_commission_amount == Decimal("-1.00")
    sku = next(iter(c.affiliate_orders(SHOP, T0, T1))).items[0].skus[0]
    assert (sku.price, sku.quantity, sku.content_id) == (Decimal("9.99"), 2, "v1")
    stock = next(iter(c.sku_stock(SHOP))).items
    assert [(s.sku_id, s.quantity) for s in stock] == [("sku1", 7)]


def test_shop_performance_keeps_content_breakdowns() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["granularity"] == "1D"
        return httpx.Response(200, json=envelope({"performance": {"intervals": [
            {"start_date": "2026-11-01", "end_date": "2026-11-02",
             "gmv": {"amount": "123.45", "currency": "GBP"}, "orders": 5, "buyers": 4,
             "product_page_views": 200,
             "gmv_breakdowns": [{"type": "LIVE", "amount": "23.45"},
                                {"type": "VIDEO", "amount": "100.00"}],
             "buyer_breakdowns": [{"type": "PRODUCT_CARD", "amount": 1}]}]}}))

    day = client(handler).shop_performance(SHOP, T0.date(), T1.date())[0]
    assert day.gmv == Decimal("123.45") and day.currency == "GBP"
    assert day.breakdowns["VIDEO"]["gmv"] == Decimal("100.00")
    assert day.breakdowns["PRODUCT_CARD"]["buyers"] == 1
