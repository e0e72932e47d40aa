"""Bulk upsert by natural key for large imports, below SQLAlchemy's per-row type processing.

Rows arrive as tuples already in storage form: money as integer units (``types.to_money_units``),
times as ``storage_time(dialect)`` makes them (SQLAlchemy's SQLite text format on SQLite, aware
datetimes on PostgreSQL). SQLite gets one ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE``;
PostgreSQL gets ``COPY`` into a temporary table and one ``INSERT ... SELECT ... ON CONFLICT DO
UPDATE``. The rows read back are the same as through ``warehouse.upsert.upsert`` (a test compares
both), only several times faster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Table

#: Bound parameters per SQLite statement (the library's limit is 32766 since 3.32).
SQLITE_MAX_PARAMS = 30_000


def storage_time(dialect: str) -> Callable[[datetime], Any]:
    """How a ``UTCDateTime`` value is stored by ``dialect`` (``sqlite`` or ``postgresql``)."""
    return _sqlite_time if dialect == "sqlite" else (lambda t: t)


@dataclass(frozen=True)
class Same:
    """A column with one value in every row of a ``bulk_upsert_columns`` call."""

    value: Any


@dataclass(frozen=True)
class CopyText:
    """Rows in PostgreSQL's COPY text format (``copy_text``), made ahead of the write."""

    columns: tuple[str, ...]
    data: str
    count: int


def copy_text(columns: Mapping[str, Any], blank_is_null: Collection[str] = ()) -> CopyText:
    """Columns as for ``bulk_upsert_columns`` in COPY text form (``\\N`` for NULL)."""
    text = (_copy_text(v, c in blank_is_null) for c, v in columns.items())
    data = "".join(f"{row}\n" for row in map("\t".join, zip(*text, strict=False)))
    return CopyText(tuple(columns), data, _row_count(columns))  # zip: repeat() is endless


def copy_column(payload: CopyText, name: str) -> Sequence[str | None]:
    """The cells of column ``name`` read back from ``payload`` (``None`` for NULL).

    So a writer can tell which keys and times a chunk made for COPY holds (e.g. the orders whose
    days it changes) without keeping the columns twice.
    """
    at = payload.columns.index(name)
    rows = payload.data.split("\n")[:-1]  # every row ends with "\n"; only "\n" ends a row
    cells = [row.split("\t", at + 1)[at] for row in rows]
    if not any("\\" in cell for cell in cells):  # the common case: nothing escaped, no NULL
        return cells
    return [None if cell == "\\N" else _COPY_ESCAPE.sub(_copy_unescape, cell) if "\\" in cell
            else cell for cell in cells]


#: A backslash escape in COPY text.
_COPY_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
#: What follows the backslash -> the character ``_copy_cell`` escaped that way.
_COPY_ESCAPED = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _copy_unescape(match: re.Match[str]) -> str:
    """The character a COPY text escape stands for."""
    return _COPY_ESCAPED.get(match.group(1), match.group(1))


def _row_count(columns: Mapping[str, Any]) -> int:
    varying = [v for v in columns.values() if not isinstance(v, Same)]
    return len(varying[0]) if varying else 0


def bulk_upsert_columns(conn: Connection, table: Table, columns: Mapping[str, Any] | CopyText,
                        blank_is_null: Collection[str] = ()) -> int:
    """Upsert rows given as columns: a list per column or ``Same(value)``; returns rows sent.

    Values are in storage form as for ``bulk_upsert``; in the ``blank_is_null`` columns ``""``
    is stored as NULL. On SQLite constant columns go into the statement as literals and blanks
    become NULL in SQL, so each row binds only its varying values (binding dominates the cost).
    PostgreSQL also takes the rows as ``CopyText`` made beforehand (e.g. on a reader thread).
    """
    if conn.dialect.name != "sqlite":
        payload = columns if isinstance(columns, CopyText) else copy_text(columns, blank_is_null)
        if payload.count:
            _copy_upsert_text(conn, table, payload.columns, payload.data)
        return payload.count
    assert not isinstance(columns, CopyText), "COPY text is for PostgreSQL"
    count = _row_count(columns)
    if not count:
        return 0
    varying = [c for c, v in columns.items() if not isinstance(v, Same)]
    keys = [c.name for c in table.primary_key.columns]
    values = ", ".join(_sqlite_literal(v.value) if isinstance(v, Same)
                       else "NULLIF(?, '')" if c in blank_is_null else "?"
                       for c, v in columns.items())
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in keys)
    names = ", ".join(f'"{c}"' for c in columns)
    sql = (f'INSERT INTO "{table.name}" ({names}) VALUES ({values}) '
           f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}')
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    rows: Any = zip(*(columns[c] for c in varying), strict=True)  # streamed, not a list
    cursor.executemany(sql, rows)
    cursor.close()
    return count


def _copy_upsert_text(conn: Connection, table: Table, columns: Sequence[str],
                      data: str) -> None:
    """``data`` (COPY text format) into a temporary table, then one upsert from it."""
    keys = [c.name for c in table.primary_key.columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in keys)
    stage = f"_bulk_{table.name}"
    driver: Any = conn.connection.dbapi_connection
    with driver.cursor() as cur:
        cur.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" '
                    f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
        cur.execute(f'TRUNCATE "{stage}"')
        with cur.copy(f'COPY "{stage}" ({quoted}) FROM STDIN') as copy:
            copy.write(data)
        cur.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{stage}" '
                    f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}')


def _copy_text(values: Any, blank_is_null: bool) -> Iterable[str]:
    """A column in PostgreSQL's COPY text format (``\\N`` is NULL)."""
    if isinstance(values, Same):
        return repeat(_copy_cell(values.value))
    kinds = set(map(type, values))
    if kinds <= {int}:
        return map(str, values)
    if kinds != {str}:
        values = [_copy_cell(v) for v in values]
    else:
        joined = "".join(values)
        if any(ch in joined for ch in "\\\t\n\r"):
            values = [_copy_cell(v) for v in values]
    return [v or "\\N" for v in values] if blank_is_null else values


def _copy_cell(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return (str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _sqlite_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


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
