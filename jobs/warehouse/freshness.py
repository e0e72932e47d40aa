"""How far each store's sales data reaches: ``stores_sales_through(conn, {shop_id: today})``.

A synced store's sales are complete through its orders sync's ``latest_complete_day`` (the
cursor the digest's quality section reads, as ``jobs.warehouse.reads.synced_through`` does). A
store whose data was imported rather than synced has no such cursor: its data reaches the last
local day with a sales rollup row, so a question about the days after the import says "data
through <that day>" instead of showing zeros. Never later than yesterday (today is still
selling). It answers for every store of a scope in two statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from jobs.warehouse.reads import SALES_SOURCE
from jobs.warehouse.schema import shop_daily, sync_cursors


def stores_sales_through(conn: Connection, today: Mapping[str, date]) -> dict[str, date]:
    """The last local day whose sales are complete of each store, given each store's local
    today (see the module docstring)."""
    ids = list(today)
    if not ids:
        return {}
    c = sync_cursors.c
    cursors = dict(conn.execute(select(c.subject_id, c.latest_complete_day).where(
        c.source == SALES_SOURCE, c.subject_id.in_(ids))).all())
    imported = [shop for shop in ids if shop not in cursors]
    last: dict[str, date | None] = {}
    if imported:
        d = shop_daily.c
        last = dict(conn.execute(select(d.shop_id, func.max(d.day))
                                 .where(d.shop_id.in_(imported)).group_by(d.shop_id)).all())
    out = {}
    for shop in ids:
        yesterday = today[shop] - timedelta(days=1)
        reached = cursors[shop] if shop in cursors else last.get(shop)
        out[shop] = yesterday if reached is None else min(reached, yesterday)
    return out
