"""Warehouse tables (SQLAlchemy Core). Every table has a natural key so writes are idempotent.

Conventions: money columns are ``Money`` (exact ``Decimal``) next to a ``currency`` column;
points in time are ``UTCDateTime``; a ``day`` is a local calendar date in the zone of the shop or
advertiser the row belongs to (the store's own time zone decides which week a row falls in).
``raw`` columns keep the record as the source sent it (JSON text) so nothing the API said is lost.
On SQLite the rollups, the FX rates and the dirty days are stored in their primary key's order
(``sqlite_with_rowid=False``, migration 0009): every read of them is a range of that key.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from jobs.warehouse.types import Money, Rate, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ID = String(64)
CCY = String(3)


def _stamps() -> list[Column]:
    return [
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    ]


# --- tenants, stores, authorizations ---------------------------------------------------------

tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("reporting_currency", CCY, nullable=False),
    Column("language", String(8), nullable=False, default="en"),
    *_stamps(),
)

authorizations = Table(
    "authorizations",
    metadata,
    Column("auth_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # "shop" | "ads"
    Column("subject", String(128), nullable=False),  # shop open_id, or ads app+advertiser set
    Column("tenant_id", ID, ForeignKey("tenants.tenant_id"), nullable=False),
    Column("seller_name", String(200)),
    Column("region", String(8)),
    Column("access_token_enc", Text, nullable=False),
    Column("access_expires_at", UTCDateTime),
    Column("refresh_token_enc", Text),
    Column("refresh_expires_at", UTCDateTime),
    Column("scopes", JSON, nullable=False, default=list),
    # healthy | expiring | expired | revoked | missing_scope | shop_changed | refresh_failed
    Column("status", String(24), nullable=False, default="healthy"),
    Column("status_reason", Text),
    Column("status_changed_at", UTCDateTime),
    # When TikTok pushed UPCOMING_AUTHORIZATION_EXPIRATION (type 7); cleared by re-authorizing.
    Column("expiry_noticed_at", UTCDateTime),
    Column("version", Integer, nullable=False, default=1),  # compare-and-swap on token rotation
    *_stamps(),
    UniqueConstraint("kind", "subject"),
)

shops = Table(
    "shops",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("tenant_id", ID, ForeignKey("tenants.tenant_id"), nullable=False),
    Column("auth_id", Integer, ForeignKey("authorizations.auth_id")),
    Column("name", String(200), nullable=False),
    Column("region", String(8), nullable=False),
    Column("currency", CCY, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("cipher", String(256)),
    Column("seller_type", String(32)),
    Column("source", String(8), nullable=False, default="api"),  # api | csv | config
    *_stamps(),
)

advertisers = Table(
    "advertisers",
    metadata,
    Column("advertiser_id", ID, primary_key=True),
    Column("tenant_id", ID, ForeignKey("tenants.tenant_id"), nullable=False),
    Column("shop_id", ID, ForeignKey("shops.shop_id")),
    Column("auth_id", Integer, ForeignKey("authorizations.auth_id")),
    Column("name", String(200), nullable=False),
    Column("currency", CCY, nullable=False),
    Column("timezone", String(64), nullable=False),
    *_stamps(),
)

# --- orders and money after the sale ---------------------------------------------------------

orders = Table(
    "orders",
    metadata,
    # no foreign key, as on every raw-fact table: the write path checks the shop once per write
    # (``jobs.ingestion.writer``), where PostgreSQL would run a trigger per row (migration 0008)
    Column("shop_id", ID, primary_key=True),
    Column("order_id", ID, primary_key=True),
    Column("status", String(32), nullable=False),
    Column("buyer_id", ID),
    Column("create_time", UTCDateTime, nullable=False),
    Column("update_time", UTCDateTime, nullable=False),
    Column("paid_time", UTCDateTime),
    Column("cancel_time", UTCDateTime),
    Column("delivery_time", UTCDateTime),
    Column("is_sample", Boolean, nullable=False, default=False),
    Column("is_replacement", Boolean, nullable=False, default=False),
    Column("is_exchange", Boolean, nullable=False, default=False),
    Column("buyer_message", Text),
    Column("recipient_name", String(200)),
    Column("region_code", String(8)),
    Column("cancel_reason", Text),
    Column("cancellation_initiator", String(32)),
    Column("currency", CCY, nullable=False),
    Column("sub_total", Money, nullable=False),
    Column("shipping_fee", Money, nullable=False, default=0),
    Column("seller_discount", Money, nullable=False, default=0),
    Column("platform_discount", Money, nullable=False, default=0),
    Column("tax", Money, nullable=False, default=0),
    Column("total_amount", Money, nullable=False),
    Column("source", String(8), nullable=False, default="api"),
    Column("raw", Text),
    Column("ingested_at", UTCDateTime, nullable=False),
    Index("ix_orders_shop_paid", "shop_id", "paid_time"),
    Index("ix_orders_shop_create", "shop_id", "create_time"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("order_id", ID, primary_key=True),
    Column("line_id", ID, primary_key=True),
    Column("product_id", ID),
    Column("product_name", Text),
    Column("sku_id", ID),
    Column("seller_sku", String(128)),
    Column("quantity", Integer, nullable=False, default=1),  # API lines are one unit each
    Column("currency", CCY, nullable=False),
    Column("original_price", Money, nullable=False),
    Column("sale_price", Money, nullable=False),
    Column("seller_discount", Money, nullable=False, default=0),
    Column("platform_discount", Money, nullable=False, default=0),
    Column("display_status", String(32)),
    Column("cancel_reason", Text),
    Column("is_gift", Boolean, nullable=False, default=False),
)

refunds = Table(
    "refunds",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("refund_id", ID, primary_key=True),
    Column("kind", String(16), nullable=False),  # return | refund | cancellation
    Column("order_id", ID, nullable=False),
    Column("status", String(48), nullable=False),
    Column("return_type", String(48)),
    Column("create_time", UTCDateTime, nullable=False),
    Column("update_time", UTCDateTime, nullable=False),
    Column("completed_time", UTCDateTime),
    Column("currency", CCY, nullable=False),
    Column("refund_amount", Money, nullable=False, default=0),
    Column("line_ids", JSON, nullable=False, default=list),
    Column("reason", Text),
    Column("raw", Text),
    Index("ix_refunds_order", "shop_id", "order_id"),
    Index("ix_refunds_shop_completed", "shop_id", "completed_time"),
)

statements = Table(
    "statements",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("statement_id", ID, primary_key=True),
    Column("statement_time", UTCDateTime, nullable=False),
    Column("currency", CCY, nullable=False),
    Column("settlement_amount", Money, nullable=False),
    Column("revenue_amount", Money),
    Column("fee_amount", Money),
    Column("adjustment_amount", Money),
    Column("shipping_cost_amount", Money),
    Column("net_sales_amount", Money),
    Column("payment_status", String(32)),
    Column("payment_id", ID),
)

order_settlements = Table(
    "order_settlements",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("order_id", ID, primary_key=True),
    Column("statement_id", ID),
    Column("settled_time", UTCDateTime),
    Column("currency", CCY, nullable=False),
    Column("revenue_amount", Money),
    Column("fee_and_tax_amount", Money),
    Column("shipping_cost_amount", Money),
    Column("settlement_amount", Money, nullable=False),
    Column("platform_commission_amount", Money),
    Column("affiliate_commission_amount", Money),
    Index("ix_order_settlements_shop_settled", "shop_id", "settled_time"),
)

# --- ads ---------------------------------------------------------------------------------------

ad_report_rows = Table(
    "ad_report_rows",
    metadata,
    Column("advertiser_id", ID, primary_key=True),
    Column("level", String(16), primary_key=True),  # campaign | ad
    Column("day", Date, primary_key=True),  # stat_time_day, advertiser's time zone
    Column("campaign_id", ID, primary_key=True),
    Column("ad_id", ID, primary_key=True, default=""),  # "" at campaign level
    Column("campaign_name", String(255)),
    Column("ad_name", String(255)),
    Column("currency", CCY, nullable=False),
    # None means the platform reported "-" (no data), which is not zero.
    Column("spend", Money),
    Column("impressions", BigInteger),
    Column("clicks", BigInteger),
    Column("conversions", BigInteger),
    Column("purchases", BigInteger),  # complete_payment
    Column("purchase_value", Money),  # total_onsite_shopping_value
    Column("video_views", BigInteger),
    Column("pulled_at", UTCDateTime, nullable=False),
)

# --- creators and content ------------------------------------------------------------------

affiliate_order_lines = Table(
    "affiliate_order_lines",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("order_id", ID, primary_key=True),
    Column("sku_id", ID, primary_key=True),
    Column("creator_username", String(128), primary_key=True),
    Column("status", String(32)),
    Column("create_time", UTCDateTime, nullable=False),
    Column("delivery_time", UTCDateTime),
    Column("product_id", ID),
    Column("content_type", String(16)),  # VIDEO | LIVE | SHOWCASE
    Column("content_id", ID),
    Column("campaign_id", ID),
    Column("quantity", Integer, nullable=False),
    Column("currency", CCY, nullable=False),
    Column("price", Money, nullable=False),
    Column("commission_rate", Rate),
    Column("estimated_paid_commission", Money),
    Column("actual_paid_commission", Money),
    Column("refunded_quantity", Integer, nullable=False, default=0),
    Column("returned_quantity", Integer, nullable=False, default=0),
    Index("ix_affiliate_lines_creator", "creator_username"),
    Index("ix_affiliate_lines_shop_create", "shop_id", "create_time"),
)

creators = Table(
    "creators",
    metadata,
    Column("creator_username", String(128), primary_key=True),
    Column("follower_count", BigInteger),
    Column("region", String(8)),
    Column("currency", CCY),
    Column("gmv", Money),
    Column("video_gmv", Money),
    Column("live_gmv", Money),
    Column("units_sold", BigInteger),
    Column("profile", JSON),
    Column("updated_at", UTCDateTime, nullable=False),
)

creator_snapshots = Table(
    "creator_snapshots",
    metadata,
    Column("creator_username", String(128), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("follower_count", BigInteger, nullable=False),
)

contents = Table(
    "contents",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("content_id", ID, primary_key=True),
    Column("content_type", String(16), nullable=False),  # VIDEO | LIVE
    Column("creator_username", String(128)),
    Column("title", Text),
    Column("posted_at", UTCDateTime),
    Column("duration_s", Integer),
    Column("hook_s", Integer),
    Column("music", String(200)),
    Column("hashtags", JSON, nullable=False, default=list),
)

content_daily = Table(
    "content_daily",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("content_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("views", BigInteger),
    Column("likes", BigInteger),
    Column("comments", BigInteger),
    Column("shares", BigInteger),
    Column("product_clicks", BigInteger),
    Column("orders", BigInteger),
    Column("units", BigInteger),
    Column("currency", CCY, nullable=False),
    Column("gmv", Money),
)

shop_traffic_daily = Table(
    "shop_traffic_daily",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    # ALL | LIVE | VIDEO | PRODUCT_CARD | SEARCH | AFFILIATE | PAID
    Column("channel", String(16), primary_key=True),
    Column("impressions", BigInteger),
    Column("page_views", BigInteger),
    Column("visitors", BigInteger),
    Column("add_to_cart", BigInteger),
    Column("orders", BigInteger),
    Column("units", BigInteger),
    Column("buyers", BigInteger),
    Column("currency", CCY, nullable=False),
    Column("gmv", Money),
    sqlite_with_rowid=False,
)

#: The store-days whose traffic has rows but none of channel ALL (their total is then the sum of
#: the channels). Kept by triggers on ``shop_traffic_daily`` (migration 0010), in the statement
#: that writes the traffic, so a read finds such days without grouping every channel row of its
#: range. It may hold a day that has an ALL row (after a ``TRUNCATE``, or two transactions
#: writing one store-day at once): readers check that there is none. It lacks no day that has
#: none, unless one transaction deletes a day's ALL row while another adds a channel to that day
#: (nothing deletes single traffic rows; a store's pages are written one at a time).
traffic_days_without_all = Table(
    "traffic_days_without_all",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    sqlite_with_rowid=False,
)

# --- catalogue and stock --------------------------------------------------------------------

skus = Table(
    "skus",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("sku_id", ID, primary_key=True),
    Column("product_id", ID, nullable=False),
    Column("product_name", Text),
    Column("seller_sku", String(128)),
    Column("currency", CCY, nullable=False),
    Column("price", Money),
    Column("stock", Integer),
    Column("lead_time_days", Integer),
    Column("updated_at", UTCDateTime, nullable=False),
)

sku_stock_daily = Table(
    "sku_stock_daily",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("sku_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("stock", Integer, nullable=False),
)

fx_rates = Table(
    "fx_rates",
    metadata,
    Column("day", Date, primary_key=True),
    Column("base", CCY, primary_key=True),  # 1 base = rate quote
    Column("quote", CCY, primary_key=True),
    Column("rate", Rate, nullable=False),
    Column("source", String(64), nullable=False, default="manual"),
    sqlite_with_rowid=False,
)

# --- rollups: daily sums per store (jobs/warehouse/rollups.py recomputes only touched days) ---
# Money is in the row's own currency; ``day`` is local to the shop (ads: to the advertiser).

shop_daily = Table(
    "shop_daily",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("currency", CCY, nullable=False),
    Column("orders", Integer, nullable=False),  # sales-valid orders paid that day
    Column("units", Integer, nullable=False),
    Column("buyers", Integer, nullable=False),  # distinct that day; weeks: shop_week_buyers
    Column("gross_gmv", Money, nullable=False),
    Column("refunds", Integer, nullable=False),  # refunds completed that day (of valid orders)
    Column("refund_amount", Money, nullable=False),
    Column("settled_orders", Integer, nullable=False),
    Column("settled_revenue", Money, nullable=False),
    Column("refreshed_at", UTCDateTime, nullable=False),
    sqlite_with_rowid=False,
)

shop_week_buyers = Table(
    "shop_week_buyers",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("week_start", Date, primary_key=True),  # local Monday
    Column("buyers", Integer, nullable=False),  # distinct buyers of sales-valid orders that week
    sqlite_with_rowid=False,
)

shop_daily_exclusions = Table(
    "shop_daily_exclusions",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("rule", String(32), primary_key=True),  # a rule of analytics.clean
    Column("rows", Integer, nullable=False),
    Column("currency", CCY, nullable=False),
    Column("amount", Money, nullable=False),
    sqlite_with_rowid=False,
)

ad_daily = Table(
    "ad_daily",
    metadata,
    Column("advertiser_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("campaign_id", ID, primary_key=True),
    Column("campaign_name", String(255)),
    Column("currency", CCY, nullable=False),
    # Campaign-level report rows; None where the platform reported "-" (no data, not zero).
    Column("spend", Money),
    Column("impressions", BigInteger),
    Column("clicks", BigInteger),
    Column("conversions", BigInteger),
    Column("purchases", BigInteger),
    Column("purchase_value", Money),
    Column("video_views", BigInteger),
    sqlite_with_rowid=False,
)

affiliate_daily = Table(
    "affiliate_daily",
    metadata,
    Column("shop_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("creator_username", String(128), primary_key=True),
    Column("content_type", String(16), primary_key=True),  # VIDEO | LIVE | SHOWCASE | ""
    Column("currency", CCY, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("gmv", Money, nullable=False),
    Column("commission", Money, nullable=False),  # actual paid, else estimated
    Column("refunded_units", Integer, nullable=False),
    sqlite_with_rowid=False,
)

rollup_dirty_days = Table(
    "rollup_dirty_days",
    metadata,
    # Local days whose rollups are stale: written in the same transaction as the raw rows that
    # changed them, cleared in the transaction that recomputes them (so a crash loses nothing).
    Column("shop_id", ID, primary_key=True),
    Column("day", Date, primary_key=True),
    sqlite_with_rowid=False,
)


# --- operations: cursors, runs, deliveries, alerts -------------------------------------------

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("source", String(32), primary_key=True),  # orders | refunds | ads | affiliate | ...
    Column("subject_id", ID, primary_key=True),  # shop id or advertiser id
    Column("cursor_time", UTCDateTime),  # everything updated before this is stored
    Column("page_token", Text),  # mid-window resume point, cleared when the window completes
    Column("window_end", UTCDateTime),
    Column("latest_complete_day", Date),  # freshness: the last local day fully synced
    Column("updated_at", UTCDateTime, nullable=False),
)

#: OAuth ``state`` values issued for the TikTok Shop authorization link
#: (``jobs.accounts.oauth``): random, bound to one tenant, single use, valid 30 minutes.
oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("tenant_id", ID, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

#: TikTok Shop push messages as received (``jobs.web.tiktok_push``): one row per
#: ``tts_notification_id``, so TikTok's retries are recognised; ``processed_at`` is set once the
#: worker has acted on it.
tiktok_pushes = Table(
    "tiktok_pushes",
    metadata,
    Column("notification_id", String(128), primary_key=True),
    Column("type", Integer, nullable=False),
    Column("shop_id", ID),
    Column("sent_at", UTCDateTime),  # the message's own ``timestamp``
    Column("received_at", UTCDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("processed_at", UTCDateTime),
    Column("outcome", String(200)),
    Index("ix_tiktok_pushes_pending", "processed_at", "received_at"),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # sync_shop | sync_ads | import | digest | ...
    Column("subject_id", ID),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),  # running | ok | failed | partial
    Column("rows_read", BigInteger, nullable=False, default=0),
    Column("rows_written", BigInteger, nullable=False, default=0),
    Column("pages", Integer, nullable=False, default=0),
    Column("retries", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("details", JSON),
    Index("ix_job_runs_kind_subject", "kind", "subject_id", "started_at"),
)

digest_runs = Table(
    "digest_runs",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("window", String(32), primary_key=True),  # e.g. 2026-W47
    # scheduled | waiting | rendering | sending | sent | partial | failed
    Column("status", String(16), nullable=False),
    Column("snapshot", JSON),  # the frozen numbers the digest and its thread answer from
    Column("snapshot_hash", String(64)),
    Column("missing", JSON),
    Column("history", JSON, nullable=False, default=list),
    *_stamps(),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("window", String(32), primary_key=True),
    Column("channel_kind", String(16), primary_key=True),  # slack | telegram | file
    Column("channel_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # claimed | sent | failed
    Column("message_id", String(64)),  # Slack ts / Telegram message id
    Column("extra_ids", JSON),  # thread files, media group ids, document id
    Column("snapshot_hash", String(64)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("error", Text),
)

alert_states = Table(
    "alert_states",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("subject_id", ID, primary_key=True),
    Column("state", String(16), nullable=False),  # ok | failing
    Column("since", UTCDateTime, nullable=False),
    Column("last_notified_at", UTCDateTime),
    Column("incident", Integer, nullable=False, default=0),
    Column("details", JSON),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("channel_kind", String(16), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("alert_kind", String(32), primary_key=True),
    Column("subscribed", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Targets changed from chat (``target roas 3.0``); they override the tenants file's ``targets``.
target_overrides = Table(
    "target_overrides",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("target", String(32), primary_key=True),  # a field of config.tenants.Targets
    Column("value", Rate, nullable=False),
    Column("set_by", String(128), nullable=False),  # "slack:U123" / "telegram:42" / "terminal"
    Column("updated_at", UTCDateTime, nullable=False),
)
