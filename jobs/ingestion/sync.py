"""Sync one shop or advertiser incrementally from its stored cursors, page by page.

``run_shop_sync`` and ``run_advertiser_sync`` take a ``jobs.resources.Connectors`` (built by
``jobs.wiring`` for the RQ tasks in ``jobs.tasks`` and the CLI; tests pass their own) and return
a small ``SyncSummary``.

Windows and look-backs (named constants below): orders, returns and cancellations by
``update_time`` (so late changes are caught) with a short overlap; settlements by statement time;
affiliate orders by create time re-pulled 48 h back (their data lags); ads re-pull the last 3 days
(conversions mature). Every page is written in one transaction together with the cursor that points
past it, so a killed sync resumes from its last committed page: nothing is lost or duplicated.
Several subjects may sync at once in one process (``jobs.ingestion.fanout``): a run counts only
its own thread's retries, and on SQLite its page transactions take turns
(``jobs.warehouse.write_lock``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from jobs.accounts import authorizations as auth
from jobs.ingestion import extras as sync_insights
from jobs.ingestion import writers
from jobs.ingestion.cursors import Cursor, load_cursor, save_cursor
from jobs.ingestion.runlog import Run, finish_run, start_run
from jobs.ingestion.shop_run import Progress, ShopRun
from jobs.ingestion.writer import AdWriter
from jobs.resources import Connectors
from jobs.sources.errors import AuthError, TikTokError, TokenExpired, TokenInvalid
from jobs.sources.tiktok.ads import LEVELS, Advertiser
from jobs.sources.tiktok.records.access import Page
from jobs.sources.tiktok.shop import ShopAccess, TikTokShopClient
from jobs.warehouse.dirty import refresh_dirty_rollups
from jobs.warehouse.schema import advertisers, shops
from jobs.warehouse.write_lock import write_transaction

log = logging.getLogger(__name__)

#: History pulled on a shop's or advertiser's first sync without ``--since``.
DEFAULT_HISTORY = timedelta(days=90)
#: Overlap re-read before the cursor for update-time windows (late writes, clock skew).
UPDATE_LOOKBACK = timedelta(hours=1)
#: Affiliate orders arrive 24-48 h late: re-pull this far back.
AFFILIATE_LOOKBACK = timedelta(hours=48)
#: Settlement statements: re-pull one day.
STATEMENT_LOOKBACK = timedelta(days=1)
#: Ad conversions mature for days: re-pull the last 3 days.
ADS_LOOKBACK_DAYS = 3
#: Shop traffic days are revised for a few days too.
TRAFFIC_LOOKBACK_DAYS = 3
#: Days of shop traffic per request (the API allows up to a year).
TRAFFIC_CHUNK_DAYS = 30
#: Longest window queried at once, so progress and resume points come often.
CHUNK = timedelta(days=31)


@dataclass(frozen=True)
class WindowSource:
    """A shop source pulled by time window and page token."""

    name: str
    fetch: Callable[[TikTokShopClient, ShopAccess, datetime, datetime, str],
                    Iterator[Page[Any]]]
    write: Callable[[Connection, str, str, list[Any]], int]
    lookback: timedelta
    #: How long after the window end a local day counts as complete (affiliate data lags).
    lag: timedelta = timedelta(0)


SHOP_SOURCES: tuple[WindowSource, ...] = (
    WindowSource("orders", lambda c, a, s, e, t: c.orders(a, s, e, page_token=t),
                 writers.write_orders, UPDATE_LOOKBACK),
    WindowSource("returns", lambda c, a, s, e, t: c.returns(a, s, e, page_token=t),
                 writers.write_refunds, UPDATE_LOOKBACK),
    WindowSource("cancellations", lambda c, a, s, e, t: c.cancellations(a, s, e, page_token=t),
                 writers.write_refunds, UPDATE_LOOKBACK),
)
#: Sources that exist in the API but are not needed for sales truth; synced when ``full``.
EXTRA_SHOP_SOURCES: tuple[WindowSource, ...] = (
    WindowSource("statements", lambda c, a, s, e, t: c.statements(a, s, e, page_token=t),
                 writers.write_statements, STATEMENT_LOOKBACK),
    WindowSource("affiliate", lambda c, a, s, e, t: c.affiliate_orders(a, s, e, page_token=t),
                 writers.write_affiliate, AFFILIATE_LOOKBACK, lag=AFFILIATE_LOOKBACK),
)


@dataclass(frozen=True)
class SyncSummary:
    """What a run did (returned by the RQ jobs)."""

    run_id: int
    subject_id: str
    status: str
    rows: int
    pages: int
    retries: int
    error: str | None = None


def run_shop_sync(
    conns: Connectors, shop_id: str, *, since: date | None = None, now: datetime | None = None,
    progress: Progress | None = None, full: bool = False,
) -> SyncSummary:
    """Sync one shop's sources from their cursors (or from ``since``: backfill)."""
    stamp = now or datetime.now(UTC)
    run = start_run(conns.engine, "sync_shop", shop_id, {"full": full})

    def body() -> SyncSummary:
        blocked = auth.sync_blocked(conns.engine, shop_id=shop_id)
        if blocked:
            return _finish(conns, run, "skipped", f"authorization is {blocked}")
        state = ShopRun(conns, shop_id, run, stamp)
        try:
            for source in SHOP_SOURCES + (EXTRA_SHOP_SOURCES if full else ()):
                _sync_window_source(state, source, since, progress)
            if full:
                _with_refresh(state, lambda: _sync_traffic(state, since, progress))
                _with_refresh(state, lambda: _sync_stock(state, progress))
                _sync_insights(state, since, progress)
        finally:  # what was committed is reported, also when the run stops early
            refresh_dirty_rollups(conns.engine, shop_id, rules=state.rules)
        return _finish(conns, run, "ok")

    return _logged(conns, run, body, lambda error: _record_shop_failure(conns, shop_id, error))


def _logged(conns: Connectors, run: Run, body: Callable[[], SyncSummary],
            record_auth_failure: Callable[[AuthError], None]) -> SyncSummary:
    """Run ``body`` and log its outcome: auth failures recorded on the authorization, API
    failures as failed or partial (pages already committed stay), anything else re-raised.

    Retries are counted from this thread only: shops synced at once share ``conns``."""
    owner = threading.get_ident()

    def count_retry(*args: object) -> None:
        if threading.get_ident() == owner:
            run.count_retry(*args)

    conns.retry_hooks.append(count_retry)
    try:
        return body()
    except AuthError as error:
        record_auth_failure(error)
        return _finish(conns, run, "failed", f"auth: {error}")
    except TikTokError as error:
        return _finish(conns, run, "partial" if run.pages else "failed", str(error))
    except BaseException as error:
        finish_run(conns.engine, run, "failed", repr(error))
        raise
    finally:
        conns.retry_hooks.remove(count_retry)


def _sync_window_source(state: ShopRun, source: WindowSource, since: date | None,
                        progress: Progress | None) -> None:
    """Pull ``source`` from its cursor to now, chunk by chunk, page by page."""
    cursor = load_cursor(state.conns.engine, source.name, state.shop_id)
    start, end, token = _window(state, source, cursor, since)
    until = state.now.replace(microsecond=0)
    done = 0  # rows of earlier chunks: the API's totals count one chunk each
    while True:
        chunk_start = start
        while chunk_start < end:
            chunk_end = min(end, chunk_start + CHUNK)
            done += _drain_chunk(state, source, chunk_start, chunk_end, end, token, progress,
                                 done)
            chunk_start, token = chunk_end, ""
        if end >= until:
            return
        # a resumed window ended before now: continue with the usual incremental window
        start, end, token = end - source.lookback, until, ""


def _window(state: ShopRun, source: WindowSource, cursor: Cursor,
            since: date | None) -> tuple[datetime, datetime, str]:
    """(start, end, page token) of this run: resume an unfinished window, else a new one."""
    if cursor.resume and cursor.window_end is not None and since is None:
        start = datetime.fromtimestamp(int(cursor.resume["start"]), UTC)
        return start, cursor.window_end, str(cursor.resume.get("token") or "")
    if since is not None:
        start = datetime.combine(since, time(0), state.zone).astimezone(UTC)
    elif cursor.cursor_time is not None:
        start = cursor.cursor_time - source.lookback
    else:
        start = state.now - DEFAULT_HISTORY
    return start, state.now.replace(microsecond=0), ""


def _drain_chunk(state: ShopRun, source: WindowSource, chunk_start: datetime,
                 chunk_end: datetime, window_end: datetime, token: str,
                 progress: Progress | None, done_before: int = 0) -> int:
    """Every page of one chunk, each committed with the cursor that points past it; returns the
    rows drained. Progress totals are of the whole window so far (``done_before`` + this chunk's
    total), so a bar never shows more done than its total."""
    drained = 0
    while True:
        try:
            for page in source.fetch(state.client, state.access, chunk_start, chunk_end, token):
                token = page.next_page_token
                _commit_page(state, source, page, chunk_start, chunk_end, window_end)
                drained += len(page.items)
                if progress:
                    total = page.total_count
                    progress(source.name, len(page.items),
                             None if total is None else done_before + total)
            return drained
        except (TokenExpired, TokenInvalid):
            state.refresh()  # then resume this chunk from the last committed page token


def _commit_page(state: ShopRun, source: WindowSource, page: Page[Any],
                 chunk_start: datetime, chunk_end: datetime, window_end: datetime) -> None:
    with write_transaction(state.conns.engine) as conn:
        # writers hand raw facts to ingestion.writer.RawWriter: it marks the days they change
        written = source.write(conn, state.shop_id, state.currency, page.items)
        old = load_cursor(conn, source.name, state.shop_id)
        if page.is_last:
            done = max(filter(None, (old.cursor_time, chunk_end)))
            resume = None if chunk_end >= window_end else {"start": int(chunk_end.timestamp()),
                                                            "token": ""}
            complete = (done - source.lag).astimezone(state.zone).date() - timedelta(days=1)
            cursor = Cursor(source.name, state.shop_id, done, resume,
                            window_end if resume else None, complete)
        else:
            cursor = Cursor(source.name, state.shop_id, old.cursor_time,
                            {"start": int(chunk_start.timestamp()), "token": page.next_page_token},
                            window_end, old.latest_complete_day)
        save_cursor(conn, cursor)
    state.run.count_page(source.name, len(page.items), written)


def _with_refresh(state: ShopRun, step: Callable[[], None]) -> None:
    """Run ``step``; after an expired-token answer refresh (bounded) and run it again."""
    while True:
        try:
            return step()
        except (TokenExpired, TokenInvalid):
            state.refresh()


def _sync_traffic(state: ShopRun, since: date | None, progress: Progress | None) -> None:
    """Daily shop traffic with channel breakdowns, re-pulling the last few days."""
    cursor = load_cursor(state.conns.engine, "traffic", state.shop_id)
    today = state.now.astimezone(state.zone).date()
    if since is not None:
        start = since
    elif cursor.latest_complete_day is not None:
        start = cursor.latest_complete_day - timedelta(days=TRAFFIC_LOOKBACK_DAYS - 1)
    else:
        start = today - DEFAULT_HISTORY
    while start < today:
        end = min(today, start + timedelta(days=TRAFFIC_CHUNK_DAYS))
        traffic = state.client.shop_traffic(state.access, start, end)
        days, complete = traffic.days, end - timedelta(days=1)
        if traffic.latest_available_date is not None:  # TikTok is still counting later days
            complete = max(start - timedelta(days=1),
                           min(complete, traffic.latest_available_date))
        with write_transaction(state.conns.engine) as conn:
            written = writers.write_traffic(conn, state.shop_id, state.currency, days)
            save_cursor(conn, Cursor("traffic", state.shop_id, None, None, None, complete))
        state.run.count_page("traffic", len(days), written)
        if progress:
            progress("traffic", len(days), None)
        start = end


def _sync_insights(state: ShopRun, since: date | None, progress: Progress | None) -> None:
    """Videos and LIVEs, creator profiles and the statements' settled orders (see
    ``sync_insights``)."""
    first = (state.now - DEFAULT_HISTORY).astimezone(state.zone).date()
    _with_refresh(state, lambda: sync_insights.sync_contents(state, since, first, progress))
    _with_refresh(state, lambda: sync_insights.sync_creator_profiles(state, progress))
    _with_refresh(state, lambda: sync_insights.sync_statement_settlements(state, since,
                                                                          progress))


def _sync_stock(state: ShopRun, progress: Progress | None) -> None:
    """Today's stock of every SKU (a snapshot; history builds up one day per sync)."""
    today = state.now.astimezone(state.zone).date()
    for page in state.client.sku_stock(state.access):
        with write_transaction(state.conns.engine) as conn:
            written = writers.write_stock(conn, state.shop_id, state.currency, today, page.items)
            save_cursor(conn, Cursor("stock", state.shop_id, state.now, None, None, today))
        state.run.count_page("stock", len(page.items), written)
        if progress:  # the API's total counts products, the rows are their SKUs
            progress("stock", len(page.items), None)


# --- ads ----------------------------------------------------------------------------------------


def run_advertiser_sync(
    conns: Connectors, advertiser_id: str, *, since: date | None = None,
    now: datetime | None = None, progress: Progress | None = None,
) -> SyncSummary:
    """Sync one advertiser's daily campaign and ad reports, re-pulling the last 3 days."""
    assert conns.ads is not None, "an ads client is required"
    stamp = now or datetime.now(UTC)
    run = start_run(conns.engine, "sync_ads", advertiser_id)

    def body() -> SyncSummary:
        blocked = auth.sync_blocked(conns.engine, advertiser_id=advertiser_id)
        if blocked:
            return _finish(conns, run, "skipped", f"authorization is {blocked}")
        token = auth.ads_access_token(conns.engine, conns.cipher, advertiser_id)
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


# --- shared ------------------------------------------------------------------------------------


def _finish(conns: Connectors, run: Run, status: str, error: str | None = None) -> SyncSummary:
    finish_run(conns.engine, run, status, error)
    return SyncSummary(run.run_id, str(run.subject_id), status, run.rows_read, run.pages,
                       run.retries, error)


def _record_shop_failure(conns: Connectors, shop_id: str, error: AuthError) -> None:
    try:
        auth.record_shop_auth_failure(conns.engine, shop_id, error)
    except AuthError:
        log.warning("shop %s has no authorization to mark: %s", shop_id, error)


def _record_ads_failure(conns: Connectors, advertiser_id: str, error: AuthError) -> None:
    try:
        auth.record_advertiser_auth_failure(conns.engine, advertiser_id, error)
    except AuthError:
        log.warning("advertiser %s has no authorization to mark: %s", advertiser_id, error)


def sync_targets(engine: Engine) -> tuple[list[str], list[str]]:
    """Every shop and advertiser with an authorization, for ``sync_all``."""
    with engine.connect() as conn:
        shop_ids = conn.execute(select(shops.c.shop_id).where(shops.c.auth_id.is_not(None))
                                .order_by(shops.c.shop_id)).scalars().all()
        adv_ids = conn.execute(select(advertisers.c.advertiser_id)
                               .where(advertisers.c.auth_id.is_not(None))
                               .order_by(advertisers.c.advertiser_id)).scalars().all()
    return list(shop_ids), list(adv_ids)
