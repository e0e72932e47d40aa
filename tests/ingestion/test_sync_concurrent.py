"""Shops synced at once (``jobs.ingestion.fanout``) on SQLite and PostgreSQL: truth reproduced
exactly once, each shop's retries its own, and SQLite writers taking turns.

Concurrency is proven with a barrier, never with timing: every shop's first committed page waits
until all shops have committed one, which only a run that syncs them at once can pass.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select

from jobs.ingestion.fanout import sync_shops, sync_subjects
from jobs.ingestion.shop_run import Progress
from jobs.warehouse import schema as s
from jobs.warehouse.db import make_engine
from jobs.warehouse.write_lock import write_transaction, writer_lock
from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import DEMO, connect_all, connectors
from tests.ingestion.truth_check import mismatches

#: Seconds a barrier waits before it breaks: only reached when shops do not run at once.
BARRIER_TIMEOUT_S = 120




def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (s.orders, s.order_lines, s.refunds, s.ad_report_rows,
                          s.rollup_dirty_days)}


def all_at_once(shops: int) -> tuple[threading.Barrier, dict[str, int]]:
    """A barrier every shop's first page waits at, and the pages each shop committed."""
    return threading.Barrier(shops, timeout=BARRIER_TIMEOUT_S), {}


def meeting(barrier: threading.Barrier, pages: dict[str, int]):  # type: ignore[no-untyped-def]
    def progress_for(shop_id: str) -> Progress:
        def on_page(source: str, rows: int, total: int | None) -> None:
            pages[shop_id] = pages.get(shop_id, 0) + 1
            if pages[shop_id] == 1:
                barrier.wait()  # every other shop has committed a page too, or this breaks
        return on_page
    return progress_for


def test_shops_synced_at_once_reproduce_truth_exactly_once(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, adv_ids = connect_all(sb, conns)
    barrier, pages = all_at_once(len(shop_ids))
    summaries = sync_shops(conns, shop_ids, since=DEMO.start, full=True,
                           progress_for=meeting(barrier, pages), workers=len(shop_ids))
    summaries += sync_subjects(conns, [], adv_ids, since=DEMO.start)
    assert [x.status for x in summaries] == ["ok"] * 6
    assert not barrier.broken and set(pages) == set(shop_ids)
    assert [x.subject_id for x in summaries[:3]] == shop_ids
    assert mismatches(sb.truth, engine) == []
    before = counts(engine)
    assert before["rollup_dirty_days"] == 0  # every shop's marked days were recomputed
    again = sync_subjects(conns, shop_ids, adv_ids, workers=6)  # incremental, all at once
    assert [(x.status, x.error) for x in again] == [("ok", None)] * 6
    assert counts(engine) == before
    assert mismatches(sb.truth, engine) == []


def test_each_shop_counts_only_its_own_retries(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_ids, _ = connect_all(sb, conns)
    sb.faults.add("server_error", "/order/202309/orders/search", shop_id=shop_ids[1], count=3,
                  after=2)
    barrier, pages = all_at_once(len(shop_ids))
    summaries = sync_shops(conns, shop_ids, since=DEMO.start,
                           progress_for=meeting(barrier, pages), workers=len(shop_ids))
    assert [x.status for x in summaries] == ["ok"] * 3
    assert [x.retries for x in summaries] == [0, 3, 0]
    assert not barrier.broken


def test_sqlite_writers_of_one_database_take_turns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    one = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    same = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    other = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert writer_lock(one) is writer_lock(same) and writer_lock(one) is not writer_lock(other)
    held, release, outcome = threading.Event(), threading.Event(), {}

    def first_writer() -> None:
        with write_transaction(one):
            held.set()
            release.wait()

    thread = threading.Thread(target=first_writer)
    thread.start()
    held.wait()
    outcome["second may start"] = writer_lock(same).acquire(blocking=False)
    outcome["other database may start"] = writer_lock(other).acquire(blocking=False)
    release.set()
    thread.join()
    assert outcome == {"second may start": False, "other database may start": True}
    writer_lock(other).release()
    with write_transaction(same):  # free again once the first one committed
        pass


def test_postgresql_writers_do_not_wait(engine: Engine) -> None:
    lock = writer_lock(engine)
    if engine.dialect.name == "sqlite":  # free while nobody writes
        assert lock.acquire(blocking=False)
        lock.release()
    else:
        with write_transaction(engine), write_transaction(engine):  # two at once, no waiting
            pass
