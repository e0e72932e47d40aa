"""Where the TikTok Shop Partner API's endpoints live, and the fixed values their requests need.

Every endpoint's path and version is in the one table ``PATHS``, so a path TikTok moves or sunsets
is corrected here and nowhere else; beside it the page sizes and the sort field the endpoints
accept. ``TikTokShopClient`` (``shop.py``) names endpoints only through these.
"""

from __future__ import annotations

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
