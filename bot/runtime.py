"""The bot's composition root: settings in, a ``BotContext`` (warehouse, Redis, tenants) out.

Used by ``tikpulse serve slack|telegram``, by the RQ jobs that finish slow answers and by
``tikpulse ask``; each reads ``Settings`` once at its entry point and passes it here.
"""

from __future__ import annotations

import redis

from bot.commands.context import BotContext
from config.settings import Settings
from config.tenant_registry import load_tenants
from jobs.warehouse.db import make_engine

#: Seconds to wait for Redis when it is optional (the terminal answers without it).
REDIS_CONNECT_TIMEOUT_S = 0.5


def worker_settings() -> Settings:
    """The settings of a bot job in an RQ worker (Slack's and Feishu's slow answers): the job is
    its own entry point, so it reads them from the environment, here in one place."""
    return Settings()


def bot_context(settings: Settings, *, redis_required: bool = True) -> BotContext:
    """Engine, Redis and tenants from ``settings``; ``TenantsFileError`` for a bad tenants file.

    With ``redis_required=False`` an unreachable Redis leaves ``ctx.redis`` empty (no rate limit,
    no enqueueing) instead of failing.
    """
    tenants = load_tenants(settings.tikpulse_config)
    engine = make_engine(settings.database_url)
    conn: redis.Redis | None = redis.Redis.from_url(
        settings.redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S)
    if not redis_required:
        try:
            conn.ping()  # type: ignore[union-attr]
        except redis.RedisError:
            conn = None
    return BotContext(tenants, engine, conn)
