"""Affiliate orders (lagging, with creator, content and commission) and creator profiles."""

from __future__ import annotations

from decimal import Decimal

from sandbox_helpers import ShopCaller

from sandbox import Sandbox

AFFILIATE = "/affiliate_seller/202410/orders/search"


def test_affiliate_orders(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    data = shop.call(
        "POST", AFFILIATE, {"page_size": 100}, {"create_time_ge": 1_793_000_000}, cipher=cipher
    ).json()["data"]
    assert data["total_count"] > 500 and data["next_page_token"]
    newest = max(o["create_time"] for o in data["orders"])
    assert newest <= 1_795_392_000 - 36 * 3600  # affiliate data lags: nothing from the last 36 h
    kinds = set()
    for order in data["orders"]:
        for sku in order["skus"]:
            kinds.add(sku["content_type"])
            assert sku["creator_username"].startswith("creator_") and sku["quantity"] >= 1
            rate = Decimal(sku["commission_rate"]) / 10000
            expected = (Decimal(sku["price"]["amount"]) * sku["quantity"] * rate).quantize(
                Decimal("0.01")
            )
            assert abs(Decimal(sku["estimated_paid_commission"]["amount"]) - expected) <= Decimal(
                "0.01"
            )
            assert sku["content_id"] or sku["content_type"] == "SHOWCASE"
    assert {"VIDEO", "LIVE"} <= kinds


def test_creator_profiles_power_law_and_fake_engagement(sb: Sandbox, shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    creators = sb.dataset.creators
    mine = creators[creators["shop_idx"] == 0]
    profiles = []
    for creator_id in mine["creator_id"]:
        path = f"/affiliate_seller/202406/marketplace_creators/{creator_id}"
        profiles.append(shop.call("GET", path, cipher=cipher).json()["data"]["creator"])
    gmv = sorted((Decimal(p["gmv"]["amount"]) for p in profiles), reverse=True)
    assert sum(gmv[:6]) > Decimal("0.5") * sum(gmv)  # the top fifth sells over half
    fake = set(creators[creators["fake_engagement"]]["username"])
    for p in profiles:
        assert p["follower_count"] > 0 and Decimal(p["gmv"]["amount"]) >= Decimal(
            p["video_gmv"]["amount"]
        )
    fakes = [p for p in profiles if p["username"] in fake]
    assert fakes
    honest = sorted(Decimal(p["gpm"]["amount"]) for p in profiles if p["username"] not in fake)
    for p in fakes:  # many views, few sales
        assert Decimal(p["gpm"]["amount"]) <= honest[len(honest) // 2]
    bad = shop.call("GET", "/affiliate_seller/202406/marketplace_creators/42", cipher=cipher)
    assert bad.json()["code"] == 36009004


def test_creator_spike_visible_in_affiliate_orders(sb: Sandbox, http) -> None:
    from datetime import UTC, datetime

    from sandbox_helpers import authorize_shop

    spike = next(a for a in sb.anomalies if a["kind"] == "creator_spike")
    seller = next(i for i, s in enumerate(sb.credentials.sellers) if spike["shop_id"] in s.shop_ids)
    caller = authorize_shop(sb, http, seller)
    cipher = next(s["cipher"] for s in caller.shops() if s["id"] == spike["shop_id"])
    weeks: dict[int, int] = {}
    token = ""
    while True:
        query = {"page_size": 100, **({"page_token": token} if token else {})}
        data = caller.call("POST", AFFILIATE, query, {}, cipher=cipher).json()["data"]
        for order in data["orders"]:
            if any(s["creator_username"] == spike["username"] for s in order["skus"]):
                day = datetime.fromtimestamp(order["create_time"], UTC).date()
                weeks[(day - spike["start"]).days // 7] = (
                    weeks.get((day - spike["start"]).days // 7, 0) + 1
                )
        token = data["next_page_token"]
        if not token:
            break
    others = [n for w, n in weeks.items() if w != 0]
    # a creator with steady sales (selling in at least 4 weeks before the spike), whose spike
    # week stands far above its ordinary week and well above its best other week
    assert sum(1 for w in weeks if w < 0) >= 4
    assert weeks.get(0, 0) > 4 * sorted(others)[len(others) // 2]
    assert weeks.get(0, 0) > 2 * max(others)
