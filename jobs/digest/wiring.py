"""The digest's composition root: settings in, engine, Redis, tenants and notifiers out.

Each RQ job and each CLI command reads ``Settings`` once and calls ``digest_deps``; nothing below
reads the environment. Slack and Telegram notifiers exist only when their bot token is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import redis
from sqlalchemy import Engine

from config.settings import Settings
from config.tenants import Tenant, TenantRegistry, load_tenants
from jobs.accounts.tenancy import effective_registry
from jobs.digest.deliver import Notifier
from jobs.notify.slack import SlackNotifier, slack_client
from jobs.notify.telegram import TelegramNotifier
from jobs.warehouse.db import make_engine

#: The RQ queue the digest jobs run on (the Procfile's workers listen to it).
QUEUE = "tikpulse"
TOKENS = {"slack": "SLACK_BOT_TOKEN", "telegram": "TELEGRAM_BOT_TOKEN"}


class UnknownTenant(LookupError):
    """No tenant has this id in the tenants file or the warehouse."""


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)


@dataclass
class DigestDeps:
    """What the digest steps need, built once per job or command."""

    settings: Settings
    engine: Engine
    redis: redis.Redis
    registry: TenantRegistry
    _notifiers: dict[str, Notifier | None] = field(default_factory=dict)

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
        if kind not in self._notifiers:
            self._notifiers[kind] = self._make(kind)
        return self._notifiers[kind]

    def _make(self, kind: str) -> Notifier | None:
        s = self.settings
        if kind == "slack" and s.slack_bot_token:
            return SlackNotifier(slack_client(s.secret("slack_bot_token"), s.slack_api_url))
        if kind == "telegram" and s.telegram_bot_token:
            return TelegramNotifier(s.secret("telegram_bot_token"), s.telegram_api_url)
        return None

    def missing_setting(self, kind: str) -> str:
        """Why a channel of ``kind`` cannot be served, and the fix."""
        return f"{TOKENS.get(kind, kind)} is not set: export it to deliver to {kind}"


def digest_deps(settings: Settings) -> DigestDeps:
    """Engine, Redis, the effective tenants and notifiers for ``settings``."""
    engine = _engine(settings.database_url)
    registry = effective_registry(engine, load_tenants(settings.tikpulse_config))
    return DigestDeps(settings, engine, redis.Redis.from_url(settings.redis_url), registry)
