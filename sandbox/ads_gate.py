"""The Business API gateway: every answer is HTTP 200 with a ``code`` (0 = OK), except injected
5xx faults. Checks: rate limit (40100) -> ``Access-Token`` header (40104 empty, 40105 invalid or
revoked, 40102 expired) -> planned faults -> handler (40002 for bad parameters).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sandbox import codes
from sandbox.faults import Fault
from sandbox.shop_gate import apply_body_fault
from sandbox.state import SandboxState
from sandbox.web import Handler, Request, Response, json_response, request_id


class AdsError(Exception):
    """An error answer of the Business API (HTTP 200, non-zero code)."""

    def __init__(self, code: int, message: str | None = None) -> None:
        super().__init__(message or codes.MESSAGES[code])
        self.code = code


AdsHandler = Callable[[Request, int], Any]  # (request, seller_idx) -> data


def ads_ok(data: Any) -> Response:
    """A success envelope."""
    return json_response(
        200, {"code": 0, "message": "OK", "request_id": request_id(), "data": data}
    )


def ads_error(code: int, message: str | None = None, status: int = 200) -> Response:
    """An error envelope (HTTP 200 unless a 5xx is simulated)."""
    body = {
        "code": code,
        "message": message or codes.MESSAGES[code],
        "request_id": request_id(),
        "data": {},
    }
    return json_response(status, body)


def limited(state: SandboxState) -> Response | None:
    """The rate-limit answer if the ads app is over its QPS."""
    if state.limiter.check("ads", state.credentials.ads_app_id):
        return ads_error(codes.ADS_RATE_LIMITED)
    return None


def authorized(state: SandboxState, handler: AdsHandler) -> Handler:
    """Wrap a handler with the token checks, planned faults and error mapping."""

    def endpoint(req: Request) -> Response:
        refused = limited(state)
        if refused:
            return refused
        token = req.headers.get("access-token", "")
        if not token:
            return ads_error(codes.ADS_TOKEN_EMPTY)
        grant = state.tokens.ads_access.get(token)
        if grant is None or grant.revoked:
            return ads_error(codes.ADS_INVALID_TOKEN)
        if grant.expires_at < time.time():
            return ads_error(codes.ADS_TOKEN_EXPIRED)
        fault = state.faults.take(req.path, advertiser_id=req.param("advertiser_id"))
        if fault is not None and fault.kind not in ("timeout", "truncated_json", "malformed_json"):
            return _fault_response(state, token, grant.seller_idx, fault)
        try:
            response = ads_ok(handler(req, grant.seller_idx))
        except AdsError as exc:
            response = ads_error(exc.code, str(exc))
        return apply_body_fault(response, fault)

    return endpoint


def _fault_response(state: SandboxState, token: str, seller_idx: int, fault: Fault) -> Response:
    if fault.kind == "rate_limit":
        return ads_error(codes.ADS_RATE_LIMITED)
    if fault.kind == "server_error":
        return ads_error(codes.ADS_SYSTEM_ERROR, status=503)
    if fault.kind == "token_expired":
        state.tokens.expire_access(token)
        return ads_error(codes.ADS_TOKEN_EXPIRED)
    if fault.kind == "token_revoked":
        state.tokens.revoke(seller_idx, "ads")
        return ads_error(codes.ADS_INVALID_TOKEN)
    return ads_error(
        codes.ADS_NO_PERMISSION, "The advertiser is no longer linked to this authorization."
    )
