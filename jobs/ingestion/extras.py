"""Sync steps behind the digest's content, creator and settlement sections (``full`` syncs).

- Videos and LIVE sessions by local posting day, re-pulling ``CONTENT_LOOKBACK_DAYS`` because a
  post keeps selling after it is published (cursors ``videos`` and ``lives``).
- Creator Marketplace profiles of the creators seen in the shop's affiliate orders, at most once
  a day each, within the app's daily quota (shared by every worker through Redis); a used-up
  quota (ours or TikTok's 45101004) ends the step cleanly until 00:00 UTC (cursor ``creators``).
- Per-order settlements of completed orders once a new statement arrived (cursor
  ``settlements``): each settled order is stored with the statement that paid it. Only orders
  completed in the ``SETTLEMENT_WINDOW`` before the newest statement are asked about (or since
  ``--since``), so an order that never settles is not asked about forever.

Every page or batch is committed together with its cursor, so a killed run loses nothing; the
steps take a ``jobs.ingestion.shop_run.ShopRun`` (its access, zone, counters).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, select

from jobs.ingestion import writers
from jobs.ingestion.cursors import Cursor, load_cursor, save_cursor
from jobs.ingestion.shop_run import Progress, ShopRun
from jobs.sources.errors import BadRequest, QuotaExhausted
from jobs.sources.ratelimit import RateLimiter
from jobs.sources.tiktok.extra_records import SettledOrder
from jobs.warehouse import schema as s

log = logging.getLogger(__name__)

#: Content keeps selling for about a week after it is posted: re-pull two.
CONTENT_LOOKBACK_DAYS = 14
#: Posting days per content request (the API allows up to a year).
CONTENT_CHUNK_DAYS = 31
#: Cursor source name per content type.
CONTENT_SOURCES = {"VIDEO": "videos", "LIVE": "lives"}
#: Orders last changed this long before the newest statement are no longer asked about.
SETTLEMENT_WINDOW = timedelta(days=35)
#: Per-order settlement lookups in one run; the rest continue in the next run.
MAX_SETTLEMENT_LOOKUPS = 5_000
#: Orders looked up (concurrently) and committed together.
SETTLEMENT_BATCH = 64
#: Concurrent per-order lookups (each still passes the app's shared rate limiter).
SETTLEMENT_WORKERS = 8
#: Order status after which an order settles.
SETTLING_STATUS = "COMPLETED"


def sync_contents(state: ShopRun, since: date | None, default_start: date,
                  progress: Progress | None) -> None:
    """Videos and LIVE sessions posted since the cursor (minus the look-back) through today."""
    today = state.now.astimezone(state.zone).date()
    for content_type, source in CONTENT_SOURCES.items():
        cursor = load_cursor(state.conns.engine, source, state.shop_id)
        start = since or (cursor.latest_complete_day - timedelta(days=CONTENT_LOOKBACK_DAYS - 1)
                          if cursor.latest_complete_day else default_start)
        while start < today:
            end = min(today, start + timedelta(days=CONTENT_CHUNK_DAYS))
            _content_chunk(state, content_type, source, start, end, progress)
            start = end


def _content_chunk(state: ShopRun, content_type: str, source: str, start: date, end: date,
                   progress: Progress | None) -> None:
    pages = state.client.content_performance(state.access, content_type, start, end)
    for page in pages:
        with state.conns.engine.begin() as conn:
            written = writers.write_contents(conn, state.shop_id, state.currency, state.zone,
                                             page.items)
            if page.is_last:
                save_cursor(conn, Cursor(source, state.shop_id, state.now, None, None,
                                         end - timedelta(days=1)))
        state.run.count_page(source, len(page.items), written)
        if progress:
            progress(source, len(page.items), page.total_count)


# --- creators ------------------------------------------------------------------------------------


def sync_creator_profiles(state: ShopRun, progress: Progress | None) -> None:
    """Today's profile of every creator seen in the shop's affiliate orders and not yet looked
    up today; stops cleanly for the day when the Creator Marketplace quota is used up."""
    engine, today = state.conns.engine, state.now.astimezone(state.zone).date()
    cursor = load_cursor(engine, "creators", state.shop_id)
    blocked = float((cursor.resume or {}).get("quota_until", 0))
    if blocked > state.now.timestamp():
        state.run.details["creators"] = {"quota_exhausted_until": blocked}
        return
    with engine.connect() as conn:
        due, known = _creators_due(conn, state.shop_id, today)
    quota = RateLimiter(state.conns.redis, state.client.app_key, "creator_marketplace",
                        state.conns.creator_quota)
    try:
        for name in due:
            _refresh_creator(state, quota, name, known.get(name), today)
            if progress:
                progress("creators", 1, len(due))
    except QuotaExhausted as error:
        until = state.now.timestamp() + (error.retry_after or _to_utc_midnight(state.now))
        with engine.begin() as conn:
            save_cursor(conn, Cursor("creators", state.shop_id, cursor.cursor_time,
                                     {"quota_until": until}, None, cursor.latest_complete_day))
        state.run.details["creators"] = {"quota_exhausted_until": until}
        log.warning("shop %s: creator marketplace quota used up: %s", state.shop_id, error)
        return
    with engine.begin() as conn:
        save_cursor(conn, Cursor("creators", state.shop_id, state.now, None, None, today))


def _creators_due(conn: Connection, shop_id: str, today: date) -> tuple[list[str],
                                                                         dict[str, str]]:
    """(creators of the shop's affiliate orders without today's snapshot, known user ids)."""
    lines, snaps = s.affiliate_order_lines, s.creator_snapshots
    seen_today = exists().where(and_(snaps.c.creator_username == lines.c.creator_username,
                                     snaps.c.day == today))
    due = conn.execute(select(lines.c.creator_username).distinct()
                       .where(lines.c.shop_id == shop_id, lines.c.creator_username != "",
                              ~seen_today).order_by(lines.c.creator_username)).scalars().all()
    known: dict[str, str] = {}
    for name, profile in conn.execute(select(s.creators.c.creator_username, s.creators.c.profile)
                                      .where(s.creators.c.creator_username.in_(due or [""]))):
        if isinstance(profile, dict) and profile.get("creator_user_id"):
            known[name] = str(profile["creator_user_id"])
    return list(due), known


def _refresh_creator(state: ShopRun, quota: RateLimiter, name: str, user_id: str | None,
                     today: date) -> None:
    """Look one creator up (search by username once, then the profile) and store it."""
    try:
        if user_id is None:
            quota.acquire()
            user_id = state.client.find_creator_user_id(state.access, name)
        if user_id is None:
            log.info("shop %s: creator %s not found in the marketplace", state.shop_id, name)
            return
        quota.acquire()
        profile = state.client.creator_profile(state.access, user_id)
    except BadRequest as error:  # e.g. the creator left the marketplace
        log.info("shop %s: creator %s not available: %s", state.shop_id, name, error)
        return
    with state.conns.engine.begin() as conn:
        written = writers.write_creator(conn, profile, user_id, today)
    state.run.count_page("creators", 1, written)


def _to_utc_midnight(now: datetime) -> float:
    midnight = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1),
                                datetime.min.time(), UTC)
    return (midnight - now).total_seconds()


# --- settlements ---------------------------------------------------------------------------------


def sync_order_settlements(state: ShopRun, since: date | None,
                           progress: Progress | None) -> None:
    """Settlements of the completed, not yet settled orders that a new statement may have paid
    (those changed in the ``SETTLEMENT_WINDOW`` before it, or since ``since``)."""
    engine = state.conns.engine
    cursor = load_cursor(engine, "settlements", state.shop_id)
    with engine.connect() as conn:
        statements = conn.execute(select(s.statements.c.statement_time, s.statements.c.statement_id)
                                  .where(s.statements.c.shop_id == state.shop_id)
                                  .order_by(s.statements.c.statement_time)).all()
        if not statements:
            return
        newest = statements[-1].statement_time
        if cursor.cursor_time is not None and newest <= cursor.cursor_time and not cursor.resume:
            return  # no new statement since the last run
        first = (datetime.combine(since, datetime.min.time(), state.zone) if since
                 else newest - SETTLEMENT_WINDOW)
        candidates = _unsettled_orders(conn, state.shop_id, first, newest + timedelta(days=1))
    todo = candidates[:MAX_SETTLEMENT_LOOKUPS]
    with ThreadPoolExecutor(SETTLEMENT_WORKERS) as pool:  # lookups wait on the network
        for i in range(0, len(todo), SETTLEMENT_BATCH):
            found = pool.map(lambda oid: state.client.settled_order(state.access, oid),
                             todo[i : i + SETTLEMENT_BATCH])
            _commit_settlements(state, [(x, _paying_statement(statements, x.settle_time))
                                        for x in found if x is not None], progress)
    more = len(candidates) > MAX_SETTLEMENT_LOOKUPS
    with engine.begin() as conn:
        save_cursor(conn, Cursor("settlements", state.shop_id, newest, {"more": True} if more
                                 else None, None, newest.astimezone(state.zone).date()))


def _unsettled_orders(conn: Connection, shop_id: str, first: datetime,
                      before: datetime) -> list[str]:
    """Completed orders last changed in ``[first, before)`` without a stored settlement, newest
    first (the weeks a digest reports come first when a run stops at its lookup limit)."""
    o, st = s.orders, s.order_settlements
    settled = exists().where(and_(st.c.shop_id == o.c.shop_id, st.c.order_id == o.c.order_id))
    return list(conn.execute(select(o.c.order_id).where(
        o.c.shop_id == shop_id, o.c.status == SETTLING_STATUS, o.c.update_time >= first,
        o.c.update_time < before,
        ~settled).order_by(o.c.update_time.desc(), o.c.order_id)).scalars())


def _paying_statement(statements: Sequence[Any], settled_at: datetime) -> str | None:
    """The latest statement issued at or before ``settled_at`` (statements cover a period)."""
    paying = [row.statement_id for row in statements if row.statement_time <= settled_at]
    return paying[-1] if paying else None


def _commit_settlements(state: ShopRun, batch: list[tuple[SettledOrder, str | None]],
                        progress: Progress | None) -> None:
    """Write a batch of settled orders (the writer marks the days they count on as stale)."""
    if not batch:
        return
    with state.conns.engine.begin() as conn:
        written = writers.write_settlements(conn, state.shop_id, state.currency, batch)
    state.run.count_page("settlements", len(batch), written)
    if progress:
        progress("settlements", len(batch), None)

