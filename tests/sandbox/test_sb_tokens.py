"""Shop auth host and access-token checks: single-use codes, absolute expiries, rotation, expiry,
revocation, and the shop cipher rules."""

from __future__ import annotations

import time

import httpx
from sandbox_helpers import ShopCaller, authorize_shop

from sandbox import Sandbox

SHOPS = "/authorization/202309/shops"


def _token_get(sb: Sandbox, http: httpx.Client, code: str, secret: str | None = None) -> dict:
    creds = sb.credentials
    params = {
        "app_key": creds.app_key,
        "app_secret": secret or creds.app_secret,
        "auth_code": code,
        "grant_type": "authorized_code",
    }
    r = http.get(sb.shop_auth_url + "/api/v2/token/get", params=params)
    assert r.status_code == 200
    return r.json()


def _refresh(sb: Sandbox, http: httpx.Client, refresh_token: str) -> dict:
    creds = sb.credentials
    params = {
        "app_key": creds.app_key,
        "app_secret": creds.app_secret,
        "refresh_token": refresh_token,
        "grant_type": "refresh_token",
    }
    return http.get(sb.shop_auth_url + "/api/v2/token/refresh", params=params).json()


def test_token_get_fields_and_absolute_expiry(sb: Sandbox, http: httpx.Client) -> None:
    body = _token_get(sb, http, sb.new_auth_code(1, "shop"))
    data = body["data"]
    assert body["code"] == 0 and body["request_id"]
    now = time.time()
    assert now + 6.9 * 86400 < data["access_token_expire_in"] < now + 7.1 * 86400
    assert data["refresh_token_expire_in"] > data["access_token_expire_in"]
    assert {"open_id", "seller_name", "seller_base_region", "user_type", "granted_scopes"} <= set(
        data
    )
    assert data["seller_base_region"] == "TH"


def test_auth_code_single_use_and_bad_codes(sb: Sandbox, http: httpx.Client) -> None:
    code = sb.new_auth_code(0, "shop")
    assert _token_get(sb, http, code, secret="wrong")["code"] == 106001
    assert _token_get(sb, http, code)["code"] == 0
    assert _token_get(sb, http, code)["code"] == 36004004
    assert _token_get(sb, http, "no-such-code")["code"] == 36004004


def test_refresh_rotates_tokens(sb: Sandbox, http: httpx.Client) -> None:
    first = authorize_shop(sb, http, 0)
    data = _refresh(sb, http, first.refresh_token)["data"]
    assert (
        data["refresh_token"] != first.refresh_token and data["access_token"] != first.access_token
    )
    assert _refresh(sb, http, first.refresh_token)["code"] == 36004004  # rotated away
    second = ShopCaller(sb, http, data["access_token"], data["refresh_token"])
    assert second.call("GET", SHOPS).json()["code"] == 0
    assert (
        first.call("GET", SHOPS).json()["code"] == 0
    )  # the old access token lives until it expires


def test_expired_access_and_refresh_tokens(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 0)
    http.post(sb.base_url + "/sandbox/tokens/expire", json={"access_token": caller.access_token})
    r = caller.call("GET", SHOPS)
    assert (r.status_code, r.json()["code"]) == (401, 105002)
    http.post(sb.base_url + "/sandbox/tokens/expire", json={"refresh_token": caller.refresh_token})
    assert _refresh(sb, http, caller.refresh_token)["code"] == 36004001


def test_revocation(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 1)
    http.post(sb.base_url + "/sandbox/revoke", json={"seller": 1, "api": "shop"})
    r = caller.call("GET", SHOPS)
    assert (r.status_code, r.json()["code"]) == (401, 105001)
    assert _refresh(sb, http, caller.refresh_token)["code"] == 36004005
    again = authorize_shop(sb, http, 1)  # the seller authorizes again
    assert again.call("GET", SHOPS).json()["code"] == 0


def test_unknown_or_missing_token(shop: ShopCaller) -> None:
    for token in ("bogus", "x" * 40):
        r = shop.call("GET", SHOPS, token=token)
        assert (r.status_code, r.json()["code"]) == (401, 105001)


def test_shop_cipher_rules(sb: Sandbox, http: httpx.Client, shop: ShopCaller) -> None:
    mine = shop.shops()
    assert [s["region"] for s in mine] == ["GB", "US"]
    assert all(s["cipher"] and s["id"] and s["code"] for s in mine)
    other = authorize_shop(sb, http, 1).shops()[0]["cipher"]
    orders = "/order/202309/orders/search"
    assert shop.call("POST", orders, {"page_size": 1}, {}).json()["code"] == 106011  # missing
    assert shop.call("POST", orders, {"page_size": 1}, {}, cipher=other).json()["code"] == 106011
    r = shop.call("GET", SHOPS, cipher=mine[0]["cipher"])
    assert r.status_code == 400 and r.json()["code"] == 36009004
