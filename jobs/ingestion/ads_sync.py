"""Sync one advertiser's daily campaign and ad reports from their stored cursors, page by page.

``run_advertiser_sync`` pulls every report level of ``jobs.sources.tiktok.ads.LEVELS``, re-pulling
the last ``ADS_LOOKBACK_DAYS`` (conversions mature); each page is committed with the cursor that
points past it. The look-backs and the logged outcome are shared with the shop sync
(``jobs.ingestion.sync``).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from jobs.accounts.access_tokens import ads_access_token
from jobs.accounts.auth_status import record_advertiser_auth_failure, sync_blocked
from jobs.ingestion import writers
from jobs.ingestion.cursors import Cursor, load_cursor, save_cursor
from jobs.ingestion.runlog import Run, start_run
from jobs.ingestion.shop_run import Progress
from jobs.ingestion.sync import ADS_LOOKBACK_DAYS, DEFAULT_HISTORY, SyncSummary, _finish, _logged
from jobs.ingestion.writer import AdWriter
from jobs.resources import Connectors
from jobs.sources.errors import AuthError
from jobs.sources.tiktok.ads import LEVELS, Advertiser
from jobs.warehouse.schema import advertisers
from jobs.warehouse.write_lock import write_transaction

log = logging.getLogger(__name__)


def run_advertiser_sync(
    conns: Connectors, advertiser_id: str, *, since: date | None = None,
    now: datetime | None = None, progress: Progress | None = None,
) -> SyncSummary:
    """Sync one advertiser's daily campaign and ad reports, re-pulling the last 3 days."""
    assert conns.ads is not None, "an ads client is required"
    stamp = now or datetime.now(UTC)
    run = start_run(conns.engine, "sync_ads", advertiser_id)

    def body() -> SyncSummary:
        blocked = sync_blocked(conns.engine, advertiser_id=advertiser_id)
        if blocked:
            return _finish(conns, run, "skipped", f"authorization is {blocked}")
        token = ads_access_token(conns.engine, conns.cipher, advertiser_id)
        account = _advertiser(conns.engine, advertiser_id)
        for level in LEVELS:
            _sync_report(conns, run, token, account, level, since, stamp, progress)
        return _finish(conns, run, "ok")

    return _logged(conns, run, body,
                   lambda error: _record_ads_failure(conns, advertiser_id, error))


def _sync_report(conns: Connectors, run: Run, token: str, account: Advertiser, level: str,
                 since: date | None, now: datetime, progress: Progress | None) -> None:
    """Pull one report level from the cursor (minus the look-back) through today."""
    assert conns.ads is not None
    source = f"ads_{level.removeprefix('AUCTION_').lower()}"
    today = now.astimezone(ZoneInfo(account.timezone or "UTC")).date()
    cursor = load_cursor(conns.engine, source, account.id)
    start, page = _report_start(cursor, since, today)
    for result in conns.ads.report(token, account, level, start, today, resume_page=page):
        with write_transaction(conns.engine) as conn, AdWriter(conn, account.id) as ads:
            written = ads.report_rows(writers.ad_rows(result.rows))
            save_cursor(conn, _report_cursor(cursor, source, account.id, result, today))
        run.count_page(source, len(result.rows), written)
        if progress:
            progress(source, len(result.rows), None)


def _report_start(cursor: Cursor, since: date | None, today: date) -> tuple[date, int]:
    if since is None and cursor.resume:
        return date.fromisoformat(cursor.resume["chunk_start"]), int(cursor.resume["page"])
    if since is not None:
        return since, 1
    if cursor.latest_complete_day is not None:
        return cursor.latest_complete_day - timedelta(days=ADS_LOOKBACK_DAYS - 1), 1
    return today - timedelta(days=DEFAULT_HISTORY.days), 1


def _report_cursor(old: Cursor, source: str, advertiser_id: str, result: Any,
                   today: date) -> Cursor:
    """Resume point after ``result``; when the last chunk is done, mark yesterday complete."""
    if result.is_last_of_chunk and result.chunk_end >= today:
        return Cursor(source, advertiser_id, None, None, None, today - timedelta(days=1))
    if result.is_last_of_chunk:
        resume = {"chunk_start": (result.chunk_end + timedelta(days=1)).isoformat(), "page": 1}
    else:
        resume = {"chunk_start": result.chunk_start.isoformat(), "page": result.page + 1}
    return Cursor(source, advertiser_id, None, resume, datetime.now(UTC),
                  old.latest_complete_day)


def _advertiser(engine: Engine, advertiser_id: str) -> Advertiser:
    with engine.connect() as conn:
        row = conn.execute(select(advertisers)
                           .where(advertisers.c.advertiser_id == advertiser_id)).one()
    return Advertiser(row.advertiser_id, row.name, row.currency, row.timezone)

def _record_ads_failure(conns: Connectors, advertiser_id: str, error: AuthError) -> None:
    try:
        record_advertiser_auth_failure(conns.engine, advertiser_id, error)
    except AuthError:
        log.warning("advertiser %s has no authorization to mark: %s", advertiser_id, error)
