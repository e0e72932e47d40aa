"""Bot fixtures: the two seeded tenants in a SQLite warehouse, a fixed clock and real Redis.

The warehouse is migrated and seeded once per session and copied for each test (a file copy is
much faster than running the migrations again).
"""

from __future__ import annotations

import shutil

import pytest

from bot.commands import BotContext, Request
from config.tenant_registry import load_tenants
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import upgrade
from tests.bot.seed import ACME_ADMIN, ACME_CHANNEL, NOW, seed, write_tenants


@pytest.fixture(scope="session")
def seeded_warehouse(tmp_path_factory):
    """Path of a migrated warehouse holding the seed data (never used directly)."""
    path = tmp_path_factory.mktemp("bot-template") / "warehouse.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def bot_engine(seeded_warehouse, tmp_path):
    """This test's own copy of the seeded warehouse."""
    path = tmp_path / "warehouse.db"
    shutil.copyfile(seeded_warehouse, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def bot_ctx(bot_engine, tmp_path, redis_conn) -> BotContext:
    """A context over the seeded warehouse, answering as of Wednesday 2026-11-25."""
    tenants = load_tenants(write_tenants(tmp_path))
    return BotContext(tenants, bot_engine, redis_conn, clock=lambda: NOW)


def ask_slack(text: str, *, channel: str = ACME_CHANNEL, user: str = ACME_ADMIN,
              thread: str | None = None) -> Request:
    """A Slack question in ``channel``."""
    return Request("slack", channel, user, text, is_direct=channel.startswith("D"),
                   thread_id=thread)
