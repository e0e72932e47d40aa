"""The composition root of ingestion: settings in, connected clients and stores out.

Read once per process (or per RQ job) and passed down; nothing below this module reads the
environment. Rate limits are per (app, API) and shared by every worker through Redis.
"""

from __future__ import annotations

import httpx
import redis

from config.settings import Settings
from config.tenants import load_tenants
from jobs.ingestion.sync import Connectors
from jobs.sources.ratelimit import RateLimit, RateLimiter
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.db import make_engine

#: Partner API allowance per app (no official page; ~50 req/s seen on affiliate calls).
SHOP_LIMIT = RateLimit(qps=20.0)
#: Business API basic tier: 10 QPS, 864,000 per day.
ADS_LIMIT = RateLimit(qps=10.0, daily_quota=864_000)
#: Connect/read timeouts of every TikTok call, seconds.
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def connectors_from_settings(
    settings: Settings, *, shop_limit: RateLimit = SHOP_LIMIT, ads_limit: RateLimit = ADS_LIMIT,
    http: httpx.Client | None = None,
) -> Connectors:
    """Engine, Redis, token cipher and both API clients for the configured apps (when set)."""
    conn_redis = redis.Redis.from_url(settings.redis_url)
    conns = Connectors(engine=make_engine(settings.database_url), redis=conn_redis,
                       cipher=TokenCipher(settings.secret("tikpulse_secret_key")),
                       tenants=load_tenants(settings.tikpulse_config))
    http = http or httpx.Client(timeout=HTTP_TIMEOUT)
    if settings.tiktok_app_key and settings.tiktok_app_secret:
        conns.shop = TikTokShopClient(
            http, app_key=settings.tiktok_app_key, app_secret=settings.secret("tiktok_app_secret"),
            auth_url=settings.tiktok_shop_auth_url, api_url=settings.tiktok_shop_api_url,
            limiter=RateLimiter(conn_redis, settings.tiktok_app_key, "shop", shop_limit),
            retry=RetryPolicy(on_retry=conns.on_retry))
    if settings.tiktok_ads_app_id and settings.tiktok_ads_secret:
        conns.ads = TikTokAdsClient(
            http, app_id=settings.tiktok_ads_app_id, secret=settings.secret("tiktok_ads_secret"),
            api_url=settings.tiktok_ads_api_url,
            limiter=RateLimiter(conn_redis, settings.tiktok_ads_app_id, "ads", ads_limit),
            retry=RetryPolicy(on_retry=conns.on_retry))
    return conns
