"""Every injected fault kind, on both APIs, scoped by endpoint and shop/advertiser, with counts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import ShopCaller, authorize_shop

from sandbox import Sandbox

ORDERS = "/order/202309/orders/search"
REPORT = "/open_api/v1.3/report/integrated/get/"


def _orders(shop: ShopCaller, cipher: str) -> httpx.Response:
    return shop.call("POST", ORDERS, {"page_size": 2}, {}, cipher=cipher)


def _report(
    sb: Sandbox, http: httpx.Client, token: str, adv: str, timeout: float = 10
) -> httpx.Response:
    params = {
        "advertiser_id": adv,
        "report_type": "BASIC",
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": json.dumps(["stat_time_day"]),
        "metrics": json.dumps(["spend"]),
        "start_date": "2026-11-01",
        "end_date": "2026-11-05",
    }
    return http.get(
        sb.base_url + REPORT, params=params, headers={"Access-Token": token}, timeout=timeout
    )


def test_shop_rate_limit_fault_scoped_to_shop_and_counted(sb: Sandbox, shop: ShopCaller) -> None:
    gb, us = shop.shops()
    sb.faults.add(endpoint=ORDERS, kind="rate_limit", shop_id=gb["id"], count=2)
    for _ in range(2):
        r = _orders(shop, gb["cipher"])
        assert (r.status_code, r.json()["code"]) == (429, 36009002) and r.headers["retry-after"]
        assert _orders(shop, us["cipher"]).json()["code"] == 0  # other shop unaffected
    assert _orders(shop, gb["cipher"]).json()["code"] == 0
    assert sb.faults.list()[0]["fired"] == 2


def test_server_error_after_n_requests(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    sb.faults.add(endpoint="/order/*", kind="server_error", after=2, count=1)
    codes = [_orders(shop, cipher).status_code for _ in range(4)]
    assert codes == [200, 200, 503, 200]


def test_timeout_delays_the_answer(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    sb.faults.add(endpoint=ORDERS, kind="timeout", delay=1.5)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        shop.call("POST", ORDERS, {"page_size": 1}, {}, cipher=cipher, timeout=0.4)
    assert time.monotonic() - started < 1.4
    assert _orders(shop, cipher).json()["code"] == 0  # fired once


def test_token_expires_mid_sync(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    sb.faults.add(endpoint=ORDERS, kind="token_expired", after=1)
    assert _orders(shop, cipher).json()["code"] == 0
    for _ in range(2):  # the token stays expired: the client must refresh
        r = _orders(shop, cipher)
        assert (r.status_code, r.json()["code"]) == (401, 105002)


def test_revoked_mid_sync(sb: Sandbox, http: httpx.Client) -> None:
    caller = authorize_shop(sb, http, 1)
    cipher = caller.shops()[0]["cipher"]
    sb.faults.add(endpoint=ORDERS, kind="token_revoked")
    assert _orders(caller, cipher).json()["code"] == 105001
    assert caller.call("GET", "/authorization/202309/shops").json()["code"] == 105001
    creds = sb.credentials
    refresh = http.get(
        sb.shop_auth_url + "/api/v2/token/refresh",
        params={
            "app_key": creds.app_key,
            "app_secret": creds.app_secret,
            "refresh_token": caller.refresh_token,
            "grant_type": "refresh_token",
        },
    ).json()
    assert refresh["code"] == 36004005


def test_entity_changed(sb: Sandbox, shop: ShopCaller) -> None:
    gb = shop.shops()[0]
    sb.faults.add(endpoint="*", kind="entity_changed", shop_id=gb["id"], count=None)
    for _ in range(3):
        assert _orders(shop, gb["cipher"]).json()["code"] == 101000
    sb.faults.clear()
    assert _orders(shop, gb["cipher"]).json()["code"] == 0


@pytest.mark.parametrize("kind", ["malformed_json", "truncated_json"])
def test_broken_json(sb: Sandbox, shop: ShopCaller, kind: str) -> None:
    cipher = shop.shops()[0]["cipher"]
    sb.faults.add(endpoint=ORDERS, kind=kind)
    r = _orders(shop, cipher)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert _orders(shop, cipher).json()["code"] == 0


def test_token_endpoint_faults(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.add(endpoint="/api/v2/token/get", kind="rate_limit")
    creds = sb.credentials
    params = {
        "app_key": creds.app_key,
        "app_secret": creds.app_secret,
        "auth_code": sb.new_auth_code(0),
        "grant_type": "authorized_code",
    }
    assert http.get(sb.shop_auth_url + "/api/v2/token/get", params=params).status_code == 429
    assert http.get(sb.shop_auth_url + "/api/v2/token/get", params=params).json()["code"] == 0


def test_ads_faults(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv, other = sb.credentials.sellers[0].advertiser_ids
    plan = [
        ("rate_limit", 200, 40100),
        ("server_error", 503, 50002),
        ("malformed_json", 200, None),
        ("truncated_json", 200, None),
        ("entity_changed", 200, 40001),
    ]
    for kind, status, code in plan:
        sb.faults.add(endpoint=REPORT, kind=kind, advertiser_id=adv)
        assert (
            _report(sb, http, ads_token, other).json()["code"] == 0
        )  # other advertiser unaffected
        r = _report(sb, http, ads_token, adv)
        assert r.status_code == status, kind
        if code is None:
            with pytest.raises(json.JSONDecodeError):
                json.loads(r.content)
        else:
            assert r.json()["code"] == code, kind
    assert _report(sb, http, ads_token, adv).json()["code"] == 0
    sb.faults.add(endpoint=REPORT, kind="timeout", delay=1.0)
    with pytest.raises(httpx.ReadTimeout):
        _report(sb, http, ads_token, adv, timeout=0.3)


def test_ads_token_expired_and_revoked(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[0]
    sb.faults.add(endpoint=REPORT, kind="token_expired")
    assert _report(sb, http, ads_token, adv).json()["code"] == 40102
    assert _report(sb, http, ads_token, adv).json()["code"] == 40102
    from sandbox_helpers import authorize_ads

    fresh = authorize_ads(sb, http, 0)
    sb.faults.add(endpoint=REPORT, kind="token_revoked")
    assert _report(sb, http, fresh, adv).json()["code"] == 40105
    assert _report(sb, http, fresh, adv).json()["code"] == 40105


def test_unknown_fault_kind_refused(sb: Sandbox) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sb.faults.add(endpoint="*", kind="gremlins")


def test_scenario_files(tmp_path) -> None:
    from sandbox_helpers import DEMO

    scenario = tmp_path / "faults.json"
    spec = {"faults": [{"endpoint": "/sandbox/never", "kind": "rate_limit", "count": 3}]}
    scenario.write_text(json.dumps(spec))
    with Sandbox.start(config=DEMO, scenario=scenario) as other:
        assert other.faults.list()[0]["count"] == 3
    shipped = Path(__file__).resolve().parents[2] / "sandbox" / "scenarios" / "flaky_sync.yaml"
    with Sandbox.start(config=DEMO, scenario=shipped) as other:
        kinds = {f["kind"] for f in other.faults.list()}
        assert kinds == {"rate_limit", "server_error", "truncated_json", "timeout"}
