"""Bulk upsert by natural key for large imports, below SQLAlchemy's per-row type processing.

Rows arrive as tuples already in storage form: money as integer units (``types.to_money_units``),
times as ``storage_time(dialect)`` makes them (SQLAlchemy's SQLite text format on SQLite, aware
datetimes on PostgreSQL). SQLite gets one ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE``;
PostgreSQL gets ``COPY`` into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT DO
UPDATE``. The rows read back are the same as through ``warehouse.upsert.upsert`` (a test compares
both), only several times faster. A whole export goes through ``jobs.warehouse.staging`` instead
(staging tables filled from Arrow columns, one merge per table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table

#: Bound parameters per SQLite statement (the library's limit is 32766 since 3.32).
SQLITE_MAX_PARAMS = 30_000


def storage_time(dialect: str) -> Callable[[datetime], Any]:
    """How a ``UTCDateTime`` value is stored by ``dialect`` (``sqlite`` or ``postgresql``)."""
    return _sqlite_time if dialect == "sqlite" else (lambda t: t)


def bulk_upsert(conn: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert ``rows`` or replace the rows with the same primary key; returns rows sent."""
    if not rows:
        return 0
    keys = [c.name for c in table.primary_key.columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in keys)
    conflict = f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}'
    if conn.dialect.name == "sqlite":
        _sqlite_upsert(conn, table, columns, quoted, conflict, rows)
    else:
        _copy_upsert(conn, table, quoted, conflict, rows)
    return len(rows)


def _sqlite_upsert(conn: Connection, table: Table, columns: Sequence[str], quoted: str,
                   conflict: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Multi-row ``VALUES`` statements: far fewer statement executions than one per row."""
    per = max(1, SQLITE_MAX_PARAMS // len(columns))
    one = "(" + ", ".join("?" for _ in columns) + ")"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    full = f'INSERT INTO "{table.name}" ({quoted}) VALUES {", ".join([one] * per)} {conflict}'
    cut = len(rows) - len(rows) % per
    for start in range(0, cut, per):
        cursor.execute(full, [v for row in rows[start:start + per] for v in row])
    if cut < len(rows):
        rest = rows[cut:]
        values = ", ".join([one] * len(rest))
        cursor.execute(f'INSERT INTO "{table.name}" ({quoted}) VALUES {values} {conflict}',
                       [v for row in rest for v in row])
    cursor.close()


def _copy_upsert(conn: Connection, table: Table, quoted: str, conflict: str,
                 rows: Sequence[tuple[Any, ...]]) -> None:
    stage = f"_bulk_{table.name}"
    driver: Any = conn.connection.dbapi_connection  # psycopg 3: cursors have .copy()
    with driver.cursor() as cur:
        cur.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" '
                    f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
        cur.execute(f'TRUNCATE "{stage}"')
        with cur.copy(f'COPY "{stage}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{stage}" '
                    f'{conflict}')


def _sqlite_time(value: datetime) -> str:
    """SQLAlchemy's SQLite ``DATETIME`` text, ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
