"""The EN/ZH grammar: the same question in either language gives the same command."""

from datetime import date
from decimal import Decimal

import pytest

from bot.commands.grammar import parse
from bot.commands.periods import PeriodError, resolve_period
from bot.commands.vocab import COMMANDS

CASES = [
    # text, command, scope, extra fields
    ("roas UK last week", "roas", "uk", {"period.kind": "last_week"}),
    ("上周英国投产比", "roas", "英国", {"period.kind": "last_week", "lang": "zh"}),
    ("/tp gmv all this week", "gmv", "all", {"period.kind": "this_week"}),
    ("本周 全部 销售额", "gmv", "all", {"period.kind": "this_week"}),
    ("kpi 2026-W47", "kpi", None, {"period.kind": "week"}),
    ("2026-W47英国投产比", "roas", "英国", {"period.kind": "week"}),
    ("funnel US last 7 days", "funnel", "us", {"period.kind": "last_days"}),
    ("最近7天 漏斗", "funnel", None, {"period.kind": "last_days"}),
    ("traffic 11-01..11-15", "traffic", None, {"period.kind": "range"}),
    ("top creators 5 by roi", "top_creators", None, {"n": 5, "rank_by": "roi"}),
    ("达人排行 前10 按转化率", "top_creators", None, {"n": 10, "rank_by": "cvr"}),
    ("top 3 videos", "top_videos", None, {"n": 3}),
    ("creator @lily.home", "creator", None, {"handle": "lily.home"}),
    ("达人 @lily.home 上周", "creator", None, {"handle": "lily.home"}),
    ("stock at risk", "stock", None, {"at_risk": True}),
    ("库存 缺货风险", "stock", None, {"at_risk": True}),
    ("stock ACME-MUG", "stock", "acme-mug", {}),
    ("why gmv UK", "why", "uk", {"metric": "gross_gmv"}),
    ("为什么英国gmv下降", "why", "英国", {"metric": "gross_gmv"}),
    ("compare UK US", "compare", None, {"scopes": ("uk", "us")}),
    ("对比 英国 和 美国", "compare", None, {"scopes": ("英国", "美国")}),
    ("UK vs US last week", "compare", None, {"scopes": ("uk", "us")}),
    ("define 投产比", "define", None, {"metric": "roas_platform"}),
    ("定义 真实ROAS", "define", None, {"metric": "roas_true"}),
    ("define true roas", "define", None, {"metric": "roas_true"}),
    ("targets", "targets", None, {}),
    ("target roas 3.0", "set_target", None, {"metric": "roas_platform", "value": Decimal("3.0")}),
    ("目标 投产比 2.5", "set_target", None, {"metric": "roas_platform", "value": Decimal("2.5")}),
    ("auth status", "auth_status", None, {}),
    ("授权状态", "auth_status", None, {}),
    ("digest now", "digest_now", None, {}),
    ("digest preview", "digest_preview", None, {}),
    ("预览周报", "digest_preview", None, {}),
    ("subscribe", "subscribe", None, {}),
    ("取消订阅", "unsubscribe", None, {}),
    ("help", "help", None, {}),
    ("帮助", "help", None, {}),
    ("", "help", None, {}),
    ("<@U0TIKBOT> roas all", "roas", "all", {}),
    ("/top_videos@tikpulse_bot", "top_videos", None, {}),
    ("ＲＯＡＳ　ＵＫ", "roas", "uk", {}),  # full-width input
    ("UK last week", "kpi", "uk", {}),  # a store and a period alone: the KPI overview
]


def _field(parsed, name):
    value = parsed
    for part in name.split("."):
        value = getattr(value, part)
    return value


@pytest.mark.parametrize(("text", "command", "scope", "extra"), CASES)
def test_parse(text, command, scope, extra):
    parsed = parse(text)
    assert parsed.command == command, parsed
    assert parsed.scope == scope
    for name, expected in extra.items():
        assert _field(parsed, name) == expected, name


def test_typo_is_read_as_the_closest_command_and_said_so():
    parsed = parse("rosa UK")
    assert (parsed.command, parsed.scope, parsed.typos) == ("roas", "uk", (("rosa", "roas"),))


def test_garbled_text_has_no_command_but_close_candidates():
    parsed = parse("blorp the numbers")
    assert parsed.command is None
    assert parsed.candidates  # never empty: at worst "help"


def test_two_questions_at_once_are_ambiguous():
    parsed = parse("gmv roas UK")
    assert parsed.command is None
    assert set(parsed.candidates) == {"gmv", "roas"}


TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("roas this week", date(2026, 11, 23), date(2026, 11, 29), "2026-W48"),
    ("roas last week", date(2026, 11, 16), date(2026, 11, 22), "2026-W47"),
    ("roas", date(2026, 11, 16), date(2026, 11, 22), "2026-W47"),
    ("roas 2026-W01", date(2025, 12, 29), date(2026, 1, 4), "2026-W01"),
    ("roas last 7 days", date(2026, 11, 18), date(2026, 11, 24), "2026-11-18..2026-11-24"),
    ("roas 11-01..11-15", date(2026, 11, 1), date(2026, 11, 15), "2026-11-01..2026-11-15"),
    ("roas 12-20..01-05", date(2025, 12, 20), date(2026, 1, 5), "2025-12-20..2026-01-05"),
    ("昨天 gmv", date(2026, 11, 24), date(2026, 11, 24), "2026-11-24..2026-11-24"),
])
def test_periods_resolve_to_local_dates(text, start, end, label):
    period = resolve_period(parse(text).period, TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize("text", ["roas 2026-W60", "roas 02-30..03-01", "roas 11-15..11-01"])
def test_impossible_periods_are_refused_with_a_reason(text):
    with pytest.raises(PeriodError):
        resolve_period(parse(text).period, TODAY)


@pytest.mark.parametrize("word", COMMANDS, ids=lambda c: c.id)
def test_every_help_example_reads_as_its_own_command_in_both_languages(word):
    assert parse(word.example).command == word.id
    assert parse(word.example_zh).command == word.id
    assert parse(word.example_zh).lang == "zh"


@pytest.mark.parametrize(("text", "start", "end"), [
    ("roas this wk", date(2026, 11, 23), date(2026, 11, 29)),  # chat shorthand
    ("gmv yday", date(2026, 11, 24), date(2026, 11, 24)),
    ("这礼拜 gmv", date(2026, 11, 23), date(2026, 11, 29)),
    ("上个礼拜 gmv", date(2026, 11, 16), date(2026, 11, 22)),
    ("上上周 gmv", date(2026, 11, 9), date(2026, 11, 15)),  # the week before last
    ("gmv week before last", date(2026, 11, 9), date(2026, 11, 15)),
    ("销售额 11.1-11.15", date(2026, 11, 1), date(2026, 11, 15)),  # dotted dates
    ("gmv 11/3 to 11/9", date(2026, 11, 3), date(2026, 11, 9)),
    ("过去两周的销售额", date(2026, 11, 11), date(2026, 11, 24)),  # weeks counted as days
    ("last 2 weeks gmv", date(2026, 11, 11), date(2026, 11, 24)),
    ("最近两天gmv", date(2026, 11, 23), date(2026, 11, 24)),
])
def test_periods_as_typed_in_chat(text, start, end):
    period = resolve_period(parse(text).period, TODAY)
    assert (period.start, period.end) == (start, end)


def test_a_decimal_is_not_a_dotted_date():
    parsed = parse("target roas 3.5")
    assert (parsed.command, parsed.value, parsed.period) == ("set_target", Decimal("3.5"), None)


def test_a_typo_inside_a_phrase_reads_the_phrase_and_says_so():
    parsed = parse("refnud rate UK")
    assert (parsed.command, parsed.metric, parsed.scope) == ("metric", "refund_rate", "uk")
    assert parsed.typos == (("refnud rate", "refund rate"),)
    assert parse("refnud").command is None  # a phrase's word alone names nothing


@pytest.mark.parametrize(("text", "command"), [
    ("send the weekly report", "digest_now"), ("weekly report", "digest_preview"),
    ("stop sending alerts here", "unsubscribe"), ("别再推送提醒了", "unsubscribe"),
    ("send alerts to this channel please", "subscribe"), ("订阅提醒", "subscribe"),
    ("any alerts today", None),  # alerts alone change nothing: the bot asks which
])
def test_send_and_stop_words_switch_to_the_sibling_command(text, command):
    assert parse(text).command == command


@pytest.mark.parametrize(("text", "by", "n"), [
    ("播放量最高的视频 前5", "views", 5), ("互动率最高的10个达人", "engagement", 10),
    ("上周视频TOP10", None, 10), ("top creators this month", None, None),
])
def test_the_ranking_of_a_list_is_the_rank_word_it_names(text, by, n):
    parsed = parse(text)
    assert (parsed.rank_by, parsed.n) == (by, n)


def test_a_handle_without_at_is_a_creator_and_a_region_nickname_a_region():
    parsed = parse("max.deals 上个月卖了多少")
    assert (parsed.command, parsed.handle) == ("creator", "max.deals")
    assert parse("美区上周GMV").scope == "美区"


def test_a_question_mark_makes_unknown_words_skipped_not_a_store():
    assert parse("anything running out of stock in the UK?").scope == "uk"


@pytest.mark.parametrize(("text", "command", "metric"), [
    ("美区这周roi咋样", "roas", "roas_platform"),  # the broad command of the metric named
    ("转化率怎么样", "metric", "cvr"),
    ("广告带来了多少成交额", "metric", "purchase_value"),  # a metric asked before "成交额"
    ("roas UK 花费", "roas", "spend"),  # a terse command keeps its answer
])
def test_how_is_a_metric_doing_is_its_own_answer(text, command, metric):
    parsed = parse(text)
    assert (parsed.command, parsed.metric) == (command, metric)
