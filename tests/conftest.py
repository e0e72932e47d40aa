"""Shared fixtures: the real Redis on a spare db number, and warehouses on SQLite and PostgreSQL.

Each pytest process gets its own PostgreSQL database (created here, dropped at the end) and its
own Redis db number (``TIKPULSE_TEST_REDIS_DB``, default 15), flushed around each test.
"""

from __future__ import annotations

import os

import pytest
import redis

REDIS_HOST_URL = os.environ.get("TIKPULSE_TEST_REDIS", "redis://127.0.0.1:6379")
# pytest-xdist workers (gw0, gw1, ...) each take their own db number, counting down.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_DB = int(os.environ.get("TIKPULSE_TEST_REDIS_DB", "15")) - _WORKER


@pytest.fixture
def redis_url() -> str:
    """URL of a flushed Redis database that this test may use freely."""
    url = f"{REDIS_HOST_URL}/{REDIS_DB}"
    conn = redis.Redis.from_url(url)
    conn.flushdb()
    yield url
    conn.flushdb()
    conn.close()


@pytest.fixture
def redis_conn(redis_url: str) -> redis.Redis:
    conn = redis.Redis.from_url(redis_url)
    yield conn
    conn.close()


# --- warehouses --------------------------------------------------------------------------------

PG_ADMIN_URL = os.environ.get("TIKPULSE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_database_url():
    """A fresh PostgreSQL database for this pytest process, dropped at the end."""
    import uuid

    import psycopg

    name = f"tikpulse_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _migrated_pg(pg_database_url):
    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade

    engine = make_engine(pg_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated, empty warehouse on each backend (SQLite file per test; PostgreSQL truncated)."""
    from sqlalchemy import text

    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade
    from jobs.warehouse.schema import metadata

    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("_migrated_pg")
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with eng.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield eng


@pytest.fixture
def sqlite_engine(tmp_path):
    """A migrated SQLite warehouse, for tests that need only the embedded default."""
    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade

    eng = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()
