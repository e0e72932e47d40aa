"""Benchmark of the analytics I/O layer: rollups, one tenant's weekly report, one store's KPIs.

Generates the sandbox data set (default 200 shops x 52 weeks, about 10 million order lines),
bulk-loads it into a fresh warehouse, then prints: the load and the first full rollup build; the
rollup refresh after one day's sync (only the days that sync touched); time and peak memory of one
tenant's full weekly report; p50/p95 of one store's KPI query; and the weekly aggregation of all
stores from our rollups against DuckDB doing the same aggregation over the raw rows in this run.

    .venv/bin/python bench/bench_analytics.py --shops 20            # quick (about a minute)
    .venv/bin/python bench/bench_analytics.py                       # full scale, SQLite
    .venv/bin/python bench/bench_analytics.py --pg postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_duckdb as duck  # noqa: E402
from bench.warehouse_load import load_dataset  # noqa: E402
from config.tenants import Store, Tenant  # noqa: E402
from jobs.report.build import build_weekly_report  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.fx_rates import seed_demo_rates  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from jobs.warehouse.queries import store_kpis  # noqa: E402
from jobs.warehouse.rollups import (  # noqa: E402
    rebuild_ad_rollups,
    rebuild_rollups,
    refresh_rollups,
)
from jobs.warehouse.touched import touched_days  # noqa: E402
from sandbox import GeneratorConfig, generate  # noqa: E402
from sandbox.dataset import Dataset  # noqa: E402

END = date(2026, 11, 23)


def _say(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def tenants_of(ds: Dataset) -> list[Tenant]:
    """One tenant per demo seller (two stores each), reporting in USD."""
    out = []
    for seller, shops in ds.shops.groupby("seller_idx"):
        stores = []
        for row, shop in shops.iterrows():
            advs = ds.advertisers[ds.advertisers["shop_idx"] == row]["advertiser_id"]
            stores.append(Store(shop_id=str(shop["shop_id"]), region=str(shop["region"]),
                                advertiser_ids=tuple(str(a) for a in advs)))
        out.append(Tenant(id=f"seller-{seller + 1}", name=f"Seller {seller + 1}",
                          stores=tuple(stores)))
    return out


def build_warehouse(url: str, ds: Dataset) -> object:
    """A fresh migrated warehouse holding the data set; prints load figures."""
    from sqlalchemy import insert

    from bench.bench_duckdb import seed_dimensions

    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for table, rows in seed_dimensions(ds):
            conn.execute(insert(table), rows)
        seed_demo_rates(conn, ds.start - timedelta(days=7), END)
    counts, took = _timed(load_dataset, engine, ds)
    _say("bulk load", f"{took:8.1f} s  ({', '.join(f'{k} {v:,}' for k, v in counts.items())})")
    return engine


def build_rollups(engine, ds: Dataset) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    with engine.begin() as conn:
        for shop_id in ds.shops["shop_id"]:
            rebuild_rollups(conn, str(shop_id))
        for advertiser_id in ds.advertisers["advertiser_id"]:
            rebuild_ad_rollups(conn, str(advertiser_id))
    took = time.perf_counter() - start
    _say("first full rollup build (all shops, all days)",
         f"{took:8.1f} s  ({took / len(ds.shops) * 1000:.0f} ms per shop)")


def one_day_sync(engine, ds: Dataset) -> None:  # type: ignore[no-untyped-def]
    """Refresh after a day's sync: the orders and refunds with an event on the last day."""
    changed = duck.changed_on_last_day(ds)
    start = time.perf_counter()
    days_total = 0
    with engine.begin() as conn:
        for shop_id, (order_ids, refund_ids) in changed.items():
            days = touched_days(conn, shop_id, order_ids=order_ids, refund_ids=refund_ids)
            days_total += len(days)
            refresh_rollups(conn, shop_id, days)
    took = time.perf_counter() - start
    n = len(changed)
    _say("rollup refresh after one day's sync (all shops)",
         f"{took:8.2f} s  ({took / n * 1000:.0f} ms per shop, {days_total / n:.1f} days touched)")


def tenant_report(engine, tenants: list[Tenant], week: str) -> None:  # type: ignore[no-untyped-def]
    agency = Tenant(id="agency", name="Agency (20 stores)",
                    stores=tuple(s for t in tenants[:10] for s in t.stores))
    for tenant in (tenants[0], agency):
        for insights, what in ((False, "KPIs + baselines + history"), (True, "full, insights")):
            _, took = _timed(build_weekly_report, engine, tenant, week, insights=insights)
            tracemalloc.start()
            build_weekly_report(engine, tenant, week, insights=insights)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            _say(f"weekly report, {len(tenant.stores)} stores, {what}",
                 f"{took * 1000:8.0f} ms  (peak traced memory {peak:.1f} MiB)")


def kpi_queries(engine, ds: Dataset, runs: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    shops = [str(s) for s in ds.shops["shop_id"]]
    mondays = [END - timedelta(days=7 * i) for i in range(1, ds.config.weeks)]
    times = []
    for _ in range(runs):
        monday = rng.choice(mondays)
        _, took = _timed(store_kpis, engine, rng.choice(shops), monday, monday + timedelta(6),
                         currency="USD")
        times.append(took * 1000)
    q = statistics.quantiles(times, n=20)
    _say(f"one store's KPI query in USD ({runs} runs)",
         f"p50 {statistics.median(times):6.1f} ms   p95 {q[18]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench" / "analytics.db")
    parser.add_argument("--pg", default=None, help="Also run on this (empty) PostgreSQL database.")
    parser.add_argument("--runs", type=int, default=200, help="KPI queries to time.")
    parser.add_argument("--reuse", action="store_true",
                        help="Keep an already loaded --db (skip the load and the first build).")
    args = parser.parse_args()
    print(f"bench_analytics: {args.shops} shops x {args.weeks} weeks", flush=True)
    ds, took = _timed(generate, GeneratorConfig(seed=7, shops=args.shops, weeks=args.weeks,
                                                end=END))
    _say("generate data set", f"{took:8.1f} s  ({len(ds.orders):,} orders, "
         f"{len(ds.lines):,} order lines)")
    args.db.parent.mkdir(parents=True, exist_ok=True)
    reuse = args.reuse and args.db.exists()
    if not reuse:
        args.db.unlink(missing_ok=True)
    urls = [("SQLite", f"sqlite:///{args.db}")] + ([("PostgreSQL", args.pg)] if args.pg else [])
    week = (END - timedelta(days=7)).isocalendar()
    label = f"{week[0]}-W{week[1]:02d}"
    tenants = tenants_of(ds)
    for name, url in urls:
        print(f"{name}:", flush=True)
        if reuse and name == "SQLite":
            engine = make_engine(url)
            _say("bulk load and first rollup build", "skipped (--reuse)")
        else:
            engine = build_warehouse(url, ds)
            build_rollups(engine, ds)
        one_day_sync(engine, ds)
        tenant_report(engine, tenants, label)
        kpi_queries(engine, ds, args.runs)
        duck.compare_weekly(engine, ds, END - timedelta(days=7), _say)
        engine.dispose()


if __name__ == "__main__":
    main()
