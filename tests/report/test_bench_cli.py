"""``tikpulse bench`` runs and prints its one table (a smoke test of the command, not of speed)."""

from __future__ import annotations

from click.testing import CliRunner

from bench import run
from jobs.cli import cli


def test_bench_prints_each_line_with_its_anchor_ratio_target_and_load(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    result = CliRunner().invoke(cli, ["bench", "--scale", "test", "--repeat", "5",
                                      "--only", "reads,slack"])
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    header = next(i for i, line in enumerate(out) if line.startswith("line"))
    assert out[header].split() == list(run.COLUMNS)
    rows = out[header + 2:-1]
    for name in ("KPI answer, 1 store", "roas all", "weekly KPIs of all 4 stores",
                 "Slack HTTP answers/s", "Slack HTTP ack"):
        found = [r for r in rows if r.startswith(name)]
        assert len(found) == 1, result.output  # a part that failed says why in its line
        assert "failed" not in found[0] and "x " in found[0]  # a ratio was measured
    assert out[-1].startswith("load average")


def test_a_part_not_written_yet_is_a_line_saying_so():
    (line,) = run.module_lines("bench.bench_not_written_yet", "test", 5)
    assert line["note"] == "not there yet: skipped"
    assert run.table([line])[2].startswith("bench.bench_not_written_yet")


def test_the_ratio_is_figure_over_anchor_when_a_part_gives_none():
    assert run.ratio_of({"figure": "6.0 s", "anchor": "DuckDB 4.0 s"}) == "1.50x"
    assert run.ratio_of({"figure": "51", "anchor": "regex p50 0.6 µs"}) == "85.00x"
    assert run.ratio_of({"figure": "198/198", "anchor": "100.0%"}) == "-"
    assert run.ratio_of({"figure": "36.8", "anchor": "773 calls / 20,991 orders"}) == "-"
    assert run.ratio_of({"figure": "fast", "anchor": "-"}) == "-"
    assert run.ratio_of({"figure": "1", "anchor": "2", "ratio": 0.25}) == "0.25x"
