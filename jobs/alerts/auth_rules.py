"""Authorization rules: a shop or ads authorization that is broken or about to expire.

Reads ``authorizations`` as ``jobs.accounts.auth_status`` and the health check leave them
(``status``, ``status_reason``, ``status_changed_at``) and ``refresh_expires_at``; TikTok's
own expiry notice (push type 7, ``expiry_noticed_at``) starts the expiry warning at once. One
subject per authorization; the facts list the shops or advertisers it covers and how far their data
reaches, so the message can say what is missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select

from jobs.accounts.auth_status import SYNCABLE_STATUSES
from jobs.alerts.findings import Finding, healthy
from jobs.alerts.kinds import DEFAULT_EXPIRY_WARNING_DAYS
from jobs.warehouse.schema import advertisers, authorizations, shops, sync_cursors

#: Authorization states under which syncs go on (anything else stops them:
#: jobs.accounts.auth_status).
WORKING_STATUSES = SYNCABLE_STATUSES


def check_authorizations(
    conn: Connection, tenant_id: str, now: datetime,
    *, warn_days: int = DEFAULT_EXPIRY_WARNING_DAYS,
) -> Iterator[Finding]:
    """Findings ``auth_broken``/``auth_expiring`` per shop authorization, ``ads_token_dead`` per
    ads authorization of the tenant."""
    rows = conn.execute(select(authorizations).where(authorizations.c.tenant_id == tenant_id))
    for auth in rows:
        facts = _facts(conn, auth, tenant_id)
        subject = str(auth.auth_id)
        if auth.kind == "ads":
            yield _status_finding(tenant_id, "ads_token_dead", subject, auth, facts)
            continue
        broken = _status_finding(tenant_id, "auth_broken", subject, auth, facts)
        if not broken.failing and auth.refresh_expires_at and auth.refresh_expires_at <= now:
            broken = Finding(tenant_id, "auth_broken", subject, True, "expired",
                             started_at=auth.refresh_expires_at, facts=facts)
        yield broken
        yield _expiry_finding(tenant_id, subject, auth, now, warn_days, facts, broken.failing)


def _status_finding(
    tenant_id: str, kind: str, subject: str, auth: Row[Any], facts: dict[str, Any],
) -> Finding:
    if auth.status in WORKING_STATUSES:
        return healthy(tenant_id, kind, subject, **facts)
    return Finding(tenant_id, kind, subject, True, auth.status,
                   started_at=auth.status_changed_at, facts=facts)


def _expiry_finding(
    tenant_id: str, subject: str, auth: Row[Any], now: datetime, warn_days: int,
    facts: dict[str, Any], already_broken: bool,
) -> Finding:
    expires = auth.refresh_expires_at
    noticed = auth.expiry_noticed_at  # TikTok's own notice (push type 7) warns earlier
    if already_broken or expires is None or (
            noticed is None and expires - now > timedelta(days=warn_days)):
        return healthy(tenant_id, "auth_expiring", subject, **facts)
    days_left = max(0, (expires - now).days)
    return Finding(tenant_id, "auth_expiring", subject, True, "expiring", severity="medium",
                   started_at=noticed or expires - timedelta(days=warn_days),
                   facts={**facts, "expires_at": expires.isoformat(), "days_left": days_left})


def _facts(conn: Connection, auth: Row[Any], tenant_id: str) -> dict[str, Any]:
    """Who of ``tenant_id`` the authorization covers (never another tenant's shops, when one
    seller's shops belong to two clients) and the last complete day of each of their sources."""
    covered: Sequence[Any]
    if auth.kind == "ads":
        covered = conn.execute(select(advertisers.c.advertiser_id.label("id"), advertisers.c.name)
                               .where(advertisers.c.auth_id == auth.auth_id,
                                      advertisers.c.tenant_id == tenant_id)).all()
    else:
        covered = conn.execute(select(shops.c.shop_id.label("id"), shops.c.name, shops.c.region)
                               .where(shops.c.auth_id == auth.auth_id,
                                      shops.c.tenant_id == tenant_id)).all()
    ids = [c.id for c in covered]
    cursors = conn.execute(select(sync_cursors.c.source, sync_cursors.c.subject_id,
                                  sync_cursors.c.latest_complete_day)
                           .where(sync_cursors.c.subject_id.in_(ids))).all() if ids else []
    return {
        "auth_kind": auth.kind,
        "seller_name": auth.seller_name,
        "region": auth.region or next((getattr(c, "region", None) for c in covered), None),
        "status_reason": auth.status_reason,
        "subjects": [{"id": c.id, "name": c.name} for c in covered],
        "data_through": sorted(
            ({"source": c.source, "subject_id": c.subject_id,
              "day": c.latest_complete_day.isoformat()} for c in cursors
             if c.latest_complete_day is not None),
            key=lambda d: (d["subject_id"], d["source"])),
    }
