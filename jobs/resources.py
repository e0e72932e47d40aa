"""What every job talks to, named once: the connector bundle, the RQ queue, API limits, timeouts.

``Connectors`` is built by ``jobs.wiring`` (per process) or by a test with its own clients, and
passed down; nothing below reads the environment. The queue name and the limits live here so the
Procfile's workers, the schedules, the bot and the benches all say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine

from config.tenant_registry import TenantRegistry
from jobs.sources.ratelimit import RateLimit
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.shop import TikTokShopClient

#: The one RQ queue every job runs on; the Procfile's workers listen to it.
QUEUE = "tikpulse"

#: Partner API allowance per app (no official page; ~50 req/s seen on affiliate calls).
SHOP_LIMIT = RateLimit(qps=20.0)
#: Business API basic tier: 10 QPS, 864,000 per day.
ADS_LIMIT = RateLimit(qps=10.0, daily_quota=864_000)
#: Creator Marketplace: 10,000 lookups a day per app (the shop API's limiter paces each call;
#: ~50/s is the affiliate rate reported).
CREATOR_MARKETPLACE_LIMIT = RateLimit(qps=50.0, daily_quota=10_000)
#: Seconds one sync job may run (a first sync pulls 90 days); also how long its lock lives.
SYNC_TIMEOUT_S = 3600
#: Connect/read timeouts of every TikTok call, seconds.
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass
class Connectors:
    """Everything a sync talks to; built per process by ``jobs.wiring.connectors_from_settings``."""

    engine: Engine
    redis: Any
    cipher: Any
    shop: TikTokShopClient | None = None
    ads: TikTokAdsClient | None = None
    #: The tenants file, for each tenant's cleaning rules (test-order markers).
    tenants: TenantRegistry | None = None
    #: Called on every retried call (the run log counts them).
    retry_hooks: list[Callable[..., None]] = field(default_factory=list)
    #: The app's Creator Marketplace allowance (daily quota shared by every worker).
    creator_quota: RateLimit = CREATOR_MARKETPLACE_LIMIT

    def on_retry(self, *args: Any) -> None:
        """Forward a retry to every registered hook."""
        for hook in self.retry_hooks:
            hook(*args)
