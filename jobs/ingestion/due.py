"""Which syncs are due now: every authorized shop and ads account, read from the run log.

A shop or advertiser whose authorization can be used is due
- at once when it has never been synced (a new authorization needs no manual step);
- for an incremental sync when its last sync started ``INCREMENTAL_EVERY`` ago or more;
- (shops) for a full sync (traffic, stock, creators, content, settlements) once a local day, from
  ``FULL_SYNC_LOCAL_HOUR`` in the shop's own time zone, its night.

Everything is read from ``job_runs`` (durable; a run records whether it was full when it starts),
so a restarted cron or Redis changes nothing. ``window`` names the slot a sync is due for; the
dispatcher claims each (subject, window) once, so an extra tick never enqueues it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from jobs.accounts.auth_status import SYNCABLE_STATUSES
from jobs.warehouse.schema import advertisers, authorizations, job_runs, shops

#: Incremental sync cadence of every authorized shop and ads account.
INCREMENTAL_EVERY = timedelta(hours=1)
#: Local hour (the store's zone) from which the day's full sync is due: the shop's night.
FULL_SYNC_LOCAL_HOUR = 3
#: How far back the run log is read for a subject's last runs.
RUN_LOOKBACK = timedelta(days=2)
#: ``job_runs.kind`` of each subject kind's syncs.
RUN_KINDS = {"shop": "sync_shop", "advertiser": "sync_ads"}


@dataclass(frozen=True)
class DueSync:
    """One sync to enqueue: what, how deep, why, and the slot it is due for."""

    kind: str  # shop | advertiser
    subject_id: str
    full: bool
    reason: str  # first | hourly | nightly
    window: str


def due_syncs(conn: Connection, now: datetime) -> list[DueSync]:
    """Every sync due at ``now`` (aware), shops first, each subject at most once."""
    recent = _recent_runs(conn, now)
    due = []
    for kind, subject_id, zone in _syncable(conn):
        runs = recent.get((RUN_KINDS[kind], subject_id), [])
        if not runs and not _ever_synced(conn, RUN_KINDS[kind], subject_id):
            due.append(DueSync(kind, subject_id, kind == "shop", "first", "first"))
            continue
        nightly = kind == "shop" and _full_due(runs, ZoneInfo(zone), now)
        if nightly:
            local_day = now.astimezone(ZoneInfo(zone)).date().isoformat()
            due.append(DueSync(kind, subject_id, True, "nightly", f"full-{local_day}"))
        elif not runs or now - max(r["started_at"] for r in runs) >= INCREMENTAL_EVERY:
            slot = now.astimezone(UTC).strftime("%Y-%m-%dT%H")
            due.append(DueSync(kind, subject_id, False, "hourly", f"hour-{slot}"))
    return due


def _syncable(conn: Connection) -> list[tuple[str, str, str]]:
    """(kind, id, time zone) of every shop and advertiser whose authorization can be used."""
    usable = authorizations.c.status.in_(SYNCABLE_STATUSES)
    shop_rows = conn.execute(
        select(shops.c.shop_id, shops.c.timezone)
        .join(authorizations, authorizations.c.auth_id == shops.c.auth_id)
        .where(usable).order_by(shops.c.shop_id)).all()
    ad_rows = conn.execute(
        select(advertisers.c.advertiser_id, advertisers.c.timezone)
        .join(authorizations, authorizations.c.auth_id == advertisers.c.auth_id)
        .where(usable).order_by(advertisers.c.advertiser_id)).all()
    return ([("shop", r.shop_id, r.timezone) for r in shop_rows]
            + [("advertiser", r.advertiser_id, r.timezone or "UTC") for r in ad_rows])


def _recent_runs(conn: Connection, now: datetime) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The syncs started in the last ``RUN_LOOKBACK``, by (run kind, subject), in one query."""
    rows = conn.execute(select(job_runs.c.kind, job_runs.c.subject_id, job_runs.c.started_at,
                               job_runs.c.details).where(
        job_runs.c.kind.in_(list(RUN_KINDS.values())),
        job_runs.c.started_at >= now - RUN_LOOKBACK)).mappings().all()
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault((r["kind"], r["subject_id"]), []).append(dict(r))
    return found


def _ever_synced(conn: Connection, kind: str, subject_id: str) -> bool:
    return bool(conn.execute(select(func.count()).select_from(job_runs).where(
        job_runs.c.kind == kind, job_runs.c.subject_id == subject_id)).scalar())


def _full_due(runs: list[dict[str, Any]], zone: ZoneInfo, now: datetime) -> bool:
    """True from the local full-sync hour on, until a full run started that local day."""
    local = now.astimezone(zone)
    if local.hour < FULL_SYNC_LOCAL_HOUR:
        return False
    day_start = datetime.combine(local.date(), time(), zone)
    return not any((r["details"] or {}).get("full") and r["started_at"] >= day_start
                   for r in runs)
