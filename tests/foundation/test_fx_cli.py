"""``tikpulse fx sync|import|show``: one line per outcome, errors without tracebacks, and a table
that says which rates the tenants' stores still lack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from jobs.cli import cli
from jobs.warehouse.schema import fx_rates
from sandbox import GeneratorConfig, Sandbox
from sandbox.fx_feed import feed_url

END = date(2026, 11, 23)
TENANTS = """
tenants:
  - id: acme
    name: Acme
    reporting_currency: USD
    stores:
      - {shop_id: uk1, name: Acme UK, region: GB}
      - {shop_id: us1, name: Acme US, region: US}
      - {shop_id: th1, name: Acme TH, region: TH}
"""
RATES = "day,base,quote,rate\n2026-11-19,GBP,USD,1.2701\n2026-11-20,GBP,USD,1.2734\n"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(config=GeneratorConfig(seed=5, shops=1, weeks=2, end=END)) as sandbox:
        yield sandbox


def _run(engine, tmp_path, monkeypatch, *args: str) -> Result:
    config = tmp_path / "tenants.yaml"
    config.write_text(TENANTS)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(config))
    return CliRunner().invoke(cli, ["fx", *args], terminal_width=160)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(fx_rates)).scalar_one()


def test_import_stores_a_good_file_and_names_the_bad_line(engine, tmp_path, monkeypatch):
    good = tmp_path / "rates.csv"
    good.write_text(RATES)
    result = _run(engine, tmp_path, monkeypatch, "import", str(good))
    assert result.exit_code == 0, result.output
    assert result.output == "rates.csv: 2 rates stored; see them with 'tikpulse fx show'.\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("day,base,quote,rate\n2026-11-18,THB,USD,0.0285\n2026-11-18,GBP,USD,abc\n")
    result = _run(engine, tmp_path, monkeypatch, "import", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.csv: line 3: rate 'abc' is not a number" in result.output
    assert "Nothing was imported." in result.output
    short = tmp_path / "short.csv"
    short.write_text("day,base,quote,rate\n2026-11-18,THB\n")
    result = _run(engine, tmp_path, monkeypatch, "import", str(short))
    assert "line 2: expected the 4 values day,base,quote,rate" in result.output
    assert _count(engine) == 2


def test_sync_from_the_sandbox_feed_then_nothing_new(engine, sb, tmp_path, monkeypatch):
    monkeypatch.setenv("TIKPULSE_FX_URL", feed_url(sb.base_url))
    result = _run(engine, tmp_path, monkeypatch, "sync", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert result.output == (f"{sb.base_url}/fx/eurofxref-hist-90d.xml: 140 rates stored for 20 "
                             "days 2026-10-26 – 2026-11-20 (7 currencies).\n")
    result = _run(engine, tmp_path, monkeypatch, "sync", "--today", "2026-11-23")
    assert result.output == (f"{sb.base_url}/fx/eurofxref-daily.xml: nothing new; rates are "
                             "stored through 2026-11-20, the feed's latest day.\n")
    assert _count(engine) == 140


def test_a_failing_feed_is_one_line_and_writes_nothing(sqlite_engine, sb, tmp_path,
                                                       monkeypatch):
    sb.faults.add("server_error", endpoint="/fx/*", count=1)
    result = _run(sqlite_engine, tmp_path, monkeypatch, "sync", "--url",
                  feed_url(sb.base_url), "--today", "2026-11-23")
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: FX feed {sb.base_url}/fx/")
    assert "answered HTTP 503" in lines[0] and "'tikpulse fx import FILE'" in lines[0]
    assert _count(sqlite_engine) == 0


def test_show_lists_pairs_and_the_rates_stores_lack(engine, tmp_path, monkeypatch):
    result = _run(engine, tmp_path, monkeypatch, "show")
    assert result.exit_code == 0, result.output
    assert "No FX rates stored yet. Run 'tikpulse fx sync'" in result.output
    assert "acme: GBP->USD missing, THB->USD missing" in result.output
    rates = tmp_path / "rates.csv"
    rates.write_text(RATES + "2026-11-20,EUR,USD,1.0812\n")
    assert _run(engine, tmp_path, monkeypatch, "import", str(rates)).exit_code == 0
    result = _run(engine, tmp_path, monkeypatch, "show", "--days", "2")
    out = result.output
    assert "FX rates stored (1 base = rate quote), days counted 2026-11-19 – 2026-11-20:" in out
    row = next(line for line in out.splitlines() if "GBP->USD" in line and "csv:" in line)
    assert row.split("│")[1:6] == [" GBP->USD ", " 2026-11-20 ", " 1.2734 ", "    2 ",
                                   " csv:rates.csv "]
    assert "Rates the tenants' stores need, 2026-11-19 – 2026-11-20:" in out
    assert "acme: GBP->USD ok, THB->USD missing" in out
    assert "Missing or partial: THB->USD. Run 'tikpulse fx sync'" in out
    only_eur = _run(engine, tmp_path, monkeypatch, "show", "--base", "eur").output
    assert "EUR->USD" in only_eur and "GBP->USD" not in only_eur.split("Rates the")[0]


def test_kpi_help_points_to_the_fx_commands(sqlite_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    result = CliRunner().invoke(cli, ["kpi", "--help"], terminal_width=160)
    assert "tikpulse fx import FILE" in result.output
    assert "Sync, import and show FX rates" in CliRunner().invoke(cli, ["--help"]).output
