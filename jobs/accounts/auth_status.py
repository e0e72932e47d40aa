"""Authorization status: record auth failures, tell syncs when to stop, report health.

- ``record_auth_failure`` turns every ``AuthError`` into a status change of the authorization
  (``record_shop_auth_failure`` / ``record_advertiser_auth_failure`` find it by what it covers);
- ``sync_blocked`` tells a sync to stop for that shop or advertiser instead of hammering the API:
  only ``SYNCABLE_STATUSES`` may be used;
- ``authorization_health`` gives every authorization with what it covers and its health for
  ``tikpulse auth status`` ("expiring" ``EXPIRING_WARNING`` before the refresh token expires).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, select, update

from jobs.accounts.authorizations import _advertiser_auth_row, _shop_auth_row
from jobs.sources.errors import AuthError
from jobs.warehouse.schema import advertisers, authorizations, shops

log = logging.getLogger(__name__)

#: Report a refresh token as "expiring" this long before it expires.
EXPIRING_WARNING = timedelta(days=7)
#: Statuses under which syncing continues.
SYNCABLE_STATUSES = frozenset({"healthy", "expiring"})


@dataclass(frozen=True)
class AuthHealth:
    """One line of ``tikpulse auth status``."""

    auth_id: int
    kind: str
    tenant_id: str
    seller_name: str | None
    covers: tuple[str, ...]
    health: str
    reason: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None


def record_auth_failure(
    engine: Engine, auth_id: int, error: AuthError, *, now: datetime | None = None
) -> str:
    """Record ``error`` as the authorization's status; returns the new status."""
    status = error.status
    stamp = now or datetime.now(UTC)
    with engine.begin() as conn:
        current = conn.execute(select(authorizations.c.status)
                               .where(authorizations.c.auth_id == auth_id)).scalar_one()
        values: dict[str, Any] = {"status": status, "status_reason": str(error),
                                  "updated_at": stamp}
        if current != status:
            values["status_changed_at"] = stamp
        conn.execute(update(authorizations).where(authorizations.c.auth_id == auth_id)
                     .values(**values))
    log.warning("authorization %s is now %s: %s", auth_id, status, error)
    return status


def record_shop_auth_failure(engine: Engine, shop_id: str, error: AuthError) -> str:
    """``record_auth_failure`` for the authorization that covers ``shop_id``."""
    return record_auth_failure(engine, _shop_auth_row(engine, shop_id).auth_id, error)


def record_advertiser_auth_failure(engine: Engine, advertiser_id: str, error: AuthError) -> str:
    """``record_auth_failure`` for the authorization that covers ``advertiser_id``."""
    return record_auth_failure(engine, _advertiser_auth_row(engine, advertiser_id).auth_id, error)


def sync_blocked(engine: Engine, *, shop_id: str | None = None,
                 advertiser_id: str | None = None) -> str | None:
    """The blocking status if the subject's authorization must not be used, else ``None``."""
    row = (_shop_auth_row(engine, shop_id) if shop_id
           else _advertiser_auth_row(engine, str(advertiser_id)))
    return None if row.status in SYNCABLE_STATUSES else str(row.status)


def authorization_health(engine: Engine, *, now: datetime | None = None) -> list[AuthHealth]:
    """Every authorization with its health for ``tikpulse auth status``."""
    stamp = now or datetime.now(UTC)
    with engine.connect() as conn:
        rows = conn.execute(select(authorizations).order_by(authorizations.c.auth_id)).all()
        covers = _covered(conn)
    return [AuthHealth(r.auth_id, r.kind, r.tenant_id, r.seller_name,
                       tuple(covers.get(r.auth_id, ())), _health(r, stamp), r.status_reason,
                       r.access_expires_at, r.refresh_expires_at) for r in rows]


def _health(row: Row[Any], now: datetime) -> str:
    if row.status not in SYNCABLE_STATUSES:
        return str(row.status)
    if row.refresh_expires_at is not None and row.refresh_expires_at <= now:
        return "expired"
    if row.refresh_expires_at is not None and row.refresh_expires_at - EXPIRING_WARNING <= now:
        return "expiring"
    return "healthy"


def _covered(conn: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for table, key in ((shops, shops.c.shop_id), (advertisers, advertisers.c.advertiser_id)):
        for auth_id, subject in conn.execute(select(table.c.auth_id, key)).all():
            if auth_id is not None:
                out.setdefault(auth_id, []).append(subject)
    return out


__all__: Sequence[str] = (
    "EXPIRING_WARNING", "SYNCABLE_STATUSES", "AuthHealth", "authorization_health",
    "record_advertiser_auth_failure", "record_auth_failure", "record_shop_auth_failure",
    "sync_blocked",
)
