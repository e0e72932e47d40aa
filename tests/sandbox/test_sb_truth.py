"""Ground truth equals what the API serves: every order, refund and ad row of the demo set summed
through plain HTTP with the shared definitions, per shop and local week."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
from sandbox_helpers import DEMO, ShopCaller, authorize_ads, authorize_shop

from sandbox import GeneratorConfig, Sandbox, generate

ZONES = {"GB": "Europe/London", "US": "America/Los_Angeles", "TH": "Asia/Bangkok"}
COMPLETE = ("RETURN_OR_REFUND_REQUEST_COMPLETE", "CANCELLATION_REQUEST_COMPLETE")


def _monday(ts: int, zone: str) -> date:
    day = datetime.fromtimestamp(ts, ZoneInfo(zone)).date()
    return day - timedelta(days=day.weekday())


def _walk(caller: ShopCaller, path: str, key: str, cipher: str) -> list[dict]:
    items, token = [], ""
    while True:
        query = {"page_size": 100, **({"page_token": token} if token else {})}
        data = caller.call("POST", path, query, {}, cipher=cipher).json()["data"]
        items += data[key]
        token = data["next_page_token"]
        if not token:
            return items


def _valid(order: dict) -> bool:
    return (
        "paid_time" in order
        and not order["is_sample_order"]
        and not order["is_replacement_order"]
        and "TEST ORDER" not in order["buyer_message"]
    )


def _shop_weeks(caller: ShopCaller, shop: dict, out: dict) -> None:
    zone = ZONES[shop["region"]]
    orders = _walk(caller, "/order/202309/orders/search", "orders", shop["cipher"])
    valid = {o["id"]: o for o in orders if _valid(o)}
    assert any(not _valid(o) for o in orders)  # samples, replacements, tests, unpaid are served
    for o in valid.values():
        week = out[(shop["id"], _monday(o["paid_time"], zone))]
        week["gross_gmv"] += Decimal(o["payment"]["sub_total"])
        week["orders"] += 1
        week["lines"] += len(o["line_items"])
    for path, key, status in (
        ("/return_refund/202309/returns/search", "return_orders", "return_status"),
        ("/return_refund/202309/cancellations/search", "cancellations", "cancel_status"),
    ):
        for r in _walk(caller, path, key, shop["cipher"]):
            if r[status] in COMPLETE and r["order_id"] in valid:
                out[(shop["id"], _monday(r["update_time"], zone))]["refunds"] += Decimal(
                    r["refund_amount"]["refund_total"]
                )


def _ads_weeks(sb: Sandbox, http: httpx.Client, seller: int, out: dict) -> None:
    token = authorize_ads(sb, http, seller)
    advs = sb.dataset.advertisers
    for adv in sb.credentials.sellers[seller].advertiser_ids:
        shop_id = sb.dataset.shops["shop_id"][
            int(advs[advs["advertiser_id"] == adv]["shop_idx"].iloc[0])
        ]
        start = DEMO.start
        while start < DEMO.end:
            end = min(start + timedelta(days=29), DEMO.end - timedelta(days=1))
            params = {
                "advertiser_id": adv,
                "report_type": "BASIC",
                "data_level": "AUCTION_CAMPAIGN",
                "dimensions": json.dumps(["campaign_id", "stat_time_day"]),
                "metrics": json.dumps(["spend", "total_onsite_shopping_value"]),
                "start_date": str(start),
                "end_date": str(end),
                "page_size": 1000,
            }
            data = http.get(
                sb.ads_api_url + "/report/integrated/get/",
                params=params,
                headers={"Access-Token": token},
            ).json()["data"]
            assert data["page_info"]["total_page"] == 1
            for row in data["list"]:
                day = date.fromisoformat(row["dimensions"]["stat_time_day"][:10])
                week = out[(shop_id, day - timedelta(days=day.weekday()))]
                week["spend"] += Decimal(row["metrics"]["spend"])
                week["attributed_revenue"] += Decimal(row["metrics"]["total_onsite_shopping_value"])
            start = end + timedelta(days=1)


def test_truth_matches_everything_served(sb: Sandbox, http: httpx.Client) -> None:
    served: dict = defaultdict(lambda: defaultdict(Decimal))
    for seller in range(len(sb.credentials.sellers)):
        caller = authorize_shop(sb, http, seller)
        for shop in caller.shops():
            _shop_weeks(caller, shop, served)
        _ads_weeks(sb, http, seller, served)
    assert set(served) <= set(sb.truth)
    assert len(sb.truth) == 3 * 10
    for key, truth in sb.truth.items():
        got = served[key]
        assert truth.gross_gmv == got["gross_gmv"], key
        assert (truth.orders, truth.lines) == (got["orders"], got["lines"]), key
        assert truth.refunds == got["refunds"], key
        assert truth.net_gmv == truth.gross_gmv - truth.refunds
        assert (truth.spend, truth.attributed_revenue) == (
            got["spend"],
            got["attributed_revenue"],
        ), key


def test_truth_shapes_and_dst_weeks(sb: Sandbox) -> None:
    weeks = sorted({w for (_, w) in sb.truth})
    assert weeks[0] == date(2026, 9, 14) and weeks[-1] == date(2026, 11, 16)
    assert all(w.weekday() == 0 for w in weeks)
    currencies = {shop: t.currency for (shop, _), t in sb.truth.items()}
    assert sorted(set(currencies.values())) == ["GBP", "THB", "USD"]
    gb = sb.dataset.shops["shop_id"][0]
    # London leaves summer time on 2026-10-25: that week still has seven full local days of sales
    assert (
        sb.truth[(gb, date(2026, 10, 19))].orders > 0.8 * sb.truth[(gb, date(2026, 10, 12))].orders
    )


def test_generation_is_deterministic_and_seeded() -> None:
    small = GeneratorConfig(seed=11, shops=2, weeks=4, end=date(2026, 11, 23), daily_orders=20)
    assert generate(small).truth == generate(small).truth
    other = GeneratorConfig(seed=12, shops=2, weeks=4, end=date(2026, 11, 23), daily_orders=20)
    assert generate(other).truth != generate(small).truth


def test_anomaly_manifest(sb: Sandbox) -> None:
    kinds = {a["kind"] for a in sb.anomalies}
    assert kinds == {"cvr_collapse", "cpm_jump", "creator_spike", "missing_day"}
    collapse = next(a for a in sb.anomalies if a["kind"] == "cvr_collapse")
    shop = collapse["shop_id"]
    before = sb.truth[
        (shop, collapse["start"] - timedelta(days=collapse["start"].weekday() + 14))
    ].orders
    after = sb.truth[
        (shop, collapse["start"] - timedelta(days=collapse["start"].weekday()) + timedelta(days=7))
    ].orders
    assert after < 0.7 * before
