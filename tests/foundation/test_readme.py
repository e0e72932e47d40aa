"""The README's promises: its metric table is the catalog's, and CI runs its test command."""

from pathlib import Path

from analytics.catalog import markdown_table

ROOT = Path(__file__).parents[2]


def test_readme_metric_table_is_the_catalog():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- metrics:start -->\n")[1].split("<!-- metrics:end -->")[0]
    assert table.strip() == markdown_table("en").strip()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "bash .ci/setup && .venv/bin/python -m pytest -n 2"
    assert command in readme
    assert command in ci.splitlines()
