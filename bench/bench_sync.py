"""The demo sync and one shop-year sync against the sandbox, with their anchors.

    .venv/bin/python bench/bench_sync.py [--workers N] [--skip-year]
    TIKPULSE_BENCH_REDIS=redis://127.0.0.1:6379/6 .venv/bin/python bench/bench_sync.py

The sandbox serves from a process of its own, as ``tikpulse demo`` starts it (the platform's
work is not the sync's: served from a thread, it took the sync's GIL); where it cannot (other
threads running), from a thread, and the line says so.

- Demo sync: ``tikpulse demo``'s step 3 (3 shops x 10 weeks, every source, the ads accounts) into a
  fresh SQLite warehouse at the demo's limits, shops synced concurrently by
  ``jobs.ingestion.fanout``: seconds, HTTP calls, orders, calls per 1,000 orders, calls/s, and the
  sandbox's own CPU per call (its handlers' thread time), beside the same run's floor: the calls
  at the app's rate limit.
- Shop-year: one shop's 52 weeks (``--since`` its first day) at the real Partner API allowance
  (``jobs.resources.SHOP_LIMIT``), the sandbox enforcing that rate too: calls and seconds against
  the allowance (how long the calls take at the allowed rate) and the throttled answers (0 means
  the sync kept under it).

Figures only (no pass/fail), with the machine's load average; ``bench_lines(scale)`` gives them
as rows for ``tikpulse bench``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.demo import SANDBOX_SHOP_LIMIT, authorize, pointed_at_sandbox  # noqa: E402
from config.settings import Settings  # noqa: E402
from config.tenant_registry import load_tenants  # noqa: E402
from jobs.ingestion.fanout import SHOP_WORKERS, sync_subjects  # noqa: E402
from jobs.ingestion.sync import sync_targets  # noqa: E402
from jobs.resources import SHOP_LIMIT  # noqa: E402
from jobs.sources.ratelimit import RateLimit  # noqa: E402
from jobs.warehouse import schema as s  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from jobs.wiring import connectors_from_settings  # noqa: E402
from sandbox import GeneratorConfig, Sandbox  # noqa: E402
from sandbox.config import last_monday  # noqa: E402

#: Redis of the benchmark's rate limiter (a spare database: its keys are the sandbox app's).
REDIS_URL = os.environ.get("TIKPULSE_BENCH_REDIS", "redis://127.0.0.1:6379/6")
#: The demo's data set: 3 shops x 10 weeks (``tikpulse demo``'s defaults).
DEMO_SHOPS, DEMO_WEEKS = 3, 10
#: One shop-year.
YEAR_WEEKS = 52
#: Issue 19's targets: demo sync seconds and HTTP calls per 1,000 orders.
TARGET_SECONDS, TARGET_CALLS_PER_K = 20.0, 40.0


@dataclass(frozen=True)
class SyncFigures:
    """One measured sync."""

    seconds: float
    cpu: float  # CPU seconds of this process (the sync, and the sandbox unless ``apart``)
    calls: int
    orders: int
    sandbox_cpu: float  # seconds of the sandbox handlers' CPU
    throttled: int  # answers the sandbox refused for going over its enforced rate
    limit: RateLimit
    statuses: tuple[str, ...]
    apart: bool  # the sandbox served from a process of its own

    @property
    def per_k(self) -> float:
        """HTTP calls per 1,000 orders synced."""
        return 1000 * self.calls / max(1, self.orders)

    @property
    def floor(self) -> float:
        """Seconds the calls take at the app's allowed rate: no sync can be faster."""
        return self.calls / self.limit.qps


def measure_sync(config: GeneratorConfig, limit: RateLimit, *, workers: int,
                 enforce: float | None = None, from_start: bool = False) -> SyncFigures:
    """Authorize the data set's sellers and sync everything once, timed, into a fresh SQLite
    warehouse (``from_start``: from the data's first day, else the first sync's usual 90 days);
    the sandbox enforces ``enforce`` requests/s (None: none)."""
    with tempfile.TemporaryDirectory() as tmp, \
            Sandbox.start(config=config, port=0, qps=enforce, own_process=True) as sb:
        base = Settings(database_url=f"sqlite:///{tmp}/warehouse.db", redis_url=REDIS_URL)
        settings = pointed_at_sandbox(base, sb, Path(tmp) / "tenants.yaml")
        conns = connectors_from_settings(settings, shop_limit=limit)
        upgrade(conns.engine)
        authorize(conns, load_tenants(settings.tikpulse_config), sb, Console(quiet=True))
        shop_ids, ad_ids = sync_targets(conns.engine)
        calls0, cpu0, refused0 = _served(sb)
        since = config.start if from_start else None
        started, cpu = time.perf_counter(), time.process_time()
        summaries = sync_subjects(conns, shop_ids, ad_ids, full=True, since=since,
                                  workers=workers)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        with conns.engine.connect() as conn:
            orders = conn.execute(select(func.count()).select_from(s.orders)).scalar_one()
        conns.engine.dispose()
        calls, sandbox_cpu, refused = _served(sb)
        return SyncFigures(seconds, cpu, calls - calls0, orders, sandbox_cpu - cpu0,
                           refused - refused0, limit, tuple(x.status for x in summaries),
                           sb.process is not None)


def _served(sb: Sandbox) -> tuple[int, float, int]:
    """The platform calls the sandbox has answered (its admin endpoints left out), their
    handlers' CPU seconds, and the calls it refused over the rate."""
    stats = sb.stats()
    api = [path for path in stats["requests"] if not path.startswith("/sandbox/")]
    return (sum(stats["requests"][p] for p in api), sum(stats["cpu_seconds"][p] for p in api),
            stats["rate_limited"])


def load() -> str:
    """The machine's 1/5/15-minute load average."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def demo_lines(workers: int = SHOP_WORKERS) -> list[dict[str, Any]]:
    """The demo sync's rows: time, calls per 1,000 orders, sandbox CPU per call."""
    config = GeneratorConfig(seed=7, shops=DEMO_SHOPS, weeks=DEMO_WEEKS, end=last_monday())
    f = measure_sync(config, SANDBOX_SHOP_LIMIT, workers=workers)
    ok = "all ok" if set(f.statuses) == {"ok"} else f"statuses {f.statuses}"
    return [
        {"line": f"demo sync {DEMO_SHOPS} shops x {DEMO_WEEKS} weeks ({workers} at once), s",
         "figure": f"{f.seconds:.1f}",
         "anchor": f"{f.floor:.1f} s: {f.calls:,} calls at {f.limit.qps:g}/s",
         "note": f"target <= {TARGET_SECONDS:g} s; {f.calls / f.seconds:.0f} calls/s; "
                 f"{f.cpu:.1f} s CPU ("
                 + ("the sync; the sandbox in its own process" if f.apart
                    else "sync + sandbox, one process") + f"); {ok}"},
        {"line": "demo sync HTTP calls per 1,000 orders",
         "figure": f"{f.per_k:.1f}",
         "anchor": f"{f.calls:,} calls / {f.orders:,} orders",
         "note": f"target <= {TARGET_CALLS_PER_K:g}"},
        {"line": "sandbox CPU per call, ms",
         "figure": f"{1000 * f.sandbox_cpu / max(1, f.calls):.2f}",
         "anchor": f"sync wall {1000 * f.seconds / max(1, f.calls):.2f} ms per call",
         "note": f"sandbox {f.sandbox_cpu:.1f} s CPU in all"},
    ]


def year_lines(workers: int = SHOP_WORKERS) -> list[dict[str, Any]]:
    """One shop-year at the real allowance, the sandbox enforcing it."""
    config = GeneratorConfig(seed=7, shops=1, weeks=YEAR_WEEKS, end=last_monday())
    f = measure_sync(config, SHOP_LIMIT, workers=workers, enforce=SHOP_LIMIT.qps,
                     from_start=True)
    return [{"line": f"shop-year sync (1 shop x {YEAR_WEEKS} weeks), s",
             "figure": f"{f.seconds:.1f}",
             "anchor": f"allowance {f.limit.qps:g}/s: {f.calls:,} calls need {f.floor:.1f} s",
             "note": f"{f.calls / f.seconds:.1f} calls/s, {f.per_k:.1f} per 1,000 of "
                     f"{f.orders:,} orders; throttled {f.throttled}"}]


def bench_lines(scale: str) -> list[dict[str, Any]]:
    """Rows for ``tikpulse bench`` (keys line, figure, anchor, note): the demo sync, and one
    shop-year (the same at every scale: the sync's cost is per shop)."""
    del scale  # the demo and a shop-year are the sync's two reference sizes
    rows = demo_lines() + year_lines()
    rows.append({"line": "load average (1/5/15 min)", "figure": load(), "anchor": "",
                 "note": f"{os.cpu_count()} cores"})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=SHOP_WORKERS,
                        help="shops synced at once (1: one after another)")
    parser.add_argument("--skip-year", action="store_true", help="only the demo sync")
    args = parser.parse_args(argv)
    print(f"load average before: {load()}")
    rows = demo_lines(args.workers) + ([] if args.skip_year else year_lines(args.workers))
    width = max(len(r["line"]) for r in rows)
    for r in rows:
        print(f"{r['line']:<{width}}  {r['figure']:>8}  | {r['anchor']}  | {r['note']}")
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
