"""The sync's progress never shows more done than its total: TikTok's ``total_count`` is per
query and a long window is pulled in 31-day chunks, so totals add up chunk by chunk (a bar once
showed ``orders 6849/3750``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from jobs.ingestion.shop_sync import run_shop_sync
from sandbox import GeneratorConfig, Sandbox
from tests.ingestion.sandbox_env import connect_all, connectors

CONFIG = GeneratorConfig(seed=9, shops=1, weeks=10, daily_orders=25, end=date(2026, 11, 23))


def test_progress_totals_cover_every_chunk(sqlite_engine, redis_url):
    calls: list[tuple[str, int, int | None]] = []
    with Sandbox.start(config=CONFIG, port=0) as sb:
        conns = connectors(sb, sqlite_engine, redis_url)
        [shop_id], _ = connect_all(sb, conns)
        summary = run_shop_sync(conns, shop_id, since=CONFIG.start,
                                progress=lambda *call: calls.append(call))
    assert summary.status == "ok"
    done: dict[str, int] = defaultdict(int)
    for source, rows, total in calls:
        done[source] += rows
        assert total is None or done[source] <= total, (source, done[source], total)
    orders = [(rows, total) for source, rows, total in calls if source == "orders"]
    assert len({total for _, total in orders}) >= 3  # three 31-day chunks, each adding its count
    assert orders[-1][1] == done["orders"] > 1000  # at the end the total is what was pulled


def test_each_bar_ends_complete_so_no_clock_keeps_running():
    import io

    from rich.console import Console

    from jobs.cli.sync import finish, progress_bar, progress_tracker

    with progress_bar(Console(file=io.StringIO())) as bar:
        track = progress_tracker(bar, "shop 1")
        track("orders", 50, 120)
        track("orders", 70, 120)
        track("traffic", 70, None)  # unknown total
        track("stock", 83, None)
        for task in bar.task_ids:
            finish(bar, task)
        shown = {t.description: (t.completed, t.total, t.finished) for t in bar.tasks}
    assert shown == {"shop 1 orders": (120, 120, True), "shop 1 traffic": (70, 70, True),
                     "shop 1 stock": (83, 83, True)}
