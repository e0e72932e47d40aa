from __future__ import annotations

from dataclasses import fields

import pytest

from analytics.catalog import METRICS, UnknownMetric, find_metric, get_metric, markdown_table
from analytics.kpis import KpiSet

REQUIRED = {
    "gross_gmv", "net_gmv", "settled_revenue", "orders", "units", "buyers", "aov", "refund_rate",
    "cvr", "spend", "impressions", "clicks", "ctr", "cpc", "cpm", "cpa", "roas_platform",
    "roas_true", "roas_blended", "commission_cost",
}


def test_every_required_metric_is_fully_described():
    ids = [m.id for m in METRICS]
    assert set(ids) >= REQUIRED
    assert len(ids) == len(set(ids))
    for m in METRICS:
        assert m.en and m.zh and m.formula and m.sources, m.id
        assert m.unit in {"money", "count", "ratio", "percent", "multiple"}
        assert m.direction in {"higher_better", "lower_better", "neutral"}


def test_every_catalog_metric_is_a_kpi_field():
    kpi_fields = {f.name for f in fields(KpiSet)}
    assert {m.id for m in METRICS} <= kpi_fields


def test_caveats_that_users_must_know():
    assert "organic and affiliate" in get_metric("roas_platform").caveat
    assert "refund" in get_metric("gross_gmv").caveat.lower()
    assert "net GMV / Σ spend" in get_metric("roas_blended").formula


@pytest.mark.parametrize(
    ("term", "metric_id"),
    [("投产比", "roas_platform"), ("ROI", "roas_platform"), ("MER", "roas_blended"),
     ("真实ROAS", "roas_true"), ("客单价", "aov"), ("Net GMV", "net_gmv"), ("net_gmv", "net_gmv"),
     ("click-through rate", "ctr"), ("转化率", "cvr"), ("退款率", "refund_rate"),
     ("佣金", "commission_cost"),
     ("cpm", "cpm"), ("  Gross   GMV ", "gross_gmv")],
)
def test_find_metric_by_id_name_or_alias(term, metric_id):
    assert find_metric(term).id == metric_id


def test_unknown_metric_suggests_near_matches():
    with pytest.raises(UnknownMetric) as err:
        find_metric("roa")
    assert err.value.suggestions == ["roas_blended", "roas_platform", "roas_true"]
    with pytest.raises(UnknownMetric):
        get_metric("GMV")  # get_metric takes ids only


def test_markdown_table_has_one_row_per_metric():
    table = markdown_table("zh")
    assert table.count("\n") == len(METRICS) + 2
    assert "| roas_true | 真实ROAS |" in table
