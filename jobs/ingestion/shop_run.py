"""One shop sync in progress: its access token (refreshed when the API rejects it), zone,
cleaning rules and run counters, shared by the sync steps of ``jobs.ingestion.shop_sync`` and
``jobs.ingestion.extras``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from analytics.clean import DEFAULT_RULES
from jobs.accounts.access_tokens import shop_access
from jobs.ingestion.runlog import Run
from jobs.resources import Connectors
from jobs.sources.errors import AuthError
from jobs.warehouse.rollups import cleaning_rules
from jobs.warehouse.schema import shops

#: Access-token refreshes one run may do after the API said the token expired.
MAX_REFRESHES_PER_RUN = 2

Progress = Callable[[str, int, int | None], None]
"""Called after every committed page with (source, rows in the page, total if known)."""


class ShopRun:
    """State of one shop sync: its access (refreshed when the API says so) and run counters."""

    def __init__(self, conns: Connectors, shop_id: str, run: Run, now: datetime) -> None:
        assert conns.shop is not None, "a shop client is required"
        self.conns, self.client, self.shop_id, self.run, self.now = (
            conns, conns.shop, shop_id, run, now)
        self.refreshes = 0
        with conns.engine.connect() as c:
            shop = c.execute(select(shops).where(shops.c.shop_id == shop_id)).one()
        self.currency, self.zone = shop.currency, ZoneInfo(shop.timezone)
        tenant = conns.tenants.tenant_of_shop(shop_id) if conns.tenants else None
        self.rules = cleaning_rules(tenant) if tenant else DEFAULT_RULES
        self.access = shop_access(conns.engine, conns.redis, self.client, conns.cipher,
                                  shop_id, now=now)

    def refresh(self) -> None:
        """Get a new access token after the API rejected ours; bounded per run."""
        self.refreshes += 1
        if self.refreshes > MAX_REFRESHES_PER_RUN:
            raise AuthError("access token rejected again right after a refresh")
        self.access = shop_access(self.conns.engine, self.conns.redis, self.client,
                                  self.conns.cipher, self.shop_id, force_refresh=True,
                                  now=self.now)
