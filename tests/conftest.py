"""Shared fixtures: the real Redis on a spare db number, and warehouses on SQLite and PostgreSQL.

Each pytest process gets its own PostgreSQL database (created here, dropped at the end) and its
own Redis db number (``TIKPULSE_TEST_REDIS_DB``, default 15), flushed around each test.
"""

from __future__ import annotations

import os

import pytest
import redis

REDIS_HOST_URL = os.environ.get("TIKPULSE_TEST_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("TIKPULSE_TEST_REDIS_DB", "15"))


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
