"""A chunk's rows made ready for SQLite in another process: an in-memory database's image.

Into SQLite, most of a big import's time went to binding cells from Python (``executemany``,
which holds the GIL for every cell), done by the process that also writes the warehouse. A
helper process beside the parser's (``read_in_process`` with ``prepare``) now does it instead,
on its own CPU: ``spool_chunk`` writes each chunk's parts into an in-memory SQLite database of
its own (plain tables, no index, no constraint) and sends that database's image
(``Connection.serialize``) in place of the Arrow columns. The importing connection loads the
image into a database attached for it (``load_image``: ``Connection.deserialize``, which SQLite
allows inside the import's transaction), and ``Stage.send`` writes each part into its target by
one ``INSERT ... SELECT``, at SQLite's own speed. The image leaves out the columns blank on
every row of the chunk (the rule of ``insert_columns``), as the bound ``INSERT`` does.
"""

from __future__ import annotations

import dataclasses
import secrets
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any, TypeVar

import pyarrow as pa
from sqlalchemy import Connection, Table

T = TypeVar("T")
#: The schema name the importing connection attaches an image under.
SPOOL = "spool"
#: Whether this Python's sqlite3 can move a database image (``serialize``, Python 3.11 on a
#: SQLite built with it, as every supported build is); without it chunks travel as Arrow tables.
CAN_SPOOL = hasattr(sqlite3.Connection, "serialize")


@dataclass(frozen=True)
class SpooledPart:
    """One part of a spooled chunk: its table in the image, the columns of the part (as the
    Arrow table had them) and those the image holds (the others are blank on every row)."""

    table: str
    column_names: list[str]
    sent: list[str]
    rows: int

    def __len__(self) -> int:
        return self.rows


def insert_columns(target: Table, table: pa.Table) -> list[str]:
    """The columns of ``table`` an ``INSERT`` into ``target`` writes: all but those NULL on every
    row whose target column is nullable with no default of the database's own (a stage's has
    none either; keys are never left out). Blank columns are common in exports (buyer messages,
    cancel reasons, delivery times of orders on their way), and each bound cell costs."""
    rows = len(table)
    return [name for name in table.column_names
            if not (table[name].null_count == rows and bool(target.c[name].nullable)
                    and target.c[name].server_default is None)]


def python_values(column: pa.ChunkedArray) -> list[Any]:
    """A column as Python values (numbers through numpy: several times faster)."""
    if pa.types.is_integer(column.type) and not column.null_count:
        numbers: list[Any] = column.to_numpy().tolist()
        return numbers
    values: list[Any] = column.to_pylist()
    return values


def image_of(parts: Sequence[tuple[Table, pa.Table]]) -> tuple[bytes, list[SpooledPart]]:
    """An in-memory SQLite database holding each Arrow table (the columns ``insert_columns``
    keeps, untyped: the target's affinity applies when they are copied), as an image, and what
    each part became.

    Each table is named after its target and a token new to every image: a connection keeps
    its prepared statements, and one prepared for an earlier image would run on this one
    unchecked (every image has the same schema version, the number SQLite checks), reading
    its pages where the earlier image had its tables. A new name is a new statement."""
    spooled: list[SpooledPart] = []
    token = secrets.token_hex(8)
    with closing(sqlite3.connect(":memory:", isolation_level=None)) as db:
        db.execute("BEGIN")
        for target, table in parts:
            sent, name = insert_columns(target, table), f"{target.name}_{token}"
            db.execute(f'CREATE TABLE "{name}" ({", ".join(quoted(sent))})')
            if len(table) and sent:
                db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(sent))})',
                               zip(*(python_values(table[c]) for c in sent), strict=True))
            spooled.append(SpooledPart(name, table.column_names, sent, len(table)))
        db.execute("COMMIT")
        return db.serialize(), spooled


def quoted(names: Sequence[str]) -> list[str]:
    """Column or table names as SQL identifiers, in double quotes."""
    return [f'"{name}"' for name in names]


def spool_chunk(chunk: T, targets: Sequence[Table], names: Sequence[str]) -> T:
    """``chunk`` (a dataclass whose fields ``names`` hold Arrow tables for ``targets``) with
    those fields turned into ``SpooledPart``s and its ``image`` set: what the helper process
    sends instead of the columns."""
    image, parts = image_of([(t, getattr(chunk, n)) for t, n in zip(targets, names, strict=True)])
    return dataclasses.replace(chunk, image=image,  # type: ignore[type-var]
                               **dict(zip(names, parts, strict=True)))


def attach(conn: Connection) -> None:
    """Attach an empty in-memory database as ``SPOOL`` (before the import's transaction: it
    can only be detached outside one)."""
    conn.exec_driver_sql(f"ATTACH DATABASE ':memory:' AS {SPOOL}")


def detach(conn: Connection) -> None:
    """Detach ``SPOOL`` and free the last image it held."""
    conn.exec_driver_sql(f"DETACH DATABASE {SPOOL}")


def load_image(conn: Connection, image: bytes) -> None:
    """Replace what ``SPOOL`` holds by ``image`` (allowed inside a transaction: the attached
    database is in memory, and the import only ever reads it)."""
    driver: Any = conn.connection.dbapi_connection
    driver.deserialize(image, name=SPOOL)
