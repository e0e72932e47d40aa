"""Business API: OAuth, advertisers, integrated report (levels, paging, "-" metrics, 30-day limit),
errors as HTTP 200 with a non-zero code."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from sandbox import Sandbox

REPORT = "/report/integrated/get/"


def _report(sb: Sandbox, http: httpx.Client, token: str, **params) -> httpx.Response:
    query = {
        "report_type": "BASIC",
        "data_level": "AUCTION_CAMPAIGN",
        "dimensions": json.dumps(["campaign_id", "stat_time_day"]),
        "metrics": json.dumps(
            [
                "spend",
                "impressions",
                "clicks",
                "ctr",
                "cpc",
                "cpm",
                "total_onsite_shopping_value",
                "complete_payment",
                "campaign_name",
            ]
        ),
        "start_date": "2026-10-01",
        "end_date": "2026-10-30",
        "page": 1,
        "page_size": 1000,
        **params,
    }
    return http.get(sb.ads_api_url + REPORT, params=query, headers={"Access-Token": token})


def test_oauth_and_advertisers(sb: Sandbox, http: httpx.Client) -> None:
    creds = sb.credentials
    seller = creds.sellers[0]
    body = {
        "app_id": creds.ads_app_id,
        "secret": creds.ads_secret,
        "auth_code": seller.ads_auth_code,
    }
    first = http.post(sb.ads_api_url + "/oauth2/access_token/", json=body).json()
    if first["code"] != 0:  # the well-known code was already used in this session: use a fresh one
        body["auth_code"] = sb.new_auth_code(0, "ads")
        first = http.post(sb.ads_api_url + "/oauth2/access_token/", json=body).json()
    assert first["code"] == 0 and first["data"]["advertiser_ids"] == list(seller.advertiser_ids)
    again = http.post(sb.ads_api_url + "/oauth2/access_token/", json=body)
    assert again.status_code == 200 and again.json()["code"] == 40002  # single use
    token = first["data"]["access_token"]
    listed = http.get(
        sb.ads_api_url + "/oauth2/advertiser/get/",
        headers={"Access-Token": token},
        params={"app_id": creds.ads_app_id, "secret": creds.ads_secret},
    ).json()
    assert [a["advertiser_id"] for a in listed["data"]["list"]] == list(seller.advertiser_ids)
    info = http.get(
        sb.ads_api_url + "/advertiser/info/",
        headers={"Access-Token": token},
        params={"advertiser_ids": json.dumps(list(seller.advertiser_ids))},
    ).json()["data"]["list"]
    assert [(a["currency"], a["timezone"]) for a in info] == [
        ("GBP", "Europe/London"),
        ("USD", "America/Los_Angeles"),
    ]


def test_campaign_report_rows_and_string_metrics(
    sb: Sandbox, http: httpx.Client, ads_token: str
) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[0]
    body = _report(sb, http, ads_token, advertiser_id=adv).json()
    assert body["code"] == 0
    rows = body["data"]["list"]
    info = body["data"]["page_info"]
    assert info["total_number"] == len(rows) > 30 and info["total_page"] == 1
    for row in rows:
        assert row["dimensions"]["stat_time_day"].endswith(" 00:00:00")
        assert "2026-10-01" <= row["dimensions"]["stat_time_day"][:10] <= "2026-10-30"
        assert all(isinstance(v, str) for v in row["metrics"].values())
        Decimal(row["metrics"]["spend"])
    dashes = [r for r in rows if r["metrics"]["cpc"] == "-"]
    assert all(r["metrics"]["clicks"] == "0" for r in dashes)


def test_ad_level_sums_to_campaign_level(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[1]
    camp = _report(sb, http, ads_token, advertiser_id=adv).json()["data"]["list"]
    ads = _report(
        sb,
        http,
        ads_token,
        advertiser_id=adv,
        data_level="AUCTION_AD",
        dimensions=json.dumps(["ad_id", "stat_time_day"]),
    ).json()["data"]["list"]
    total = sum(Decimal(r["metrics"]["spend"]) for r in camp)
    assert total == sum(Decimal(r["metrics"]["spend"]) for r in ads) > 0
    assert all("ad_id" in r["dimensions"] for r in ads)


def test_pagination_pages_and_sizes(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[0]
    full = _report(sb, http, ads_token, advertiser_id=adv).json()["data"]["list"]
    pages, page = [], 1
    while True:
        data = _report(sb, http, ads_token, advertiser_id=adv, page=page, page_size=7).json()[
            "data"
        ]
        pages += data["list"]
        if page >= data["page_info"]["total_page"]:
            break
        page += 1
    assert pages == full
    for bad in ({"page_size": 1001}, {"page": 0}, {"page_size": 0}):
        r = _report(sb, http, ads_token, advertiser_id=adv, **bad)
        assert r.status_code == 200 and r.json()["code"] == 40002


def test_range_limit_and_bad_params(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[0]
    codes = {
        "31 days": _report(sb, http, ads_token, advertiser_id=adv, end_date="2026-10-31"),
        "bad metric": _report(sb, http, ads_token, advertiser_id=adv, metrics=json.dumps(["nope"])),
        "bad level": _report(sb, http, ads_token, advertiser_id=adv, data_level="X"),
        "no advertiser": _report(sb, http, ads_token),
    }
    for name, r in codes.items():
        assert r.status_code == 200 and r.json()["code"] == 40002, name
    ok = _report(
        sb,
        http,
        ads_token,
        advertiser_id=adv,
        end_date="2026-11-20",
        dimensions=json.dumps(["campaign_id"]),
    )  # no day dimension: longer range allowed
    assert ok.json()["code"] == 0
    other = sb.credentials.sellers[1].advertiser_ids[0]
    assert _report(sb, http, ads_token, advertiser_id=other).json()["code"] == 40001
    assert _report(sb, http, ads_token, advertiser_id="123").json()["code"] == 40300
    assert _report(sb, http, "", advertiser_id=adv).json()["code"] == 40104
    assert _report(sb, http, "bogus", advertiser_id=adv).json()["code"] == 40105


def test_recent_days_still_maturing(sb: Sandbox) -> None:
    rows = sb.dataset.ad_rows
    last = rows[rows["day_idx"] == rows["day_idx"].max()]
    old = rows[rows["day_idx"] < rows["day_idx"].max() - 3]
    assert (last["value_served"] < last["value"]).any() and (
        last["value_served"] <= last["value"]
    ).all()
    assert (old["value_served"] == old["value"]).all()


def test_filtering_by_campaign(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    adv = sb.credentials.sellers[0].advertiser_ids[0]
    rows = _report(sb, http, ads_token, advertiser_id=adv).json()["data"]["list"]
    wanted = rows[0]["dimensions"]["campaign_id"]
    flt = json.dumps(
        [{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": json.dumps([wanted])}]
    )
    got = _report(sb, http, ads_token, advertiser_id=adv, filtering=flt).json()["data"]["list"]
    assert got == [r for r in rows if r["dimensions"]["campaign_id"] == wanted]
    bad = json.dumps([{"field_name": "country", "filter_type": "IN", "filter_value": "[]"}])
    assert _report(sb, http, ads_token, advertiser_id=adv, filtering=bad).json()["code"] == 40002


def test_gmv_max_report_is_an_upper_bound(sb: Sandbox, http: httpx.Client, ads_token: str) -> None:
    seller = sb.credentials.sellers[0]
    adv, store = seller.advertiser_ids[0], seller.shop_ids[0]
    params = {
        "advertiser_id": adv,
        "store_ids": json.dumps([store]),
        "dimensions": json.dumps(["stat_time_day"]),
        "metrics": json.dumps(["cost", "orders", "gross_revenue", "roi", "cost_per_order"]),
        "start_date": "2026-10-01",
        "end_date": "2026-10-30",
        "page_size": 100,
    }
    url = sb.ads_api_url + "/gmv_max/report/get/"
    body = http.get(url, params=params, headers={"Access-Token": ads_token}).json()
    assert body["code"] == 0
    rows = body["data"]["list"]
    assert len(rows) == 30
    revenue = sum(Decimal(r["metrics"]["gross_revenue"]) for r in rows)
    cost = sum(Decimal(r["metrics"]["cost"]) for r in rows)
    auction = _report(sb, http, ads_token, advertiser_id=adv).json()["data"]["list"]
    attributed = sum(Decimal(r["metrics"]["total_onsite_shopping_value"]) for r in auction)
    assert revenue > attributed and cost > 0  # counts organic and affiliate orders too
    for r in rows:
        m = r["metrics"]
        assert m["roi"] == "-" or Decimal(m["roi"]) == (
            Decimal(m["gross_revenue"]) / Decimal(m["cost"])
        ).quantize(Decimal("0.01"))
    wrong = dict(params, store_ids=json.dumps([seller.shop_ids[1]]))
    assert http.get(url, params=wrong, headers={"Access-Token": ads_token}).json()["code"] == 40002
