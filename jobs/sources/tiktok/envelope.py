"""TikTok response envelopes ``{code, message, request_id, data}``: data out, or a typed error.

Every error code we know is mapped here and nowhere else, so a code that turns out different on a
live account is corrected in one place (codes from shared/reference/tiktok-api.md).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from jobs.sources import errors as e

#: TikTok Shop Partner API codes -> error class.
SHOP_CODES: dict[int, type[e.TikTokError]] = {
    105001: e.TokenInvalid,
    105002: e.TokenExpired,
    105005: e.MissingScope,
    106001: e.BadRequest,  # bad sign: our bug, retrying the same bytes cannot help
    36004001: e.RefreshExpired,
    36004004: e.BadAuthCode,
    36004005: e.Revoked,
    36009002: e.RateLimited,
    36009003: e.UpstreamError,
    101000: e.ShopMismatch,
    106011: e.ShopMismatch,  # shop_cipher not authorized for this token (sandbox [I])
    36009004: e.BadRequest,  # invalid parameters (sandbox [I])
    36009005: e.BadRequest,  # unknown path or resource (sandbox [I])
    45101004: e.QuotaExhausted,  # Creator Marketplace daily quota
}
#: TikTok Business API codes -> error class (errors arrive as HTTP 200 with a non-zero code).
ADS_CODES: dict[int, type[e.TikTokError]] = {
    40000: e.BadRequest,
    40002: e.BadRequest,
    40001: e.MissingScope,
    40100: e.RateLimited,
    40016: e.RateLimited,
    40133: e.RateLimited,
    40102: e.TokenExpired,
    40104: e.TokenInvalid,
    40105: e.TokenInvalid,
    40300: e.BadRequest,
    50000: e.UpstreamError,
    50002: e.UpstreamError,
    60001: e.UpstreamError,
}
#: Ads throttling recovery (tiktok-api.md): next second for QPS, 5 min for QPM, 00:00 UTC daily.
ADS_QPM_WAIT = 300.0


def decode(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a response; transport-level failures become typed errors."""
    if response.status_code == 429:
        raise e.RateLimited("HTTP 429", retry_after=retry_after(response))
    if response.status_code >= 500:
        raise e.UpstreamError(f"HTTP {response.status_code} from {response.request.url.path}")
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise e.BadResponse(f"malformed JSON: {exc}", retryable=True) from exc
    if not isinstance(body, dict) or "code" not in body:
        raise e.BadResponse(f"not a TikTok envelope: {str(body)[:200]}")
    return body


def shop_data(response: httpx.Response) -> dict[str, Any]:
    """``data`` of a Shop Partner API response, or the error its code stands for."""
    body = decode(response)
    code = _code(body)
    if code == 0:
        return _data(body)
    message = str(body.get("message") or "")
    cls = SHOP_CODES.get(code) or _shop_fallback(code, response.status_code)
    raise _build(cls, message, code, body, retry_after(response))


def ads_data(response: httpx.Response, now: float | None = None) -> dict[str, Any]:
    """``data`` of a Business API response, or the error its code stands for."""
    body = decode(response)
    code = _code(body)
    if code == 0:
        return _data(body)
    message = str(body.get("message") or "")
    cls = ADS_CODES.get(code, e.BadRequest)
    wait = retry_after(response)
    if code == 40100 and wait is None:
        wait = ads_throttle_wait(message, time.time() if now is None else now)
        if "day" in message.lower() or "daily" in message.lower():
            cls = e.QuotaExhausted
    raise _build(cls, message, code, body, wait)


def ads_throttle_wait(message: str, now: float) -> float:
    """Seconds to wait after ads code 40100, read from which limit the message names."""
    text = message.lower()
    if "day" in text or "daily" in text:
        today = datetime.fromtimestamp(now, UTC).date()
        midnight = datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp()
        return midnight + 86400 - now
    if "minute" in text or "qpm" in text:
        return ADS_QPM_WAIT
    return 1.0 - (now % 1.0) + 0.001


def retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds, if present and numeric."""
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _shop_fallback(code: int, status: int) -> type[e.TikTokError]:
    if str(code).startswith(("105", "36004")):
        return e.AuthError
    return e.UpstreamError if status >= 500 else e.BadRequest


def _code(body: dict[str, Any]) -> int:
    try:
        return int(body["code"])
    except (TypeError, ValueError) as exc:
        raise e.BadResponse(f"non-numeric code {body.get('code')!r}") from exc


def _data(body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise e.BadResponse(f"data is not an object: {str(data)[:200]}")
    return data


def _build(
    cls: type[e.TikTokError], message: str, code: int, body: dict[str, Any], wait: float | None
) -> e.TikTokError:
    request_id = body.get("request_id")
    if issubclass(cls, e.RateLimited):
        return cls(message, retry_after=wait, code=code, request_id=request_id)
    return cls(message, code=code, request_id=request_id)
