"""Summary first and the sections a team acts on: the three-line conclusion written from the
drivers, the phone-sized KPI image, the chats leading with both (Telegram with Slack's store
lines), money / creators / traffic mix / funnel sections, names instead of ids, tiny moves left
out of "what changed", and no codes in the Chinese text."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from digest_seed import UK, seed, tenant_entry
from PIL import Image

from analytics.anomaly_types import Anomaly
from config.tenants import Targets, Tenant
from jobs.digest.chat_format import (
    slack_blocks,
    store_lines,
    telegram_html,
    telegram_messages,
)
from jobs.digest.compose import compose
from jobs.digest.section_text import anomaly_lines
from jobs.digest.sentences import digest_text
from jobs.digest.summary_text import summary_png
from jobs.digest.words import Words
from jobs.report.build import build_weekly_report
from jobs.report.records import ChannelShare, CreatorRow, Label

TARGETS = Targets(roas=Decimal(3), break_even_roas=Decimal("1.8"), weekly_gmv=Decimal(20000))
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case ids (an @handle is a name)


def _creator(handle: str, nickname: str | None, verdict: str, reasons: tuple[str, ...],
             rank: int) -> CreatorRow:
    return CreatorRow(handle, Decimal(900 - rank), 12, 14, Decimal(100), 9.0, 0.02, 5000, 0.05,
                      0.03, False, 20000.0, verdict == "stop", (), rank, rank, nickname, 400,
                      verdict, reasons)


@pytest.fixture
def report(sqlite_engine):
    """The seeded two-store week with creators (verdicts), a paid channel and a campaign name."""
    seed(sqlite_engine)
    built = build_weekly_report(sqlite_engine, Tenant.model_validate(
        tenant_entry(language="both")), "2026-W47")
    creators = (_creator("jane_doe", "Jane Doe", "rebook", ("pays_back",), 1),
                _creator("deal_hunter", None, "watch", ("middling_return", "low_cvr"), 2),
                _creator("boost_4u", "Boost", "stop", ("engagement_looks_bought",), 3))
    mix = (ChannelShare("LIVE", 0.3, 0.28, 2.0, 0.3, 0.3, 0.0, 0.5, 0.45, 5.0),
           ChannelShare("PAID", 0.4, 0.42, -2.0, 0.4, 0.4, 0.0, 0.36, 0.38, -2.0))
    flags = (Anomaly("cpm", "c1", date(2026, 11, 17), "day", 9.0, 5.0, 4.0, 0.8, Decimal(120),
                     "GBP", "high"),
             Anomaly("creator_units", "jane_doe", date(2026, 11, 16), "week", 8.0, 1.0, 5.0,
                     7.0, None, "GBP", "medium"))
    ins = replace(built.insights, creators=creators, mix=mix, anomalies=flags,
                  labels=(Label("campaign", "c1", "Autumn-Sale"),))
    return replace(built, insights=ins)


def test_three_line_conclusion_from_the_drivers(report) -> None:
    digest = compose(report, TARGETS)
    assert [c.topic for c in digest.conclusions] == ["sales", "ads", "refunds"]
    en, zh = digest_text(digest, "en").summary, digest_text(digest, "zh").summary
    gmv = report.total.change("gross_gmv").pct
    assert en[0].startswith(f"GMV $17,500 ({Words('en').pct_change(gmv)}): orders ")
    assert "Acme UK conversion" not in en[0]  # UK's conversion held: traffic fell
    assert en[1] == ("ads: Acme US spend +0.0% at platform ROAS 1.20, below break-even 1.80 — "
                     "cut")
    assert zh[1].startswith("广告：Acme US 花费") and zh[1].endswith("削减")


def test_the_summary_image_is_phone_sized_and_draws_every_glyph(report) -> None:
    digest = compose(report, TARGETS)
    for lang in ("zh", "en"):
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
            png = summary_png(digest, Words(lang), "Acme 周报", "2026-W47")
        assert png is not None
        width, height = Image.open(io.BytesIO(png)).size
        assert width == 1080 and 1.2 < height / width < 2.0


def test_chats_lead_with_the_summary_and_telegram_has_slacks_store_lines(report) -> None:
    for lang in ("zh", "en"):
        t = digest_text(compose(report, TARGETS), lang)
        blocks = slack_blocks(t, "Asia/Shanghai")
        first = next(b for b in blocks if b["type"] == "section")["text"]["text"]
        assert all(line in first for line in t.summary)
        tg = telegram_html(t, "Asia/Shanghai")
        assert tg.index(t.summary[0]) < tg.index(t.headline[0].name)
        for name, line in store_lines(t):
            assert f"*{name}* {line}" in str(blocks) and f"<b>{name}</b> {line}" in tg


def test_sections_money_creators_traffic_and_funnel(report) -> None:
    sections = dict(digest_text(compose(report, TARGETS), "en").sections)
    money = sections["Money"]
    assert money[0].startswith("Gross GMV $17,500 − refunds $315.00 = net GMV $17,185")
    assert any(line.startswith("Left after refunds, commission and ads: ") for line in money)
    uk = next(line for line in money if line.startswith("Acme UK: "))  # GBP, reported in USD
    assert re.fullmatch(r"Acme UK: net GMV \$[\d,.]+ \(£[\d,.]+\), left \$[\d,.]+", uk), uk
    creators = sections["Creators"]
    assert creators[0].startswith("Jane Doe (@jane_doe): GMV $899.00, 12 orders, 400 clicks")
    assert "✅ Rebook: Jane Doe (@jane_doe)" in creators
    assert ("👀 Watch: @deal_hunter (GMV per commission below 6×, conversion below 1% of "
            "product clicks)") in creators
    assert "⛔ Stop: Boost (@boost_4u) (several signs of bought engagement)" in creators
    assert sections["Traffic mix"][0] == (
        "Paid traffic brought 36.0% of GMV (−2.0 pt), organic 64.0%")
    funnel = sections["Conversion path"]
    assert funnel[0].startswith("Shop: impressions ") and "→ orders " in funnel[0]
    assert funnel[1].startswith("Ads: Ad impressions ") and "→ ad clicks " in funnel[1]


def test_campaigns_by_name_and_tiny_moves_left_out(report) -> None:
    lines = anomaly_lines(report.insights.anomalies, Words("en"), {UK: "Acme UK"},
                          {"c1": "Autumn-Sale"})
    assert len(lines) == 1 and lines[0].startswith("campaign Autumn-Sale Cost per mille")
    assert "1800" not in lines[0]  # no id where the name is known
    bigger = replace(report.insights.anomalies[1], value=30.0)
    (line,) = anomaly_lines((bigger,), Words("en"), {}, {}, {"jane_doe": "Jane Doe"})
    assert line.startswith("Jane Doe (@jane_doe) creator units")  # 29 units: news


def test_no_codes_in_the_chinese_digest(report) -> None:
    t = digest_text(compose(report, TARGETS), "zh")
    lines = [*t.summary, *t.changes, *t.suggestions, *t.quality,
             *(line for _, ls in t.sections for line in ls), *(c.name for c in t.headline)]
    for line in lines:
        bare = re.sub(r"@\w+", "", line)
        assert CODE.findall(bare) == [], line
        assert not re.search(r"\b(?:GMV per|conversion|engagement|refunds?)\b", bare), line


def test_a_long_telegram_digest_keeps_the_store_lines_and_continues_the_sections(report):
    t = digest_text(compose(report, TARGETS), "en")
    long = replace(t, sections=tuple((f"Section {i}", tuple(f"{i}.{j} " + "x" * 200
                                                            for j in range(5)))
                                     for i in range(12)))
    first, *more = telegram_messages(long, "Asia/Shanghai")
    assert len(first) <= 4096 and "More sections in the next message." in first
    assert all(f"<b>{name}</b> {line}" in first for name, line in store_lines(t))
    assert all(s in first for s in t.suggestions) and "Section 0" in first
    assert len(more) >= 2 and all(len(m) <= 4096 for m in more)
    assert all(m.startswith(f"<b>{t.title}</b> <i>(continued)</i>") for m in more)
    every = "\n".join([first, *more])
    for title, lines in long.sections:  # everything Slack has, once, in order
        assert every.count(f"<b>{title}</b>") == 1 and all(every.count(f"• {x}") == 1 for x in lines)
    assert [every.index(f"<b>{title}</b>") for title, _ in long.sections] == sorted(
        every.index(f"<b>{title}</b>") for title, _ in long.sections)
    short = replace(t, sections=t.sections[:2])
    assert telegram_messages(short, "Asia/Shanghai") == (telegram_html(short, "Asia/Shanghai"),)
    assert "next message" not in telegram_html(short, "Asia/Shanghai")  # everything fits
