"""Shop auth host: ``GET /api/v2/token/get`` and ``GET /api/v2/token/refresh`` (not signed).

Success is ``code == 0`` in the body and errors come with HTTP 200 too; expiries are absolute
unix seconds. Errors: bad app
credentials (106001), bad or used auth code and unknown or rotated-away refresh token (36004004),
expired refresh token (36004001), revoked authorization (36004005). Token calls are rate limited
like the rest of the Shop API and honour planned faults on their paths.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sandbox import codes
from sandbox.shop_gate import apply_body_fault, shop_error, shop_ok
from sandbox.state import SandboxState
from sandbox.tokens import Grant
from sandbox.web import Request, Response, Router

SCOPES = [
    "seller.order.info",
    "seller.finance.info",
    "seller.affiliate_collaboration.read",
    "data.shop_analytics.public.read",
    "seller.product.basic",
]


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the token endpoints."""
    router.add("GET", "/api/v2/token/get", lambda req: _guarded(state, req, _token_get))
    router.add("GET", "/api/v2/token/refresh", lambda req: _guarded(state, req, _token_refresh))


def _guarded(
    state: SandboxState, req: Request, handler: Callable[[SandboxState, Request], Response]
) -> Response:
    creds = state.credentials
    wait = state.limiter.check("shop", req.param("app_key") or "")
    if wait:
        return shop_error(
            429, codes.SHOP_RATE_LIMITED, headers={"retry-after": str(math.ceil(wait))}
        )
    if req.param("app_key") != creds.app_key or req.param("app_secret") != creds.app_secret:
        return shop_error(
            200, codes.SHOP_BAD_SIGN, "Invalid credentials. Wrong app_key or app_secret."
        )
    fault = state.faults.take(req.path)
    if fault is not None and fault.kind == "rate_limit":
        return shop_error(429, codes.SHOP_RATE_LIMITED, headers={"retry-after": "1"})
    if fault is not None and fault.kind == "server_error":
        return shop_error(503, codes.SHOP_INTERNAL)
    return apply_body_fault(handler(state, req), fault)


def _token_get(state: SandboxState, req: Request) -> Response:
    if req.param("grant_type") != "authorized_code":
        return shop_error(200, codes.SHOP_BAD_PARAMS, "grant_type must be 'authorized_code'.")
    grant = state.tokens.redeem_code("shop", req.param("auth_code") or "")
    if grant is None:
        return shop_error(200, codes.SHOP_BAD_AUTH_CODE)
    return _issue(state, grant.seller_idx)


def _token_refresh(state: SandboxState, req: Request) -> Response:
    if req.param("grant_type") != "refresh_token":
        return shop_error(200, codes.SHOP_BAD_PARAMS, "grant_type must be 'refresh_token'.")
    tokens = state.tokens
    with tokens.lock:
        grant: Grant | None = tokens.refresh.get(req.param("refresh_token") or "")
        if grant is not None and grant.revoked:
            return shop_error(200, codes.SHOP_NO_AUTH_RECORD)
        if grant is None or grant.used:
            return shop_error(200, codes.SHOP_BAD_AUTH_CODE)
        if grant.expires_at < time.time():
            return shop_error(200, codes.SHOP_REFRESH_EXPIRED)
        grant.used = True
    return _issue(state, grant.seller_idx)


def _issue(state: SandboxState, seller_idx: int) -> Response:
    access, a, refresh, r = state.tokens.issue_shop_tokens(seller_idx)
    seller = state.credentials.sellers[seller_idx]
    region = str(
        state.dataset.shops["region"][state.dataset.shops["seller_idx"] == seller_idx].iloc[0]
    )
    return shop_ok(
        {
            "access_token": access,
            "access_token_expire_in": int(a.expires_at),
            "refresh_token": refresh,
            "refresh_token_expire_in": int(r.expires_at),
            "open_id": f"sbx-open-{seller_idx + 1:04d}",
            "seller_name": seller.name,
            "seller_base_region": region,
            "user_type": 0,
            "granted_scopes": SCOPES,
        }
    )
