"""How far a store's sales data reaches: ``sales_through(conn, shop_id, today) -> date``.

A synced store's sales are complete through its orders sync's ``latest_complete_day`` (the
cursor the digest's quality section reads, via ``jobs.warehouse.reads.synced_through``). A store
whose data was imported rather than synced has no such cursor: its data reaches the last local
day with a sales rollup row, so a question about the days after the import says "data through
<that day>" instead of showing zeros. Never later than yesterday (today is still selling).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from jobs.warehouse.reads import SALES_SOURCE, synced_through
from jobs.warehouse.schema import shop_daily, sync_cursors


def sales_through(conn: Connection, shop_id: str, today: date) -> date:
    """The last local day of the store whose sales are complete (see the module docstring)."""
    has_cursor = conn.execute(select(func.count()).select_from(sync_cursors).where(
        sync_cursors.c.source == SALES_SOURCE, sync_cursors.c.subject_id == shop_id)).scalar()
    if has_cursor:
        return synced_through(conn, shop_id, today)
    last = conn.execute(select(func.max(shop_daily.c.day))
                        .where(shop_daily.c.shop_id == shop_id)).scalar()
    yesterday = today - timedelta(days=1)
    return yesterday if last is None else min(last, yesterday)
