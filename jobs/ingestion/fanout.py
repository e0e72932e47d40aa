"""The shops and ads accounts of one run synced at once: a thread pool over subjects, paced
together by the apps' rate limiters.

Each sync is the usual ``run_shop_sync`` / ``run_advertiser_sync`` in a thread of its own, so
nothing about it changes: every page still commits with its cursor in one transaction
(exactly-once), a subject's failure is its own summary, and the Redis rate limiters
(``jobs.sources.ratelimit``, one per app and API, shared by every thread and worker) keep all of
them together within the API allowance. While one shop waits for TikTok, another parses or
writes. On SQLite the page transactions take turns (``jobs.warehouse.write_lock``); on
PostgreSQL they run side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from jobs.ingestion.ads_sync import run_advertiser_sync
from jobs.ingestion.shop_run import Progress
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.ingestion.sync import SyncSummary
from jobs.resources import Connectors

#: Subjects of one run synced at once. The rate limiter, not this, bounds the calls per second;
#: a few threads keep it busy while others parse and write.
SHOP_WORKERS = 4

ProgressFor = Callable[[str, str], Progress | None]
"""(kind ``shop`` | ``ads``, subject id) -> that subject's progress callback (or None)."""


def sync_shops(
    conns: Connectors, shop_ids: list[str], *, since: date | None = None, full: bool = False,
    now: datetime | None = None, progress_for: Callable[[str], Progress | None] | None = None,
    workers: int = SHOP_WORKERS,
) -> list[SyncSummary]:
    """Sync ``shop_ids`` (``workers`` at a time); their summaries in the same order."""
    progress = (lambda kind, subject: progress_for(subject)) if progress_for else None
    return sync_subjects(conns, shop_ids, [], since=since, full=full, now=now,
                         progress_for=progress, workers=workers)


def sync_subjects(
    conns: Connectors, shop_ids: list[str], advertiser_ids: list[str], *,
    since: date | None = None, full: bool = False, now: datetime | None = None,
    progress_for: ProgressFor | None = None, workers: int = SHOP_WORKERS,
) -> list[SyncSummary]:
    """Sync the shops and then the ads accounts, ``workers`` at a time; the summaries in that
    order. ``progress_for`` callbacks are called from the subject's thread. An unexpected error
    of one subject is raised after every other one has finished."""
    def shop(shop_id: str) -> SyncSummary:
        return run_shop_sync(conns, shop_id, since=since, full=full, now=now,
                             progress=progress_for("shop", shop_id) if progress_for else None)

    def ads(advertiser_id: str) -> SyncSummary:
        return run_advertiser_sync(
            conns, advertiser_id, since=since, now=now,
            progress=progress_for("ads", advertiser_id) if progress_for else None)

    jobs: list[tuple[Callable[[str], SyncSummary], str]] = (
        [(shop, s) for s in shop_ids] + [(ads, a) for a in advertiser_ids])
    if workers <= 1 or len(jobs) <= 1:
        return [run(subject) for run, subject in jobs]
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs)),
                            thread_name_prefix="sync") as pool:
        futures = [pool.submit(run, subject) for run, subject in jobs]
    return [future.result() for future in futures]
