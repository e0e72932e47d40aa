"""Natural questions, as sellers type them, read as the right command and slots (issue 17).

Each row is a question and the ``understood`` object ``tikpulse ask --json`` prints for it: the
command, the stores (shop ids of Acme; empty = all of the channel's stores), the period (first
and last local dates, as of Wednesday 2026-11-25), the metric, the ranking key and the limit.
"""

import json

import pytest
from click.testing import CliRunner

from bot.commands.grammar import parse
from bot.commands.understood import understood
from config.tenants import load_tenants
from jobs.cli import cli
from tests.bot.seed import NOW, UK, US, write_tenants

THIS_WEEK = ("2026-11-23", "2026-11-29")
LAST_WEEK = ("2026-11-16", "2026-11-22")  # the default: the last complete week
YESTERDAY = ("2026-11-24", "2026-11-24")
THIS_MONTH = ("2026-11-01", "2026-11-30")
LAST_MONTH = ("2026-10-01", "2026-10-31")

#: question, command, stores, period (first, last) or None, metric, by, limit
QUESTIONS = [
    # the misread questions
    ("为什么这周GMV下降了", "why", [], THIS_WEEK, "gross_gmv", None, None),
    ("which creator should I stop paying", "top_creators", [], LAST_WEEK, None, None, None),
    ("what do winning videos have in common", "top_videos", [], LAST_WEEK, None, None, None),
    ("top creaters", "top_creators", [], LAST_WEEK, None, None, None),
    ("raos uk", "roas", [UK], LAST_WEEK, "roas_platform", None, None),
    ("roas by campaign", "roas", [], LAST_WEEK, "roas_platform", "campaign", None),
    ("top creators 5 by engagement", "top_creators", [], LAST_WEEK, None, "engagement", 5),
    ("top creators 10 by cvr", "top_creators", [], LAST_WEEK, None, "cvr", 10),
    ("compare ctr UK US", "compare", [UK, US], LAST_WEEK, "ctr", None, None),
    ("refund rate in the US", "kpi", [US], LAST_WEEK, "refund_rate", None, None),
    ("how much should I reorder", "stock", [], None, None, None, None),
    ("summary", "kpi", [], LAST_WEEK, None, None, None),
    ("我们现在赚钱吗", "kpi", [], LAST_WEEK, None, None, None),
    ("本周总结", "kpi", [], THIS_WEEK, None, None, None),
    ("why did roas drop", "why", [], LAST_WEEK, "roas_platform", None, None),
    ("gmv all this week", "gmv", [], THIS_WEEK, "gross_gmv", None, None),
    # more, in both languages
    ("英国广告花了多少钱", "roas", [UK], LAST_WEEK, "spend", None, None),
    ("settled revenue last week", "kpi", [], LAST_WEEK, "settled_revenue", None, None),
    ("how are we doing this month", "kpi", [], THIS_MONTH, None, None, None),
    ("which campaign is wasting money", "roas", [], LAST_WEEK, None, "campaign", None),
    ("are we making money last month?", "kpi", [], LAST_MONTH, None, None, None),
    ("上个月英国销售额", "gmv", [UK], LAST_MONTH, "gross_gmv", None, None),
    ("按转化率 达人排行 前10", "top_creators", [], LAST_WEEK, None, "cvr", 10),
    ("最近14天美国退款率", "kpi", [US], ("2026-11-11", "2026-11-24"), "refund_rate", None, None),
    ("yesterday's gmv in the UK", "gmv", [UK], YESTERDAY, "gross_gmv", None, None),
    ("美国昨天的投产比是多少", "roas", [US], YESTERDAY, "roas_platform", None, None),
    ("top 3 videos last month", "top_videos", [], LAST_MONTH, None, None, 3),
    ("ctr of Acme UK in november", "roas", [UK], THIS_MONTH, "ctr", None, None),
    ("funnel US 2026-W46", "funnel", [US], ("2026-11-09", "2026-11-15"), None, None, None),
    ("traffic 11-01..11-15", "traffic", [], ("2026-11-01", "2026-11-15"), None, None, None),
    ("为什么英国的转化率下降了", "why", [UK], LAST_WEEK, "cvr", None, None),
    ("对比 英国 和 美国 上周", "compare", [UK, US], LAST_WEEK, None, None, None),
    ("本月达人排行 按佣金", "top_creators", [], THIS_MONTH, None, "commission", None),
    ("top creators by gmv last 30 days", "top_creators", [], ("2026-10-26", "2026-11-24"),
     None, "gmv", None),
    ("库存 缺货风险", "stock", [], None, None, None, None),
    ("what's the conversion rate of Acme US this week", "kpi", [US], THIS_WEEK, "cvr", None,
     None),
    ("上周全部店铺的gmv", "gmv", [], LAST_WEEK, "gross_gmv", None, None),
    ("why did sales fall in the UK last week", "why", [UK], LAST_WEEK, "gross_gmv", None, None),
]


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    return load_tenants(write_tenants(tmp_path_factory.mktemp("tenants"))).tenant("acme")


def read(question, tenant):
    return understood(parse(question, "en", tenant.stores), tenant, NOW)


@pytest.mark.parametrize(("question", "command", "stores", "period", "metric", "by", "limit"),
                         QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_question_is_understood(acme, question, command, stores, period, metric, by, limit):
    got = read(question, acme)
    assert (got["command"], got["stores"], got["metric"], got["by"], got["limit"]) == (
        command, stores, metric, by, limit), got
    assert "unknown_store" not in got, got
    first_last = (got["period"]["first"], got["period"]["last"]) if got["period"] else None
    assert first_last == period, got


def test_there_are_at_least_26_questions_in_both_languages():
    chinese = [q for q, *_ in QUESTIONS if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(QUESTIONS) >= 26 and len(chinese) >= 10


@pytest.mark.parametrize(("question", "said"), [
    ("roas Narnia", "narnia"),  # a terse command keeps the word: "unknown store", not all
    ("compare ctr UK TH", "th"),  # Acme has no Thai store; the UK side is still read
    ("refund rate in Thailand", "thailand"),
])
def test_a_store_the_channel_does_not_have_is_reported_not_dropped(acme, question, said):
    assert read(question, acme)["unknown_store"] == said


@pytest.mark.parametrize("question", ["为什么这周GMV下降了", "which creator should I stop paying",
                                      "what do winning videos have in common"])
def test_unknown_words_of_a_question_are_neither_stores_nor_creators(acme, question):
    parsed = parse(question, "en", acme.stores)
    assert parsed.scope is None and parsed.handle is None, parsed


def test_typos_are_read_and_reported(acme):
    assert read("top creaters", acme)["typos"] == [["creaters", "creators"]]
    assert read("raos uk", acme)["typos"] == [["raos", "roas"]]


def test_two_letter_words_are_regions_in_a_question_only_in_capitals(acme):
    assert read("is it up", acme)["command"] is None  # not Italy
    assert parse("how is it going in US", "en", acme.stores).scope == "us"


@pytest.mark.parametrize(("text", "first", "last"), [
    ("gmv march 2025", "2025-03-01", "2025-03-31"),
    ("2025年3月 gmv", "2025-03-01", "2025-03-31"),
    ("十二月 gmv", "2025-12-01", "2025-12-31"),  # a month not yet come is last year's
    ("gmv 11月", "2026-11-01", "2026-11-30"),
])
def test_months_in_both_languages(acme, text, first, last):
    period = read(text, acme)["period"]
    assert (period["first"], period["last"]) == (first, last)


def test_ask_json_says_what_it_understood(bot_ctx, redis_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(bot_ctx.engine.url))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(bot_ctx.tenants_file.path))
    monkeypatch.setenv("REDIS_URL", redis_url)
    result = CliRunner().invoke(cli, ["ask", "--tenant", "acme", "--json", "2026-W47英国投产比"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["understood"] == {
        "command": "roas", "stores": [UK], "period": {"first": "2026-11-16",
                                                      "last": "2026-11-22", "label": "2026-W47"},
        "metric": "roas_platform", "by": None, "limit": None}
