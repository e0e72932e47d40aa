"""``tikpulse bench``: the issue-19 targets beside their anchors (``bench/run.py`` of the checkout).

The benchmarks live in ``bench/`` (not installed with the package), so this command runs that
script from the source tree it belongs to.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import click

#: The benchmark script, relative to the repository root.
SCRIPT = Path("bench") / "run.py"


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--scale", type=click.Choice(["test", "demo", "agency"]), default="demo",
              help="demo: CI-friendly (< 2 min); agency: 200 stores x 52 weeks; test: smoke.")
@click.option("--repeat", type=int, default=200, help="Answers timed per line.")
@click.option("--only", default="", help="Comma list of parts: reads, slack, import, sync, "
              "parse (default: all).")
def bench(scale: str, repeat: int, only: str) -> None:
    """Print one table: each issue-19 figure with its anchor, ratio, target and load."""
    script = Path(__file__).resolve().parents[2] / SCRIPT
    if not script.exists():
        raise click.ClickException(f"{SCRIPT} is not here: run from a source checkout")
    sys.argv = [str(script), "--scale", scale, "--repeat", str(repeat),
                *(["--only", only] if only else [])]
    runpy.run_path(str(script), run_name="__main__")
