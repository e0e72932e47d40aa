"""Sync one shop incrementally from its stored cursors, window by window and page by page.

``run_shop_sync`` pulls the sales-truth sources (``SHOP_SOURCES``: orders, returns,
cancellations) and, when ``full``, the extras too: statements, affiliate orders, traffic, stock and
the insights of ``jobs.ingestion.extras``. Each page is committed with the cursor that points past
it; the windows, look-backs and the logged outcome are shared with the ads sync
(``jobs.ingestion.sync``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from jobs.accounts.auth_status import record_shop_auth_failure, sync_blocked
from jobs.ingestion import extras as sync_insights
from jobs.ingestion import writers
from jobs.ingestion.cursors import Cursor, load_cursor, save_cursor
from jobs.ingestion.runlog import start_run
from jobs.ingestion.shop_run import Progress, ShopRun
from jobs.ingestion.sync import (
    AFFILIATE_LOOKBACK,
    CHUNK,
    DEFAULT_HISTORY,
    STATEMENT_LOOKBACK,
    TRAFFIC_CHUNK_DAYS,
    TRAFFIC_LOOKBACK_DAYS,
    UPDATE_LOOKBACK,
    SyncSummary,
    _finish,
    _logged,
)
from jobs.resources import Connectors
from jobs.sources.errors import AuthError, TokenExpired, TokenInvalid
from jobs.sources.tiktok.records.access import Page
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.sources.tiktok.shop_transport import ShopAccess
from jobs.warehouse.dirty import refresh_dirty_rollups
from jobs.warehouse.write_lock import write_transaction

log = logging.getLogger(__name__)


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

def run_shop_sync(
    conns: Connectors, shop_id: str, *, since: date | None = None, now: datetime | None = None,
    progress: Progress | None = None, full: bool = False,
) -> SyncSummary:
    """Sync one shop's sources from their cursors (or from ``since``: backfill)."""
    stamp = now or datetime.now(UTC)
    run = start_run(conns.engine, "sync_shop", shop_id, {"full": full})

    def body() -> SyncSummary:
        blocked = sync_blocked(conns.engine, shop_id=shop_id)
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


def _record_shop_failure(conns: Connectors, shop_id: str, error: AuthError) -> None:
    try:
        record_shop_auth_failure(conns.engine, shop_id, error)
    except AuthError:
        log.warning("shop %s has no authorization to mark: %s", shop_id, error)

