"""The monthly and bi-weekly reports of the seeded Acme warehouse (UK in GBP at 1.25 USD, US in
USD, 2026-09-28..2026-11-22): a month's GMV is the sum of its days, it compares with the month
before, its trend runs in months, and the digest says "month" in both languages."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from digest_seed import DAYS, STORES, UK, US, _store_day, seed, tenant_entry

from analytics.content import WinnerProfile
from analytics.money import quantize
from config.tenants import Tenant
from jobs.cli import cli
from jobs.digest.advice import Suggestion
from jobs.digest.advice_text import suggestion_sentence
from jobs.digest.chat_format import heading
from jobs.digest.compose import compose
from jobs.digest.content_text import lesson_lines
from jobs.digest.money_text import money_lines
from jobs.digest.sentences import digest_text
from jobs.digest.words import Words
from jobs.report.build import build_report, build_weekly_report
from jobs.report.model import WeeklyReport

RATE = {"GBP": Decimal("1.25"), "USD": Decimal(1)}  # the seed's fx_rates


def _month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    after = (first + timedelta(32)).replace(day=1)
    return [first + timedelta(i) for i in range((after - first).days)]


def _seeded_gmv(shop: str, days: list[date], usd: bool) -> Decimal:
    """The seed's own daily GMV of ``shop`` over ``days`` (only days it seeded)."""
    total = sum((Decimal(_store_day(shop, d, Decimal(1))["gross_gmv"])  # type: ignore[arg-type]
                 for d in days if d in DAYS), Decimal(0))
    return total * RATE[STORES[shop][2]] if usd else total


@pytest.fixture
def acme(sqlite_engine):
    seed(sqlite_engine)
    return sqlite_engine, Tenant.model_validate(tenant_entry())


def test_month_gmv_is_the_sum_of_its_days_and_compares_with_the_month_before(acme) -> None:
    engine, tenant = acme
    report = build_report(engine, tenant, "2026-11", insights=False)
    nov, octo = _month_days(2026, 11), _month_days(2026, 10)
    assert (report.cadence, report.week) == ("monthly", "2026-11")
    assert report.total is not None and report.total.previous is not None
    total = report.total.current
    assert total.gross_gmv == quantize(_seeded_gmv(UK, nov, True) + _seeded_gmv(US, nov, True))
    assert total.days == 30
    assert report.total.previous.gross_gmv == quantize(
        _seeded_gmv(UK, octo, True) + _seeded_gmv(US, octo, True))
    change = report.total.change("gross_gmv")
    expected = (float(total.gross_gmv) / float(report.total.previous.gross_gmv)) - 1
    assert change.pct == pytest.approx(expected) and change.good is False
    uk = report.store(UK)
    assert uk.kpis.current.currency == "GBP" and uk.kpis.current.gross_gmv == quantize(
        _seeded_gmv(UK, nov, False))
    assert (uk.first_day, uk.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    # September has data only from the 28th: not a whole month, so the 3-month average is
    # October alone and there is no year-ago month
    assert report.total.baseline_4w is not None and report.total.baseline_4w.weeks == 1
    assert report.total.baseline_4w.value("gross_gmv") == report.total.previous.gross_gmv
    assert report.total.year_ago is None
    # the trend runs in months; September, where the data starts on the 28th, is left out
    months = [h.week for h in report.total_history]
    assert months[0] == "2025-12" and months[-2:] == ["2026-10", "2026-11"]
    assert "2026-09" not in months and len(months) == 11
    assert report.total_history[-1].kpis.gross_gmv == total.gross_gmv
    # the weekly GMV target (20,000) scaled to the month's 30 days
    target = next(t.target for t in report.total.targets if t.metric == "gross_gmv")
    assert target == quantize(Decimal(20000) * 30 / 7)


def test_fortnight_compares_with_the_fortnight_before(acme) -> None:
    engine, tenant = acme
    report = build_report(engine, tenant, "2026-W45-W46", insights=False)
    assert report.cadence == "biweekly" and report.total is not None
    days = [date(2026, 11, 2) + timedelta(i) for i in range(14)]
    before = [d - timedelta(14) for d in days]
    assert report.total.current.gross_gmv == quantize(
        _seeded_gmv(UK, days, True) + _seeded_gmv(US, days, True))
    assert report.total.previous is not None and report.total.previous.gross_gmv == quantize(
        _seeded_gmv(UK, before, True) + _seeded_gmv(US, before, True))
    assert [h.week for h in report.total_history][-2:] == ["2026-W43-W44", "2026-W45-W46"]
    fortnights = [h.week for h in report.total_history]
    assert fortnights[0] == "2026-W31-W32" and "2026-W39-W40" not in fortnights  # data from W40
    assert len(fortnights) == 7


def test_the_weekly_report_is_the_weekly_case(acme) -> None:
    engine, tenant = acme
    weekly = build_weekly_report(engine, tenant, "2026-W47", insights=False)
    assert weekly == build_report(engine, tenant, "2026-W47", insights=False)
    assert weekly.cadence == "weekly" and len(weekly.total_history) == 12
    with pytest.raises(ValueError, match="expected e.g. 2026-W47"):
        build_weekly_report(engine, tenant, "2026-11")


def test_monthly_snapshot_round_trips_with_its_cadence(acme) -> None:
    engine, tenant = acme
    report = build_report(engine, tenant, "2026-11", insights=False)
    again = WeeklyReport.from_json(report.to_json())
    assert again == report and again.cadence == "monthly"


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("Acme Home 家居 monthly digest · 2026-11", "This month's headline", "vs last month",
            "vs 3-month avg")),
    ("zh", ("Acme Home 家居 月报 · 2026-11", "本月核心指标", "较上月", "较近3月平均")),
])
def test_the_monthly_digest_names_its_period(acme, lang, words) -> None:
    engine, tenant = acme
    report = build_report(engine, tenant, "2026-11", insights=False)
    text = digest_text(compose(report, tenant.targets), lang)
    title, headline, vs_prev, vs_base = words
    assert text.title == title and heading("headline", lang, text.cadence) == headline
    w = Words(lang, report.cadence)
    assert (w.t("vs_prev"), w.t("vs_base")) == (vs_prev, vs_base)
    assert "4" not in w.t("vs_base") and "周" not in w.t("title", tenant="", week="")


def test_cli_writes_the_month_and_refuses_a_bad_label(env, tmp_path) -> None:
    out = tmp_path / "month"
    result = CliRunner().invoke(cli, ["digest", "--tenant", "acme", "--period", "2026-11",
                                      "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = (out / "tikpulse-acme-2026-11-en.html").read_text(encoding="utf-8")
    assert "monthly digest · 2026-11" in html
    assert "This month&#39;s headline" in html or "This month's headline" in html
    assert (out / "tikpulse-acme-2026-11-en.pdf").read_bytes().startswith(b"%PDF")
    bad = CliRunner().invoke(cli, ["digest", "--tenant", "acme", "--period", "2026-13",
                                   "--out", str(out)])
    assert bad.exit_code == 2 and "no such month: '2026-13' (expected e.g. 2026-11)" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.parametrize(("lang", "weekly"), [
    ("en", r"\b(?:this|last|next|a) week\b|\bWoW\b|4-wk|4-week"),
    ("zh", r"本周|上周|下周|每周|4周"),
])
def test_no_weekly_words_anywhere_in_the_monthly_digest(acme, lang, weekly) -> None:
    engine, tenant = acme
    report = build_report(engine, tenant, "2026-11")
    text = digest_text(compose(report, tenant.targets), lang)
    assert report.total is not None
    settled = replace(report, total=replace(report.total, current=replace(
        report.total.current, settled_revenue=Decimal("1000"))))  # the seed settles nothing
    w = Words(lang, report.cadence)
    advice = [suggestion_sentence(Suggestion(action, "Acme US", Decimal(50), {
        "roas": 1.5, "break_even": 1.6, "target": 3.0, "noise": 0.05, "loss": 50, "spend": 900,
        "blockers": ("within_noise",)}), w, "USD") for action in ("pause_ads", "hold_budget")]
    lines = [*advice, *money_lines(settled, w),
             *lesson_lines((WinnerProfile("VIDEO", 5, 40, ()),), w),
             text.title, *text.summary, *text.changes, *text.suggestions, *text.quality,
             *(line for _, section in text.sections for line in section),
             *(f"{c.name} {c.change} {c.target}" for c in text.headline),
             *(f"{c.name} {c.change}" for _, cells in text.stores for c in cells)]
    assert len(lines) > 20
    assert [line for line in lines if re.search(weekly, line)] == []


def test_a_baseline_short_of_its_periods_is_not_shown(acme) -> None:
    engine, tenant = acme
    month = build_report(engine, tenant, "2026-11")
    assert month.total is not None and month.total.baseline_4w is not None
    assert month.total.baseline_4w.weeks < 3  # the seed's history holds fewer whole months
    text = digest_text(compose(month, tenant.targets), "en")
    assert text.headline and not any("3-month avg" in c.change for c in text.headline)
    week = build_weekly_report(engine, tenant, "2026-W47")
    assert week.total is not None and week.total.baseline_4w.weeks == 4  # type: ignore[union-attr]
    weekly = digest_text(compose(week, tenant.targets), "en")
    assert all("vs 4-wk avg" in c.change for c in weekly.headline if c.name == "Gross GMV")
