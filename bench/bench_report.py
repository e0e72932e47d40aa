"""One store's weekly report in every format and both languages: build the report from the
warehouse, compose, text, charts, PDF, HTML and PPTX deck, written to a temp folder. Prints the
seconds of each stage (median of the warm runs), the total, and an anchor measured in the same
run (a fixed matplotlib figure saved as a 1200 px PNG), with the load average.

    .venv/bin/python bench/bench_report.py [--runs 3]

Data: the digest tests' seeded Acme UK store (``tests/digest/digest_seed.py``), eight weeks of
rollups in a migrated SQLite warehouse. Target (issue 19): <= 1.2 s (issue 16: under 2 s).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "digest")]

#: Warm runs per scale (``tikpulse bench --scale``); the first, cold run is not counted.
RUNS = {"test": 1, "demo": 3, "agency": 5}
#: Target for the whole report, all formats, both languages (issue 19).
TARGET_S = 1.2
#: Stages in the order they run; "write" is the files on disk.
STAGES = ("build", "compose", "text", "charts", "pdf", "html", "deck", "write")
#: The stages whose wall time is one after another: the editions' ("render") are drawn side by
#: side where a core is spare, so their own seconds add up to more than the wall time.
WALL = ("build", "compose", "render", "write")
EDITION_STAGES = ("text", "charts", "pdf", "html", "deck")
#: The anchor: one fixed line chart of this many points, saved like a digest chart.
ANCHOR_POINTS = 12


def anchor_seconds(repeat: int = 3) -> float:
    """Median seconds to draw and save one fixed 1200 px line chart (matplotlib Figure API):
    the machine's speed at chart drawing right now, beside our figure."""
    from matplotlib.figure import Figure

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fig = Figure(figsize=(12, 5), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        ax.plot(range(ANCHOR_POINTS), [i * i for i in range(ANCHOR_POINTS)], marker="o")
        ax.set_title("anchor")
        fig.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _seed(folder: Path) -> Any:
    """A migrated SQLite warehouse with the seeded UK store; returns the digest deps."""
    from digest_seed import UK, seed, tenant_entry, write_tenants

    from config.settings import Settings
    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade
    from jobs.wiring import digest_deps

    engine = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    upgrade(engine)
    seed(engine, stores=(UK,))
    path = write_tenants(folder, tenant_entry(language="both", stores=(UK,)))
    os.environ.update(DATABASE_URL=str(engine.url), TIKPULSE_CONFIG=str(path))
    return digest_deps(Settings())


def one_run(deps: Any, out: Path) -> tuple[dict[str, float], list[Path]]:
    """Seconds per stage of one full report (both languages, every format) and its files:
    the stages of the editions added up over the languages (each drawn in its own process on
    a machine with a core to spare), "render" the wall seconds they took, "cpu" the CPU
    seconds of this process and of the children it forked."""
    from jobs.accounts.targets import effective_targets
    from jobs.digest.compose import compose
    from jobs.digest.document import write_files  # noqa: F401  (imported before timing)
    from jobs.digest.render import render_editions, write_editions
    from jobs.report.build import build_weekly_report

    stages: dict[str, float] = {}
    tenant = deps.tenant("acme")
    cpu = time.process_time() + _children_cpu()
    start = time.perf_counter()
    report = build_weekly_report(deps.engine, tenant, "2026-W47")
    stages["build"] = time.perf_counter() - start
    start = time.perf_counter()
    with deps.engine.connect() as conn:
        targets = effective_targets(conn, tenant)
    digest = compose(report, targets)
    stages["compose"] = time.perf_counter() - start
    start = time.perf_counter()
    editions = render_editions(digest, tenant.digest.timezone, stages=stages)
    stages["render"] = time.perf_counter() - start
    start = time.perf_counter()
    files = write_editions(editions, out)
    stages["write"] = time.perf_counter() - start
    stages["cpu"] = time.process_time() + _children_cpu() - cpu
    return stages, files


def _children_cpu() -> float:
    """CPU seconds of this process's reaped children (the forked editions)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(runs: int) -> dict[str, Any]:
    """Seed, one cold run, ``runs`` warm runs; medians per stage, the anchor and the load."""
    folder = Path(tempfile.mkdtemp(prefix="tikpulse-bench-report-"))
    load = os.getloadavg()
    try:
        deps = _seed(folder)
        start = time.perf_counter()
        _, files = one_run(deps, folder / "out")
        cold = time.perf_counter() - start
        anchors, warm = [anchor_seconds()], []
        for _ in range(runs):
            warm.append(one_run(deps, folder / "out")[0])
            anchors.append(anchor_seconds())
        medians = {s: statistics.median(w.get(s, 0.0) for w in warm)
                   for s in (*STAGES, "render", "cpu")}
        totals = [sum(w.get(s, 0.0) for s in WALL) for w in warm]
        return {"stages": medians, "total": statistics.median(totals), "cold": cold,
                "anchor": statistics.median(anchors), "files": files, "runs": runs,
                "load": (load, os.getloadavg())}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _load(got: dict[str, Any]) -> str:
    before, after = got["load"]
    return (f"{before[0]:.2f} {before[1]:.2f} {before[2]:.2f} / {after[0]:.2f} {after[1]:.2f} "
            f"{after[2]:.2f} on {os.cpu_count()} CPUs")


def _processes() -> str:
    """How the editions are drawn on this machine (``forked.in_forks``)."""
    from jobs.report.forked import can_fork, spare_cores

    if can_fork():
        return f"the languages side by side ({spare_cores() + 1} cores)"
    return "the languages one after the other (no core to spare, or threads running)"


def bench_lines(scale: str) -> list[dict[str, str]]:
    """Rows for ``tikpulse bench`` (keys line, figure, anchor, note): one store's weekly report
    in both languages and every format, seconds per stage and in all, beside the seconds of one
    fixed 1200 px matplotlib chart measured in the same run, and the load average."""
    got = measure(RUNS.get(scale, 3))
    anchor = f"one fixed chart {got['anchor']:.3f} s"
    ratio = got["total"] / got["anchor"] if got["anchor"] else float("nan")
    kinds = " ".join(sorted({p.suffix for p in got["files"]}))
    rows = [{"line": "one store's report, zh+en, all formats, s", "figure": f"{got['total']:.2f}",
             "anchor": anchor, "note": f"= {ratio:.1f} anchor charts; CPU "
             f"{got['stages']['cpu']:.2f} s; target <= {TARGET_S} s; "
             f"cold {got['cold']:.2f} s; median of {got['runs']}; {len(got['files'])} files "
             f"({kinds})"}]
    added = "both languages added up"
    rows += [{"line": f"  stage {stage}, s", "figure": f"{got['stages'][stage]:.3f}",
              "anchor": anchor, "note": added if stage in EDITION_STAGES else ""}
             for stage in STAGES]
    rows.append({
        "line": "  editions, wall, s", "figure": f"{got['stages']['render']:.3f}",
        "anchor": anchor, "note": f"{_processes()}; the stages above added up: "
        f"{sum(got['stages'][s] for s in EDITION_STAGES):.3f} s"})
    rows.append({"line": "load average (1/5/15 min), before / after", "figure": "",
                 "anchor": "", "note": _load(got)})
    return rows


def main() -> None:
    """Print the stage table of one store's full report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS["demo"])
    args = parser.parse_args()
    got = measure(args.runs)
    print(f"one store, zh+en, {len(got['files'])} files: median of {got['runs']} warm runs "
          f"(cold {got['cold']:.2f} s)")
    for stage in STAGES:
        print(f"  {stage:<8} {got['stages'][stage]:6.3f} s")
    print(f"  editions {got['stages']['render']:6.3f} s wall: {_processes()}")
    print(f"  {'total':<8} {got['total']:6.3f} s (target <= {TARGET_S} s); CPU "
          f"{got['stages']['cpu']:.3f} s")
    print(f"anchor: one fixed 1200 px chart {got['anchor']:.3f} s -> report = "
          f"{got['total'] / got['anchor']:.1f} anchor charts")
    print(f"load average (1/5/15 min), before / after: {_load(got)}")


if __name__ == "__main__":
    main()
