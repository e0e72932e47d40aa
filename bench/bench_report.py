"""One store's weekly report in every format and both languages: build the report from the
warehouse, compose, charts, HTML, PDF and PPTX, written to a temp folder. Prints the median time.

    .venv/bin/python bench/bench_report.py [--runs 3]

Data: the digest tests' seeded Acme UK store (``tests/digest/digest_seed.py``), eight weeks of
rollups in a migrated SQLite warehouse. Target (issue 16): under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "digest")]

from digest_seed import UK, seed, tenant_entry, write_tenants  # noqa: E402

from config.settings import Settings  # noqa: E402
from jobs.cli.digest import render_now  # noqa: E402
from jobs.digest.render import write_editions  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from jobs.wiring import digest_deps  # noqa: E402


def main() -> None:
    """Seed, then time ``render_now`` + ``write_editions`` for one store in zh and en."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tikpulse-bench-report-"))
    engine = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    upgrade(engine)
    seed(engine, stores=(UK,))
    path = write_tenants(folder, tenant_entry(language="both", stores=(UK,)))
    os.environ.update(DATABASE_URL=str(engine.url), TIKPULSE_CONFIG=str(path))
    deps = digest_deps(Settings())
    times, files = [], []
    for _ in range(args.runs + 1):  # the first run warms fonts and imports
        start = time.perf_counter()
        files = write_editions(render_now(deps, "acme", "2026-W47").editions, folder / "out")
        times.append(time.perf_counter() - start)
    kinds = sorted({p.suffix for p in files})
    print(f"one store, zh+en, {len(files)} files {kinds}: cold {times[0]:.2f} s, "
          f"median warm {statistics.median(times[1:]):.2f} s (target < 2 s) -> {folder / 'out'}")


if __name__ == "__main__":
    main()
