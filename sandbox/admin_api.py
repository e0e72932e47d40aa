"""Admin endpoints under ``/sandbox/`` (no auth; for tests, demos and benchmarks only).

``GET /sandbox/health``; ``GET|POST|DELETE /sandbox/faults``; ``POST /sandbox/auth_codes``
``{"seller": 0, "api": "shop"|"ads"}``; ``POST /sandbox/tokens/expire``
``{"access_token"|"refresh_token"}``;
``POST /sandbox/revoke`` ``{"seller": 0, "api": "shop"|"ads"|"both", "duplicate": false}`` (pushes
SELLER_DEAUTHORIZATION for each of the seller's shops); ``GET|POST /sandbox/webhooks``
``{"url": ..., "retry_delays": [2, 5]}`` (the app's push address, and what was sent);
``POST /sandbox/webhooks/expiring`` ``{"seller": 0, "days": 30}``; ``POST /sandbox/orders/changed``
``{"order_id": ...}`` (pushes ORDER_STATUS_CHANGE with the order's status); ``POST /sandbox/qps``
``{"qps": 20}``; ``POST /sandbox/clock`` ``{"days_back": 3}`` (move the API clock back whole days:
later orders vanish, recent ad conversions are less mature; 0 = the data set's end);
``GET /sandbox/stats``; ``GET /sandbox/truth`` (truth is always at the end).
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

import numpy as np

from sandbox import webhooks
from sandbox.state import SandboxState
from sandbox.web import Request, Response, Router, json_response


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the admin endpoints."""
    router.add(
        "GET",
        "/sandbox/health",
        lambda req: json_response(200, {"ok": True, "shops": len(state.dataset.shops)}),
    )
    router.add(
        "GET", "/sandbox/faults", lambda req: json_response(200, {"faults": state.faults.list()})
    )
    router.add("POST", "/sandbox/faults", lambda req: _add_fault(state, req))
    router.add("DELETE", "/sandbox/faults", lambda req: _clear_faults(state))
    router.add("POST", "/sandbox/auth_codes", lambda req: _auth_code(state, req))
    router.add("POST", "/sandbox/tokens/expire", lambda req: _expire(state, req))
    router.add("POST", "/sandbox/revoke", lambda req: _revoke(state, req))
    router.add("GET", "/sandbox/webhooks", lambda req: json_response(
        200, {"url": state.webhooks.url, "attempts": state.webhooks.log()}))
    router.add("POST", "/sandbox/webhooks", lambda req: _webhooks(state, req))
    router.add("POST", "/sandbox/webhooks/expiring", lambda req: _expiring(state, req))
    router.add("POST", "/sandbox/orders/changed", lambda req: _order_changed(state, req))
    router.add("POST", "/sandbox/qps", lambda req: _qps(state, req))
    router.add("GET", "/sandbox/stats", lambda req: _stats(state))
    router.add("POST", "/sandbox/clock", lambda req: _clock(state, req))
    router.add("GET", "/sandbox/truth", lambda req: json_response(200, truth_json(state)))


def _add_fault(state: SandboxState, req: Request) -> Response:
    try:
        fault = state.faults.add(**req.json())
    except (TypeError, ValueError) as exc:
        return json_response(400, {"error": str(exc)})
    return json_response(200, asdict(fault))


def _clear_faults(state: SandboxState) -> Response:
    state.faults.clear()
    return json_response(200, {"faults": []})


def _auth_code(state: SandboxState, req: Request) -> Response:
    body = req.json()
    seller, api = int(body.get("seller", 0)), str(body.get("api", "shop"))
    if api not in ("shop", "ads") or not 0 <= seller < len(state.credentials.sellers):
        return json_response(400, {"error": "seller must be a demo seller index and api shop|ads"})
    return json_response(200, {"code": state.tokens.mint_code(api, seller)})


def _expire(state: SandboxState, req: Request) -> Response:
    body = req.json()
    if "access_token" in body:
        state.tokens.expire_access(str(body["access_token"]))
    if "refresh_token" in body:
        state.tokens.expire_refresh(str(body["refresh_token"]))
    return json_response(200, {"ok": True})


def _revoke(state: SandboxState, req: Request) -> Response:
    body = req.json()
    seller, api = int(body.get("seller", 0)), str(body.get("api", "both"))
    state.tokens.revoke(seller, api)
    sent = []
    if api in ("shop", "both") and 0 <= seller < len(state.credentials.sellers):
        sent = [state.webhooks.emit(webhooks.SELLER_DEAUTHORIZATION, shop,
                                    {"message": "the seller deauthorized the app"},
                                    duplicate=bool(body.get("duplicate")))
                for shop in state.credentials.sellers[seller].shop_ids]
    return json_response(200, {"ok": True, "notifications": [n for n in sent if n]})


def _webhooks(state: SandboxState, req: Request) -> Response:
    body = req.json()
    delays = body.get("retry_delays")
    state.webhooks.configure(body.get("url") or None,
                             [float(d) for d in delays] if delays is not None else None)
    return json_response(200, {"url": state.webhooks.url,
                               "retry_delays": list(state.webhooks.retry_delays)})


def _expiring(state: SandboxState, req: Request) -> Response:
    body = req.json()
    seller, days = int(body.get("seller", 0)), int(body.get("days", 30))
    if not 0 <= seller < len(state.credentials.sellers):
        return json_response(400, {"error": "seller must be a demo seller index"})
    expires = int(time.time()) + days * 86400
    sent = [state.webhooks.emit(webhooks.UPCOMING_AUTHORIZATION_EXPIRATION, shop,
                                {"message": f"the authorization expires in {days} days",
                                 "expiration_time": expires})
            for shop in state.credentials.sellers[seller].shop_ids]
    return json_response(200, {"notifications": [n for n in sent if n]})


def _order_changed(state: SandboxState, req: Request) -> Response:
    order_id = str(req.json().get("order_id", ""))
    orders = state.dataset.orders
    found = np.flatnonzero(orders["order_id"].astype(str).to_numpy() == order_id)
    if found.size == 0:
        return json_response(404, {"error": f"no order {order_id}"})
    row = int(found[0])
    shop_idx = int(orders["shop_idx"].iloc[row])
    view = state.shop_view(shop_idx)
    position = row - int(view.rows[0]) if view.rows.size else -1
    if not 0 <= position < view.rows.size:
        return json_response(409, {"error": f"order {order_id} is after the API clock"})
    shop_id = str(state.dataset.shops["shop_id"].iloc[shop_idx])
    sent = state.webhooks.emit(webhooks.ORDER_STATUS_CHANGE, shop_id, {
        "order_id": order_id, "order_status": str(view.status[position]),
        "update_time": int(view.update_time[position])})
    return json_response(200, {"notification": sent})


def _qps(state: SandboxState, req: Request) -> Response:
    qps = req.json().get("qps")
    state.limiter.set_qps(float(qps) if qps else None)
    return json_response(200, {"qps": state.limiter.qps})


def _clock(state: SandboxState, req: Request) -> Response:
    try:
        state.set_days_back(int(req.json().get("days_back", 0)))
    except (TypeError, ValueError) as exc:
        return json_response(400, {"error": str(exc)})
    return json_response(200, {"days_back": state.days_back, "clock_day": state.clock_day()})


def _stats(state: SandboxState) -> Response:
    return json_response(200, stats_json(state))


def stats_json(state: SandboxState) -> dict[str, Any]:
    """Requests answered and handler CPU seconds per path, and requests refused over the rate."""
    return {"requests": dict(state.requests), "cpu_seconds": dict(state.cpu_seconds),
            "rate_limited": state.limiter.refused}


def truth_json(state: SandboxState) -> dict[str, Any]:
    """Ground truth and the anomaly manifest as JSON (money as decimal strings)."""
    weeks = [
        {
            "shop_id": shop,
            "week_start": str(week),
            **{k: str(v) if not isinstance(v, int) else v for k, v in asdict(t).items()},
        }
        for (shop, week), t in sorted(state.dataset.truth.items())
    ]
    return {"weeks": weeks, "anomalies": state.dataset.anomalies}
