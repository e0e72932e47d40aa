"""Throwaway PostgreSQL databases for benchmarks: ``fresh_database()``.

Each measurement that writes to PostgreSQL gets a database of its own, created from
``PG_ADMIN_URL`` (``TIKPULSE_BENCH_PG`` overrides it) and dropped afterwards, whatever happened.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

#: The database the benchmarks create their own databases from.
PG_ADMIN_URL = os.environ.get("TIKPULSE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped (with any connection left) when done."""
    import psycopg

    name = f"tikpulse_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
