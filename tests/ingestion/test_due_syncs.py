"""The sync schedule: what is due when (from the run log, on a controllable clock), each slot
enqueued once however often the tick runs, and never two syncs of one shop at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis
from rq import Queue
from sqlalchemy import Engine

from jobs import tasks
from jobs.ingestion.due import due_syncs
from jobs.resources import QUEUE
from jobs.warehouse.schema import job_runs
from tests.alerts.conftest import ADVERTISER_ID, SHOP_ID, seed_tenant, set_status

#: 12:30 UTC on a Thursday; the shop is in Europe/London (UTC+0 in December).
NOON = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)


def ran(engine: Engine, kind: str, subject: str, at: datetime, *, full: bool = False) -> None:
    with engine.begin() as conn:
        conn.execute(job_runs.insert().values(
            kind=kind, subject_id=subject, started_at=at, finished_at=at + timedelta(minutes=2),
            status="ok", rows_read=0, rows_written=0, pages=0, retries=0,
            details={"full": full} if kind == "sync_shop" else {}))


def due(engine: Engine, now: datetime) -> set[tuple[str, str, bool, str]]:
    with engine.connect() as conn:
        return {(d.kind, d.subject_id, d.full, d.reason) for d in due_syncs(conn, now)}


def test_a_new_authorization_is_synced_at_the_next_tick_in_full(engine: Engine) -> None:
    seed_tenant(engine)
    assert due(engine, NOON) == {("shop", SHOP_ID, True, "first"),
                                 ("advertiser", ADVERTISER_ID, False, "first")}


def test_hourly_incremental_and_one_full_sync_in_the_shops_night(engine: Engine) -> None:
    seed_tenant(engine)
    ran(engine, "sync_shop", SHOP_ID, NOON - timedelta(minutes=30), full=True)
    ran(engine, "sync_ads", ADVERTISER_ID, NOON - timedelta(minutes=59))
    assert due(engine, NOON) == set()  # both synced within the hour, the full sync done today
    later = NOON + timedelta(minutes=31)
    assert due(engine, later) == {("shop", SHOP_ID, False, "hourly"),
                                  ("advertiser", ADVERTISER_ID, False, "hourly")}

    night = datetime(2026, 12, 4, 2, 59, tzinfo=UTC)  # 02:59 in London: not yet
    ran(engine, "sync_shop", SHOP_ID, night - timedelta(minutes=10))
    assert ("shop", SHOP_ID, False, "hourly") not in due(engine, night)
    at_three = night + timedelta(minutes=1)
    assert ("shop", SHOP_ID, True, "nightly") in due(engine, at_three)
    ran(engine, "sync_shop", SHOP_ID, at_three, full=True)
    assert not any(d[0] == "shop" for d in due(engine, at_three + timedelta(minutes=50)))


def test_a_broken_authorization_is_not_synced(engine: Engine) -> None:
    shop_auth, ads_auth = seed_tenant(engine)
    set_status(engine, shop_auth, "revoked", NOON)
    set_status(engine, ads_auth, "refresh_failed", NOON)
    assert due(engine, NOON) == set()


def test_each_slot_is_enqueued_once_however_often_the_tick_runs(
        engine: Engine, redis_url: str, monkeypatch) -> None:
    seed_tenant(engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", redis_url)
    first = tasks.dispatch_syncs(NOON.isoformat())
    again = tasks.dispatch_syncs((NOON + timedelta(seconds=30)).isoformat())
    assert sorted(first) == [f"sync-advertiser-{ADVERTISER_ID}-first", f"sync-shop-{SHOP_ID}-first"]
    assert again == []
    jobs = Queue(QUEUE, connection=redis.Redis.from_url(redis_url)).get_jobs()
    shop_job = next(j for j in jobs if j.args == (SHOP_ID,))
    assert shop_job.func_name == "jobs.tasks.sync_shop" and shop_job.kwargs == {"full": True}
    assert shop_job.retries_left == 3  # a failed sync is retried with backoff


def test_a_second_sync_of_the_same_shop_waits_its_turn(engine: Engine, redis_url: str,
                                                       monkeypatch) -> None:
    seed_tenant(engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("TIKPULSE_SECRET_KEY", "test-secret-key-0123456789abcdef")
    conn = redis.Redis.from_url(redis_url)
    running = conn.lock(f"tikpulse:sync:lock:shop:{SHOP_ID}", timeout=60)
    assert running.acquire(blocking=False)
    outcome = tasks.sync_shop(SHOP_ID)
    assert outcome["status"] == "skipped" and outcome["error"] == "already syncing"
    with engine.connect() as c:
        assert c.execute(job_runs.select()).first() is None  # nothing ran
    running.release()


def test_a_run_whose_worker_died_is_marked_abandoned_and_counts_as_failed(
        engine: Engine, redis_url: str, monkeypatch) -> None:
    from jobs.alerts.freshness_rules import check_sync_runs
    from jobs.alerts.subjects import tenant_subjects

    seed_tenant(engine)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", redis_url)
    dead_since = NOON - timedelta(seconds=tasks.SYNC_TIMEOUT_S + tasks.DEAD_RUN_GRACE_S + 60)
    with engine.begin() as conn:
        for minutes in (0, 5, 10):  # three attempts whose workers died
            conn.execute(job_runs.insert().values(
                kind="sync_shop", subject_id=SHOP_ID, status="running", rows_read=0,
                rows_written=0, pages=0, retries=0,
                started_at=dead_since - timedelta(minutes=minutes)))
        conn.execute(job_runs.insert().values(  # still within its time: left alone
            kind="sync_ads", subject_id=ADVERTISER_ID, status="running", rows_read=0,
            rows_written=0, pages=0, retries=0, started_at=NOON - timedelta(minutes=5)))
    tasks.dispatch_syncs(NOON.isoformat())
    with engine.connect() as conn:
        statuses = sorted((r.kind, r.status) for r in conn.execute(job_runs.select()))
        findings = list(check_sync_runs(conn, "acme", tenant_subjects(conn, "acme")))
    assert statuses == [("sync_ads", "running")] + [("sync_shop", "abandoned")] * 3
    failing = [f for f in findings if f.failing]
    assert [f.subject_id for f in failing] == [f"sync_shop:{SHOP_ID}"]
