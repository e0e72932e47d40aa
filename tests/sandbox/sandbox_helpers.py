"""Helpers of the simulator tests: a tiny independent implementation of the documented Shop API
signing (not sandbox.signing), signed plain-httpx calls, and the two authorization flows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from sandbox import GeneratorConfig, Sandbox

DEMO = GeneratorConfig(seed=7, shops=3, weeks=10, end=date(2026, 11, 23))


def doc_sign(secret: str, path: str, params: dict[str, str], body: bytes = b"") -> str:
    """The reference doc's algorithm, written independently of the sandbox."""
    keys = sorted(k for k in params if k not in ("sign", "access_token"))
    text = secret + path + "".join(k + params[k] for k in keys)
    return hmac.new(
        secret.encode(), text.encode() + body + secret.encode(), hashlib.sha256
    ).hexdigest()


@dataclass
class ShopCaller:
    """Signed calls to the Shop API with plain httpx."""

    sb: Sandbox
    http: httpx.Client
    access_token: str
    refresh_token: str

    def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        cipher: str | None = None,
        timestamp: int | None = None,
        token: str | None = None,
        timeout: float = 10,
    ) -> httpx.Response:
        """Sign and send; returns the raw response."""
        creds = self.sb.credentials
        query = {k: str(v) for k, v in (params or {}).items()}
        query.update(app_key=creds.app_key, timestamp=str(timestamp or int(time.time())))
        if cipher:
            query["shop_cipher"] = cipher
        raw = json.dumps(body).encode() if body is not None else b""
        query["sign"] = doc_sign(creds.app_secret, path, query, raw if method != "GET" else b"")
        headers = {
            "x-tts-access-token": token or self.access_token,
            "content-type": "application/json",
        }
        return self.http.request(
            method,
            self.sb.shop_api_url + path,
            params=query,
            content=raw or None,
            headers=headers,
            timeout=timeout,
        )

    def shops(self) -> list[dict[str, Any]]:
        """The authorized shops."""
        shops: list[dict[str, Any]] = self.call("GET", "/authorization/202309/shops").json()[
            "data"
        ]["shops"]
        return shops


def authorize_shop(sb: Sandbox, http: httpx.Client, seller: int = 0) -> ShopCaller:
    """Run the token exchange for a fresh auth code of a demo seller."""
    creds = sb.credentials
    params = {
        "app_key": creds.app_key,
        "app_secret": creds.app_secret,
        "auth_code": sb.new_auth_code(seller, "shop"),
        "grant_type": "authorized_code",
    }
    data = http.get(sb.shop_auth_url + "/api/v2/token/get", params=params).json()["data"]
    return ShopCaller(sb, http, data["access_token"], data["refresh_token"])


def authorize_ads(sb: Sandbox, http: httpx.Client, seller: int = 0) -> str:
    """An advertiser access token for a fresh ads auth code."""
    creds = sb.credentials
    body = {
        "app_id": creds.ads_app_id,
        "secret": creds.ads_secret,
        "auth_code": sb.new_auth_code(seller, "ads"),
    }
    token: str = http.post(sb.ads_api_url + "/oauth2/access_token/", json=body).json()["data"][
        "access_token"
    ]
    return token
