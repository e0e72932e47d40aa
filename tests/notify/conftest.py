"""Fixtures of the notifier tests: the fake Feishu and WeCom servers and a Redis connection."""

from __future__ import annotations

import pytest
import redis

from tests.fakes.feishu_api import FakeFeishu
from tests.fakes.wecom_api import FakeWeCom


@pytest.fixture
def conn(redis_url: str):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def feishu():
    with FakeFeishu() as server:
        yield server


@pytest.fixture
def wecom():
    with FakeWeCom() as server:
        yield server
