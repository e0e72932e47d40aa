"""``tikpulse ask``: the same answers in a shell, as text or one JSON object for scripts."""

import json

import pytest
from click.testing import CliRunner

from jobs.cli import cli
from tests.bot.seed import UK

JSON_METRICS = {"gross_gmv", "net_gmv", "orders", "units", "aov", "spend", "impressions",
                "clicks", "ctr", "cpc", "cpm", "cvr", "roas_platform", "roas_true", "roas_blended"}


@pytest.fixture
def run(bot_ctx, redis_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(bot_ctx.engine.url))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(bot_ctx.tenants_file.path))
    monkeypatch.setenv("REDIS_URL", redis_url)

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["ask", *args], catch_exceptions=False)

    return invoke


def test_json_answer_has_tenant_scope_period_currency_and_metrics(run):
    result = run("--tenant", "acme", "--json", "roas UK 2026-W47")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["tenant"], data["scope"], data["currency"]) == ("acme", "GB", "GBP")
    assert data["period"] == {"start": "2026-11-16", "end": "2026-11-22", "label": "2026-W47"}
    assert set(data["metrics"]) >= JSON_METRICS
    assert data["metrics"]["gross_gmv"] == "700.0000" and data["stores"] == [UK]  # GBP
    assert data["reporting"]["currency"] == "USD"  # and the reporting figures beside
    assert data["reporting"]["metrics"]["gross_gmv"] == "875.0000"  # 7 x 100 GBP x 1.25


def test_store_by_id_name_or_region_and_tenant_by_name(run):
    answers = [json.loads(run("--tenant", "Acme Home", "--json", f"gmv {s} 2026-W47").output)
               for s in (UK, "Acme UK", "UK")]
    assert {a["metrics"]["gross_gmv"] for a in answers} == {"700.0000"}  # GBP, the store's own


def test_not_computable_metrics_are_null(run):
    data = json.loads(run("--tenant", "acme", "--json", "kpi 2026-W40").output)
    assert data["metrics"]["roas_platform"] is None and data["metrics"]["ctr"] is None
    assert data["metrics"]["gross_gmv"] == "0.0000"  # no sales is zero, not unknown


def test_text_answer_and_failure_exit_status(run):
    ok = run("--tenant", "acme", "2026-W47英国投产比")
    assert ok.exit_code == 0 and "平台ROAS" in ok.output
    unknown = run("--tenant", "acme", "roas Narnia")
    assert unknown.exit_code == 1 and "Acme UK" in unknown.output


def test_several_tenants_need_a_tenant_name(run):
    result = run("roas all")
    assert result.exit_code == 1 and "acme" in result.output and "rival" in result.output
