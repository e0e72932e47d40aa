"""The official TikTok Business API SDK (``business_api_client``), pointed at the sandbox, reads an
integrated report: our wire format is what the real client expects."""

from __future__ import annotations

from decimal import Decimal

import business_api_client
import httpx
import pytest
from business_api_client.api.reporting_api import ReportingApi
from business_api_client.tiktok_business.tiktok_exceptions import TiktokSDKError
from sandbox_helpers import authorize_ads

from sandbox import Sandbox


def test_sdk_reads_integrated_report(sb: Sandbox, http: httpx.Client) -> None:
    token = authorize_ads(sb, http, 1)
    adv = sb.credentials.sellers[1].advertiser_ids[0]
    config = business_api_client.Configuration()
    config.host = sb.base_url
    api = ReportingApi(business_api_client.ApiClient(config))
    result = api.report_integrated_get(
        "BASIC",
        token,
        advertiser_id=adv,
        data_level="AUCTION_CAMPAIGN",
        dimensions=["campaign_id", "stat_time_day"],
        metrics=["spend", "impressions", "ctr"],
        start_date="2026-11-01",
        end_date="2026-11-15",
        page=1,
        page_size=200,
    )
    data = result["data"]  # the SDK returns {"data", "request_id"} on code 0 and raises otherwise
    rows = data["list"]
    assert rows and data["page_info"]["total_number"] == len(rows)
    assert {r["dimensions"]["stat_time_day"][:7] for r in rows} == {"2026-11"}
    spend = sum(Decimal(r["metrics"]["spend"]) for r in rows)
    assert spend > 0
    with pytest.raises(
        TiktokSDKError, match="Error Code: 40002"
    ):  # HTTP 200 + code, as the SDK expects
        api.report_integrated_get(
            "BASIC",
            token,
            advertiser_id=adv,
            data_level="AUCTION_CAMPAIGN",
            dimensions=["campaign_id", "stat_time_day"],
            metrics=["spend"],
            start_date="2026-09-20",
            end_date="2026-11-15",
        )
