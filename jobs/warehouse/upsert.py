"""Idempotent writes by natural key, the same on SQLite and PostgreSQL.

Writing the same page twice changes nothing; a later version of a record replaces the earlier one;
with ``newer_col`` an older copy arriving late never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

#: Rows per INSERT statement; keeps parameter counts under SQLite's limit for wide tables.
UPSERT_BATCH_ROWS = 500


def upsert(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    *,
    newer_col: str | None = None,
    update_cols: Sequence[str] | None = None,
) -> int:
    """Insert ``rows`` into ``table`` or update the row with the same primary key.

    ``update_cols`` limits what an existing row takes from the new one (default: every non-key
    column present in the rows). ``newer_col`` names a column (e.g. ``update_time``): an existing
    row is only replaced when the incoming value is the same or later. Returns rows sent.
    """
    batch: list[Mapping[str, Any]] = []
    sent = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= UPSERT_BATCH_ROWS:
            sent += _upsert_batch(conn, table, batch, newer_col, update_cols)
            batch = []
    if batch:
        sent += _upsert_batch(conn, table, batch, newer_col, update_cols)
    return sent


def _upsert_batch(
    conn: Connection,
    table: Table,
    batch: list[Mapping[str, Any]],
    newer_col: str | None,
    update_cols: Sequence[str] | None,
) -> int:
    dialect = conn.dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    keys = [c.name for c in table.primary_key.columns]
    columns = list(batch[0].keys())
    stmt = insert(table)
    chosen = update_cols if update_cols is not None else [c for c in columns if c not in keys]
    set_ = {name: stmt.excluded[name] for name in chosen}
    where = None
    if newer_col is not None:
        where = table.c[newer_col] <= stmt.excluded[newer_col]
    if set_:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=set_, where=where)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, [dict(r) for r in batch])
    return len(batch)
