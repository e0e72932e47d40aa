"""Statements of the read API compiled once and run on the driver: ``Prepared``.

A chat answer runs a dozen small statements; per execution, SQLAlchemy's own work (the cache
key, expanding ``IN`` lists, result metadata) cost more than the database did. ``Prepared``
keeps the SQL text of a Core statement per dialect and length of its list parameters, and each
run only binds values and fetches the driver's rows (plain tuples) on the connection's own DB-API
cursor, in its transaction. Same statements on SQLite and PostgreSQL; read-only statements only.
On PostgreSQL the text is kept with the server's own numbered marks (``$1``) and run on a
``psycopg.RawCursor``: psycopg parses a query's ``%(name)s`` marks on every run when the text is
longer than its cache takes (4 KB: an all-stores statement lists 200 stores), which cost 3 ms a
statement.
"""

from __future__ import annotations

import re
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
        self._sql: dict[tuple[Any, ...], _Binding] = {}

    def compiled(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL text for ``dialect`` and the driver's arguments for ``params`` (lists expand
        an ``IN``): what ``rows`` hands the cursor."""
        lists = [(k, v) for k, v in params.items() if isinstance(v, list)]
        key = (dialect.name, tuple((k, len(v)) for k, v in lists))
        found = self._sql.get(key)
        if found is None:
            state = self.stmt.compile(dialect=dialect).construct_expanded_state(dict(params))
            sql, names = state.statement, list(state.positiontup) if state.positiontup else None
            if dialect.name == "postgresql":
                sql, names = _numbered(sql)
            found = self._sql[key] = _Binding(sql, names, dict(state.parameters), params,
                                              dialect.name == "sqlite")
        return found.sql, found.bind(params)

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params`` (lists expand an ``IN``)."""
        sql, args = self.compiled(conn.dialect, params)
        cursor = _cursor(conn)  # the driver's own: plain tuples, no result wrapper
        try:
            cursor.execute(sql, args)
            return list(cursor.fetchall())
        finally:
            cursor.close()


_MARK = re.compile(r"%\((\w+)\)s|%%")


def _numbered(sql: str) -> tuple[str, list[str]]:
    """pyformat SQL (``%(name)s`` marks, ``%%`` for a percent sign) with PostgreSQL's numbered
    marks instead, and the names in their numbers' order (a name used twice keeps its number)."""
    order: dict[str, int] = {}

    def mark(found: re.Match[str]) -> str:
        if found.group(1) is None:
            return "%"
        return f"${order.setdefault(found.group(1), len(order) + 1)}"

    return _MARK.sub(mark, sql), list(order)


def _cursor(conn: Connection) -> Any:
    """The connection's DB-API cursor; on PostgreSQL a ``RawCursor`` (numbered marks as they
    are)."""
    if conn.dialect.name == "postgresql":
        import psycopg

        return psycopg.RawCursor(conn.connection.dbapi_connection)  # type: ignore[call-overload]
    return conn.connection.cursor()


class _Binding:
    """One compiled form of a statement and how its driver arguments are made: the statement's
    own constants converted once, the caller's values (and the items of its lists, named
    ``<name>_<i>``) put in their slots per run. A statement of the read API binds hundreds of
    constants (one per day and metric of a period), which were copied and converted on every
    run before."""

    def __init__(self, sql: str, names: list[str] | None, constants: dict[str, Any],
                 params: Mapping[str, Any], iso_dates: bool) -> None:
        self.sql, self.iso_dates = sql, iso_dates
        lists = {name for name, value in params.items() if isinstance(value, list)}
        given: dict[str, str | tuple[str, int]] = {
            name: name for name in params if name not in lists}
        given |= {f"{name}_{i}": (name, i - 1) for name in lists
                  for i in range(1, len(params[name]) + 1)}
        order = names if names is not None else [
            name for name in dict.fromkeys([*constants, *given]) if name not in lists]
        self.slots: list[tuple[int, str]] = []  # (place, name) of the caller's single values
        self.runs: list[list[Any]] = []  # [place, list name, first item, items]: a list's items
        for at, name in enumerate(order):  # in neighbouring places, copied as one slice
            source = given.get(name)
            if isinstance(source, str):
                self.slots.append((at, source))
            elif source is not None:
                last = self.runs[-1] if self.runs else None
                if last is not None and last[1] == source[0] and at == last[0] + last[3] and (
                        source[1] == last[2] + last[3]):
                    last[3] += 1
                else:
                    self.runs.append([at, source[0], source[1], 1])
        self.template = [self._value(constants[name]) if name not in given else None
                         for name in order]
        self.names = None if names is not None else order

    def bind(self, params: Mapping[str, Any]) -> Any:
        """The driver's arguments for ``params``: a tuple (positional), or a dict (named). A
        list's items are copied a run of neighbouring places at a time (an all-stores statement
        lists 200 stores in each of its five parts)."""
        values = self.template.copy()
        for at, name in self.slots:
            values[at] = self._value(params[name])
        lists: dict[str, list[Any]] = {}
        for at, name, first, count in self.runs:
            items = lists.get(name)
            if items is None:
                items = lists[name] = self._items(params[name])
            values[at:at + count] = items[first:first + count]
        if self.names is None:
            return tuple(values)
        return dict(zip(self.names, values, strict=True))

    def _items(self, items: list[Any]) -> list[Any]:
        """A list parameter's items as the driver takes them (a list holds one type)."""
        if self.iso_dates and items and isinstance(items[0], date):
            return [self._value(item) for item in items]
        return items

    def _value(self, value: Any) -> Any:
        return value.isoformat() if self.iso_dates and isinstance(value, date) else value


def as_date(value: Any) -> date | None:
    """A day as the driver returned it (SQLite: ISO text) as a ``date``."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)
