"""The run log: one ``job_runs`` row per sync or import, written at start and at the end.

Counters are kept in memory and written once at the end (and on failure). A run whose process
died never writes its end: ``abandon_dead_runs`` (called on every scheduler tick) marks a run
still ``running`` long after any job may run as ``abandoned``, so the log never shows a dead run
as running forever, and alerts count it as a failed attempt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, update

from jobs.warehouse.schema import job_runs


@dataclass
class Run:
    """Counters of one running job."""

    run_id: int
    kind: str
    subject_id: str | None
    rows_read: int = 0
    rows_written: int = 0
    pages: int = 0
    retries: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def count_page(self, source: str, read: int, written: int) -> None:
        """Add one committed page of ``source``."""
        self.pages += 1
        self.rows_read += read
        self.rows_written += written
        per = self.details.setdefault("sources", {}).setdefault(source, {"pages": 0, "rows": 0})
        per["pages"] += 1
        per["rows"] += read

    def count_retry(self, *_: object) -> None:
        """One retried call (signature fits ``RetryPolicy.on_retry``)."""
        self.retries += 1


def start_run(engine: Engine, kind: str, subject_id: str | None,
              details: dict[str, Any] | None = None) -> Run:
    """Insert a ``running`` row (with ``details`` known at the start, such as a sync's depth)
    and return its counters."""
    with engine.begin() as conn:
        result = conn.execute(job_runs.insert().values(
            kind=kind, subject_id=subject_id, started_at=datetime.now(UTC), status="running",
            rows_read=0, rows_written=0, pages=0, retries=0, details=details))
        key = result.inserted_primary_key
        assert key is not None
        return Run(int(key[0]), kind, subject_id, details=dict(details or {}))


def finish_run(engine: Engine, run: Run, status: str, error: str | None = None) -> None:
    """Write the final counters, duration and outcome (``ok``, ``failed``, ``partial``, ...)."""
    details = {**run.details, "duration_s": round(time.monotonic() - run.started, 3),
               "outcome": status}
    with engine.begin() as conn:
        conn.execute(update(job_runs).where(job_runs.c.run_id == run.run_id).values(
            finished_at=datetime.now(UTC), status=status, rows_read=run.rows_read,
            rows_written=run.rows_written, pages=run.pages, retries=run.retries,
            error=error, details=details))


#: The error written on an abandoned run.
ABANDONED_ERROR = "no end recorded: the worker died or was stopped while it ran"


def abandon_dead_runs(engine: Engine, now: datetime, older_than: timedelta) -> int:
    """Mark runs still ``running`` that started more than ``older_than`` before ``now`` (longer
    than any job may run) as ``abandoned``; returns how many."""
    with engine.begin() as conn:
        result = conn.execute(update(job_runs).where(
            job_runs.c.status == "running", job_runs.c.started_at < now - older_than,
        ).values(status="abandoned", finished_at=now, error=ABANDONED_ERROR))
    return int(result.rowcount or 0)
