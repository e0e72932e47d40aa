"""Every error a TikTok connector raises, so callers decide by type, never by code or message.

Hierarchy::

    TikTokError                      (code, message, request_id of the failed call)
     ├── AuthError                   the authorization itself is unusable: never retried
     │    ├── TokenExpired           access token expired (105002, ads 40102): refresh, then resume
     │    ├── TokenInvalid           token unknown or empty (105001, ads 40104/40105)
     │    ├── Revoked                seller removed the authorization (36004005)
     │    ├── MissingScope           app lacks a granted scope (105005, ads 40001)
     │    ├── ShopMismatch           token/cipher no longer match the shop (101000)
     │    ├── RefreshExpired         refresh token expired (36004001): seller must reconnect
     │    └── BadAuthCode            authorization code unknown, used or expired (36004004)
     ├── RateLimited                 slow down (HTTP 429, 36009002, ads 40100/40016/40133)
     │    └── QuotaExhausted         daily quota used up: wait until ``retry_after`` (00:00 UTC)
     ├── UpstreamError               TikTok failed (5xx, timeouts, 36009003, ads 50000/50002/60001)
     ├── BadResponse                 malformed or truncated JSON, or an unexpected shape
     └── BadRequest                  our request is wrong (bad params, bad sign, unknown advertiser)

``AuthError`` subclasses carry ``status``: the authorization state the sync records when it stops
(see ``jobs.accounts.auth_status``). ``RateLimited`` and ``UpstreamError`` are transient and
retried with a bound; ``BadResponse`` is retried only when ``retryable`` (a cut-off body, not a
changed schema).
"""

from __future__ import annotations


class TikTokError(Exception):
    """A call to a TikTok API failed; ``code`` is TikTok's envelope code when there was one."""

    def __init__(self, message: str, *, code: int | None = None, request_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        code = f" [code {self.code}]" if self.code is not None else ""
        return f"{self.message}{code}"


class AuthError(TikTokError):
    """The authorization cannot be used as it is; retrying the same call cannot help."""

    #: Authorization state recorded when a sync stops on this error (``authorizations.status``).
    status = "refresh_failed"


class TokenExpired(AuthError):
    """The access token has expired: refresh it and resume."""

    status = "expired"


class TokenInvalid(AuthError):
    """The access token is unknown, malformed or empty."""

    status = "revoked"


class Revoked(AuthError):
    """The seller (or advertiser) removed the authorization."""

    status = "revoked"


class MissingScope(AuthError):
    """The app was not granted a scope this call needs."""

    status = "missing_scope"


class ShopMismatch(AuthError):
    """Token and shop cipher no longer belong together (e.g. the shop changed legal entity)."""

    status = "shop_changed"


class RefreshExpired(AuthError):
    """The refresh token has expired: the seller must authorize again."""

    status = "expired"


class BadAuthCode(AuthError):
    """The authorization code is unknown, already used or expired."""

    status = "refresh_failed"


class RateLimited(TikTokError):
    """Too many requests; ``retry_after`` seconds is the wait the server asked for, if any."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        request_id: str | None = None,
    ):
        super().__init__(message, code=code, request_id=request_id)
        self.retry_after = retry_after


class QuotaExhausted(RateLimited):
    """The daily quota is used up; ``retry_after`` is the time until it resets."""


class UpstreamError(TikTokError):
    """TikTok failed to answer (5xx, timeout, connection error, internal error code)."""


class BadResponse(TikTokError):
    """The answer could not be understood: broken JSON or not the documented shape."""

    def __init__(self, message: str, *, retryable: bool = False, **kwargs: object):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retryable = retryable


class BadRequest(TikTokError):
    """TikTok rejected our request as malformed; a bug on our side or bad input."""
