"""Bot fixtures: the two seeded tenants in a SQLite warehouse, a fixed clock and real Redis."""

from __future__ import annotations

import pytest

from bot.commands import BotContext, Request
from config.tenants import load_tenants
from tests.bot.seed import ACME_ADMIN, ACME_CHANNEL, NOW, seed, write_tenants


@pytest.fixture
def bot_ctx(sqlite_engine, tmp_path, redis_conn) -> BotContext:
    """A context over the seeded warehouse, answering as of Wednesday 2026-11-25."""
    seed(sqlite_engine)
    tenants = load_tenants(write_tenants(tmp_path))
    return BotContext(tenants, sqlite_engine, redis_conn, clock=lambda: NOW)


def ask_slack(text: str, *, channel: str = ACME_CHANNEL, user: str = ACME_ADMIN,
              thread: str | None = None) -> Request:
    """A Slack question in ``channel``."""
    return Request("slack", channel, user, text, is_direct=channel.startswith("D"),
                   thread_id=thread)
