"""Advice that looks at more than one metric: the budget rules judge the ROAS the targets are set
on (platform), a budget increase waits while conversion, refunds or true ROAS get worse, a gap
inside the noise band is no reason to pause, and every sentence says its basis and effect."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from digest_seed import UK, US, seed, tenant_entry

from config.tenants import Targets, Tenant
from jobs.accounts.targets import ROAS_TARGET_BASIS, TARGET_METRICS
from jobs.digest.advice import Missing, store_call, suggestions
from jobs.digest.advice_text import suggestion_sentence
from jobs.digest.words import Words
from jobs.report.build import build_weekly_report
from jobs.report.model import StoreReport, WeeklyReport

TARGETS = Targets(roas=Decimal(3), break_even_roas=Decimal("1.8"))


@pytest.fixture
def report(sqlite_engine) -> WeeklyReport:
    seed(sqlite_engine)
    return build_weekly_report(sqlite_engine, Tenant.model_validate(
        tenant_entry(language="both")), "2026-W47")


def _steady(store: StoreReport) -> StoreReport:
    """The store with last week equal to this week (nothing deteriorated)."""
    kpis = replace(store.kpis, previous=store.kpis.current, baseline_4w=None)
    return replace(store, kpis=kpis, reporting=None)


def _with(store: StoreReport, **current: object) -> StoreReport:
    steady = _steady(store)
    kpis = replace(steady.kpis, current=replace(steady.kpis.current, **current))
    return replace(steady, kpis=kpis)


def _only(report: WeeklyReport, store: StoreReport, targets: Targets = TARGETS):
    return [s for s in suggestions(replace(report, stores=(store,)), targets, ())
            if s.action in ("raise_budget", "pause_ads", "hold_budget")]


def test_targets_digest_and_alerts_share_one_roas_basis() -> None:
    assert ROAS_TARGET_BASIS == "roas_platform"
    assert TARGET_METRICS["roas"] == TARGET_METRICS["break_even_roas"] == ROAS_TARGET_BASIS


def test_budget_goes_up_only_while_nothing_deteriorates(report) -> None:
    uk = report.store(UK)
    (held,) = _only(report, uk)  # true ROAS fell with the traffic
    assert held.action == "hold_budget" and held.facts["blockers"] == ("true_roas_down",)
    (raised,) = _only(report, _steady(uk))
    assert raised.action == "raise_budget"
    assert raised.facts["extra_revenue"] == pytest.approx(
        raised.facts["extra_spend"] * raised.facts["roas"], rel=Decimal("0.001"))
    cvr = uk.kpis.current.cvr
    (halved,) = _only(report, _with(uk, cvr=cvr / 2))
    assert halved.action == "hold_budget" and halved.facts["blockers"] == ("cvr_down",)
    refunds = _with(uk, refund_rate=(uk.kpis.current.refund_rate or 0) + 0.1)
    assert _only(report, refunds)[0].facts["blockers"] == ("refunds_up",)


def test_no_pause_for_a_gap_inside_the_noise_band(report) -> None:
    us = _steady(report.store(US))  # platform ROAS 1.20 every week
    (cut,) = _only(report, us)
    assert cut.action == "pause_ads" and cut.facts["roas"] < Decimal("1.8")
    close = Targets(roas=Decimal(3), break_even_roas=Decimal("1.22"))  # 1.6% below
    (held,) = _only(report, us, close)
    assert held.action == "hold_budget" and held.facts["blockers"] == ("within_noise",)
    call = store_call(us, close, "USD")
    assert call is not None and call.verdict == "hold"


def test_every_budget_sentence_states_basis_and_effect(report) -> None:
    uk, us = report.store(UK), _steady(report.store(US))
    found = _only(report, uk) + _only(report, _steady(uk)) + _only(report, us)
    en = [suggestion_sentence(s, Words("en"), "USD") for s in found]
    zh = [suggestion_sentence(s, Words("zh"), "USD") for s in found]
    assert "platform ROAS 5.00 beats the 3.00 target, but true ROAS fell" in en[0]
    assert "Basis: platform ROAS 5.00 beats the 3.00 target (true ROAS" in en[1]
    assert "more revenue at today's ROAS" in en[1]
    assert "platform ROAS 1.20 is below break-even 1.80" in en[2] and "Expected:" in en[2]
    assert "平台ROAS" in zh[2] and "预计每周少亏" in zh[2]
    for line in zh:
        assert re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", line) == [], line


def test_late_sources_of_a_store_are_one_suggestion(report) -> None:
    late = (Missing("Acme UK", "settlements", "2026-11-21", 1),
            Missing("Acme UK", "traffic", "2026-11-21", 1),
            Missing("Acme US", "orders", None, None))
    found = [s for s in suggestions(report, Targets(), late) if s.action in ("resync",
                                                                               "reauthorize")]
    assert [(s.action, s.store) for s in found] == [("resync", "Acme UK"),
                                                    ("reauthorize", "Acme US")]
    en, zh = (suggestion_sentence(found[0], Words(lang), "USD") for lang in ("en", "zh"))
    assert en.startswith("Acme UK: settlements and traffic are 1 day behind (last complete")
    assert zh.startswith("Acme UK：结算、流量 数据落后 1 天")
    assert "orders has never synced" in suggestion_sentence(found[1], Words("en"), "USD")
