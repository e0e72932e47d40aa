"""Hostile chat input never stalls anyone: bounded before any work, parsed off the event loop and
the Slack listener threads, never parsed at all in an unbound channel.

The parser is watched through ``bot.commands.grammar._normalise`` (every ``parse`` starts
there, whichever module imported ``parse`` by name). No test measures time.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from slack_sdk import WebClient

import bot.commands.grammar as grammar
from bot.commands import Request, Text, dispatch
from bot.commands.context import MAX_QUESTION_CHARS
from bot.slack.app import build_app
from bot.telegram.app import build_application
from tests.bot.seed import ACME_ADMIN, ACME_CHANNEL, ACME_CHAT, ACME_TG_MEMBER
from tests.bot.slack_helpers import SIGNING_SECRET, signed, slash_body, wait_for
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

LONG = "roas all last week " + "blah " * 8000  # 40,019 characters
UNBOUND_CHAT = -1005550001111
FORM = "application/x-www-form-urlencoded"


class ParseWatch:
    """Records, for every ``parse``, the text length, the thread and whether a loop runs there."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[int, str, bool]] = []
        self.before: list = []  # callables run inside parse (e.g. to block it)
        normalise = grammar._normalise

        def watched(text: str) -> str:
            self.calls.append((len(text), threading.current_thread().name, _loop_running()))
            for hook in self.before:
                hook()
            return normalise(text)

        monkeypatch.setattr(grammar, "_normalise", watched)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def watch(monkeypatch) -> ParseWatch:
    return ParseWatch(monkeypatch)


@pytest.fixture
def slack():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def app(bot_ctx, slack):
    return build_app(bot_ctx, WebClient(token=slack.token, base_url=slack.base_url),
                     signing_secret=SIGNING_SECRET)


@pytest.fixture
def tg():
    with FakeTelegram() as server:
        yield server


def _slash(app, slack, text: str, *, channel: str = ACME_CHANNEL, key: str = "r1"):
    body = slash_body(text, channel=channel, user=ACME_ADMIN, response_url=slack.response_url(key))
    return app.dispatch(signed(body, content_type=FORM))


def _answer_text(payload: dict) -> str:
    """Every mrkdwn text of a response_url answer (sections and context notes)."""
    blocks = payload.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    texts = [b.get("text", {}).get("text", "") for b in blocks]
    texts += [e.get("text", "") for b in blocks for e in b.get("elements", [])]
    return "\n".join(texts)


def _ask(text: str) -> Request:
    return Request("slack", ACME_CHANNEL, ACME_ADMIN, text)


def test_a_40000_character_question_is_cut_and_the_answer_says_so(bot_ctx, watch):
    answer = dispatch(_ask(LONG), bot_ctx)
    assert answer.kind == "answer" and "3.00x" in str(answer.blocks)
    assert watch.calls and max(length for length, _, _ in watch.calls) <= MAX_QUESTION_CHARS
    notes = [b.text for b in answer.blocks if isinstance(b, Text) and b.style == "note"]
    assert any(f"first {MAX_QUESTION_CHARS} characters" in note for note in notes)


def test_a_short_question_carries_no_truncation_note(bot_ctx):
    answer = dispatch(_ask("roas all last week"), bot_ctx)
    assert "characters" not in str(answer.blocks)


def test_slack_long_command_is_acked_then_parsed_only_on_answer_threads(app, slack, watch):
    assert _slash(app, slack, LONG).status == 200
    (answer,) = wait_for(lambda: slack.responses.get("r1"))
    text = _answer_text(answer)
    assert "3.00x" in text and f"first {MAX_QUESTION_CHARS} characters" in text
    assert watch.calls
    assert all(length <= MAX_QUESTION_CHARS for length, _, _ in watch.calls)
    assert all(thread.startswith("tikpulse-answer") for _, thread, _ in watch.calls)


def test_unbound_slack_channel_is_refused_without_parsing(app, slack, watch):
    assert _slash(app, slack, LONG, channel="C0NOBODY1").status == 200
    (answer,) = wait_for(lambda: slack.responses.get("r1"))
    assert "C0NOBODY1" in _answer_text(answer)
    assert watch.calls == []


def _run_telegram(bot_ctx, tg, *messages: tuple[int, str, int], alongside=None) -> None:
    """Fetch the pushed messages and process them, with ``alongside()`` running on the loop."""
    for chat, text, user in messages:
        tg.push_text(chat, text, user_id=user)

    async def run() -> None:
        app = build_application(bot_ctx, tg.token, tg.base_url)
        async with app:
            updates = await app.bot.get_updates(timeout=0)
            work = [app.process_update(update) for update in updates]
            await asyncio.gather(*work, *([alongside()] if alongside else []))
            if updates:
                await app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)

    asyncio.run(run())


def test_unbound_telegram_group_is_ignored_without_parsing(bot_ctx, tg, watch):
    _run_telegram(bot_ctx, tg, (UNBOUND_CHAT, "gmv last week", 1), (UNBOUND_CHAT, LONG[:4000], 1))
    assert tg.chat(UNBOUND_CHAT) == []
    assert watch.calls == []


def test_telegram_loop_keeps_running_while_a_long_question_is_parsed(bot_ctx, tg, watch):
    started, released = threading.Event(), threading.Event()
    waited: list[bool] = []

    def hold_parse() -> None:  # parse waits until another coroutine on the loop has run
        started.set()
        waited.append(released.wait(timeout=10))

    async def other_user() -> None:
        while not started.is_set():
            await asyncio.sleep(0.005)
        released.set()

    watch.before.append(hold_parse)
    _run_telegram(bot_ctx, tg, (ACME_CHAT, LONG[:4000], ACME_TG_MEMBER), alongside=other_user)
    assert waited and all(waited), "parse blocked the event loop"
    assert not any(on_loop for _, _, on_loop in watch.calls)
    (answer,) = tg.chat(ACME_CHAT)
    assert "3.00x" in answer.text and f"first {MAX_QUESTION_CHARS} characters" in answer.text


@pytest.mark.parametrize("question", ["kpi 9999-W52", "kpi 0001-W01", "gmv UK 2019-W10",
                                      "gmv UK 2999-01-01..2999-01-05"])
def test_an_impossible_period_is_a_bad_period_with_the_valid_range(bot_ctx, question):
    from bot.commands import as_text, dispatch
    from tests.bot.conftest import ask_slack

    text = as_text(dispatch(ask_slack(question), bot_ctx))
    assert "is outside the periods I can answer: from 2020-W01 (2020-01-01) to" in text, text
    assert "Something went wrong" not in text
