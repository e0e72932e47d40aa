"""Signed, rate-limited, retried calls to the TikTok Shop Partner API, and its page iteration.

``ShopTransport`` is the plumbing under ``TikTokShopClient`` (``shop.py``), which adds one method
per endpoint. The ``httpx.Client`` comes from outside with its timeouts (tests pass a
``MockTransport``, the demo points the URLs at the sandbox). Every signed call goes through the
shared rate limiter and the retry policy, and is re-signed with a fresh timestamp on each attempt.
List endpoints are iterators of ``Page``s that start from any ``page_token``, so a sync can commit
page by page and resume where it stopped. ``ShopAccess`` is what a shop-scoped call carries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from jobs.sources.errors import RateLimited, UpstreamError
from jobs.sources.ratelimit import Limiter, Unlimited
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.envelope import shop_data
from jobs.sources.tiktok.records.access import Page
from jobs.sources.tiktok.shop_endpoints import MAX_PAGE_SIZE
from jobs.sources.tiktok.signing import sign

T = TypeVar("T")


@dataclass(frozen=True)
class ShopAccess:
    """What a shop-scoped call needs: the shop's cipher and a current access token."""

    shop_id: str
    cipher: str
    access_token: str


class ShopTransport:
    """How one TikTok Shop app calls the Partner API; ``TikTokShopClient`` adds the endpoints."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        app_key: str,
        app_secret: str,
        auth_url: str,
        api_url: str,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._app_key = app_key
        self._app_secret = app_secret
        self._auth_url = auth_url.rstrip("/")
        self._api_url = api_url.rstrip("/")
        self._limiter = limiter or Unlimited()
        self._retry = retry or RetryPolicy()
        self._clock = clock

    @property
    def app_key(self) -> str:
        """The app this client calls as (quotas are per app)."""
        return self._app_key

    # --- plumbing ----------------------------------------------------------------------

    def _pages(
        self, method: str, path: str, shop: ShopAccess, query: Mapping[str, Any],
        body: Mapping[str, Any] | None, key: str, parse: Callable[[Mapping[str, Any]], T],
        page_token: str, page_size: int,
    ) -> Iterator[Page[T]]:
        return self._paged(method, path, shop, query, body,
                           lambda data: [parse(x) for x in w.items(data, key)],
                           page_token, page_size)

    def _paged(
        self, method: str, path: str, shop: ShopAccess, query: Mapping[str, Any],
        body: Mapping[str, Any] | None, parse_page: Callable[[Mapping[str, Any]], list[T]],
        page_token: str, page_size: int,
    ) -> Iterator[Page[T]]:
        """Pages from ``page_token`` on; ``parse_page`` turns a whole ``data`` into its items."""
        token = page_token
        while True:
            params = {**query, "page_size": min(page_size, MAX_PAGE_SIZE)}
            if token:
                params["page_token"] = token
            data = self._call(method, path, shop.access_token, params, body, cipher=shop.cipher)
            token = str(data.get("next_page_token") or "")
            total = w.integer(data.get("total_count"))
            yield Page(parse_page(data), token, total)
            if not token:
                return

    def _call(
        self, method: str, path: str, access_token: str, query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None, *, cipher: str | None = None,
    ) -> dict[str, Any]:
        """A signed call with rate limiting and retries; returns the envelope's ``data``."""
        content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        return self._retry.call(
            lambda: self._send_signed(method, path, access_token, query or {}, content, cipher)
        )

    def _send_signed(
        self, method: str, path: str, access_token: str, query: Mapping[str, Any],
        content: bytes, cipher: str | None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {**query, "app_key": self._app_key,
                                  "timestamp": int(self._clock())}
        if cipher is not None:
            params["shop_cipher"] = cipher
        params = {k: str(v) for k, v in params.items()}
        params["sign"] = sign(self._app_secret, path, params, method=method, body=content)
        headers = {"x-tts-access-token": access_token, "content-type": "application/json"}
        self._limiter.acquire()
        return self._send(method, self._api_url + path, params, headers, content)

    def _token_call(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        return self._retry.call(lambda: self._send("GET", self._auth_url + path, params, {}, b""))

    def _send(
        self, method: str, url: str, params: Mapping[str, Any], headers: Mapping[str, str],
        content: bytes,
    ) -> dict[str, Any]:
        try:
            response = self._http.request(method, url, params=params, headers=headers,
                                          content=content or None)
        except httpx.TimeoutException as exc:
            raise UpstreamError(f"timeout: {method} {url}") from exc
        except httpx.TransportError as exc:
            raise UpstreamError(f"connection failed: {method} {url}: {exc}") from exc
        try:
            return shop_data(response)
        except RateLimited as exc:
            self._limiter.pause(exc.retry_after or 1.0)
            raise
