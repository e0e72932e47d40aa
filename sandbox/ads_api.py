"""Business API endpoints: OAuth token, authorized advertisers, advertiser info, campaigns, report.

Paths end with ``/`` and live under ``/open_api/v1.3``; the token goes in the ``Access-Token``
header. Auth codes are single use and live one hour; tokens never expire but die on revocation.
"""

from __future__ import annotations

from typing import Any

from sandbox import codes
from sandbox.ads_gate import AdsError, ads_error, ads_ok, authorized, limited
from sandbox.ads_report import list_param, report
from sandbox.gmv_max import gmv_max_report
from sandbox.state import SandboxState
from sandbox.web import Request, Response, Router

PREFIX = "/open_api/v1.3"
SCOPES = [4, 5, 6, 17]


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the Business API endpoints."""
    router.add("POST", f"{PREFIX}/oauth2/access_token/", lambda req: _access_token(state, req))
    router.add(
        "GET",
        f"{PREFIX}/oauth2/advertiser/get/",
        authorized(state, lambda r, s: _advertisers(state, r, s)),
    )
    router.add(
        "GET", f"{PREFIX}/advertiser/info/", authorized(state, lambda r, s: _info(state, r, s))
    )
    router.add(
        "GET", f"{PREFIX}/campaign/get/", authorized(state, lambda r, s: _campaigns(state, r, s))
    )
    router.add(
        "GET",
        f"{PREFIX}/gmv_max/report/get/",
        authorized(state, lambda r, s: gmv_max_report(state, r, s)),
    )
    router.add(
        "GET",
        f"{PREFIX}/report/integrated/get/",
        authorized(state, lambda r, s: report(state, r, s)),
    )


def _access_token(state: SandboxState, req: Request) -> Response:
    refused = limited(state)
    if refused:
        return refused
    try:
        body = req.json()
    except ValueError:
        return ads_error(codes.ADS_BAD_PARAMS, "body must be JSON")
    creds = state.credentials
    if body.get("app_id") != creds.ads_app_id or body.get("secret") != creds.ads_secret:
        return ads_error(codes.ADS_NO_PERMISSION, "app_id or secret is invalid")
    grant = state.tokens.redeem_code("ads", str(body.get("auth_code", "")))
    if grant is None:
        return ads_error(codes.ADS_BAD_PARAMS, "auth_code is invalid, expired or already used")
    token = state.tokens.issue_ads_token(grant.seller_idx)
    return ads_ok(
        {
            "access_token": token,
            "scope": SCOPES,
            "advertiser_ids": list(creds.sellers[grant.seller_idx].advertiser_ids),
        }
    )


def _mine(state: SandboxState, seller_idx: int) -> Any:
    advs = state.dataset.advertisers
    return advs[advs["advertiser_id"].isin(state.credentials.sellers[seller_idx].advertiser_ids)]


def _advertisers(state: SandboxState, req: Request, seller_idx: int) -> dict[str, Any]:
    creds = state.credentials
    if req.param("app_id") != creds.ads_app_id or req.param("secret") != creds.ads_secret:
        raise AdsError(codes.ADS_NO_PERMISSION, "app_id or secret is invalid")
    return {
        "list": [
            {"advertiser_id": a.advertiser_id, "advertiser_name": a.name}
            for a in _mine(state, seller_idx).itertuples()
        ]
    }


def _info(state: SandboxState, req: Request, seller_idx: int) -> dict[str, Any]:
    wanted = set(list_param(req, "advertiser_ids"))
    mine = _mine(state, seller_idx)
    if not wanted or wanted - set(mine["advertiser_id"]):
        raise AdsError(codes.ADS_NO_PERMISSION, "advertiser_ids must be advertisers of this token")
    shops = state.dataset.shops
    return {
        "list": [
            {
                "advertiser_id": a.advertiser_id,
                "name": a.name,
                "currency": a.currency,
                "timezone": a.timezone,
                "display_timezone": a.timezone,
                "country": str(shops["region"][a.shop_idx]),
                "status": "STATUS_ENABLE",
            }
            for a in mine.itertuples()
            if a.advertiser_id in wanted
        ]
    }


def _campaigns(state: SandboxState, req: Request, seller_idx: int) -> dict[str, Any]:
    mine = _mine(state, seller_idx)
    adv_id = req.param("advertiser_id")
    if adv_id not in set(mine["advertiser_id"]):
        raise AdsError(codes.ADS_NO_PERMISSION)
    ds = state.dataset
    adv_row = int(ds.advertisers.index[ds.advertisers["advertiser_id"] == adv_id][0])
    camps = ds.campaigns[ds.campaigns["advertiser_row"] == adv_row]
    items = [
        {
            "campaign_id": c.campaign_id,
            "campaign_name": c.campaign_name,
            "advertiser_id": adv_id,
            "objective_type": c.objective_type,
            "operation_status": "ENABLE",
        }
        for c in camps.itertuples()
    ]
    return {
        "list": items,
        "page_info": {
            "page": 1,
            "page_size": len(items),
            "total_number": len(items),
            "total_page": 1,
        },
    }
