"""Digest test fixtures: fake Slack and Telegram servers, and a seeded Acme warehouse wired up
through the environment exactly as a worker process reads it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from digest_seed import seed, tenant_entry, write_tenants
from sqlalchemy import Engine

from config.settings import Settings
from jobs.digest.deps import DigestDeps
from jobs.wiring import digest_deps
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@dataclass
class Env:
    """A seeded warehouse, the tenants file and the fake chat servers, set in the environment."""

    engine: Engine
    redis_url: str
    slack: FakeSlack
    tg: FakeTelegram
    folder: Path
    monkeypatch: pytest.MonkeyPatch

    def deps(self) -> DigestDeps:
        return digest_deps(Settings())

    def tenants(self, **entry: object) -> None:
        """Rewrite the tenants file with Acme's entry changed by ``entry``."""
        write_tenants(self.folder, tenant_entry(**entry))  # type: ignore[arg-type]


def make_env(engine: Engine, redis_url: str, slack: FakeSlack, tg: FakeTelegram, folder: Path,
             monkeypatch: pytest.MonkeyPatch, **entry: object) -> Env:
    path = write_tenants(folder, tenant_entry(**entry))  # type: ignore[arg-type]
    values = {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "REDIS_URL": redis_url, "TIKPULSE_CONFIG": str(path),
        "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.base_url,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return Env(engine, redis_url, slack, tg, folder, monkeypatch)


@pytest.fixture
def env(sqlite_engine: Engine, redis_url: str, slack: FakeSlack, tg: FakeTelegram,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    """Acme with one store (UK) in English: the quickest digest to render."""
    seed(sqlite_engine, stores=("7495000000000000001",))
    return make_env(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch,
                    stores=("7495000000000000001",))
