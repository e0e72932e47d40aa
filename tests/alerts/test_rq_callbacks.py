"""The RQ wiring: a sync job's failure callback fires on every attempt but speaks only after the
last one; its success callback evaluates the synced shop's tenant. A real worker on real Redis."""

from __future__ import annotations

import pytest
import yaml
from rq import Queue, Retry, SimpleWorker

from jobs.tasks import META_EVALUATIONS, META_FAILED_ATTEMPTS, enqueue_sync
from tests.alerts.conftest import SHOP_ID, SLACK_CHANNEL, TELEGRAM_CHAT, seed_tenant
from tests.alerts.rq_targets import sync_that_finds_it_revoked, sync_that_revokes_then_crashes


@pytest.fixture
def process_env(monkeypatch, tmp_path, sqlite_engine, slack, telegram):
    """The settings a worker process reads: warehouse, tenants file, chat bots."""
    tenants = {"tenants": [{"id": "acme", "name": "Acme Home", "chats": {
        "slack": [{"channel": SLACK_CHANNEL, "admins": ["U0ACMEBOSS"]}],
        "telegram": [{"chat": TELEGRAM_CHAT}]}}]}
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(tenants))
    env = {"DATABASE_URL": str(sqlite_engine.url), "TIKPULSE_CONFIG": str(path),
           "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url,
           "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.base_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    seed_tenant(sqlite_engine)
    return sqlite_engine


def test_failure_callback_speaks_only_after_the_last_retry(process_env, redis_conn, slack,
                                                           telegram):
    queue = Queue("sync", connection=redis_conn)
    job = enqueue_sync(queue, sync_that_revokes_then_crashes, SHOP_ID, retry=Retry(max=2))
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    job.refresh()
    assert job.is_failed
    assert job.meta[META_FAILED_ATTEMPTS] == 3  # the callback ran on every attempt...
    assert job.meta[META_EVALUATIONS] == 1  # ...and evaluated alerts once, after the last
    [message] = slack.top_level(SLACK_CHANNEL)
    assert message.text.startswith("🔴 Shop authorization broken")
    assert len(telegram.chat(TELEGRAM_CHAT)) == 1


def test_success_callback_evaluates_the_synced_shops_tenant(process_env, redis_conn, slack):
    queue = Queue("sync", connection=redis_conn)
    job = enqueue_sync(queue, sync_that_finds_it_revoked, SHOP_ID)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    job.refresh()
    assert job.is_finished
    assert [m.text.split("\n")[0] for m in slack.top_level(SLACK_CHANNEL)] == [
        "🔴 Shop authorization broken · Acme Home"]
