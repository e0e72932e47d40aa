"""Signature checks of the Shop API against an independent implementation of the documented
algorithm: accepted when right, refused (HTTP 401, 106001) when anything was tampered with."""

from __future__ import annotations

import json
import time

from sandbox_helpers import ShopCaller, doc_sign

from sandbox.signing import sign, string_to_sign

ORDERS = "/order/202309/orders/search"


def test_documented_example_string() -> None:
    payload = string_to_sign(
        "secret",
        ORDERS,
        {
            "app_key": "ak",
            "shop_cipher": "sc",
            "timestamp": "1000",
            "sign": "x",
            "access_token": "y",
        },
        b"",
        "GET",
        "",
    )
    assert payload == b"secret/order/202309/orders/searchapp_keyakshop_ciphersctimestamp1000secret"


def test_sandbox_signer_matches_independent_one() -> None:
    params = {"app_key": "ak", "timestamp": "1000", "page_size": "10", "shop_cipher": "c"}
    body = b'{"create_time_ge":1}'
    assert sign("s3cr3t", ORDERS, params, body, "POST") == doc_sign("s3cr3t", ORDERS, params, body)
    assert sign("s3cr3t", ORDERS, params, body, "GET") == doc_sign("s3cr3t", ORDERS, params)


def test_independent_signature_accepted(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    r = shop.call("POST", ORDERS, {"page_size": 5}, {"create_time_ge": 0}, cipher=cipher)
    assert r.status_code == 200 and r.json()["code"] == 0


def _signed_query(shop: ShopCaller, body: bytes, cipher: str) -> dict[str, str]:
    creds = shop.sb.credentials
    query = {
        "app_key": creds.app_key,
        "timestamp": str(int(time.time())),
        "page_size": "5",
        "shop_cipher": cipher,
    }
    query["sign"] = doc_sign(creds.app_secret, ORDERS, query, body)
    return query


def _post(shop: ShopCaller, query: dict[str, str], body: bytes):
    return shop.http.post(
        shop.sb.shop_api_url + ORDERS,
        params=query,
        content=body,
        headers={"x-tts-access-token": shop.access_token, "content-type": "application/json"},
    )


def test_tampered_body_param_or_sign_refused(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    body = json.dumps({"create_time_ge": 0}).encode()
    good = _signed_query(shop, body, cipher)
    assert _post(shop, good, body).json()["code"] == 0
    tampered = [
        (dict(good, sign=good["sign"][:-1] + ("0" if good["sign"][-1] != "0" else "1")), body),
        (dict(good, page_size="6"), body),
        (good, json.dumps({"create_time_ge": 1}).encode()),
    ]
    for query, sent in tampered:
        r = _post(shop, query, sent)
        assert r.status_code == 401
        assert r.json()["code"] == 106001 and r.json()["data"] is None


def test_timestamp_window(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    now = int(time.time())
    assert (
        shop.call("POST", ORDERS, {"page_size": 1}, {}, cipher, timestamp=now - 280).json()["code"]
        == 0
    )
    assert (
        shop.call("POST", ORDERS, {"page_size": 1}, {}, cipher, timestamp=now + 20).json()["code"]
        == 0
    )
    for ts in (now - 320, now + 60):
        r = shop.call("POST", ORDERS, {"page_size": 1}, {}, cipher, timestamp=ts)
        assert (r.status_code, r.json()["code"]) == (401, 106001)


def test_wrong_app_key_refused(shop: ShopCaller) -> None:
    query = {"app_key": "nope", "timestamp": str(int(time.time()))}
    query["sign"] = doc_sign(shop.sb.credentials.app_secret, "/authorization/202309/shops", query)
    r = shop.http.get(
        shop.sb.shop_api_url + "/authorization/202309/shops",
        params=query,
        headers={"x-tts-access-token": shop.access_token},
    )
    assert (r.status_code, r.json()["code"]) == (401, 106001)
