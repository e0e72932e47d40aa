"""The issue-19 targets beside their anchors, measured in one run: ``tikpulse bench``.

    .venv/bin/python bench/run.py [--scale test|demo|agency] [--repeat 200] [--only reads,slack]

Each benchmark module of ``MODULES`` exposes ``bench_lines(scale) -> list[dict]`` (keys
``line``, ``figure``, ``anchor``, ``note``; optionally ``ratio`` (a number) and ``target``) and
measures its own anchor in the same run. This script imports them by name (a module that is not
there yet, or has no ``bench_lines`` yet, gets a line saying so), runs them one after another and
prints one table: figure, anchor, ratio, target and the machine's load average when the line was
measured (the machine may be shared, so wall times are noisy: read the ratios). ``demo`` runs in
CI-friendly time, ``agency`` (200 stores x 52 weeks) on request, ``test`` is the smoke test's.
Figures only: no pass/fail.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: Short name -> module of each part of the table, in the order printed.
MODULES = {"reads": "bench.bench_reads", "slack": "bench.bench_slack_http",
           "import": "bench.bench_import", "sync": "bench.bench_sync",
           "parse": "bench.bench_parse", "report": "bench.bench_report"}
#: Scales every module is asked for.
SCALES = ("test", "demo", "agency")
#: Columns of the table.
COLUMNS = ("line", "figure", "anchor", "ratio", "target", "load", "note")
#: A standalone number ("p50" is a name, "1,241" or "3/5" are not one plain figure).
_NUMBER = re.compile(r"(?<![\w.,/])\d+(?:,\d{3})*(?:\.\d+)?(?![\w/])")


def module_lines(name: str, scale: str, repeat: int) -> list[dict[str, Any]]:
    """The lines of one benchmark module, or one line saying why there are none."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return [{"line": name, "note": "not there yet: skipped"}]
    run = getattr(module, "bench_lines", None)
    if run is None:
        return [{"line": name, "note": "has no bench_lines(scale) yet: skipped"}]
    kwargs = {"repeat": repeat} if "repeat" in inspect.signature(run).parameters else {}
    started = time.perf_counter()
    try:
        lines = list(run(scale, **kwargs))
    except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others
        return [{"line": name, "note": f"failed: {type(exc).__name__}: {exc}"[:160]}]
    load = os.getloadavg()[0]
    for line in lines:
        line.setdefault("load", f"{load:.2f}")
        line.setdefault("note", "")
    if lines:
        lines[-1]["note"] = (f"{lines[-1]['note']}; " if lines[-1]["note"] else "") + (
            f"{time.perf_counter() - started:.0f} s")
    return lines


def ratio_of(line: dict[str, Any]) -> str:
    """The line's ratio: given, else figure over anchor when each holds one plain number."""
    given = line.get("ratio")
    if isinstance(given, int | float):
        return f"{given:.2f}x"
    if given:
        return str(given)
    figure, anchor = (_NUMBER.findall(str(line.get(k) or "")) for k in ("figure", "anchor"))
    if len(figure) == 1 and len(anchor) == 1 and float(anchor[0].replace(",", "")):
        return f"{float(figure[0].replace(',', '')) / float(anchor[0].replace(',', '')):.2f}x"
    return "-"


def table(lines: list[dict[str, Any]]) -> list[str]:
    """The lines as aligned text rows, header first."""
    rows = [[str(line.get(c) or "-") if c != "ratio" else ratio_of(line) for c in COLUMNS]
            for line in lines]
    widths = [max(len(r[i]) for r in [list(COLUMNS), *rows]) for i in range(len(COLUMNS))]
    out = []
    for row in [list(COLUMNS), ["-" * w for w in widths], *rows]:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                   .rstrip())
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the chosen modules at the chosen scale and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="demo")
    parser.add_argument("--repeat", type=int, default=200, help="answers timed per line")
    parser.add_argument("--only", default="", help=f"comma list of {', '.join(MODULES)}")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(MODULES)
    unknown = [n for n in chosen if n not in MODULES]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    started = time.perf_counter()
    lines: list[dict[str, Any]] = []
    for name in chosen:
        lines += module_lines(MODULES[name], args.scale, args.repeat)
    print(f"tikpulse bench --scale {args.scale} --repeat {args.repeat}")
    print("\n".join(table(lines)))
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs "
          f"(other work on this machine inflates wall times); "
          f"{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
