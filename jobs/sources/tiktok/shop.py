"""TikTok Shop Partner API client: tokens, shops, orders, refunds, finance, affiliate, analytics.

The ``httpx.Client`` comes from outside with its timeouts (tests pass a ``MockTransport``, the demo
points the URLs at the sandbox). Every signed call goes through the shared rate limiter and the
retry policy, and is re-signed with a fresh timestamp on each attempt. List endpoints are
iterators of ``Page``s that start from any ``page_token``, so a sync can commit page by page and
resume where it stopped. Every endpoint's path and version is in the one table ``PATHS``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from jobs.sources.errors import RateLimited, UpstreamError
from jobs.sources.ratelimit import Limiter, Unlimited
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok import extra_records as ir
from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.envelope import shop_data
from jobs.sources.tiktok.records.access import (
    AuthorizedShop,
    Page,
    ShopToken,
    parse_shop,
    parse_token,
)
from jobs.sources.tiktok.records.affiliates import (
    AffiliateOrder,
    CreatorProfile,
    parse_affiliate_order,
    parse_creator,
)
from jobs.sources.tiktok.records.orders import Order, Refund, parse_order, parse_refund
from jobs.sources.tiktok.records.performance import (
    ShopDayPerformance,
    ShopTraffic,
    VideoPerformance,
    parse_shop_traffic,
    parse_video,
)
from jobs.sources.tiktok.records.settlements import (
    OrderSettlement,
    Statement,
    parse_order_settlement,
    parse_statement,
)
from jobs.sources.tiktok.records.stock import SkuStock, parse_product_stock
from jobs.sources.tiktok.signing import sign

T = TypeVar("T")

#: Every endpoint's path, version included (tiktok-api.md). Versions move independently, so when
#: TikTok moves or sunsets one, it is corrected here and nowhere else.
PATHS: dict[str, str] = {
    "token_get": "/api/v2/token/get",
    "token_refresh": "/api/v2/token/refresh",
    "authorized_shops": "/authorization/202309/shops",
    "orders_search": "/order/202309/orders/search",
    "returns_search": "/return_refund/202309/returns/search",
    "cancellations_search": "/return_refund/202309/cancellations/search",
    "statements": "/finance/202309/statements",
    "statement_transactions":
        "/finance/202501/statements/{statement_id}/statement_transactions",
    # sunset by TikTok (202501 replaces it); spot checks of one order only, never the sync
    "order_statement": "/finance/202309/orders/{order_id}/statement_transactions",
    "affiliate_orders": "/affiliate_seller/202410/orders/search",
    "creator_search": "/affiliate_seller/202406/marketplace_creators/search",
    "creator_profile": "/affiliate_seller/202406/marketplace_creators/{creator_user_id}",
    "shop_performance": "/analytics/202405/shop/performance",
    "video_performance": "/analytics/202409/shop_videos/performance",
    "live_performance": "/analytics/202409/shop_lives/performance",
    "products_search": "/product/202309/products/search",
}
#: Content type -> (``PATHS`` name of its performance endpoint, list key in ``data``).
CONTENT_ENDPOINTS = {"VIDEO": ("video_performance", "videos"),
                     "LIVE": ("live_performance", "lives")}
#: Page size of the creator search (the API accepts 12 or 20).
CREATOR_SEARCH_PAGE = 20
#: The one sort field of a statement's transactions.
TRANSACTION_SORT_FIELD = "order_create_time"
#: Largest page the list endpoints accept.
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ShopAccess:
    """What a shop-scoped call needs: the shop's cipher and a current access token."""

    shop_id: str
    cipher: str
    access_token: str


class TikTokShopClient:
    """One TikTok Shop app talking to the Partner API."""

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

    # --- authorization -------------------------------------------------------------------

    def get_token(self, auth_code: str) -> ShopToken:
        """Exchange a Seller Center authorization code for tokens (single use)."""
        params = {"app_key": self._app_key, "app_secret": self._app_secret,
                  "auth_code": auth_code, "grant_type": "authorized_code"}
        return parse_token(self._token_call(PATHS["token_get"], params))

    def refresh_token(self, refresh_token: str) -> ShopToken:
        """New tokens from a refresh token; the returned refresh token replaces the old one."""
        params = {"app_key": self._app_key, "app_secret": self._app_secret,
                  "refresh_token": refresh_token, "grant_type": "refresh_token"}
        return parse_token(self._token_call(PATHS["token_refresh"], params))

    def authorized_shops(self, access_token: str) -> list[AuthorizedShop]:
        """Shops this authorization covers, each with its ``cipher``."""
        data = self._call("GET", PATHS["authorized_shops"], access_token)
        return [parse_shop(s) for s in w.items(data, "shops")]

    # --- orders and refunds ------------------------------------------------------------

    def orders(
        self, shop: ShopAccess, update_ge: datetime, update_lt: datetime,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[Order]]:
        """Orders updated in ``[update_ge, update_lt)``, oldest update first, page by page."""
        query = {"sort_field": "update_time", "sort_order": "ASC"}
        body = {"update_time_ge": w.unix(update_ge), "update_time_lt": w.unix(update_lt)}
        return self._pages("POST", PATHS["orders_search"], shop, query, body, "orders",
                           parse_order, page_token, page_size)

    def returns(
        self, shop: ShopAccess, update_ge: datetime, update_lt: datetime,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[Refund]]:
        """Returns and refunds updated in ``[update_ge, update_lt)``."""
        body = {"update_time_ge": w.unix(update_ge), "update_time_lt": w.unix(update_lt)}
        return self._pages("POST", PATHS["returns_search"], shop, {}, body, "return_orders",
                           lambda d: parse_refund(d, "return"), page_token, page_size)

    def cancellations(
        self, shop: ShopAccess, update_ge: datetime, update_lt: datetime,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[Refund]]:
        """Cancellations updated in ``[update_ge, update_lt)``."""
        body = {"update_time_ge": w.unix(update_ge), "update_time_lt": w.unix(update_lt)}
        return self._pages("POST", PATHS["cancellations_search"], shop, {}, body, "cancellations",
                           lambda d: parse_refund(d, "cancellation"), page_token, page_size)

    # --- finance ---------------------------------------------------------------------------

    def statements(
        self, shop: ShopAccess, time_ge: datetime, time_lt: datetime,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[Statement]]:
        """Settlement statements with ``statement_time`` in ``[time_ge, time_lt)``."""
        query = {"sort_field": "statement_time", "statement_time_ge": w.unix(time_ge),
                 "statement_time_lt": w.unix(time_lt)}
        return self._pages("GET", PATHS["statements"], shop, query, None, "statements",
                           parse_statement, page_token, page_size)

    def statement_transactions(
        self, shop: ShopAccess, statement_id: str, page_token: str = "",
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[ir.SettledOrder]]:
        """The orders one statement settled, oldest order first, page by page: one call pages a
        whole statement (adjustment and reserve transactions carry no order and are left out)."""
        path = PATHS["statement_transactions"].format(statement_id=quote(statement_id, safe=""))
        query = {"sort_field": TRANSACTION_SORT_FIELD, "sort_order": "ASC"}
        return self._paged("GET", path, shop, query, None, ir.parse_statement_transactions,
                           page_token, page_size)

    def order_settlement(self, shop: ShopAccess, order_id: str) -> OrderSettlement:
        """Per-order settlement transactions (revenue, fees, commissions); a spot check of one
        order (the sync reads statements)."""
        path = PATHS["order_statement"].format(order_id=quote(order_id, safe=""))
        return parse_order_settlement(order_id, self._call("GET", path, shop.access_token,
                                                           cipher=shop.cipher))

    def settled_order(self, shop: ShopAccess, order_id: str) -> ir.SettledOrder | None:
        """Per-order settlement with its settle time, or ``None`` while not yet settled; a spot
        check of one order (the sync reads statements)."""
        path = PATHS["order_statement"].format(order_id=quote(order_id, safe=""))
        data = self._call("GET", path, shop.access_token, cipher=shop.cipher)
        return ir.parse_settled_order(order_id, data)

    # --- affiliate and creators --------------------------------------------------------

    @property
    def app_key(self) -> str:
        """The app this client calls as (quotas are per app)."""
        return self._app_key

    def find_creator_user_id(self, shop: ShopAccess, username: str) -> str | None:
        """A creator's ``creator_user_id`` by exact username (Creator Marketplace search)."""
        data = self._call("POST", PATHS["creator_search"], shop.access_token,
                          {"page_size": CREATOR_SEARCH_PAGE}, {"keyword": username},
                          cipher=shop.cipher)
        return ir.parse_creator_user_id(data, username)

    def affiliate_orders(
        self, shop: ShopAccess, create_ge: datetime, create_lt: datetime,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[AffiliateOrder]]:
        """Creator-attributed orders created in ``[create_ge, create_lt)``."""
        body = {"create_time_ge": w.unix(create_ge), "create_time_lt": w.unix(create_lt)}
        return self._pages("POST", PATHS["affiliate_orders"], shop, {}, body, "orders",
                           parse_affiliate_order, page_token, page_size)

    def creator_profile(self, shop: ShopAccess, creator_user_id: str) -> CreatorProfile:
        """A Creator Marketplace profile (10,000 lookups/day per app)."""
        path = PATHS["creator_profile"].format(creator_user_id=quote(creator_user_id, safe=""))
        data = self._call("GET", path, shop.access_token, cipher=shop.cipher)
        return parse_creator(w.obj(data, "creator"))

    # --- analytics and stock -------------------------------------------------------------

    def shop_performance(
        self, shop: ShopAccess, start: date, end_exclusive: date, currency: str = "LOCAL"
    ) -> list[ShopDayPerformance]:
        """Daily shop traffic and sales with LIVE / VIDEO / PRODUCT_CARD breakdowns."""
        return self.shop_traffic(shop, start, end_exclusive, currency).days

    def shop_traffic(
        self, shop: ShopAccess, start: date, end_exclusive: date, currency: str = "LOCAL"
    ) -> ShopTraffic:
        """``shop_performance`` with the last day TikTok has complete data for."""
        query = {"start_date_ge": start.isoformat(), "end_date_lt": end_exclusive.isoformat(),
                 "granularity": "1D", "currency": currency}
        data = self._call("GET", PATHS["shop_performance"], shop.access_token, query,
                          cipher=shop.cipher)
        return parse_shop_traffic(data)

    def video_performance(
        self, shop: ShopAccess, start: date, end_exclusive: date,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[VideoPerformance]]:
        """Per-video sales performance over ``[start, end_exclusive)``."""
        query = {"start_date_ge": start.isoformat(), "end_date_lt": end_exclusive.isoformat(),
                 "currency": "LOCAL"}
        return self._pages("GET", PATHS["video_performance"], shop, query, None, "videos",
                           parse_video, page_token, page_size)

    def content_performance(
        self, shop: ShopAccess, content_type: str, start: date, end_exclusive: date,
        page_token: str = "", page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Page[ir.ContentPerformance]]:
        """Videos or LIVE sessions (``content_type``) posted in ``[start, end_exclusive)`` with
        their features and performance to date."""
        name, key = CONTENT_ENDPOINTS[content_type]
        query = {"start_date_ge": start.isoformat(), "end_date_lt": end_exclusive.isoformat(),
                 "currency": "LOCAL"}
        return self._pages("GET", PATHS[name], shop, query, None, key,
                           lambda d: ir.parse_content(d, content_type), page_token, page_size)

    def sku_stock(
        self, shop: ShopAccess, page_token: str = "", page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Page[SkuStock]]:
        """Every SKU of the shop's products with its available stock."""
        def flatten(product: Mapping[str, Any]) -> list[SkuStock]:
            return parse_product_stock(product)

        for page in self._pages("POST", PATHS["products_search"], shop, {}, {}, "products",
                                flatten, page_token, page_size):
            yield Page([s for skus in page.items for s in skus], page.next_page_token,
                       page.total_count)

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
