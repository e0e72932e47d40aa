"""Natural questions, as sellers type them, read as the right command and slots (issue 17).

The question set (``questions.yaml``, read by ``question_set.py``) holds each question and the
``understood`` object ``tikpulse ask --json`` prints for it: the command, the stores (shop ids of
Acme; empty = all of the channel's stores), the period (first and last local dates, as of
Wednesday 2026-11-25), the metric, the ranking key and the limit.
"""

import json

import pytest
from click.testing import CliRunner

from bot.commands.grammar import parse
from bot.commands.understood import understood
from bot.commands.vocab import COMMANDS
from config.tenant_registry import load_tenants
from jobs.cli import cli
from tests.bot.question_set import HELDOUT_FILE, load_questions, reading
from tests.bot.seed import NOW, UK, write_tenants

QUESTIONS = load_questions()
#: Questions written after the grammar, without reading it (``questions_heldout.yaml``).
HELDOUT = load_questions(HELDOUT_FILE)


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    return load_tenants(write_tenants(tmp_path_factory.mktemp("tenants"))).tenant("acme")


def read(question, tenant):
    return understood(parse(question, "en", tenant.stores), tenant, NOW)


@pytest.mark.parametrize("question", QUESTIONS + HELDOUT,
                         ids=[q.text for q in QUESTIONS] + [f"heldout:{q.text}" for q in HELDOUT])
def test_question_is_understood(acme, question):
    got = read(question.text, acme)
    assert reading(got) == question.expected, got


def test_the_question_set_is_large_half_chinese_and_covers_every_command():
    chinese = [q for q in QUESTIONS if any("\u4e00" <= ch <= "\u9fff" for ch in q.text)]
    assert len(QUESTIONS) >= 150 and len(chinese) * 2 >= len(QUESTIONS)
    assert {q.expected["command"] for q in QUESTIONS} == {c.id for c in COMMANDS}
    assert {q.who for q in QUESTIONS} == {"seller", "ads", "content", "boss"}


def test_the_heldout_set_is_large_half_chinese_and_covers_every_command():
    chinese = [q for q in HELDOUT if any("\u4e00" <= ch <= "\u9fff" for ch in q.text)]
    assert len(HELDOUT) >= 80 and len(chinese) * 2 >= len(HELDOUT)
    assert {q.expected["command"] for q in HELDOUT} == {c.id for c in COMMANDS}
    assert {q.who for q in HELDOUT} == {"seller", "ads", "content", "boss", "agency"}
    assert not {q.text for q in HELDOUT} & {q.text for q in QUESTIONS}


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
