"""Sync steps behind the digest's content, creator and settlement sections (``full`` syncs).

- Videos and LIVE sessions by local posting day, re-pulling ``CONTENT_LOOKBACK_DAYS`` because a
  post keeps selling after it is published (cursors ``videos`` and ``lives``).
- Creator Marketplace profiles of the creators seen in the shop's affiliate orders, at most once
  a day each, within the app's daily quota (shared by every worker through Redis); a used-up
  quota (ours or TikTok's 45101004) ends the step cleanly until 00:00 UTC (cursor ``creators``).
- Settled orders from the statements (cursor ``settlements``): every statement stored since the
  last one done (or since ``--since``) is paged whole through TikTok's statement-transactions
  endpoint, oldest statement first, and each of its orders is stored with the statement that
  paid it, settled at the statement's time. An order in no statement yet has not settled and is
  not asked about: one call pages up to a hundred orders instead of one call per order.

Every page or batch is committed together with its cursor, so a killed run loses nothing; the
steps take a ``jobs.ingestion.shop_run.ShopRun`` (its access, zone, counters).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, select

from jobs.ingestion import writers
from jobs.ingestion.cursors import Cursor, load_cursor, save_cursor
from jobs.ingestion.shop_run import Progress, ShopRun
from jobs.sources.errors import BadRequest, QuotaExhausted
from jobs.sources.ratelimit import RateLimiter
from jobs.warehouse import schema as s
from jobs.warehouse.write_lock import write_transaction

log = logging.getLogger(__name__)

#: Content keeps selling for about a week after it is posted: re-pull two.
CONTENT_LOOKBACK_DAYS = 14
#: Posting days per content request (the API allows up to a year).
CONTENT_CHUNK_DAYS = 31
#: Cursor source name per content type.
CONTENT_SOURCES = {"VIDEO": "videos", "LIVE": "lives"}


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
        with write_transaction(state.conns.engine) as conn:
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
        with write_transaction(engine) as conn:
            save_cursor(conn, Cursor("creators", state.shop_id, cursor.cursor_time,
                                     {"quota_until": until}, None, cursor.latest_complete_day))
        state.run.details["creators"] = {"quota_exhausted_until": until}
        log.warning("shop %s: creator marketplace quota used up: %s", state.shop_id, error)
        return
    with write_transaction(engine) as conn:
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
    with write_transaction(state.conns.engine) as conn:
        written = writers.write_creator(conn, profile, user_id, today)
    state.run.count_page("creators", 1, written)


def _to_utc_midnight(now: datetime) -> float:
    midnight = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1),
                                datetime.min.time(), UTC)
    return (midnight - now).total_seconds()


# --- settlements ---------------------------------------------------------------------------------


def sync_statement_settlements(state: ShopRun, since: date | None,
                               progress: Progress | None) -> None:
    """The orders settled by every stored statement newer than the last one done (or issued
    since ``since``), oldest statement first; a statement cut short resumes at its page."""
    engine = state.conns.engine
    cursor = load_cursor(engine, "settlements", state.shop_id)
    st = s.statements
    query = select(st.c.statement_id, st.c.statement_time).where(st.c.shop_id == state.shop_id)
    if since is not None:
        query = query.where(st.c.statement_time >= datetime.combine(since, time(0), state.zone))
    elif cursor.cursor_time is not None:
        query = query.where(st.c.statement_time > cursor.cursor_time)
    with engine.connect() as conn:
        pending = conn.execute(query.order_by(st.c.statement_time, st.c.statement_id)).all()
    resume = (cursor.resume or {}) if since is None else {}
    for i, statement in enumerate(pending):
        token = str(resume.get("token") or "") if (
            resume.get("statement_id") == statement.statement_id) else ""
        # statements are daily; should two share a time, the cursor passes them together
        shared = i + 1 < len(pending) and pending[i + 1].statement_time == statement.statement_time
        _pull_statement(state, statement, token, not shared, progress)


def _pull_statement(state: ShopRun, statement: Any, token: str, passes: bool,
                    progress: Progress | None) -> None:
    """Every page of one statement's orders, each committed with the cursor that points past it;
    the last page moves the cursor past the statement when ``passes``."""
    pages = state.client.statement_transactions(state.access, statement.statement_id, token)
    for page in pages:
        settled = list({x.order_id: x for x in page.items}.values())  # one row per order
        with write_transaction(state.conns.engine) as conn:
            written = writers.write_settlements(
                conn, state.shop_id, state.currency,
                [(x, statement.statement_id) for x in settled]) if settled else 0
            save_cursor(conn, _settlement_cursor(conn, state, statement, page.next_page_token,
                                                 passes))
        state.run.count_page("settlements", len(page.items), written)
        if progress:
            progress("settlements", len(page.items), None)  # its total is one statement's


def _settlement_cursor(conn: Connection, state: ShopRun, statement: Any, next_token: str,
                       passes: bool) -> Cursor:
    """Mid-statement: where to resume. Done: the statement's time (never moving back), and its
    local day as the latest complete one."""
    old = load_cursor(conn, "settlements", state.shop_id)
    if next_token:
        return Cursor("settlements", state.shop_id, old.cursor_time,
                      {"statement_id": statement.statement_id, "token": next_token}, None,
                      old.latest_complete_day)
    done = statement.statement_time if passes else old.cursor_time
    if done is not None and old.cursor_time is not None:
        done = max(done, old.cursor_time)
    day = done.astimezone(state.zone).date() if done is not None else None
    return Cursor("settlements", state.shop_id, done, None, None, day)
