"""Test wiring against the real simulator: a sandbox, connectors pointed at it, connected sellers.

Only the URLs differ from production: clients, signing, OAuth, rate limiting and the warehouse are
the real ones.
"""

from __future__ import annotations

from datetime import date

import httpx
import redis
from sqlalchemy import Engine

from config.tenant_registry import TenantRegistry
from config.tenants import Store, Tenant
from jobs.accounts.connect import connect_ads, connect_shop
from jobs.resources import Connectors
from jobs.sources.ratelimit import RateLimit, RateLimiter
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.warehouse.crypto import TokenCipher
from sandbox.config import GeneratorConfig
from sandbox.server import Sandbox

#: The demo data set of the issue.
DEMO = GeneratorConfig(seed=7, shops=3, weeks=10, end=date(2026, 11, 23))
SECRET_KEY = "test-secret-key-0123456789abcdef"


def connectors(sb: Sandbox, engine: Engine, redis_url: str, *, qps: float | None = None,
               timeout: float = 10.0, retry_base: float = 0.05) -> Connectors:
    """Real clients against the sandbox (fast backoff so fault tests stay quick)."""
    c = sb.credentials
    conn_redis = redis.Redis.from_url(redis_url)
    conns = Connectors(engine, conn_redis, TokenCipher(SECRET_KEY))
    http = httpx.Client(timeout=timeout)

    def policy() -> RetryPolicy:
        return RetryPolicy(attempts=8, base_delay=retry_base, max_delay=1.0,
                           on_retry=conns.on_retry)

    def limiter(app: str, api: str) -> RateLimiter | None:
        return RateLimiter(conn_redis, app, api, RateLimit(qps)) if qps else None

    conns.shop = TikTokShopClient(http, app_key=c.app_key, app_secret=c.app_secret,
                                  auth_url=sb.shop_auth_url, api_url=sb.shop_api_url,
                                  limiter=limiter(c.app_key, "shop"), retry=policy())
    conns.ads = TikTokAdsClient(http, app_id=c.ads_app_id, secret=c.ads_secret,
                                api_url=sb.ads_api_url, limiter=limiter(c.ads_app_id, "ads"),
                                retry=policy())
    return conns


def registry(sb: Sandbox) -> TenantRegistry:
    """A tenants file listing each demo shop with the advertisers that promote it."""
    ds = sb.dataset
    tenants = []
    for i, seller in enumerate(sb.credentials.sellers):
        stores = []
        for shop_id in seller.shop_ids:
            row = ds.shop_row(shop_id)
            advs = ds.advertisers[ds.advertisers["shop_idx"] == row]["advertiser_id"]
            stores.append(Store(shop_id=shop_id, region=str(ds.shops["region"][row]),
                                advertiser_ids=tuple(str(a) for a in advs)))
        tenants.append(Tenant(id=f"seller-{i + 1}", name=seller.name, stores=tuple(stores)))
    return TenantRegistry(None, tuple(tenants))


def connect_all(sb: Sandbox, conns: Connectors) -> tuple[list[str], list[str]]:
    """Authorize every demo seller through the real OAuth exchange; (shop ids, advertiser ids)."""
    assert conns.shop is not None and conns.ads is not None
    reg = registry(sb)
    shop_ids, adv_ids = [], []
    for i in range(len(sb.credentials.sellers)):
        shop = connect_shop(conns.engine, conns.shop, conns.cipher,
                            sb.new_auth_code(i, "shop"), f"seller-{i + 1}", registry=reg)
        ads = connect_ads(conns.engine, conns.ads, conns.cipher, sb.new_auth_code(i, "ads"),
                          f"seller-{i + 1}", registry=reg)
        shop_ids += shop.subject_ids
        adv_ids += ads.subject_ids
    return shop_ids, adv_ids
