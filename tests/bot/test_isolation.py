"""No leaks: a channel of Acme asking, with every command, about Rival's stores, creators or
SKUs never sees any of Rival's names, ids or numbers."""

import json

import pytest

from bot.commands import Request, as_text, dispatch
from bot.commands.grammar import parse
from bot.commands.vocab import COMMANDS
from tests.bot.conftest import ask_slack
from tests.bot.seed import ACME_CHAT, ACME_TG_ADMIN, RIVAL, RIVAL_MARKERS

#: For every command, questions naming Rival's things in every way a user could.
RIVAL_QUESTIONS: dict[str, list[str]] = {
    "roas": ["roas Rival Bangkok", f"roas {RIVAL}", "roas TH", "roas bangkok last week"],
    "gmv": ["gmv Rival Bangkok 2026-W47", "泰国 销售额"],
    "kpi": ["kpi TH", f"kpi {RIVAL} this week"],
    "funnel": ["funnel TH", "funnel Rival Bangkok"],
    "traffic": ["traffic TH", f"traffic {RIVAL}"],
    "top_creators": ["top creators TH", "top creators Rival Bangkok by gmv"],
    "creator": ["creator @rival.star", "creator @lily.home TH"],
    "top_videos": ["top videos TH", "top videos Rival Bangkok"],
    "stock": ["stock RIVAL-SKU-9", "stock TH", "stock at risk Rival Bangkok"],
    "why": ["why gmv TH", "why roas Rival Bangkok"],
    "compare": ["compare UK TH", f"compare Acme US {RIVAL}", "compare UK and Rival Bangkok",
                "compare ctr UK TH", "对比 英国 泰国 退款率"],
    "metric": ["refund rate in Thailand", "spend Rival Bangkok last week", f"ctr {RIVAL}",
               "泰国广告花了多少钱"],
    "campaigns": ["campaigns TH", "which campaign is wasting money in Rival Bangkok",
                  f"roas by campaign {RIVAL}", "泰国广告计划"],
    "profit": ["profit TH", "is Rival Bangkok making money", f"profit {RIVAL} last week",
               "泰国店铺赚钱吗"],
    "summary": ["summary TH", "how is Rival Bangkok doing this month", "泰国本周总结",
                f"summary {RIVAL} 2026-W47"],
    "define": ["define roas Rival Bangkok"],
    "targets": ["targets TH"],
    "set_target": ["target roas 9.9 Rival Bangkok"],
    "auth_status": ["auth status TH"],
    "digest_now": ["digest now Rival Bangkok"],
    "digest_preview": ["digest preview TH"],
    "subscribe": ["subscribe Rival Bangkok"],
    "unsubscribe": ["unsubscribe TH"],
    "help": ["help Rival Bangkok"],
}


def test_every_command_has_cross_tenant_questions():
    assert {c.id for c in COMMANDS} == set(RIVAL_QUESTIONS)


def _leaks(reply, question: str = "") -> list[str]:
    """Rival markers in the reply, except words the asker typed themselves (echoed back)."""
    seen = (as_text(reply) + json.dumps(reply.data or {}, ensure_ascii=False)).lower()
    return [m for m in RIVAL_MARKERS if m.lower() in seen and m.lower() not in question.lower()]


@pytest.mark.parametrize("question", [q for qs in RIVAL_QUESTIONS.values() for q in qs])
def test_acme_channel_never_sees_rival_data(bot_ctx, question):
    reply = dispatch(ask_slack(question), bot_ctx)
    assert _leaks(reply, question) == [], as_text(reply)


@pytest.mark.parametrize("question", ["roas Rival Bangkok", "kpi TH", f"gmv {RIVAL}"])
def test_rival_store_is_simply_unknown_to_acme(bot_ctx, question):
    reply = dispatch(ask_slack(question), bot_ctx)
    assert reply.kind == "unknown_store"
    assert "Acme UK" in as_text(reply)


@pytest.mark.parametrize("question", ["which campaign is wasting money", "我们现在赚钱吗",
                                      "summary", "spend last week", "top creators 10 by cvr"])
def test_questions_about_all_stores_cover_only_acmes(bot_ctx, question):
    reply = dispatch(ask_slack(question), bot_ctx)
    assert reply.kind == "answer" and _leaks(reply) == [], as_text(reply)


def test_the_same_holds_in_telegram(bot_ctx):
    ask = Request("telegram", str(ACME_CHAT), str(ACME_TG_ADMIN), "top creators TH")
    reply = dispatch(ask, bot_ctx)
    assert reply.kind == "unknown_store" and _leaks(reply) == []


def test_rival_channel_sees_its_own_numbers(bot_ctx):
    reply = dispatch(ask_slack("gmv last week", channel="C0RIVAL01", user="U0RIVALBOSS"), bot_ctx)
    assert reply.data["metrics"]["gross_gmv"] == "987656.3200"  # 7 x 141,093.76 THB
    assert "Acme" not in as_text(reply)


@pytest.mark.parametrize(("command", "question"),
                         [(c, q) for c, qs in RIVAL_QUESTIONS.items() for q in qs])
def test_each_cross_tenant_question_reaches_its_command(command, question):
    assert parse(question).command == command
