"""Moving the API clock back: later orders vanish, and a later pull sees recent ad conversions
change (they mature over three days, as on the real platform)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx
from sandbox_helpers import ShopCaller

from sandbox import Sandbox

END = 1_795_392_000  # 2026-11-23 00:00 UTC


def _newest_order(shop: ShopCaller, cipher: str) -> int:
    data = shop.call(
        "POST", "/order/202309/orders/search", {"page_size": 1}, {}, cipher=cipher
    ).json()
    return int(data["data"]["orders"][0]["create_time"])


def _day_value(sb: Sandbox, http: httpx.Client, token: str, adv: str, day: str) -> Decimal:
    params = {
        "advertiser_id": adv,
        "report_type": "BASIC",
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": json.dumps(["stat_time_day"]),
        "metrics": json.dumps(["total_onsite_shopping_value", "spend"]),
        "start_date": day,
        "end_date": day,
    }
    rows = http.get(
        sb.ads_api_url + "/report/integrated/get/", params=params, headers={"Access-Token": token}
    ).json()["data"]["list"]
    return sum(Decimal(r["metrics"]["total_onsite_shopping_value"]) for r in rows)


def test_clock_back_hides_recent_orders(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    assert END - 86_400 < _newest_order(shop, cipher) < END
    sb.set_clock(3)
    newest = _newest_order(shop, cipher)
    assert END - 4 * 86_400 < newest < END - 3 * 86_400 + 3600
    sb.set_clock(0)
    assert _newest_order(shop, cipher) > END - 86_400


def test_recent_ad_conversions_mature(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[0]
    day = str(date(2026, 11, 19))  # yesterday when the clock is 3 days back
    sb.set_clock(3)
    early = _day_value(sb, http, ads_token, adv, day)
    sb.set_clock(0)
    final = _day_value(sb, http, ads_token, adv, day)
    assert 0 < early < final
    assert early >= Decimal("0.5") * final
    r = http.post(sb.base_url + "/sandbox/clock", json={"days_back": 999})
    assert r.status_code == 400
