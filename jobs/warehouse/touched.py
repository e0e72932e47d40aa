"""Which local days of a store a sync changed, so only those days' rollups are recomputed.

An order touches its paid day and its created day (an unpaid order is counted, as excluded, on the
day it was created); a refund touches the day it completed; and because a refund only counts when
its order is a sale, a changed order also touches the completion days of its refunds and the
settled and affiliate days that belong to it. All days are in the store's own time zone.
Call ``touched_days`` after writing the changed rows (and, when a record can move to another
day, before as well, refreshing the union).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, func, select

from jobs.warehouse import loaders as q
from jobs.warehouse.schema import affiliate_order_lines, order_settlements, orders, refunds

#: Ids per ``IN (...)`` list, under every backend's parameter limit.
ID_CHUNK = 500


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), ID_CHUNK):
        yield ids[i : i + ID_CHUNK]


def _times(conn: Connection, shop_id: str, columns: Sequence[Column[Any]], key: Column[Any],
           ids: Sequence[str]) -> Iterator[datetime]:
    table = key.table
    for chunk in _chunks(ids):
        stmt = select(*columns).where(table.c.shop_id == shop_id, key.in_(chunk))
        for row in conn.execute(stmt):
            yield from (t for t in row if t is not None)


def touched_days(
    conn: Connection,
    shop_id: str,
    *,
    order_ids: Iterable[str] = (),
    refund_ids: Iterable[str] = (),
) -> set[date]:
    """Local days of ``shop_id`` whose rollups depend on the given orders and refunds."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(q.shop_info(conn, shop_id)["timezone"])
    order_list = sorted(set(order_ids))
    refund_list = sorted(set(refund_ids))
    times: list[datetime] = []
    times += _times(conn, shop_id, [orders.c.paid_time, orders.c.create_time],
                    orders.c.order_id, order_list)
    times += _times(conn, shop_id, [refunds.c.completed_time], refunds.c.order_id, order_list)
    times += _times(conn, shop_id, [order_settlements.c.settled_time],
                    order_settlements.c.order_id, order_list)
    times += _times(conn, shop_id, [affiliate_order_lines.c.create_time],
                    affiliate_order_lines.c.order_id, order_list)
    times += _times(conn, shop_id, [refunds.c.completed_time], refunds.c.refund_id, refund_list)
    return {t.astimezone(zone).date() for t in times}


def data_days(conn: Connection, shop_id: str) -> tuple[date, date] | None:
    """The first and last local day the store has any order, refund, settlement or affiliate
    row on (``None`` for a store without data)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(q.shop_info(conn, shop_id)["timezone"])
    spans = [
        (orders, orders.c.create_time), (orders, orders.c.paid_time),
        (refunds, refunds.c.completed_time), (order_settlements, order_settlements.c.settled_time),
        (affiliate_order_lines, affiliate_order_lines.c.create_time),
    ]
    found: list[datetime] = []
    for table, column in spans:
        row = conn.execute(
            select(func.min(column), func.max(column)).where(table.c.shop_id == shop_id)
        ).first()
        found += [t for t in (row or ()) if t is not None]
    if not found:
        return None
    days = [_aware(t).astimezone(zone).date() for t in found]
    return min(days), max(days)


def _aware(value: datetime | str) -> datetime:
    """min()/max() lose the column type on some backends; restore an aware UTC datetime."""
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
