"""Full syncs against the simulator reproduce its ground truth exactly, with and without faults."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep

from sqlalchemy import Engine, func, select

from jobs.ingestion.ads_sync import run_advertiser_sync
from jobs.ingestion.cursors import load_cursor
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.warehouse import schema as s
from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import DEMO, connect_all, connectors
from tests.ingestion.truth_check import mismatches

ROOT = Path(__file__).resolve().parents[2]




def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (s.orders, s.order_lines, s.refunds, s.ad_report_rows)}


def sync_everything(conns, shop_ids, adv_ids) -> list:  # type: ignore[no-untyped-def]
    return ([run_shop_sync(conns, sid, since=DEMO.start) for sid in shop_ids]
            + [run_advertiser_sync(conns, a, since=DEMO.start) for a in adv_ids])


def test_full_sync_reproduces_truth_and_a_second_sync_changes_nothing(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, adv_ids = connect_all(sb, conns)
    assert len(shop_ids) == 3 and len(adv_ids) == 3
    summaries = sync_everything(conns, shop_ids, adv_ids)
    assert [x.status for x in summaries] == ["ok"] * 6
    assert mismatches(sb.truth, engine) == []
    before = row_counts(engine)
    assert before["orders"] > 15_000
    again = [run_shop_sync(conns, sid) for sid in shop_ids]  # incremental, from the cursors
    assert [(x.status, x.error) for x in again] == [("ok", None)] * 3
    assert row_counts(engine) == before
    assert mismatches(sb.truth, engine) == []
    with engine.connect() as conn:
        runs = conn.execute(select(s.job_runs).order_by(s.job_runs.c.run_id)).all()
        fresh = conn.execute(select(s.sync_cursors.c.latest_complete_day)
                             .where(s.sync_cursors.c.source == "orders")).scalars().all()
    assert [r.status for r in runs] == ["ok"] * 9
    assert runs[0].rows_read > 0 and runs[0].pages > 0 and runs[0].details["duration_s"] > 0
    assert len(fresh) == 3 and all(d is not None for d in fresh)


def test_faults_during_sync_still_reproduce_truth(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url, timeout=1.0)
    shop_ids, adv_ids = connect_all(sb, conns)
    orders = "/order/202309/orders/search"
    sb.faults.add("rate_limit", orders, count=3, after=5)
    sb.faults.add("server_error", orders, count=2, after=12)
    sb.faults.add("truncated_json", orders, count=2, after=20)
    sb.faults.add("malformed_json", "/return_refund/*", count=1, after=3)
    sb.faults.add("timeout", orders, count=1, after=30, delay=1.5)
    sb.faults.add("token_expired", orders, shop_id=shop_ids[1], count=1, after=10)
    sb.faults.add("rate_limit", "/open_api/v1.3/report/integrated/get/", count=2, after=1)
    sb.faults.add("server_error", "/open_api/v1.3/report/integrated/get/", count=2, after=4)
    summaries = sync_everything(conns, shop_ids, adv_ids)
    assert [x.status for x in summaries] == ["ok"] * 6
    assert sum(x.retries for x in summaries) >= 13
    assert all(f["fired"] == f["count"] for f in sb.faults.list())
    assert mismatches(sb.truth, engine) == []
    with engine.connect() as conn:
        versions = dict(conn.execute(select(s.shops.c.shop_id, s.authorizations.c.version).join(
            s.authorizations, s.authorizations.c.auth_id == s.shops.c.auth_id)).all())
        statuses = set(conn.execute(select(s.authorizations.c.status)).scalars())
    assert versions[shop_ids[1]] == 2  # expired mid-sync, refreshed once, sync went on
    assert statuses == {"healthy"}


def test_a_killed_sync_resumes_from_its_last_committed_page(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, adv_ids = connect_all(sb, conns)
    victim = shop_ids[0]
    now = datetime.combine(DEMO.end + timedelta(days=1), time(12), UTC)
    worker = subprocess.Popen([
        sys.executable, "-m", "tests.ingestion.sync_worker", sb.base_url,
        engine.url.render_as_string(hide_password=False), redis_url, victim,
        DEMO.start.isoformat(), now.isoformat(), "25"], cwd=ROOT)
    try:
        resume = _wait_for_resume_point(engine, victim, worker)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    with engine.connect() as conn:
        killed_run = conn.execute(select(s.job_runs)).one()
        orders_before = conn.execute(select(func.count()).select_from(s.orders)).scalar_one()
    assert killed_run.status == "running" and orders_before >= 100
    resumed = run_shop_sync(conns, victim, now=now)  # no --since: resumes from the cursor
    assert resumed.status == "ok"
    full = run_shop_sync(conns, victim, since=DEMO.start, now=now)
    orders_pages = lambda x: x.details["sources"]["orders"]["pages"]  # noqa: E731
    with engine.connect() as conn:
        runs = {r.run_id: r for r in conn.execute(select(s.job_runs))}
    assert orders_pages(runs[resumed.run_id]) < orders_pages(runs[full.run_id])
    assert resume["token"], "the worker was killed mid-window"
    for sid in shop_ids[1:]:
        assert run_shop_sync(conns, sid, since=DEMO.start, now=now).status == "ok"
    for adv in adv_ids:
        assert run_advertiser_sync(conns, adv, since=DEMO.start).status == "ok"
    assert mismatches(sb.truth, engine) == []


def _wait_for_resume_point(engine: Engine, shop_id: str, worker: subprocess.Popen) -> dict:
    """Poll until the worker has committed a few order pages mid-window; return its resume point."""
    deadline = monotonic() + 60
    while monotonic() < deadline:
        assert worker.poll() is None, "the worker finished before it could be killed"
        cursor = load_cursor(engine, "orders", shop_id)
        if cursor.resume and cursor.resume.get("token") and _orders(engine) >= 1000:
            return cursor.resume
        sleep(0.05)
    raise AssertionError("no resume point appeared")


def _orders(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.orders)).scalar_one())


def test_full_sync_pulls_settlements_affiliate_traffic_and_stock(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop = connect_all(sb, conns)[0][-1]
    summary = run_shop_sync(conns, shop, since=DEMO.start, full=True)
    assert summary.status == "ok"
    ds = sb.dataset
    shop_idx = ds.shop_row(shop)
    with engine.connect() as conn:
        traffic = conn.execute(select(s.shop_traffic_daily)).all()
        stock = conn.execute(select(s.skus)).all()
        affiliate = conn.execute(select(s.affiliate_order_lines)).all()
        statements = conn.execute(select(func.count()).select_from(s.statements)).scalar_one()
    days = {r.day for r in traffic if r.channel == "ALL"}
    assert min(days) == DEMO.start and len(days) == DEMO.days
    for day in days:  # LIVE + VIDEO + PRODUCT_CARD add up to the shop's day
        parts = [r.gmv for r in traffic if r.day == day and r.channel != "ALL"]
        assert len(parts) == 3
        assert sum(parts) == next(r.gmv for r in traffic if r.day == day and r.channel == "ALL")
    assert len(stock) == int((ds.skus["shop_idx"] == shop_idx).sum())
    assert affiliate and all(r.creator_username for r in affiliate)
    assert statements > 0


def test_incremental_sync_after_the_clock_moves_on_reproduces_truth(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    """Sync ten days before the end, let ten days pass, sync incrementally: exact truth.

    Orders change status after the first sync, refunds complete, new orders arrive and the last
    days' ad conversions mature: only the update-time windows and the ads look-back catch those.
    """
    conns = connectors(sb, engine, redis_url)
    shop_ids, adv_ids = connect_all(sb, conns)
    shop_clock = {sid: lambda sid=sid: datetime.fromtimestamp(
        sb.state.as_of(sb.dataset.shop_row(sid)) + 1, UTC) for sid in shop_ids}
    adv_shop = dict(zip(sb.dataset.advertisers["advertiser_id"].astype(str),
                        sb.dataset.advertisers["shop_idx"], strict=True))
    adv_clock = {a: lambda a=a: datetime.fromtimestamp(
        sb.state.as_of(int(adv_shop[a])) + 1, UTC) for a in adv_ids}
    try:
        sb.set_clock(days_back=10)
        first = ([run_shop_sync(conns, sid, since=DEMO.start, now=shop_clock[sid]())
                  for sid in shop_ids]
                 + [run_advertiser_sync(conns, a, since=DEMO.start, now=adv_clock[a]())
                    for a in adv_ids])
        assert {x.status for x in first} == {"ok"}
        assert mismatches(sb.truth, engine) != []  # ten days are missing so far
        sb.set_clock(days_back=0)
        second = ([run_shop_sync(conns, sid, now=shop_clock[sid]()) for sid in shop_ids]
                  + [run_advertiser_sync(conns, a, now=adv_clock[a]()) for a in adv_ids])
        assert {x.status for x in second} == {"ok"}
    finally:
        sb.set_clock(days_back=0)
    assert mismatches(sb.truth, engine) == []
    assert sum(x.rows for x in second) < sum(x.rows for x in first)  # incremental, not a re-pull
