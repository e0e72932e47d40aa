"""Admin endpoints under ``/sandbox/`` (no auth; for tests, demos and benchmarks only).

``GET /sandbox/health``; ``GET|POST|DELETE /sandbox/faults``; ``POST /sandbox/auth_codes``
``{"seller": 0, "api": "shop"|"ads"}``; ``POST /sandbox/tokens/expire``
``{"access_token"|"refresh_token"}``;
``POST /sandbox/revoke`` ``{"seller": 0, "api": "shop"|"ads"|"both"}``; ``POST /sandbox/qps``
``{"qps": 20}``; ``POST /sandbox/clock`` ``{"days_back": 3}`` (move the API clock back whole days:
later orders vanish, recent ad conversions are less mature; 0 = the data set's end);
``GET /sandbox/stats``; ``GET /sandbox/truth`` (truth is always at the end).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

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
    state.tokens.revoke(int(body.get("seller", 0)), str(body.get("api", "both")))
    return json_response(200, {"ok": True})


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
    return json_response(
        200, {"requests": dict(state.requests), "rate_limited": state.limiter.refused}
    )


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
