"""What the digest says: headline directions, changes ranked by money, suggestions, zh/en text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from digest_seed import UK, US, seed, tenant_entry

from analytics.anomaly_types import Anomaly
from analytics.stock import StockPlan
from config.tenants import Targets, Tenant
from jobs.digest.chat_format import slack_blocks, telegram_html
from jobs.digest.compose import compose, missing_data, roas_basis
from jobs.digest.section_text import anomaly_lines, stock_lines
from jobs.digest.sentences import digest_text
from jobs.digest.words import Words
from jobs.report.build import build_weekly_report

TARGETS = Targets(roas=Decimal(3), break_even_roas=Decimal("1.8"), weekly_gmv=Decimal(20000))


@pytest.fixture
def report(sqlite_engine):
    seed(sqlite_engine)
    tenant = Tenant.model_validate(tenant_entry(language="both"))
    return build_weekly_report(sqlite_engine, tenant, "2026-W47")


def test_headline_follows_each_metrics_direction(report) -> None:
    digest = compose(report, TARGETS)
    rows = {r.metric: r for r in digest.headline}
    assert rows["gross_gmv"].pct_prev < 0 and rows["gross_gmv"].good is False
    assert rows["cvr"].pct_prev == pytest.approx(0, abs=0.01)
    assert rows["refund_rate"].pct_prev > 0 and rows["refund_rate"].good is False  # lower better
    assert rows["gross_gmv"].target == Decimal(20000) and rows["gross_gmv"].target_met is False


def test_changes_are_explained_and_ranked_by_money(report) -> None:
    digest = compose(report, TARGETS)
    first = digest.changes[0]
    assert (first.store, first.metric) == ("Acme UK", "net_gmv")
    assert first.drivers[0][0] == "traffic"  # visitors fell; conversion and order value held
    stakes = [c.money_at_stake for c in digest.changes]
    assert stakes == sorted(stakes, reverse=True)
    total = sum(c for _, c, _ in first.drivers)
    prev, cur = report.store(UK).kpis.previous.net_gmv, report.store(UK).kpis.current.net_gmv
    assert total == pytest.approx(float(cur - prev), rel=1e-6)


def test_suggestions_hold_the_winner_and_pause_the_loser(report) -> None:
    digest = compose(report, TARGETS)
    actions = {(s.action, s.store) for s in digest.suggestions}
    # UK beats the target, but its true ROAS fell with its traffic: no budget increase
    assert ("hold_budget", "Acme UK") in actions
    assert ("pause_ads", "Acme US") in actions
    pause = next(s for s in digest.suggestions if s.action == "pause_ads")
    assert pause.facts["roas"] < TARGETS.break_even_roas and pause.money_at_stake > 0


def test_text_in_both_languages_with_locale_numbers(report) -> None:
    digest = compose(report, TARGETS)
    zh, en = digest_text(digest, "zh"), digest_text(digest, "en")
    assert zh.title.startswith("Acme Home 家居 周报") and "weekly digest" in en.title
    assert "US$" in zh.headline[0].value and en.headline[0].value.startswith("$")
    assert "2026年11月16日" in zh.period and "Nov 16" in en.period
    assert any("流量" in line for line in zh.changes)
    assert any("do not raise the ad budget yet" in line for line in en.suggestions)
    assert any("platform ROAS 1.20 is below break-even 1.80" in line for line in en.suggestions)
    assert "⚠️" in en.headline[0].change and "▼" in en.headline[0].change
    html = telegram_html(en, "Asia/Shanghai")
    assert len(html) <= 4096 and html.count("<b>") == html.count("</b>")
    blocks = slack_blocks(zh, "Asia/Shanghai")
    assert blocks[0]["type"] == "header" and all(
        len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)


def test_missing_data_is_listed_and_marked_partial(sqlite_engine) -> None:
    seed(sqlite_engine, complete=False)
    tenant = Tenant.model_validate(tenant_entry())
    report = build_weekly_report(sqlite_engine, tenant, "2026-W47")
    [missing] = missing_data(report)
    assert (missing.store, missing.source, missing.days_behind) == ("Acme UK", "orders", 2)
    text = digest_text(compose(report, TARGETS, partial=True), "en")
    assert text.partial is not None and "Acme UK orders 2 day(s) behind" in text.partial
    resync = [s for s in compose(report, TARGETS).suggestions if s.action == "resync"]
    assert resync and resync[0].facts["days_behind"] == 2
    assert US in {s.shop_id for s in report.stores}


def test_true_roas_judges_when_computable_else_platform_roas(report) -> None:
    uk = report.store(UK).kpis.current
    assert roas_basis(uk) == "roas_true"
    unknown = replace(uk, paid_share=None, roas_true=None)  # no way to attribute shop revenue
    assert roas_basis(unknown) == "roas_platform"


def test_insight_lines_group_runs_and_rank_stock_by_cover() -> None:
    days = [date(2026, 11, 16) + timedelta(days=i) for i in range(3)]
    flags = tuple(Anomaly("gross_gmv", UK, d, "day", 800.0, 1000.0, -5.0, -0.2, Decimal(200),
                          "GBP", "high", driver="traffic") for d in days)
    en = anomaly_lines(flags, Words("en"), {UK: "Acme UK"})
    assert en == ["Acme UK Gross GMV 11-16–11-18 (3×): £800.00 vs £1,000 expected (−20.0%); "
                  "main driver: Traffic"]
    assert anomaly_lines(flags, Words("zh"), {UK: "Acme UK"})[0].endswith("主因：流量")
    plans = tuple(StockPlan(UK, f"sku{i}", "ses", 10.0, 10 * c, float(c), 14, 5.0, 145.0,
                            100, c < 14) for i, c in enumerate((9, 3, 20, 6)))
    assert [line.split(":")[0] for line in stock_lines(plans, Words("en"))] == [
        "SKU sku1", "SKU sku3", "SKU sku0"]  # fewest days of cover first; sku2 is fine
    assert stock_lines(plans, Words("zh"))[0] == (
        "SKU sku1：可售 3 天，补货周期 14 天 → 立即补货 100 件（约断货 11 天）")
    assert stock_lines(plans, Words("en"))[2].endswith("reorder 100 units now (about 5 days "
                                                       "out of stock)")


def test_content_traits_show_shares_as_percentages_and_seconds_whole() -> None:
    from analytics.content import Trait, WinnerProfile
    from jobs.digest.section_text import content_lines


    profile = WinnerProfile("VIDEO", 3, 7, (Trait("hook_s", 2.0, 4.2),
                                            Trait("music_share", 0.67, 0.3)))
    (line,) = content_lines((profile,), Words("en"))
    assert line == "Winning " + line.split("Winning ")[1]  # one line per content type
    assert " 2 vs 4" in line and " 67% vs 30%" in line and "0 vs 0" not in line


def test_chinese_quality_lines_say_rules_and_sources_in_words_not_codes(report) -> None:
    import re

    from analytics.clean import ORDER_RULES, REFUND_RULES
    from jobs.digest.advice import Missing
    from jobs.digest.sentences import quality_lines
    from jobs.digest.words import RULES
    from jobs.report.model import Exclusions

    rules = [*ORDER_RULES, *(f"refund_{r}" for r in REFUND_RULES)]
    assert set(rules) <= set(RULES)  # every rule the cleaning can apply has words
    store = replace(report.stores[0], quality=replace(report.stores[0].quality, exclusions=tuple(
        Exclusions(rule, 3, Decimal(1)) for rule in rules)))
    digest = replace(compose(replace(report, stores=(store,)), TARGETS),
                     missing=(Missing("Acme UK", "ads_campaign", "2026-11-20", 2),))
    for lang, words in (("zh", "付款前取消"), ("en", "cancelled before payment")):
        text = " ".join(quality_lines(digest, Words(lang)))
        assert words in text
        assert re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text) == [], text
