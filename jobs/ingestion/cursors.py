"""Sync cursors: where each (source, shop or advertiser) sync stopped, and how fresh its data is.

``cursor_time`` means "every record updated before this instant is stored". While a window is
being pulled, ``page_token`` holds the resume point as JSON ``{"start": <unix>, "token": "..."}``
(the start of the chunk being paged and TikTok's page token, or for ads ``{"chunk_start":
"YYYY-MM-DD", "page": n}``) and ``window_end`` the end of the window, so a killed sync resumes the
very same query from its last committed page. ``latest_complete_day`` is the freshness figure
(the last local day whose data is complete) that digests and alerts read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from jobs.warehouse.schema import sync_cursors
from jobs.warehouse.upsert import upsert


@dataclass(frozen=True)
class Cursor:
    """The stored state of one (source, subject) sync."""

    source: str
    subject_id: str
    cursor_time: datetime | None = None
    resume: dict[str, Any] | None = None
    window_end: datetime | None = None
    latest_complete_day: date | None = None


def load_cursor(conn: Connection | Engine, source: str, subject_id: str) -> Cursor:
    """The cursor of (source, subject), empty if the subject was never synced."""
    query = select(sync_cursors).where(sync_cursors.c.source == source,
                                       sync_cursors.c.subject_id == subject_id)
    if isinstance(conn, Engine):
        with conn.connect() as c:
            row = c.execute(query).first()
    else:
        row = conn.execute(query).first()
    if row is None:
        return Cursor(source, subject_id)
    return Cursor(source, subject_id, row.cursor_time,
                  json.loads(row.page_token) if row.page_token else None,
                  row.window_end, row.latest_complete_day)


def save_cursor(conn: Connection, cursor: Cursor, *, now: datetime | None = None) -> None:
    """Write the cursor (in the caller's transaction, together with the page it describes)."""
    upsert(conn, sync_cursors, [{
        "source": cursor.source, "subject_id": cursor.subject_id,
        "cursor_time": cursor.cursor_time,
        "page_token": json.dumps(cursor.resume, sort_keys=True) if cursor.resume else None,
        "window_end": cursor.window_end,
        "latest_complete_day": cursor.latest_complete_day,
        "updated_at": now or datetime.now(UTC),
    }])


def freshness(engine: Engine, subject_id: str) -> dict[str, date | None]:
    """Latest complete local day per source for one shop or advertiser."""
    with engine.connect() as conn:
        rows = conn.execute(select(sync_cursors.c.source, sync_cursors.c.latest_complete_day)
                            .where(sync_cursors.c.subject_id == subject_id)).all()
    return {r.source: r.latest_complete_day for r in rows}
