"""Statements of the read API compiled once and run on the driver: ``Prepared``.

A chat answer runs a dozen small statements; per execution, SQLAlchemy's own work (the cache
key, expanding ``IN`` lists, result metadata) cost more than the database did. ``Prepared``
keeps the SQL text of a Core statement per dialect and length of its list parameters, and each
run only binds values and fetches the driver's rows (plain tuples) on the connection's own DB-API
cursor, in its transaction. Same statements on SQLite and PostgreSQL; read-only statements only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Dialect


class Prepared:
    """A Core statement compiled once per dialect and length of its list parameters, then run
    on the driver with only its parameters bound: a chat answer runs a dozen small statements,
    and SQLAlchemy's per-execution work (cache key, expanding ``IN`` lists, result metadata)
    cost more than the database did. Rows come back as the driver gives them."""

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._sql: dict[tuple[Any, ...], tuple[str, list[str] | None, dict[str, Any]]] = {}

    def compiled(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL text for ``dialect`` and the driver's arguments for ``params`` (lists expand
        an ``IN``): what ``rows`` hands the cursor."""
        lists = [(k, v) for k, v in params.items() if isinstance(v, list)]
        key = (dialect.name, tuple((k, len(v)) for k, v in lists))
        found = self._sql.get(key)
        if found is None:
            state = self.stmt.compile(dialect=dialect).construct_expanded_state(dict(params))
            names = list(state.positiontup) if state.positiontup else None
            found = self._sql[key] = (state.statement, names, dict(state.parameters))
        sql, names, values = found
        values = {**values, **params}
        for name, items in lists:
            values.update({f"{name}_{i}": item for i, item in enumerate(items, 1)})
        if dialect.name == "sqlite":
            values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
        return sql, tuple(values[n] for n in names) if names is not None else values

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params`` (lists expand an ``IN``)."""
        sql, args = self.compiled(conn.dialect, params)
        cursor = conn.connection.cursor()  # the driver's own: plain tuples, no result wrapper
        try:
            cursor.execute(sql, args)
            return list(cursor.fetchall())
        finally:
            cursor.close()


def as_date(value: Any) -> date | None:
    """A day as the driver returned it (SQLite: ISO text) as a ``date``."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)
