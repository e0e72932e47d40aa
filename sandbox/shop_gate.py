"""The Shop API gateway: envelope, rate limit, signature, timestamp, access token, shop cipher and
injected faults, wrapped around every signed endpoint (the handlers only see valid requests).

Order of checks: rate limit (429/36009002) -> app key, timestamp window and signature (401/106001)
-> access token (401/105001 invalid or revoked, 401/105002 expired) -> ``shop_cipher`` (required on
shop calls, refused on ``/authorization/*`` and ``/seller/*``) -> planned faults -> handler.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox import codes
from sandbox.faults import Fault
from sandbox.signing import signature_valid, timestamp_fresh
from sandbox.state import SandboxState
from sandbox.tokens import Grant
from sandbox.web import Handler, Request, Response, json_response, request_id


class BadRequest(ValueError):
    """A parameter the handler cannot accept (36009004, HTTP 400)."""


@dataclass
class ShopContext:
    """Who is calling: the token's seller, the token itself, and the shop (shop calls only)."""

    seller_idx: int
    token: str
    shop_idx: int | None = None

    @property
    def shop(self) -> int:
        """The shop of a shop-scoped call (the gateway has checked its cipher)."""
        if self.shop_idx is None:
            raise BadRequest("shop_cipher is required")
        return self.shop_idx


ShopHandler = Callable[[Request, ShopContext], Any]


def shop_ok(data: Any) -> Response:
    """A success envelope."""
    return json_response(
        200, {"code": 0, "message": "Success", "request_id": request_id(), "data": data}
    )


def shop_error(
    status: int, code: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """An error envelope (``data`` null)."""
    body = {
        "code": code,
        "message": message or codes.MESSAGES[code],
        "request_id": request_id(),
        "data": None,
    }
    return json_response(status, body, headers)


def signed(state: SandboxState, handler: ShopHandler, shop_scoped: bool = True) -> Handler:
    """Wrap a handler with every gateway check of a signed Shop API endpoint."""

    def endpoint(req: Request) -> Response:
        wait = state.limiter.check("shop", req.param("app_key") or "")
        if wait:
            return shop_error(
                429, codes.SHOP_RATE_LIMITED, headers={"retry-after": str(math.ceil(wait))}
            )
        refused = _check_signature(state, req) or None
        if refused:
            return refused
        ctx_or_error = _check_token_and_shop(state, req, shop_scoped)
        if isinstance(ctx_or_error, Response):
            return ctx_or_error
        shop_id = (
            None
            if ctx_or_error.shop_idx is None
            else str(state.dataset.shops["shop_id"][ctx_or_error.shop_idx])
        )
        fault = state.faults.take(req.path, shop_id=shop_id)
        return _run(state, req, ctx_or_error, handler, fault)

    return endpoint


def _check_signature(state: SandboxState, req: Request) -> Response | None:
    params = req.params()
    if params.get("app_key") != state.credentials.app_key:
        return shop_error(401, codes.SHOP_BAD_SIGN, "Invalid credentials. Unknown app_key.")
    if not timestamp_fresh(params.get("timestamp", ""), time.time()):
        return shop_error(
            401,
            codes.SHOP_BAD_SIGN,
            "Invalid credentials. The 'timestamp' is missing or outside the allowed window.",
        )
    content_type = req.headers.get("content-type", "")
    if not signature_valid(
        state.credentials.app_secret, req.path, params, req.body, req.method, content_type
    ):
        return shop_error(401, codes.SHOP_BAD_SIGN)
    return None


def _check_token_and_shop(
    state: SandboxState, req: Request, shop_scoped: bool
) -> ShopContext | Response:
    token = req.headers.get("x-tts-access-token") or req.param("access_token") or ""
    grant: Grant | None = state.tokens.access.get(token)
    if grant is None or grant.revoked:
        return shop_error(401, codes.SHOP_INVALID_TOKEN)
    if grant.expires_at < time.time():
        return shop_error(401, codes.SHOP_TOKEN_EXPIRED)
    ctx = ShopContext(grant.seller_idx, token)
    cipher = req.param("shop_cipher")
    if not shop_scoped:
        if cipher:
            return shop_error(
                400, codes.SHOP_BAD_PARAMS, "shop_cipher must not be sent to this endpoint."
            )
        return ctx
    shops = state.dataset.shops
    rows = (shops["cipher"] == cipher).to_numpy().nonzero()[0] if cipher else []
    if len(rows) == 0 or int(shops["seller_idx"][rows[0]]) != grant.seller_idx:
        return shop_error(403, codes.SHOP_INVALID_CIPHER)
    ctx.shop_idx = int(rows[0])
    return ctx


def _run(
    state: SandboxState, req: Request, ctx: ShopContext, handler: ShopHandler, fault: Fault | None
) -> Response:
    if fault is not None and fault.kind not in ("timeout", "truncated_json", "malformed_json"):
        return _fault_response(state, ctx, fault)
    try:
        result = handler(req, ctx)
    except BadRequest as exc:
        return shop_error(400, codes.SHOP_BAD_PARAMS, f"Invalid request parameters: {exc}")
    response = result if isinstance(result, Response) else shop_ok(result)
    return apply_body_fault(response, fault)


def apply_body_fault(response: Response, fault: Fault | None) -> Response:
    """Timeouts delay a good response; malformed/truncated faults break its body (either API)."""
    if fault is None:
        return response
    if fault.kind == "timeout":
        response.delay = fault.delay
    elif fault.kind == "truncated_json":
        response.body = response.body[: max(1, len(response.body) // 2)]
    elif fault.kind == "malformed_json":
        response.body = (
            b'{"code":0,"message":"Success","data":{"items":[{\'id\': 1,}]},' + b"<html>"
        )
    return response


def _fault_response(state: SandboxState, ctx: ShopContext, fault: Fault) -> Response:
    if fault.kind == "rate_limit":
        return shop_error(429, codes.SHOP_RATE_LIMITED, headers={"retry-after": "1"})
    if fault.kind == "server_error":
        return shop_error(503, codes.SHOP_INTERNAL)
    if fault.kind == "token_expired":
        state.tokens.expire_access(ctx.token)
        return shop_error(401, codes.SHOP_TOKEN_EXPIRED)
    if fault.kind == "token_revoked":
        state.tokens.revoke(ctx.seller_idx, "shop")
        return shop_error(401, codes.SHOP_INVALID_TOKEN)
    return shop_error(403, codes.SHOP_ENTITY_CHANGED)


def json_body(req: Request) -> dict[str, Any]:
    """The JSON object body of a request ({} if empty); BadRequest if it is not an object."""
    try:
        data = req.json()
    except (ValueError, json.JSONDecodeError) as exc:
        raise BadRequest("body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data
