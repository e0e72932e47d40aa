"""The enforced QPS limit: bursts beyond it are refused (429/36009002 with Retry-After on the Shop
API, HTTP 200 + 40100 on the Business API); a client pacing itself at the limit is never refused.

The limiter's clock is moved by hand, so a busy machine (a slow burst) changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sandbox_helpers import ShopCaller

from sandbox import Sandbox

QPS = 20


class HandClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(sb: Sandbox) -> Iterator[HandClock]:
    hand = HandClock()
    real, sb.state.limiter.clock = sb.state.limiter.clock, hand
    yield hand
    sb.state.limiter.clock = real


def test_burst_over_the_limit_is_refused(sb: Sandbox, shop: ShopCaller, clock: HandClock) -> None:
    cipher = shop.shops()[0]["cipher"]
    sb.set_qps(QPS)
    codes = [  # all within one instant of the limiter's clock
        shop.call("POST", "/order/202309/orders/search", {"page_size": 1}, {}, cipher=cipher)
        for _ in range(3 * QPS)
    ]
    refused = [r for r in codes if r.status_code == 429]
    assert len(refused) == 2 * QPS  # the one-second burst allowance was served, nothing more
    assert all(r.json()["code"] == 36009002 and int(r.headers["retry-after"]) >= 1 for r in refused)
    clock.now += 1.0  # a second later the bucket is full again
    assert shop.call("POST", "/order/202309/orders/search", {"page_size": 1}, {},
                     cipher=cipher).status_code == 200


def test_paced_client_is_never_refused(sb: Sandbox, shop: ShopCaller, clock: HandClock) -> None:
    sb.set_qps(QPS)  # a fresh, full bucket
    statuses = []
    for _ in range(3 * QPS):  # three seconds at 95% of the limit, after the burst is spent
        statuses.append(shop.call("GET", "/authorization/202309/shops").status_code)
        clock.now += 1 / (QPS * 0.95)
    assert statuses == [200] * (3 * QPS)


def test_ads_limit_answers_40100(sb: Sandbox, http: httpx.Client, ads_token: str,
                                 clock: HandClock) -> None:
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
    assert codes.count(0) == 5 and codes.count(40100) == 10
    stats = http.get(sb.base_url + "/sandbox/stats").json()
    assert stats["rate_limited"] >= 5 and json.dumps(stats)
