"""Error codes and messages of both APIs, in one place so they are easy to correct against a live
account. Tags as in shared/reference/tiktok-api.md: [V] verified, [S] second-hand, [I] inferred
(our choice where the reference is silent).
"""

from __future__ import annotations

# --- TikTok Shop Partner API ------------------------------------------------------------------
SHOP_OK = 0
SHOP_INVALID_TOKEN = 105001  # [I] unknown, malformed or revoked access token
SHOP_TOKEN_EXPIRED = 105002  # [V]
SHOP_MISSING_SCOPE = 105005  # [V]
SHOP_BAD_SIGN = 106001  # [V] bad signature, unknown app key, timestamp outside the window
SHOP_INVALID_CIPHER = 106011  # [I] shop_cipher missing, unknown or not authorized for this token
SHOP_REFRESH_EXPIRED = 36004001  # [V]
SHOP_BAD_AUTH_CODE = 36004004  # [S] bad/used auth code; also a rotated-away refresh token [I]
SHOP_NO_AUTH_RECORD = 36004005  # [V] the seller revoked the authorization
SHOP_BAD_PARAMS = 36009004  # [I] invalid request parameters
SHOP_RATE_LIMITED = 36009002  # [S] with HTTP 429
SHOP_INTERNAL = 36009003  # [S] retryable
SHOP_ENTITY_CHANGED = 101000  # [S] token/cipher mismatch (shop changed legal entity)
SHOP_NOT_FOUND = 36009005  # [I] unknown path or resource

# --- TikTok Business (Marketing) API (always HTTP 200 except injected 5xx) ----------------------
ADS_OK = 0
ADS_BAD_PARAMS = 40002  # [S]
ADS_NO_PERMISSION = 40001  # [S]
ADS_RATE_LIMITED = 40100  # [S]
ADS_TOKEN_EXPIRED = 40102  # [S]
ADS_TOKEN_EMPTY = 40104  # [S]
ADS_INVALID_TOKEN = 40105  # [S]
ADS_NO_ADVERTISER = 40300  # [S]
ADS_SYSTEM_ERROR = 50002  # [S]

MESSAGES: dict[int, str] = {
    SHOP_INVALID_TOKEN: "Invalid access token. The access token is invalid or has been revoked.",
    SHOP_TOKEN_EXPIRED: "Expired credentials. The access token has expired; refresh it.",
    SHOP_BAD_SIGN: (
        "Invalid credentials. The 'sign' query parameter is invalid. "
        "Check your signature generation."
    ),
    SHOP_INVALID_CIPHER: "Invalid shop_cipher. The shop is not authorized for this access token.",
    SHOP_REFRESH_EXPIRED: "The refresh token has expired. Ask the seller to authorize again.",
    SHOP_BAD_AUTH_CODE: "Invalid auth_code or refresh_token (unknown, already used or replaced).",
    SHOP_NO_AUTH_RECORD: "No authorization record: the seller has revoked the authorization.",
    SHOP_BAD_PARAMS: "Invalid request parameters.",
    SHOP_RATE_LIMITED: "Too many requests. Rate limit exceeded, retry later.",
    SHOP_INTERNAL: "Internal error, please retry.",
    SHOP_ENTITY_CHANGED: (
        "The access token does not match the shop: the shop's legal entity has changed."
    ),
    SHOP_NOT_FOUND: "Resource not found.",
    ADS_BAD_PARAMS: "Invalid parameters.",
    ADS_NO_PERMISSION: "No permission to operate this advertiser.",
    ADS_RATE_LIMITED: "Request too frequent: the app's QPS limit was exceeded.",
    ADS_TOKEN_EXPIRED: "Access token is expired.",
    ADS_TOKEN_EMPTY: "Access token is empty.",
    ADS_INVALID_TOKEN: "Access token is incorrect or has been revoked.",
    ADS_NO_ADVERTISER: "Advertiser does not exist.",
    ADS_SYSTEM_ERROR: "System error, please retry later.",
}
