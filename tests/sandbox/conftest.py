"""Fixtures for the simulator tests: one demo sandbox per session (no faults, no rate limit, clock
at the end around each test) and fresh authorizations per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sandbox_helpers import DEMO, ShopCaller, authorize_ads, authorize_shop

from sandbox import Sandbox


@pytest.fixture(scope="session")
def session_sandbox() -> Iterator[Sandbox]:
    sb = Sandbox.start(config=DEMO)
    yield sb
    sb.stop()


@pytest.fixture
def sb(session_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The shared demo sandbox, with no faults and no rate limit around each test."""
    session_sandbox.faults.clear()
    session_sandbox.set_qps(None)
    yield session_sandbox
    session_sandbox.faults.clear()
    session_sandbox.set_qps(None)
    if session_sandbox.state.days_back:
        session_sandbox.set_clock(0)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def shop(sb: Sandbox, http: httpx.Client) -> ShopCaller:
    """Signed Shop API access for demo seller 0 (GB and US shops)."""
    return authorize_shop(sb, http, 0)


@pytest.fixture
def ads_token(sb: Sandbox, http: httpx.Client) -> str:
    return authorize_ads(sb, http, 0)
