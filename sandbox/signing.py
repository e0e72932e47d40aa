"""TikTok Shop request signatures, as documented (shared/reference/tiktok-api.md).

Take every query parameter except ``sign`` and ``access_token``, sort by key, concatenate
``{key}{value}``, prefix the path, append the exact body bytes for non-GET non-multipart requests,
wrap in the app secret on both sides and HMAC-SHA256 it with the app secret (lowercase hex).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

EXCLUDED_PARAMS = frozenset({"sign", "access_token"})
#: Accepted clock skew: a signed timestamp may be this old ...
MAX_AGE_SECONDS = 300
#: ... or this far in the future.
MAX_FUTURE_SECONDS = 30


def string_to_sign(
    secret: str, path: str, params: Mapping[str, str], body: bytes, method: str, content_type: str
) -> bytes:
    """The exact bytes that are signed for one request."""
    pairs = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in EXCLUDED_PARAMS)
    payload = (secret + path + pairs).encode()
    if method.upper() != "GET" and not content_type.lower().startswith("multipart/"):
        payload += body
    return payload + secret.encode()


def sign(
    secret: str,
    path: str,
    params: Mapping[str, str],
    body: bytes = b"",
    method: str = "GET",
    content_type: str = "application/json",
) -> str:
    """The ``sign`` query parameter for a request."""
    message = string_to_sign(secret, path, params, body, method, content_type)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(
    secret: str, path: str, params: Mapping[str, str], body: bytes, method: str, content_type: str
) -> bool:
    """True if ``params['sign']`` is the signature of this request."""
    given = params.get("sign", "")
    expected = sign(secret, path, params, body, method, content_type)
    return hmac.compare_digest(given.lower(), expected)


def timestamp_fresh(timestamp: str, now: float) -> bool:
    """True if a signed ``timestamp`` (unix seconds) is inside the window around ``now``."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    return now - MAX_AGE_SECONDS <= ts <= now + MAX_FUTURE_SECONDS
