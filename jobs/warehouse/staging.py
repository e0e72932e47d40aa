"""Staging tables for big imports: typed columns in, one ``INSERT ... SELECT ... ON CONFLICT`` out.

A ``Stage`` is a temporary table holding the varying columns of a target table (on SQLite in
memory: ``staging_transaction``). Arrow tables (values in storage form, as
``jobs.warehouse.bulk`` describes it: money as integer units, times as text) go in as they are
read: PostgreSQL takes them by ``COPY ... (FORMAT csv)`` from Arrow's own CSV writer (strings
quoted, NULL unquoted), SQLite by one ``executemany`` per chunk, or, for a chunk the parser's
helper process already bound into a database image (``jobs.warehouse.spool``), one ``INSERT ...
SELECT``. ``merge`` then upserts the whole stage into its target by primary key in one
statement, the columns equal on every row given as constants (a stored row equal to its staged
copy is left alone: the lines of a file imported again are not rewritten); the stage lives only
as long as the caller's transaction, so a failed import leaves nothing behind.
``stored_buckets`` tells which days the rows already stored for the staged orders count on (one
join per table), so the days a whole import changes are marked once, not per row.

A store's first import (``fresh``: it has no row in the target yet) needs neither: nothing
stored can move or conflict, so each chunk is written straight into the target (``COPY`` with
the constants as columns, ``executemany`` or ``INSERT ... SELECT``) while the file is still
being parsed: no stage, no conflict check, each row written once. Its keys are distinct (the
reader sees to it; a file that repeats an order makes the write fail with ``IntegrityError``,
and the transaction roll back).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.csv as pv
from sqlalchemy import JSON, Connection, Engine, Table, text
from sqlalchemy.exc import IntegrityError

from jobs.warehouse import spool
from jobs.warehouse.schema import affiliate_order_lines, order_settlements, orders, refunds
from jobs.warehouse.spool import SpooledPart, insert_columns, python_values, quoted
from jobs.warehouse.touched import BUCKET_SECONDS

#: Raw-fact tables joined to staged orders, and the time columns their rows count on.
ORDER_TIMES: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (orders, ("paid_time", "create_time")), (refunds, ("completed_time",)),
    (order_settlements, ("settled_time",)), (affiliate_order_lines, ("create_time",)))
#: SQLite page cache (KiB) while an import writes and its rollups read the rows back: the
#: default 2 MB thrashes on indexed tables of a million rows; a 1,000,000-line import took 0.6 s
#: less at 128 MB than at 32 MB, and no less at 256 MB (peak RSS 366 MB).
SQLITE_CACHE_KIB = 128 * 1024
#: PostgreSQL's ``autovacuum_analyze_threshold`` and ``autovacuum_analyze_scale_factor``.
ANALYZE_BASE_ROWS, ANALYZE_SHARE = 50, 0.1


@contextmanager
def staging_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction for staged writes; on SQLite its temporary tables live in memory, the
    page cache is ``SQLITE_CACHE_KIB`` and an in-memory database is attached for chunks spooled
    by the parser process (``jobs.warehouse.spool``): each set outside the transaction, as
    SQLite requires, and undone after it."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        if sqlite:
            conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            spool.attach(conn)
            conn.commit()
        try:
            with conn.begin():
                yield conn
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA temp_store = DEFAULT")
                conn.exec_driver_sql(f"PRAGMA cache_size = {cache}")
                spool.detach(conn)
                conn.commit()


class Stage:
    """A temporary table with ``columns`` of ``target`` (types as there, no constraints); the
    target's other columns are ``constants``. A ``fresh`` stage (the store has no row in the
    target) has no table: each chunk is written into the target as it is appended."""

    def __init__(self, conn: Connection, target: Table, columns: Sequence[str],
                 constants: Mapping[str, Any], *, fresh: bool = False) -> None:
        self.conn, self.target, self.columns = conn, target, list(columns)
        self.constants, self.fresh = dict(constants), fresh
        self.name, self.rows = f"_stage_{target.name}", 0
        self.dialect = conn.dialect.name
        listed = ", ".join(quoted(self.columns))
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{self.name}"')
        if fresh:  # its rows go straight into the target
            return
        if self.dialect == "sqlite":
            conn.exec_driver_sql(f'CREATE TEMP TABLE "{self.name}" AS SELECT {listed} '
                                 f'FROM "{target.name}" WHERE 0')
        else:
            conn.exec_driver_sql(f'CREATE TEMP TABLE "{self.name}" ON COMMIT DROP AS '
                                 f'SELECT {listed} FROM "{target.name}" WITH NO DATA')

    def append(self, table: pa.Table) -> int:
        """Add the rows of ``table`` (its columns named as the stage's); a fresh stage writes
        them straight into the target, its constants beside them."""
        return self.send(self.encode(table), len(table)) if len(table) else 0

    def encode(self, table: pa.Table) -> Any:
        """``table``'s rows as ``send`` writes them, made without the connection, so a thread
        can make the next chunk's while the database takes this one: for PostgreSQL the text of
        a ``COPY ... (FORMAT csv)`` (a fresh stage's constants as columns beside the rows), for
        SQLite the columns but those blank on every row (``insert_columns``), whose Python
        values ``send`` makes (that needs the GIL anyway). A part a helper process spooled
        (``SpooledPart``) is already encoded."""
        if isinstance(table, SpooledPart):
            return table
        if self.dialect == "sqlite":
            return table.select(insert_columns(self.target, table))
        table = table.select(self.columns)
        if self.fresh:
            for name, value in self.constants.items():
                table = table.append_column(name, _repeated(value, len(table)))
        buffer = io.BytesIO()
        pv.write_csv(table, buffer, pv.WriteOptions(include_header=False))
        return buffer.getbuffer()

    def send(self, encoded: Any, rows: int) -> int:
        """Write an ``encode``d chunk of ``rows`` rows into the target (a fresh stage, its
        constants on every row) or the stage: SQLite by one ``executemany``, or one ``INSERT ...
        SELECT`` from the image ``spool.load_image`` loaded for a spooled part; PostgreSQL by
        ``COPY``. A key written twice raises SQLAlchemy's ``IntegrityError``, as a statement
        through it would."""
        if not rows:
            return 0
        into, constants = (self.target.name, self.constants) if self.fresh else (self.name, {})
        driver: Any = self.conn.connection.dbapi_connection
        spooled = isinstance(encoded, SpooledPart)
        columns = (encoded.sent if spooled else encoded.column_names if self.dialect == "sqlite"
                   else self.columns)
        names = ", ".join(quoted([*columns, *constants]))
        literals = ([self._literal(self.target.c[c].type, v) for c, v in constants.items()]
                    if self.dialect == "sqlite" else [])  # COPY takes them as columns
        if spooled:
            statement = (f'INSERT INTO "{into}" ({names}) SELECT '
                         f'{", ".join([*quoted(columns), *literals])} '
                         f'FROM {spool.SPOOL}."{encoded.table}"')
        elif self.dialect == "sqlite":
            marks = ", ".join(["?"] * len(columns) + literals)
            statement = f'INSERT INTO "{into}" ({names}) VALUES ({marks})'
        else:
            statement = f'COPY "{into}" ({names}) FROM STDIN (FORMAT csv)'
        try:
            with closing(driver.cursor()) as cursor:
                if spooled:
                    cursor.execute(statement)
                elif self.dialect == "sqlite":
                    cursor.executemany(statement, zip(*(python_values(c) for c in encoded.columns),
                                                      strict=True))
                else:
                    with cursor.copy(statement) as copy:
                        copy.write(encoded)
        except self.conn.dialect.loaded_dbapi.IntegrityError as error:
            raise IntegrityError(statement, None, error) from None
        self.rows += rows
        return rows

    def merge(self) -> int:
        """Upsert every staged row into the target (a fresh stage has inserted them already)
        and, on PostgreSQL, refresh the target's statistics if the rows sent are many for it;
        returns the rows sent."""
        if self.rows and not self.fresh:
            names = [*self.columns, *self.constants]
            keys = [c.name for c in self.target.primary_key.columns]
            others = [c for c in names if c not in keys]
            values = quoted(self.columns)
            values += [self._literal(self.target.c[c].type, v) for c, v in self.constants.items()]
            self.conn.exec_driver_sql(
                f'INSERT INTO "{self.target.name}" ({", ".join(quoted(names))}) '
                f'SELECT {", ".join(values)} FROM "{self.name}" WHERE true '
                f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET '
                + ", ".join(f'"{c}" = excluded."{c}"' for c in others)
                + f' WHERE NOT ({" AND ".join(self._same(c) for c in others)})')
        if self.dialect == "postgresql":
            self._analyze()
        return self.rows

    def _analyze(self) -> None:
        """``ANALYZE`` the target when the rows sent pass autovacuum's own threshold (50 plus
        a tenth of the rows it had): autovacuum would only do it after the commit, and the
        rollups that follow in this transaction would be planned for the table as it was (a
        store's first million lines planned as a handful of rows: sorts spilled to disk).
        ``ANALYZE`` samples the transaction's own new rows."""
        had = self.conn.exec_driver_sql(
            f"SELECT reltuples FROM pg_class WHERE oid = '\"{self.target.name}\"'::regclass"
        ).scalar()
        if self.rows > ANALYZE_BASE_ROWS + ANALYZE_SHARE * max(float(had or 0), 0.0):
            self.conn.exec_driver_sql(f'ANALYZE "{self.target.name}"')

    def _same(self, column: str) -> str:
        """SQL: the stored row's ``column`` equals the incoming one (NULL equal to NULL), so a
        row imported again unchanged is left as it is (PostgreSQL would write a new version of
        it and of its index entries). JSON, which PostgreSQL cannot compare, as text."""
        stored, incoming = f'"{self.target.name}"."{column}"', f'excluded."{column}"'
        if self.dialect == "sqlite":
            return f"{stored} IS {incoming}"
        if isinstance(self.target.c[column].type, JSON):
            stored, incoming = f"CAST({stored} AS TEXT)", f"CAST({incoming} AS TEXT)"
        return f"{stored} IS NOT DISTINCT FROM {incoming}"

    def _literal(self, kind: Any, value: Any) -> str:
        """A constant as SQL (typed for PostgreSQL, whose ``SELECT`` list knows no target)."""
        written = _text(value)
        if written is None:
            return "NULL"
        if isinstance(value, bool):
            return written
        quoted = "'" + written.replace("'", "''") + "'"
        if self.dialect == "sqlite":
            return quoted
        return f"CAST({quoted} AS {kind.compile(dialect=self.conn.dialect)})"

    def drop(self) -> None:
        """Drop the stage (PostgreSQL drops it at commit by itself)."""
        self.conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{self.name}"')



def _text(value: Any) -> str | None:
    """A constant as the text both databases read it from (``None``: NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _repeated(value: Any, rows: int) -> pa.Array:
    """A constant as a column of ``rows`` values for ``COPY ... (FORMAT csv)`` to read."""
    written = _text(value)
    if written is None:
        return pa.nulls(rows, pa.string())
    return pa.repeat(pa.scalar(written), rows)


def stored_buckets(conn: Connection, shop_id: str, stage: Stage) -> set[int]:
    """``BUCKET_SECONDS`` buckets of the times the store's stored rows of the staged orders
    count on (orders, their refunds, settlements and affiliate lines), by one join per table."""
    found: set[int] = set()
    for table, columns in ORDER_TIMES:
        picked = ", ".join(_bucket(f't."{c}"', conn.dialect.name) for c in columns)
        rows = conn.execute(text(
            f'SELECT DISTINCT {picked} FROM "{table.name}" t JOIN "{stage.name}" s '
            f'ON t.order_id = s.order_id WHERE t.shop_id = :shop'), {"shop": shop_id})
        found.update(int(b) for row in rows for b in row if b is not None)
    return found


def _bucket(column: str, dialect: str) -> str:
    """SQL for the ``BUCKET_SECONDS`` bucket of a stored time since the epoch."""
    if dialect == "sqlite":
        return f"CAST(strftime('%s', {column}) AS INTEGER) / {BUCKET_SECONDS}"
    return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT) / {BUCKET_SECONDS}"
