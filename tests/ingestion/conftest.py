"""The demo sandbox for the sync tests: one server per test module, its faults cleared around
every test that uses it (so a fault scenario never leaks into the next test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import DEMO


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(config=DEMO, port=0)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sb(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    sandbox_server.faults.clear()
    yield sandbox_server
    sandbox_server.faults.clear()
