"""Which local days of a store a write changed, so only those days' rollups are recomputed.

An order touches its paid day and its created day (an unpaid order is counted, as excluded, on the
day it was created); a refund touches the day it completed; and because a refund only counts when
its order is a sale, a changed order also touches the completion days of its refunds and the
settled and affiliate days that belong to it. All days are in the store's own time zone.
Call ``touched_days`` before writing the changed rows (a record may move to another day) and after
it, or, after it, take ``stored_days`` of the written rows' own times: the tables a write did not
touch still hold what ``touched_days`` found before it.

Both are set-wise, so an import of a million lines can afford them. ``touched_days`` runs two
statements: which tables hold rows of the store, then one ``UNION ALL`` of a lookup per such table
per ``ID_CHUNK`` ids (a sync page pays two round trips, not ten), the ids bound as one JSON
parameter and looked up by index one by one (``_rows_of``: a scan per chunk would make an
import quadratic in the size of the store); it returns the distinct ``BUCKET_SECONDS`` buckets of
the times, and only those few are turned into local days in Python. ``stored_days`` groups times
by the minute before converting them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    cast,
    exists,
    extract,
    func,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Select

from jobs.warehouse import loaders as q
from jobs.warehouse.schema import affiliate_order_lines, order_settlements, orders, refunds

#: Ids per query (bound as one parameter): a whole import chunk's orders in one query per table.
ID_CHUNK = 50_000
#: Times are grouped into buckets of this many seconds in SQL before they become local days.
#: Every UTC offset in use (and every DST change) is a whole multiple of 15 minutes, so all
#: times of one bucket fall on the same local day in any time zone.
BUCKET_SECONDS = 15 * 60

Stored = datetime | str | None
"""A time as written: an aware datetime, or UTC text as ``jobs.warehouse.bulk`` stores it
(``YYYY-MM-DD HH:MM:SS.ffffff``, on PostgreSQL with ``+00:00``); ``None`` or ``""`` if unset."""


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), ID_CHUNK):
        yield ids[i : i + ID_CHUNK]


def _bucket(column: Column[Any], dialect: str) -> ColumnElement[int]:
    """The time's ``BUCKET_SECONDS`` bucket since the epoch, computed by the database."""
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
        seconds = cast(func.strftime("%s", column), Integer)
    else:
        seconds = cast(func.floor(extract("epoch", column)), BigInteger)
    return seconds // BUCKET_SECONDS


def _rows_of(columns: Sequence[Column[Any]], shop_id: str, key: Column[Any], ids: Sequence[str],
             dialect: str, width: int = 0) -> Select:  # type: ignore[type-arg]
    """The distinct time buckets of ``columns`` in the store's rows whose ``key`` is one of
    ``ids``, found by index, id by id.

    The ids are one parameter, a JSON array: SQLAlchemy spends far longer expanding an ``IN``
    list of thousands of parameters (and psycopg dumping an array) than the database spends on
    the query. SQLite reads it with ``json_each`` and searches the index for each id; PostgreSQL
    with ``json_array_elements_text`` into a ``LATERAL`` subquery (kept apart by ``OFFSET 0``),
    so each id is one index lookup, where ``= ANY(...)`` is planned as a scan of all the store's
    rows once per chunk.
    """
    table = key.table
    buckets = [_bucket(c, dialect).label(f"b{i}") for i, c in enumerate(columns)]
    buckets += [cast(null(), BigInteger).label(f"b{i}")  # the width of the UNION ALL
                for i in range(len(columns), width)]
    listed = bindparam("ids", json.dumps(list(ids)), type_=String, unique=True)
    if dialect == "sqlite":
        each = func.json_each(listed).table_valued("value")
        return select(*buckets).distinct().where(table.c.shop_id == shop_id,
                                                 key.in_(select(each.c.value)))
    k = (func.json_array_elements_text(cast(listed, JSON)).table_valued("id")
         .render_derived(name="k"))
    found = (select(*buckets).where(table.c.shop_id == shop_id, key == k.c.id)
             .offset(literal_column("0")).lateral("found"))
    return select(*found.c).select_from(k).join(found, true()).distinct()


#: The tables a store's raw facts live in (``has_facts``, ``touched_days``).
FACT_TABLES: tuple[Table, ...] = (orders, refunds, order_settlements, affiliate_order_lines)


def _tables_with_rows(conn: Connection, shop_id: str) -> set[str]:
    """Names of the ``FACT_TABLES`` the store has any row in, in one statement."""
    probes = [exists().where(t.c.shop_id == shop_id).label(t.name) for t in FACT_TABLES]
    row = conn.execute(select(*probes)).one()
    return {t.name for t, found in zip(FACT_TABLES, row, strict=True) if found}


def has_facts(conn: Connection, shop_id: str) -> bool:
    """Whether the store has any order, refund, settlement or affiliate row (the rows
    ``touched_days`` looks in)."""
    return bool(_tables_with_rows(conn, shop_id))


def touched_days(
    conn: Connection,
    shop_id: str,
    *,
    order_ids: Iterable[str] = (),
    refund_ids: Iterable[str] = (),
) -> set[date]:
    """Local days of ``shop_id`` whose rollups depend on the given orders and refunds.

    Two statements whatever the tables: which tables hold rows of the store, then one
    ``UNION ALL`` of the lookups in those (a sync calls this once per page).
    """
    order_list = sorted(set(order_ids))
    refund_list = sorted(set(refund_ids))
    if not order_list and not refund_list:
        return set()
    lookups: list[tuple[Sequence[Column[Any]], Column[Any], list[str]]] = [
        ([orders.c.paid_time, orders.c.create_time], orders.c.order_id, order_list),
        ([refunds.c.completed_time], refunds.c.order_id, order_list),
        ([order_settlements.c.settled_time], order_settlements.c.order_id, order_list),
        ([affiliate_order_lines.c.create_time], affiliate_order_lines.c.order_id, order_list),
        ([refunds.c.completed_time], refunds.c.refund_id, refund_list),
    ]
    present = _tables_with_rows(conn, shop_id)
    dialect = conn.dialect.name
    parts = [_rows_of(columns, shop_id, key, chunk, dialect, width=2)
             for columns, key, ids in lookups if ids and key.table.name in present
             for chunk in _chunks(ids)]
    if not parts:
        return set()
    zone = ZoneInfo(q.shop_info(conn, shop_id)["timezone"])
    stmt = parts[0] if len(parts) == 1 else union_all(*parts)
    found = {int(b) for row in conn.execute(stmt) for b in row if b is not None}
    return {datetime.fromtimestamp(b * BUCKET_SECONDS, UTC).astimezone(zone).date()
            for b in found}


def stored_days(times: Iterable[Stored], zone: ZoneInfo) -> set[date]:
    """Local days in ``zone`` of times as they were written (the rows of a write, in memory)."""
    values = list(times)
    minutes = {t[:16] for t in values if isinstance(t, str) and t}  # 'YYYY-MM-DD HH:MM', UTC
    found = {datetime.fromisoformat(m).replace(tzinfo=UTC) for m in minutes}
    found |= {t for t in values if isinstance(t, datetime)}
    return {t.astimezone(zone).date() for t in found}


def data_days(conn: Connection, shop_id: str) -> tuple[date, date] | None:
    """The first and last local day the store has any order, refund, settlement or affiliate
    row on (``None`` for a store without data)."""
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
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
