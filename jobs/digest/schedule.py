"""Which digests are due: each tenant's report crons evaluated in its own IANA time zone.

``rq cron`` ticks in UTC every few minutes (``jobs.cron_config``); the task ``dispatch_due`` calls
``dispatch``. For each tenant and each of its report cadences (weekly, bi-weekly, monthly:
``DigestSchedule.schedules``) it lists the cron's fire times since the last tick (croniter on
zone-aware times, so 09:00 Monday stays 09:00 local across DST changes); a fire reports the last
complete period of its cadence (a bi-weekly one only on the week after its fortnight ends). It
catches up windows missed while nothing ran (at most ``CATCH_UP`` back, once each), claims each
(tenant, period label) with Redis ``SET NX`` and a ``digest_runs`` row, and enqueues
``jobs.tasks.prepare_digest``. Runs held for
late data are re-checked on every tick until their deadline, and a claimed run whose job was lost
is enqueued again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from rq import Queue
from sqlalchemy import select

from analytics.periods import last_complete_period
from analytics.weeks import iso_week_label
from config.schedules import ReportSchedule
from config.tenants import Tenant
from jobs.digest.deps import DigestDeps
from jobs.digest.fanout import PREPARE_TASK, job_id
from jobs.digest.runs import claim_run, load_run
from jobs.resources import QUEUE
from jobs.warehouse.schema import digest_runs

log = logging.getLogger(__name__)

#: Oldest missed window still sent after downtime (older ones are skipped, not sent late).
CATCH_UP = timedelta(days=2)
#: Redis key holding the time of the last tick (UTC, ISO).
LAST_TICK_KEY = "tikpulse:schedule:last_tick"
#: A run still ``scheduled`` this long after its claim lost its job and is enqueued again.
STUCK_AFTER = timedelta(minutes=15)
#: How long a (tenant, window) claim lives in Redis (the digest_runs row is the durable one).
CLAIM_TTL_S = 14 * 24 * 3600
#: A period is reported by fires up to this long after its last day; a weekly cron of a bi-weekly
#: report therefore fires on the Monday after the fortnight and skips the Monday in between.
REPORT_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class DueDigest:
    """A digest due for a tenant: the local fire time and the period it reports."""

    tenant_id: str
    fire_at: datetime  # aware, in the tenant's zone
    week: str  # the period's label ("2026-W47", "2026-W46-W47", "2026-11")
    cadence: str = "weekly"

    @property
    def claim_key(self) -> str:
        """Redis key claiming this fire of this report (two cadences may fire at once)."""
        return f"tikpulse:digest:claim:{self.tenant_id}:{self.week}:{self.fire_at.isoformat()}"


def week_reported(fire_at: datetime) -> str:
    """The last full week before a local fire time (a Monday digest reports the week before)."""
    local_day = fire_at.date()
    return iso_week_label(local_day - timedelta(days=local_day.weekday() + 1))


def period_reported(fire_at: datetime, cadence: str, tz: str) -> str | None:
    """The period a fire at ``fire_at`` reports in zone ``tz``: the last complete one of
    ``cadence``, or ``None`` when that ended more than ``REPORT_WITHIN`` ago (the off week of a
    fortnight)."""
    local_day = fire_at.astimezone(ZoneInfo(tz)).date()
    period = last_complete_period(tz, cadence, local_day)
    if local_day - period.last > REPORT_WITHIN:
        return None
    return period.label


def due_windows(tenant: Tenant, since: datetime, now: datetime) -> list[DueDigest]:
    """Fire times of the tenant's report schedules in ``(since, now]``, in its own zone, each
    with the period it reports (by fire time, then weekly before bi-weekly before monthly)."""
    out = [due for report in tenant.digest.schedules
           for due in _fires(tenant, report, since, now)]
    return sorted(out, key=lambda d: d.fire_at)


def _fires(tenant: Tenant, report: ReportSchedule, since: datetime, now: datetime) -> (
    list[DueDigest]
):
    zone = ZoneInfo(tenant.digest.timezone)
    it = croniter(report.when, since.astimezone(zone))
    out: list[DueDigest] = []
    while True:
        fire = it.get_next(datetime)
        if fire > now:
            return out
        label = period_reported(fire, report.cadence, tenant.digest.timezone)
        if label is not None:
            out.append(DueDigest(tenant.id, fire, label, report.cadence))


def dispatch(deps: DigestDeps, now: datetime) -> list[str]:
    """The cron tick: claim and enqueue every due digest; returns the RQ job ids enqueued."""
    raw = deps.redis.get(LAST_TICK_KEY)
    last = datetime.fromisoformat(raw.decode()) if raw else now - timedelta(minutes=10)
    since = max(last, now - CATCH_UP)
    queue = Queue(QUEUE, connection=deps.redis)
    enqueued = []
    for tenant in deps.registry.tenants:
        for due in due_windows(tenant, since, now):
            if _claim(deps, due, now):
                enqueued.append(queue.enqueue(
                    PREPARE_TASK, tenant.id, due.week, due.fire_at.isoformat(),
                    job_id=job_id("prepare", tenant.id, due.week)).id)
    enqueued += _recheck_waiting(deps, queue, now)
    deps.redis.set(LAST_TICK_KEY, now.isoformat())
    return enqueued


def _claim(deps: DigestDeps, due: DueDigest, now: datetime) -> bool:
    if not deps.redis.set(due.claim_key, now.isoformat(), nx=True, ex=CLAIM_TTL_S):
        return False
    note = f"due {due.fire_at.isoformat()} ({due.fire_at.tzinfo})"
    if not claim_run(deps.engine, due.tenant_id, due.week, note, now):
        log.info("digest %s %s already has a run; not sent again", due.tenant_id, due.week)
        return False
    return True


def _recheck_waiting(deps: DigestDeps, queue: Queue, now: datetime) -> list[str]:
    """Re-run held digests, and scheduled ones whose job seems lost (a crash after the claim)."""
    c = digest_runs.c
    with deps.engine.connect() as conn:
        waiting = conn.execute(select(c.tenant_id, c.window).where(
            (c.status == "waiting")
            | ((c.status == "scheduled") & (c.updated_at < now - STUCK_AFTER)))).all()
    ids = []
    for tenant_id, week in waiting:
        tenant = deps.registry.tenant(tenant_id)
        run = load_run(deps.engine, tenant_id, week)
        if tenant is None or run is None:
            continue
        if run["status"] == "scheduled" and _job_alive(queue, job_id("prepare", tenant_id, week)):
            continue  # still queued or running, not lost
        due = _due_of(run)
        stamp = now.strftime("%Y%m%dT%H%M")
        ids.append(queue.enqueue(PREPARE_TASK, tenant_id, week, due,
                                 job_id=job_id("prepare", tenant_id, week, stamp)).id)
    return ids


def _job_alive(queue: Queue, rq_job_id: str) -> bool:
    job = queue.fetch_job(rq_job_id)
    return job is not None and job.get_status() not in ("failed", "stopped", "canceled")


def _due_of(run: dict[str, object]) -> str | None:
    for entry in run.get("history") or []:  # type: ignore[attr-defined]
        note = str(entry.get("note", ""))
        if entry.get("status") == "scheduled" and note.startswith("due "):
            return note.split()[1]
    return None
