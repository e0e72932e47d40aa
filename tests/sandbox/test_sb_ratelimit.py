"""The enforced QPS limit: bursts beyond it are refused (429/36009002 with Retry-After on the Shop
API, HTTP 200 + 40100 on the Business API); a client pacing itself at the limit is never refused."""

from __future__ import annotations

import json
import time

import httpx
from sandbox_helpers import ShopCaller

from sandbox import Sandbox

QPS = 20


def test_burst_over_the_limit_is_refused(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    sb.set_qps(QPS)
    codes = [
        shop.call("POST", "/order/202309/orders/search", {"page_size": 1}, {}, cipher=cipher)
        for _ in range(3 * QPS)
    ]
    refused = [r for r in codes if r.status_code == 429]
    assert len(refused) >= QPS
    assert all(r.json()["code"] == 36009002 and int(r.headers["retry-after"]) >= 1 for r in refused)
    assert sum(r.status_code == 200 for r in codes) >= QPS  # the burst allowance was served


def test_paced_client_is_never_refused(sb: Sandbox, shop: ShopCaller) -> None:
    sb.set_qps(QPS)  # a fresh, full bucket
    started = time.monotonic()
    statuses = []
    for i in range(3 * QPS // 2):
        target = started + i / (QPS * 0.95)
        time.sleep(max(0.0, target - time.monotonic()))
        statuses.append(shop.call("GET", "/authorization/202309/shops").status_code)
    assert statuses == [200] * (3 * QPS // 2)


def test_ads_limit_answers_40100(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    sb.set_qps(5)
    params = {"app_id": sb.credentials.ads_app_id, "secret": sb.credentials.ads_secret}
    answers = [
        http.get(
            sb.ads_api_url + "/oauth2/advertiser/get/",
            params=params,
            headers={"Access-Token": ads_token},
        )
        for _ in range(15)
    ]
    assert all(r.status_code == 200 for r in answers)
    codes = [r.json()["code"] for r in answers]
    assert codes.count(40100) >= 5 and codes.count(0) >= 5
    stats = http.get(sb.base_url + "/sandbox/stats").json()
    assert stats["rate_limited"] >= 5 and json.dumps(stats)
