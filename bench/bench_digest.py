"""Digest benchmark: one store's digest (report, all charts, PDF) and a many-store tenant's digest
rendered by RQ workers in parallel. Prints times and peak memory.

    .venv/bin/python bench/bench_digest.py [--stores 200] [--workers 2] [--weeks 16]

Data: rollup rows written in bulk (``bench.bot_data``), one tenant owning every store. Part 1
times ``build_weekly_report`` -> compose -> charts -> PDF/HTML for a one-store tenant in each
language (median of 3 warm runs; peak traced memory of one run). Part 2 freezes the snapshot of an
N-store tenant, then starts ``--workers`` real ``rq worker --burst`` processes that run the
per-store chart jobs and the send job (no chats are bound, so nothing is posted), and reports the
wall time and the time per store. Target: under 1.5 s per store including charts and PDF.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis  # noqa: E402
from rq import Queue  # noqa: E402

from bench.bot_data import LAST_DAY, STAMP, USD_RATE, _insert, _shop, _shop_days  # noqa: E402
from config.settings import Settings  # noqa: E402
from jobs.digest.compose import compose  # noqa: E402
from jobs.digest.fanout import enqueue_render_and_send  # noqa: E402
from jobs.digest.pipeline import take_snapshot  # noqa: E402
from jobs.digest.render import render_editions  # noqa: E402
from jobs.digest.runs import load_run  # noqa: E402
from jobs.report.build import build_weekly_report  # noqa: E402
from jobs.resources import QUEUE  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from jobs.wiring import digest_deps  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def load_tenant(url: str, tenant_id: str, first_shop: int, stores: int, days: int) -> None:
    """One tenant owning ``stores`` stores with ``days`` of rollups."""
    engine = make_engine(url)
    upgrade(engine)
    stamp = STAMP.strftime("%Y-%m-%d %H:%M:%S.%f")
    day_list = [LAST_DAY - timedelta(days=d) for d in range(days)]
    import numpy as np

    rng = np.random.default_rng(7)
    with engine.begin() as conn:
        _insert(conn, "tenants", ("tenant_id", "name", "reporting_currency", "language",
                                  "created_at", "updated_at"),
                [(tenant_id, f"Bench {tenant_id} 基准", "USD", "zh+en", stamp, stamp)])
        shops, ads = [], []
        for i in range(first_shop, first_shop + stores):
            shop_id, region, ccy = _shop(i)
            from config.regions import REGIONS

            zone = REGIONS[region].timezone
            shops.append((shop_id, tenant_id, f"Store {i} {region}", region, ccy, zone, "config",
                          stamp, stamp))
            ads.append((f"8{i:018d}", tenant_id, shop_id, "ads", ccy, zone, stamp, stamp))
        _insert(conn, "shops", ("shop_id", "tenant_id", "name", "region", "currency", "timezone",
                                "source", "created_at", "updated_at"), shops)
        _insert(conn, "advertisers", ("advertiser_id", "tenant_id", "shop_id", "name",
                                      "currency", "timezone", "created_at", "updated_at"), ads)
        if first_shop == 0:
            _insert(conn, "fx_rates", ("day", "base", "quote", "rate", "source"),
                    [(d, c, "USD", repr(r), "bench") for d in day_list
                     for c, r in USD_RATE.items() if c != "USD"])
        for i in range(first_shop, first_shop + stores):
            _shop_days(conn, rng, i, day_list, stamp)
    engine.dispose()


def one_store(url: str, redis_url: str, weeks: str) -> None:
    """Time and peak memory of a one-store tenant's full digest, per language."""
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_url)
    deps = digest_deps(Settings())
    tenant = deps.tenant("solo")
    for lang in ("zh", "en"):
        one = tenant.model_copy(update={"language": (lang,)})

        def run(t=one) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            report = build_weekly_report(deps.engine, t, weeks)
            built = time.perf_counter()
            editions = render_editions(compose(report, t.targets), t.digest.timezone)
            done = time.perf_counter()
            size = sum(len(c.data) for e in editions for c in e.charts) + len(editions[0].pdf.data)
            return built - start, done - built, size

        run()  # warm: imports, fonts
        cpu = time.process_time()
        runs = [run() for _ in range(3)]
        cpu = (time.process_time() - cpu) / 3
        tracemalloc.start()
        size, charts = run()[2], len(render_editions(compose(build_weekly_report(
            deps.engine, one, weeks), one.targets), one.digest.timezone)[0].charts)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        report_s = statistics.median(r[0] for r in runs)
        render_s = statistics.median(r[1] for r in runs)
        print(f"one store [{lang}]: {report_s + render_s:.2f} s (report {report_s:.2f} s + "
              f"{charts} charts and PDF {render_s:.2f} s; median of 3; CPU {cpu:.2f} s); "
              f"output {size / 1024:.0f} KB; peak traced memory {peak / 2**20:.0f} MiB")


def many_stores(url: str, redis_url: str, stores: int, workers: int, week: str) -> None:
    """An N-store tenant's digest through real RQ workers."""
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_url)
    conn = redis.Redis.from_url(redis_url)
    conn.flushdb()
    deps = digest_deps(Settings())
    tenant = deps.tenant("agency")
    start = time.perf_counter()
    take_snapshot(deps, tenant, week, due_at=None)
    snap = time.perf_counter() - start
    enqueue_render_and_send(deps, "agency", week)
    jobs = Queue(QUEUE, connection=conn).count
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    procs = [subprocess.Popen([str(ROOT / ".venv/bin/rq"), "worker", "--burst", "--quiet",
                               "-c", "jobs.worker_preload", "--url", redis_url, QUEUE],
                              env=env, cwd=ROOT)
             for _ in range(workers)]
    for p in procs:
        p.wait()
    wall = time.perf_counter() - start
    run = load_run(deps.engine, "agency", week)
    queue = Queue(QUEUE, connection=conn)
    for job_id in queue.failed_job_registry.get_job_ids():
        job = queue.fetch_job(job_id)
        print(f"failed job {job_id}: {job.latest_result().exc_string[-600:] if job else ''}")
    send = queue.fetch_job(f"digest-send-agency-{week}-{run['snapshot_hash'][:8]}") if run else None
    if send is not None and send.get_status() != "finished":
        print(f"send job {send.id}: {send.get_status()}")
    langs = len(tenant.language)
    print(f"{stores}-store tenant, {langs} language(s), {workers} workers: snapshot {snap:.1f} s;"
          f" {jobs} jobs rendered and sent in {wall:.1f} s wall = {wall / stores:.2f} s per "
          f"store wall, {wall * workers / stores:.2f} s per store of worker time; "
          f"run status {run['status'] if run else None}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=16, help="weeks of rollups per store")
    parser.add_argument("--redis-db", type=int, default=14)
    args = parser.parse_args()
    week = "2026-W47"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
        start = time.perf_counter()
        load_tenant(url, "solo", 0, 1, 7 * args.weeks)
        load_tenant(url, "agency", 1, args.stores, 7 * args.weeks)
        print(f"loaded {args.stores + 1} stores x {7 * args.weeks} days of rollups in "
              f"{time.perf_counter() - start:.1f} s; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs")
        one_store(url, redis_url, week)
        many_stores(url, redis_url, args.stores, args.workers, week)
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
