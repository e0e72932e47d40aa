"""Which alert kinds each chat channel hears: everything by default, muted kind by kind.

The bot's ``alerts on|off <kind>`` commands call ``subscribe`` and ``unsubscribe``; ``all`` stands
for every kind. A setting for one kind wins over the ``all`` setting, so "mute all, but keep
auth_broken" works. Channels are ``("slack", "C0ACME")``, ``("telegram", "-100123")``,
``("feishu", "oc_...")`` or ``("wecom", "<robot name>")``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from jobs.alerts.kinds import ALL_KINDS, KINDS, alert_kind
from jobs.warehouse.schema import subscriptions
from jobs.warehouse.upsert import upsert

#: Chat systems an alert can go to.
CHANNEL_KINDS = ("slack", "telegram", "feishu", "wecom")


def subscribe(conn: Connection, channel_kind: str, channel_id: str | int, kind: str,
              *, now: datetime | None = None) -> None:
    """Let ``channel`` hear alerts of ``kind`` (or ``all``) again."""
    _set(conn, channel_kind, channel_id, kind, True, now)


def unsubscribe(conn: Connection, channel_kind: str, channel_id: str | int, kind: str,
                *, now: datetime | None = None) -> None:
    """Mute alerts of ``kind`` (or ``all``) in ``channel``."""
    _set(conn, channel_kind, channel_id, kind, False, now)


def channel_settings(conn: Connection, channel_kind: str, channel_id: str | int) -> dict[str, bool]:
    """The explicit settings of one channel, kind -> subscribed (kinds not listed are on)."""
    rows = conn.execute(
        select(subscriptions.c.alert_kind, subscriptions.c.subscribed).where(
            subscriptions.c.channel_kind == channel_kind,
            subscriptions.c.channel_id == str(channel_id),
        )
    )
    return {r.alert_kind: bool(r.subscribed) for r in rows}


def hears(settings: dict[str, bool], kind: str) -> bool:
    """Whether a channel with ``settings`` (from ``channel_settings``) hears ``kind``."""
    if kind in settings:
        return settings[kind]
    return settings.get(ALL_KINDS, True)


def is_subscribed(conn: Connection, channel_kind: str, channel_id: str | int, kind: str) -> bool:
    """Whether ``channel`` hears alerts of ``kind``."""
    return hears(channel_settings(conn, channel_kind, channel_id), kind)


def _set(conn: Connection, channel_kind: str, channel_id: str | int, kind: str, on: bool,
         now: datetime | None) -> None:
    if channel_kind not in CHANNEL_KINDS:
        raise ValueError(f"unknown channel kind {channel_kind!r}; use slack or telegram "
                         "(or feishu, wecom)")
    if kind != ALL_KINDS:
        alert_kind(kind)  # refuses an unknown kind with the list of known ones
    upsert(conn, subscriptions, [{
        "channel_kind": channel_kind, "channel_id": str(channel_id), "alert_kind": kind,
        "subscribed": on, "updated_at": now or datetime.now(UTC),
    }])


def known_kinds() -> list[str]:
    """Every kind a channel can subscribe to, for help texts."""
    return [ALL_KINDS, *sorted(KINDS)]
