"""Authorization state of the simulator: auth codes, access and refresh tokens, revocations.

Shop API: an auth code is single use; ``token/get`` issues an access token (7 days) and a refresh
token (absolute expiries); ``token/refresh`` rotates the refresh token (the old one stops working;
the old access token keeps working until it expires). Ads API: auth codes are single use and live
one hour; advertiser access tokens do not expire but die when the seller revokes the app.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

ACCESS_TTL = 7 * 86_400
REFRESH_TTL = 365 * 86_400
ADS_AUTH_CODE_TTL = 3600


@dataclass
class Grant:
    """One issued token (or auth code) and the seller it belongs to."""

    seller_idx: int
    expires_at: float
    used: bool = False  # auth codes: consumed; refresh tokens: rotated away
    revoked: bool = False  # the seller deauthorized the app


class TokenStore:
    """Thread-safe registry of every code and token the simulator has issued."""

    def __init__(self, access_ttl: float = ACCESS_TTL, refresh_ttl: float = REFRESH_TTL) -> None:
        self.access_ttl, self.refresh_ttl = access_ttl, refresh_ttl
        self.shop_codes: dict[str, Grant] = {}
        self.ads_codes: dict[str, Grant] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.ads_access: dict[str, Grant] = {}
        self.revoked_shop: set[int] = set()
        self.revoked_ads: set[int] = set()
        self.lock = threading.Lock()

    def add_code(self, api: str, code: str, seller_idx: int) -> None:
        """Register an auth code for a seller ("shop" or "ads")."""
        table = self.shop_codes if api == "shop" else self.ads_codes
        ttl = ADS_AUTH_CODE_TTL if api == "ads" else 3600 * 24 * 365
        table[code] = Grant(seller_idx, time.time() + ttl)

    def mint_code(self, api: str, seller_idx: int) -> str:
        """A fresh auth code, as if the seller had just authorized the app again."""
        code = f"SBX-{api.upper()}-{seller_idx + 1}-{secrets.token_hex(6)}"
        with self.lock:
            self.add_code(api, code, seller_idx)
            (self.revoked_shop if api == "shop" else self.revoked_ads).discard(seller_idx)
        return code

    def redeem_code(self, api: str, code: str) -> Grant | None:
        """Consume a valid auth code; None if unknown, used or expired."""
        table = self.shop_codes if api == "shop" else self.ads_codes
        with self.lock:
            grant = table.get(code)
            if grant is None or grant.used or grant.expires_at < time.time():
                return None
            grant.used = True
            return grant

    def issue_shop_tokens(self, seller_idx: int) -> tuple[str, Grant, str, Grant]:
        """A new access token and refresh token for a seller."""
        now = time.time()
        access, refresh = f"TTP_{secrets.token_urlsafe(24)}", f"TTP_{secrets.token_urlsafe(30)}"
        a, r = Grant(seller_idx, now + self.access_ttl), Grant(seller_idx, now + self.refresh_ttl)
        with self.lock:
            self.access[access], self.refresh[refresh] = a, r
            self.revoked_shop.discard(seller_idx)
        return access, a, refresh, r

    def issue_ads_token(self, seller_idx: int) -> str:
        """A new long-lived advertiser access token."""
        token = secrets.token_hex(20)
        with self.lock:
            self.ads_access[token] = Grant(seller_idx, float("inf"))
            self.revoked_ads.discard(seller_idx)
        return token

    def expire_access(self, token: str) -> None:
        """Make a shop or ads access token expired from now on."""
        with self.lock:
            for table in (self.access, self.ads_access):
                if token in table:
                    table[token].expires_at = time.time() - 1

    def expire_refresh(self, token: str) -> None:
        """Make a refresh token expired from now on."""
        with self.lock:
            if token in self.refresh:
                self.refresh[token].expires_at = time.time() - 1

    def revoke(self, seller_idx: int, api: str = "both") -> None:
        """The seller deauthorized the app: every token of that API stops working."""
        with self.lock:
            if api in ("shop", "both"):
                self.revoked_shop.add(seller_idx)
                for table in (self.access, self.refresh):
                    for grant in table.values():
                        if grant.seller_idx == seller_idx:
                            grant.revoked = True
            if api in ("ads", "both"):
                self.revoked_ads.add(seller_idx)
                for grant in self.ads_access.values():
                    if grant.seller_idx == seller_idx:
                        grant.revoked = True
