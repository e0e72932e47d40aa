"""What the digest steps need, handed in by ``jobs.wiring.digest_deps``: warehouse, Redis, the
effective tenants and one notifier per configured chat system.

Nothing here reads the environment; a chat system whose bot token is not set has no notifier, and
``missing_setting`` says which variable to export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import redis
from sqlalchemy import Engine

from config.tenant_registry import TenantRegistry
from config.tenants import Tenant
from jobs.digest.deliver import Notifier

#: The setting that enables each chat system's notifier.
TOKENS = {"slack": "SLACK_BOT_TOKEN", "telegram": "TELEGRAM_BOT_TOKEN",
          "feishu": "FEISHU_APP_ID/FEISHU_APP_SECRET", "wecom": "TIKPULSE_SECRET_KEY"}


class UnknownTenant(LookupError):
    """No tenant has this id in the tenants file or the warehouse."""


@dataclass
class DigestDeps:
    """The digest's connections, built once per job or command."""

    engine: Engine
    redis: redis.Redis
    registry: TenantRegistry
    notifiers: Mapping[str, Notifier]

    def tenant(self, tenant_id: str) -> Tenant:
        """The tenant, or ``UnknownTenant`` listing the known ids."""
        tenant = self.registry.tenant(tenant_id)
        if tenant is None:
            known = ", ".join(t.id for t in self.registry.tenants) or "none"
            raise UnknownTenant(f"unknown tenant {tenant_id!r} (known: {known}); check "
                                "TIKPULSE_CONFIG or run 'tikpulse tenants'")
        return tenant

    def notifier(self, kind: str) -> Notifier | None:
        """The notifier of ``kind`` (slack | telegram), or None when its token is not set."""
        return self.notifiers.get(kind)

    def missing_setting(self, kind: str) -> str:
        """Why a channel of ``kind`` cannot be served, and the fix."""
        return f"{TOKENS.get(kind, kind)} is not set: export it to deliver to {kind}"
