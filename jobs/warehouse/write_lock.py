"""Write transactions that take turns on SQLite: one writer at a time per database, per process.

SQLite allows one writer. Concurrent writers (several shops of one sync run, each in a thread)
would otherwise meet in SQLite's busy handler, which polls with growing sleeps and gives up after
``jobs.warehouse.db.SQLITE_BUSY_TIMEOUT_S`` however long the holder's transaction rightly takes.
``write_transaction`` makes them queue on a lock per database file instead (FIFO enough, never
times out), while the HTTP calls between their pages still run side by side. PostgreSQL takes
concurrent writers as they come: there the lock is not taken. Readers never wait (WAL).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, Engine

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def writer_lock(engine: Engine) -> threading.Lock | nullcontext[None]:
    """The lock SQLite writers of ``engine``'s database take turns on (shared by every engine
    of the same file in this process); a no-op context on other databases."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = engine.url.render_as_string(hide_password=True)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` for a transaction that writes: on SQLite, after this process's other
    writers of the same database are done."""
    with writer_lock(engine), engine.begin() as conn:
        yield conn
