"""TikTok Shop Partner API request signing (tiktok-api.md, "Signing").

The string to sign is the path, then every query parameter except ``sign`` and
``access_token`` sorted by key as ``{key}{value}`` without separators, then (for non-GET,
non-multipart requests) the exact body bytes, wrapped in the app secret on both sides. The
signature is the lowercase hex HMAC-SHA256 of that string keyed with the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

#: Query parameters never included in the string to sign.
EXCLUDED_PARAMS = frozenset({"sign", "access_token"})


def string_to_sign(
    app_secret: str,
    path: str,
    params: Mapping[str, object],
    *,
    method: str = "GET",
    body: bytes = b"",
    content_type: str = "application/json",
) -> bytes:
    """The exact bytes that are HMAC'd for one request."""
    pairs = sorted((k, str(v)) for k, v in params.items() if k not in EXCLUDED_PARAMS)
    text = path + "".join(f"{k}{v}" for k, v in pairs)
    payload = text.encode("utf-8")
    if _signs_body(method, content_type):
        payload += body
    secret = app_secret.encode("utf-8")
    return secret + payload + secret


def sign(
    app_secret: str,
    path: str,
    params: Mapping[str, object],
    *,
    method: str = "GET",
    body: bytes = b"",
    content_type: str = "application/json",
) -> str:
    """The ``sign`` query value: lowercase hex HMAC-SHA256 keyed with the app secret."""
    message = string_to_sign(
        app_secret, path, params, method=method, body=body, content_type=content_type
    )
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(app_secret: str, signature: str, **request: object) -> bool:
    """True when ``signature`` is the one ``sign`` computes for the same request."""
    expected = sign(app_secret, **request)  # type: ignore[arg-type]
    return hmac.compare_digest(expected, signature)


def _signs_body(method: str, content_type: str) -> bool:
    return method.upper() != "GET" and not content_type.lower().startswith("multipart/")
