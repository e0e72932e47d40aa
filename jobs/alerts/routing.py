"""Where an alert goes: the tenant's bound chats that hear its kind, and whether now is quiet.

Quiet hours are local hours ``[start, end)`` in the tenant's own time zone (the zone its digest
schedule is written in); ``[22, 8]`` wraps over midnight. Urgent kinds ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from config.tenants import Tenant
from jobs.alerts.subscriptions import channel_settings, hears


@dataclass(frozen=True)
class Destination:
    """One chat an alert is posted to, with the admins to mention there."""

    channel_kind: str  # slack | telegram | feishu | wecom
    channel_id: str
    admins: tuple[str, ...]


def tenant_zone(tenant: Tenant) -> ZoneInfo:
    """The time zone the tenant reads times in."""
    return ZoneInfo(tenant.digest.timezone)


def in_quiet_hours(tenant: Tenant, now: datetime) -> bool:
    """True when ``now`` falls in the tenant's quiet hours (never, if none are set)."""
    if tenant.quiet_hours is None:
        return False
    start, end = tenant.quiet_hours
    hour = now.astimezone(tenant_zone(tenant)).hour
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def destinations(conn: Connection, tenant: Tenant, kind: str) -> list[Destination]:
    """The tenant's Slack channels, Telegram, Feishu and WeCom chats that hear ``kind``."""
    found = [Destination("slack", b.channel, tuple(b.admins)) for b in tenant.chats.slack]
    found += [Destination("telegram", str(b.chat), tuple(str(a) for a in b.admins))
              for b in tenant.chats.telegram]
    found += [Destination("feishu", b.chat, tuple(b.admins)) for b in tenant.chats.feishu]
    found += [Destination("wecom", b.name, tuple(b.admins)) for b in tenant.chats.wecom]
    return [d for d in found if hears(channel_settings(conn, d.channel_kind, d.channel_id), kind)]
