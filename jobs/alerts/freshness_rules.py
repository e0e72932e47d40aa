"""Data plumbing rules: a source later than its normal lag, and a sync that keeps failing.

Freshness is ``sync_cursors.latest_complete_day``, the last local day fully synced; its age is
counted in the subject's own time zone. A source is late when that age exceeds its normal lag
plus a day of grace (a daily sync that has not run yet this morning is not late). A sync is
failing when its last ``FAILED_RUNS_IN_A_ROW`` runs in ``job_runs`` all failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, select

from jobs.alerts.findings import Finding, healthy
from jobs.alerts.subjects import Subject
from jobs.warehouse.schema import job_runs, sync_cursors

#: Days between a local day ending and its data being complete, per source, when all is well.
NORMAL_LAG_DAYS = {
    "orders": 1, "returns": 1, "cancellations": 1, "statements": 1, "affiliate": 3,
    "ads_campaign": 1, "ads_ad": 1,
}
#: Lag assumed for a source not listed above.
DEFAULT_LAG_DAYS = 2
#: Extra days allowed before a source counts as late.
LATE_GRACE_DAYS = 1
#: Failed runs in a row (the latest ones) that make a sync "failing".
FAILED_RUNS_IN_A_ROW = 3


def check_freshness(conn: Connection, tenant_id: str, subjects: dict[str, Subject],
                    now: datetime) -> Iterator[Finding]:
    """A ``source_late`` finding per shop or advertiser of the tenant that has sync cursors
    (one per subject, listing every late source, so one outage is one alert)."""
    if not subjects:
        return
    rows = conn.execute(select(sync_cursors).where(sync_cursors.c.subject_id.in_(list(subjects)))
                        .order_by(sync_cursors.c.subject_id, sync_cursors.c.source)).all()
    by_subject: dict[str, list[Row[Any]]] = {}
    for cursor in rows:
        if cursor.latest_complete_day is not None:  # None: a first backfill is still running
            by_subject.setdefault(cursor.subject_id, []).append(cursor)
    for subject_id, cursors in by_subject.items():
        yield _lateness(tenant_id, subjects[subject_id], cursors, now)


def _lateness(tenant_id: str, subject: Subject, cursors: list[Row[Any]],
              now: datetime) -> Finding:
    today = subject.local_today(now)
    late = []
    for cursor in cursors:
        lag = NORMAL_LAG_DAYS.get(cursor.source, DEFAULT_LAG_DAYS)
        if (today - cursor.latest_complete_day).days > lag + LATE_GRACE_DAYS:
            late.append((cursor.source, cursor.latest_complete_day, lag))
    facts: dict[str, Any] = {"subject_id": subject.id, "subject_name": subject.name,
                             "subject_kind": subject.kind}
    if not late:
        return healthy(tenant_id, "source_late", subject.id, **facts)
    through = min(day for _, day, _ in late)
    lag = min(lag for _, _, lag in late)
    late_from = min(day + timedelta(days=lag + LATE_GRACE_DAYS + 1) for _, day, lag in late)
    facts.update({"source": ", ".join(source for source, _, _ in late),
                  "through": through.isoformat(), "age_days": (today - through).days,
                  "normal_lag_days": lag,
                  "late": [{"source": src, "through": day.isoformat()} for src, day, _ in late]})
    started = datetime.combine(late_from, time(), ZoneInfo(subject.timezone))
    return Finding(tenant_id, "source_late", subject.id, True, "late", severity="medium",
                   started_at=started, facts=facts)


#: Run outcomes that count as a failed attempt (an abandoned run's worker died).
FAILED_STATUSES = frozenset({"failed", "abandoned"})


def check_sync_runs(conn: Connection, tenant_id: str, subjects: dict[str, Subject],
                    *, in_a_row: int = FAILED_RUNS_IN_A_ROW) -> Iterator[Finding]:
    """A ``sync_failing`` finding per (sync kind, subject) with runs in ``job_runs``."""
    if not subjects:
        return
    rows = conn.execute(
        select(job_runs.c.kind, job_runs.c.subject_id, job_runs.c.status, job_runs.c.error,
               job_runs.c.started_at)
        .where(job_runs.c.subject_id.in_(list(subjects)), job_runs.c.kind.like("sync%"),
               job_runs.c.status != "running")
        .order_by(job_runs.c.kind, job_runs.c.subject_id, job_runs.c.started_at.desc(),
                  job_runs.c.run_id.desc())
    ).all()
    latest: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        runs = latest.setdefault((r.kind, r.subject_id), [])
        if len(runs) < in_a_row:
            runs.append(r)
    for (kind, subject_id), runs in latest.items():
        subject = subjects[subject_id]
        key = f"{kind}:{subject_id}"
        facts = {"job": kind, "subject_id": subject_id, "subject_name": subject.name,
                 "subject_kind": subject.kind, "last_error": runs[0].error}
        if len(runs) < in_a_row or any(r.status not in FAILED_STATUSES for r in runs):
            yield healthy(tenant_id, "sync_failing", key, **facts)
            continue
        yield Finding(tenant_id, "sync_failing", key, True, "failing", severity="high",
                      started_at=runs[-1].started_at, facts={**facts, "failed_runs": len(runs)})
