"""Ingestion benchmark: API sync throughput under a rate limit, and CSV import speed.

1. Sync: the demo sandbox enforces ``--qps`` per API; three worker processes (one per shop) sync
   concurrently through the shared Redis limiter set to the same QPS. Prints records/s, requests/s,
   the share of the allowed rate used, the busiest 1-second window and how many requests the
   sandbox refused (429) - which must be 0.
2. Import: a generated Seller Center export (``--lines``, default 1,000,000) is imported into SQLite
   and PostgreSQL, each in a fresh process so its peak memory (ru_maxrss) is its own; a file a
   tenth as long is imported too, to show memory does not grow with the file. Prints lines/s,
   wall and CPU seconds, which reader ran (columns = the fast path) and the load average, since
   a busy machine slows the wall clock.

    .venv/bin/python bench/bench_ingestion.py                  # both parts
    .venv/bin/python bench/bench_ingestion.py --skip-import --qps 20
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pg import fresh_database  # noqa: E402 - after the repository is on the path

REDIS_URL = os.environ.get("TIKPULSE_BENCH_REDIS", "redis://127.0.0.1:6379/12")
SECRET_KEY = "bench-secret-key-0123456789abcdef"


# --- sync ------------------------------------------------------------------------------------


def _connectors(urls: dict[str, str], db_url: str, qps: float, stamps: list[float] | None = None):
    import httpx
    import redis

    from jobs.resources import Connectors
    from jobs.sources.ratelimit import RateLimit, RateLimiter
    from jobs.sources.retry import RetryPolicy
    from jobs.sources.tiktok.ads import TikTokAdsClient
    from jobs.sources.tiktok.shop import TikTokShopClient
    from jobs.warehouse.crypto import TokenCipher
    from jobs.warehouse.db import make_engine
    from sandbox.credentials import DemoCredentials

    c = DemoCredentials()
    conn = redis.Redis.from_url(REDIS_URL)
    conns = Connectors(make_engine(db_url), conn, TokenCipher(SECRET_KEY))
    hooks = {"request": [lambda _r: stamps.append(time.time())]} if stamps is not None else {}
    http = httpx.Client(timeout=30, event_hooks=hooks)
    conns.shop = TikTokShopClient(
        http, app_key=c.app_key, app_secret=c.app_secret, auth_url=urls["shop"],
        api_url=urls["shop"], limiter=RateLimiter(conn, c.app_key, "shop", RateLimit(qps)),
        retry=RetryPolicy(on_retry=conns.on_retry))
    conns.ads = TikTokAdsClient(
        http, app_id=c.ads_app_id, secret=c.ads_secret, api_url=urls["ads"],
        limiter=RateLimiter(conn, c.ads_app_id, "ads", RateLimit(qps)),
        retry=RetryPolicy(on_retry=conns.on_retry))
    return conns


def _sync_worker(urls: dict[str, str], db_url: str, qps: float, shop_id: str, since: str,
                 out: str) -> None:
    """One worker process: sync one shop, then write its send times and summary."""
    from jobs.ingestion.shop_sync import run_shop_sync

    stamps: list[float] = []
    conns = _connectors(urls, db_url, qps, stamps)
    summary = run_shop_sync(conns, shop_id, since=date.fromisoformat(since))
    Path(out).write_text(json.dumps({"stamps": stamps, "rows": summary.rows,
                                     "status": summary.status, "retries": summary.retries}))


def bench_sync(qps: float, db_url: str) -> dict:
    """Three shops synced at once by three processes sharing one limiter at ``qps``."""
    import redis

    from jobs.accounts.connect import connect_shop
    from sandbox.config import GeneratorConfig
    from sandbox.server import Sandbox

    redis.Redis.from_url(REDIS_URL).flushdb()
    config = GeneratorConfig(seed=7, shops=3, weeks=10, end=date(2026, 11, 23))
    sb = Sandbox.start(config=config, port=0, qps=qps)
    try:
        urls = {"shop": sb.shop_api_url, "ads": sb.ads_api_url}
        conns = _connectors(urls, db_url, qps)
        shop_ids: list[str] = []
        for i, seller in enumerate(sb.credentials.sellers):
            shop_ids += connect_shop(conns.engine, conns.shop, conns.cipher,
                                     seller.shop_auth_code, f"seller-{i + 1}").subject_ids
        before, refused_before = sum(sb.state.requests.values()), sb.state.limiter.refused
        outs = [tempfile.mktemp(suffix=".json") for _ in shop_ids]
        ctx = mp.get_context("spawn")
        procs = [ctx.Process(target=_sync_worker, args=(urls, db_url, qps, sid,
                                                        config.start.isoformat(), out))
                 for sid, out in zip(shop_ids, outs, strict=True)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - started
        results = [json.loads(Path(o).read_text()) for o in outs]
        stamps = sorted(s for r in results for s in r["stamps"])
        requests = sum(sb.state.requests.values()) - before
        lo, hi = max(r["stamps"][0] for r in results), min(r["stamps"][-1] for r in results)
        both = [t for t in stamps if lo + 1 <= t <= hi]  # every worker busy, first burst over
        steady = (len(both) - 1) / (both[-1] - both[0]) if len(both) > 1 else 0.0
        return {
            "qps_allowed": qps, "records": sum(r["rows"] for r in results),
            "records_per_s": sum(r["rows"] for r in results) / elapsed,
            "requests": requests, "requests_per_s": requests / elapsed,
            "steady_requests_per_s": steady, "share_of_limit": steady / qps,
            "busiest_1s_window": _busiest(stamps), "refused_429": sb.state.limiter.refused
            - refused_before, "retries": sum(r["retries"] for r in results),
            "statuses": sorted({r["status"] for r in results}), "seconds": elapsed,
        }
    finally:
        sb.stop()


def _limiter_worker(qps: float, seconds: float, start_at: float, out: str) -> None:
    import redis

    from jobs.sources.ratelimit import RateLimit, RateLimiter

    limiter = RateLimiter(redis.Redis.from_url(REDIS_URL), "bench", "limiter", RateLimit(qps))
    while time.time() < start_at:
        time.sleep(0.001)
    stamps = []
    while time.time() < start_at + seconds:
        limiter.acquire()
        stamps.append(limiter.last_grant)
    Path(out).write_text(json.dumps(stamps))


def bench_limiter(qps: float, workers: int = 4, seconds: float = 10.0) -> dict:
    """``workers`` processes acquiring as fast as the shared limiter lets them."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    outs = [tempfile.mktemp(suffix=".json") for _ in range(workers)]
    start_at = time.time() + 3.0
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_limiter_worker, args=(qps, seconds, start_at, o)) for o in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    stamps = sorted(t for o in outs for t in json.loads(Path(o).read_text()))
    rate = (len(stamps) - qps) / (stamps[-1] - stamps[0])  # sustained, after the first burst
    return {"rate": rate, "share": rate / qps, "busiest": _busiest(stamps), "n": len(stamps)}


def _busiest(stamps: list[float]) -> int:
    best, lo = 0, 0
    for hi, t in enumerate(stamps):
        while t - stamps[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# --- import ----------------------------------------------------------------------------------

IMPORT_CHILD = """
import json, resource, sys, time
from jobs.ingestion.csv_import import import_orders_csv
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import upgrade
path, url = sys.argv[1], sys.argv[2]
engine = make_engine(url)
upgrade(engine)
before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started, cpu = time.perf_counter(), time.process_time()
result = import_orders_csv(engine, path, "7000001", tenant="bench", region="TH")
took = time.perf_counter() - started
print(json.dumps({"seconds": took, "rows": result.rows_read, "orders": result.orders,
                  "lines_per_s": result.rows_read / took, "read_by": result.read_by,
                  "cpu_s": time.process_time() - cpu, "rss_before_mb": before_mb,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                  / 1024}))
"""


def bench_import(path: Path, db_url: str) -> dict:
    """Import ``path`` in a fresh process; its speed and peak memory."""
    out = subprocess.run([sys.executable, "-c", IMPORT_CHILD, str(path), db_url], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _export(lines: int) -> Path:
    from bench.order_export import write_order_export

    path = Path(tempfile.gettempdir()) / f"tikpulse_orders_{lines}.csv"
    if not path.exists():
        started = time.perf_counter()
        write_order_export(path, lines)
        print(f"  generated {path} ({lines:,} lines) in {time.perf_counter() - started:.1f}s")
    return path


def main() -> None:
    """Run the selected parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qps", type=float, default=10.0)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    if not args.skip_sync:
        lim = bench_limiter(args.qps)
        print(f"Shared limiter alone (4 processes, {args.qps:g} QPS): {lim['rate']:.2f} "
              f"grants/s sustained = {lim['share']:.1%} of the limit, busiest 1 s window of "
              f"grant times {lim['busiest']}")
        print(f"Sync throughput (3 worker processes, shared limiter, sandbox enforcing "
              f"{args.qps:g} QPS)")
        with fresh_database() as url:
            from jobs.warehouse.db import make_engine
            from jobs.warehouse.migrate import upgrade

            upgrade(make_engine(url))
            r = bench_sync(args.qps, url)
        print(f"  {r['records']:,} records in {r['seconds']:.1f}s = {r['records_per_s']:,.0f} "
              f"records/s; {r['requests']} requests = {r['requests_per_s']:.2f}/s overall, "
              f"{r['steady_requests_per_s']:.2f}/s while all workers ran = "
              f"{r['share_of_limit']:.1%} of the limit; busiest 1 s window "
              f"{r['busiest_1s_window']} requests; "
              f"429s from the sandbox: {r['refused_429']}; retries {r['retries']}; "
              f"outcome {r['statuses']}")
    if not args.skip_import:
        bench_csv_import(args.lines)


def bench_csv_import(lines: int) -> None:
    """Import a ``lines``-line export and one a tenth as long into SQLite and PostgreSQL."""
    print(f"CSV import of a {lines:,}-line Seller Center export (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    files = ((f"{lines:,} lines", _export(lines)),
             (f"{lines // 10:,} lines", _export(max(1, lines // 10))))
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in files:
            _print_import("SQLite", label, bench_import(
                path, f"sqlite:///{tmp}/{uuid.uuid4().hex}.db"))
    for label, path in files:
        with fresh_database() as url:
            _print_import("PostgreSQL", label, bench_import(path, url))


def _print_import(database: str, label: str, r: dict) -> None:
    print(f"  {database:<10} {label:>16}: {r['lines_per_s']:,.0f} lines/s "
          f"({r['seconds']:.1f}s wall, {r['cpu_s']:.1f}s CPU in the importing process, read by "
          f"{r['read_by']}), peak RSS {r['peak_rss_mb']:.0f} MB "
          f"({r['rss_before_mb']:.0f} MB before the import; largest child process "
          f"{r['child_peak_rss_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
