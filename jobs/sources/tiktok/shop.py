"""TikTok Shop Partner API client: tokens, shops, orders, refunds, finance, affiliate, analytics.

One method per endpoint over ``ShopTransport`` (``shop_transport.py``: signing, rate limiting,
retries, paging); each endpoint's path and version comes from the one table ``PATHS``
(``shop_endpoints.py``). List endpoints are iterators of ``Page``s that start from any
``page_token``, so a sync can commit page by page and resume where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from jobs.sources.tiktok import extra_records as ir
from jobs.sources.tiktok import wire as w
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
from jobs.sources.tiktok.shop_endpoints import (
    CONTENT_ENDPOINTS,
    CREATOR_SEARCH_PAGE,
    MAX_PAGE_SIZE,
    PATHS,
    TRANSACTION_SORT_FIELD,
)
from jobs.sources.tiktok.shop_transport import ShopAccess, ShopTransport


class TikTokShopClient(ShopTransport):
    """One TikTok Shop app talking to the Partner API."""

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
