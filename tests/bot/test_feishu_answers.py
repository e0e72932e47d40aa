"""Questions from Feishu: events posted to the web process's ``/feishu/events`` route (plain and
encrypted, as Feishu sends them), answered through the command layer with cards in the
question's thread at the fake Open API, once per event, with the same tenant isolation as Slack
and Telegram."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from rq import Queue, SimpleWorker

from bot.commands import BotContext
from bot.feishu.app import FEISHU_EVENTS_PATH, FeishuBot
from bot.web_routes import chat_routes
from config.tenant_registry import load_tenants
from jobs.notify.clients import feishu_api
from jobs.web.app import WebDeps, make_app
from tests.bot.seed import NOW, TENANTS
from tests.bot.test_isolation import RIVAL_QUESTIONS, _leaks
from tests.fakes.asgi import serve_asgi
from tests.fakes.feishu_api import FakeFeishu, encrypt, event_body, signature

ROOT = Path(__file__).parents[2]

ACME_CHAT, RIVAL_CHAT, UNBOUND = "oc_acmeops0001", "oc_rivalops001", "oc_unbound0001"
ACME_DM = "oc_acmebossdm01"  # the boss's direct chat with the bot
ACME_BOSS, ACME_USER = "ou_acmeboss0001", "ou_acmeuser0001"
TOKEN, ENCRYPT_KEY = "feishu-verification-token", "feishu-encrypt-key-for-tests"


class Inline(Executor):
    """Runs each answer at once, so a test sees it as soon as the event is acknowledged."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        done: Future = Future()
        done.set_result(fn(*args, **kwargs))
        return done


@pytest.fixture
def feishu():
    with FakeFeishu() as server:
        yield server


@pytest.fixture
def ctx(bot_engine, tmp_path, redis_conn) -> BotContext:
    tenants = copy.deepcopy(TENANTS)
    tenants["tenants"][0]["chats"]["feishu"] = [{"chat": ACME_CHAT, "admins": [ACME_BOSS]},
                                                {"chat": ACME_DM, "admins": [ACME_BOSS]}]
    tenants["tenants"][1]["chats"]["feishu"] = [{"chat": RIVAL_CHAT}]
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(tenants, allow_unicode=True), encoding="utf-8")
    return BotContext(load_tenants(path), bot_engine, redis_conn, clock=lambda: NOW,
                      rate_per_minute=1000)


@contextmanager
def web_process(ctx, feishu, *, encrypt_key: str = "", threads: int = 4) -> Iterator[httpx.Client]:
    """The web process's app with only the Feishu route, on a real socket."""
    api = feishu_api(feishu.app_id, feishu.app_secret, feishu.origin, ctx.redis)
    bot = FeishuBot(ctx, api, verification_token=TOKEN, encrypt_key=encrypt_key,
                    executor=Inline(), threads=threads)
    chat = chat_routes(None, None, None, feishu=bot)
    deps = WebDeps(engine=ctx.engine, redis=ctx.redis, tiktok_app=None, connect=None)
    with serve_asgi(make_app(deps, chat.routes, chat.lifespan)) as base, \
            httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture
def client(ctx, feishu) -> Iterator[httpx.Client]:
    with web_process(ctx, feishu) as web:
        yield web


def ask(client, feishu, text, *, chat=ACME_CHAT, user=ACME_BOSS, mention=True, event_id=None,
        root=None, chat_type="group"):
    """A person writes ``text`` in ``chat``; Feishu posts the event; the bot's replies."""
    message_id = feishu.post_as_user(chat, text, root_id=root)
    body = event_body(text, chat_id=chat, sender=user, mention_bot=mention, token=TOKEN,
                      event_id=event_id, message_id=message_id, root_id=root,
                      chat_type=chat_type)
    response = client.post(FEISHU_EVENTS_PATH, json=body)
    assert response.status_code == 200, response.text
    return [m for m in feishu.messages.values() if m.parent_id == message_id]


def card_text(message) -> str:
    parts = []

    def walk(elements):
        for e in elements:
            if e.get("tag") == "markdown":
                parts.append(e["content"])
            walk(e.get("columns", []) + e.get("elements", []))

    walk(message.card["body"]["elements"])
    return "\n".join(parts)


def test_the_url_is_verified_with_the_token(client) -> None:
    ok = client.post(FEISHU_EVENTS_PATH, json={"challenge": "c-123", "token": TOKEN,
                                               "type": "url_verification"})
    assert ok.status_code == 200 and ok.json() == {"challenge": "c-123"}
    bad = client.post(FEISHU_EVENTS_PATH, json={"challenge": "c-123", "token": "guess",
                                                "type": "url_verification"})
    assert bad.status_code == 400 and "c-123" not in bad.text


def test_a_mention_is_answered_in_its_thread_in_chinese(client, feishu) -> None:
    [reply] = ask(client, feishu, "上周英国投产比")
    assert reply.msg_type == "interactive" and reply.card["schema"] == "2.0"
    assert reply.thread_id and reply.chat_id == ACME_CHAT  # in the question's thread
    assert "平台ROAS" in card_text(reply)
    [english] = ask(client, feishu, "roas all last week")
    text = card_text(english)
    assert "Platform ROAS" in text and "3.00x" in text and "525.00 USD" in text


def test_an_event_delivered_twice_is_answered_once(client, feishu) -> None:
    first = ask(client, feishu, "gmv last week", event_id="ev-dup-1")
    message_id = first[0].parent_id
    body = event_body("gmv last week", chat_id=ACME_CHAT, sender=ACME_BOSS, token=TOKEN,
                      event_id="ev-dup-1", message_id=message_id)
    assert client.post(FEISHU_EVENTS_PATH, json=body).status_code == 200
    assert len([m for m in feishu.messages.values() if m.parent_id == message_id]) == 1


def test_an_unbound_chat_gets_its_chat_id_and_the_lines_to_add_only(client, feishu) -> None:
    [reply] = ask(client, feishu, "roas all last week", chat=UNBOUND)
    text = card_text(reply)
    assert UNBOUND in text and "feishu:" in text and f"- chat: {UNBOUND}" in text
    assert "尚未绑定" in text  # Chinese first
    assert "ROAS" not in text and "USD" not in text  # no numbers, nothing parsed
    assert len(feishu.messages) == 2  # the question and this one answer


def test_a_direct_message_is_answered_without_a_mention_and_without_a_thread(client,
                                                                            feishu) -> None:
    [reply] = ask(client, feishu, "上周英国投产比", chat=ACME_DM, mention=False,
                  chat_type="p2p")
    assert reply.chat_id == ACME_DM and reply.thread_id is None  # a plain reply in the DM
    assert "平台ROAS" in card_text(reply)


def test_group_chatter_without_a_mention_is_left_alone(client, feishu) -> None:
    assert ask(client, feishu, "roas all last week", mention=False) == []


def test_encrypted_events_are_decrypted_and_signed_ones_checked(ctx, feishu) -> None:
    with web_process(ctx, feishu, encrypt_key=ENCRYPT_KEY) as client:
        _encrypted_events(client, feishu)


def _encrypted_events(client, feishu) -> None:
    challenge = json.dumps(encrypt({"challenge": "c-9", "token": TOKEN,
                                    "type": "url_verification"}, ENCRYPT_KEY)).encode()
    assert client.post(FEISHU_EVENTS_PATH, content=challenge).json() == {"challenge": "c-9"}
    message_id = feishu.post_as_user(ACME_CHAT, "gmv last week")
    body = json.dumps(encrypt(event_body("gmv last week", chat_id=ACME_CHAT, sender=ACME_BOSS,
                                         token=TOKEN, message_id=message_id),
                              ENCRYPT_KEY)).encode()
    forged = client.post(FEISHU_EVENTS_PATH, content=body, headers={
        "X-Lark-Request-Timestamp": "1", "X-Lark-Request-Nonce": "n",
        "X-Lark-Signature": "0" * 64})
    assert forged.status_code == 400
    assert [m for m in feishu.messages.values() if m.parent_id == message_id] == []
    signed = client.post(FEISHU_EVENTS_PATH, content=body, headers={
        "X-Lark-Request-Timestamp": "1700000000", "X-Lark-Request-Nonce": "nonce-1",
        "X-Lark-Signature": signature("1700000000", "nonce-1", ENCRYPT_KEY, body)})
    assert signed.status_code == 200
    [reply] = [m for m in feishu.messages.values() if m.parent_id == message_id]
    assert "Gross GMV" in card_text(reply)


def test_admin_commands_follow_the_feishu_admins(client, feishu) -> None:
    [refused] = ask(client, feishu, "target roas 4", user=ACME_USER)
    assert "only admins" in card_text(refused) and ACME_USER in card_text(refused)
    [done] = ask(client, feishu, "target roas 4", user=ACME_BOSS)
    assert "Target roas is now 4" in card_text(done)


QUESTIONS = [q for qs in RIVAL_QUESTIONS.values() for q in qs]


def test_acme_chat_never_sees_rival_data_through_feishu(client, feishu, ctx, monkeypatch,
                                                        redis_url) -> None:
    _worker_env(monkeypatch, ctx, feishu, redis_url)
    queue = Queue(ctx.queue_name, connection=ctx.redis)
    leaks = {}
    for question in QUESTIONS:
        replies = ask(client, feishu, question)
        if not replies and queue.count:  # a chart question: answered by the RQ job
            SimpleWorker([queue], connection=ctx.redis).work(burst=True)
            replies = [m for m in feishu.messages.values()
                       if m.parent_id == feishu.chat(ACME_CHAT)[-1].message_id]
        assert replies, question
        shown = "\n".join(card_text(r) if r.msg_type == "interactive" else json.dumps(r.content)
                          for r in replies)
        found = [m for m in _leaks_text(shown) if m.lower() not in question.lower()]
        if found:
            leaks[question] = found
    assert leaks == {}


def _leaks_text(text: str) -> list[str]:
    from bot.commands.reply import Reply, Text

    return _leaks(Reply((Text(text),)))


def test_rival_chat_sees_its_own_numbers(client, feishu) -> None:
    [reply] = ask(client, feishu, "gmv last week", chat=RIVAL_CHAT, user="ou_rivalboss001")
    text = card_text(reply)
    assert "987,656" in text and "Acme" not in text



# --- slow answers go to RQ, as on Slack ------------------------------------------------------

def _worker_env(monkeypatch, ctx, feishu, redis_url) -> None:
    """The settings an RQ worker reads (its own entry point)."""
    for name, value in _serve_env(ctx, feishu, redis_url).items():
        monkeypatch.setenv(name, value)


def _serve_env(ctx, feishu, redis_url) -> dict[str, str]:
    return {"DATABASE_URL": str(ctx.engine.url), "REDIS_URL": redis_url,
            "TIKPULSE_CONFIG": str(ctx.tenants_file.path), "FEISHU_APP_ID": feishu.app_id,
            "FEISHU_APP_SECRET": feishu.app_secret, "FEISHU_BASE_URL": feishu.origin}


def test_a_chart_question_is_acknowledged_then_answered_by_a_job(client, feishu, ctx,
                                                                  monkeypatch, redis_url) -> None:
    _worker_env(monkeypatch, ctx, feishu, redis_url)
    # the worker's clock is the real one: the seeded week by name
    assert ask(client, feishu, "why gmv 2026-W47", event_id="ev-why-1") == []  # acked only
    queue = Queue(ctx.queue_name, connection=ctx.redis)
    assert queue.count == 1
    SimpleWorker([queue], connection=ctx.redis).work(burst=True)
    [card] = [m for m in feishu.messages.values() if m.parent_id and m.msg_type == "interactive"]
    assert card.thread_id and card.chat_id == ACME_CHAT
    images = [e["img_key"] for e in card.card["body"]["elements"] if e.get("tag") == "img"]
    assert images and all(feishu.uploads[k].data.startswith(b"\x89PNG") for k in images)
    assert "Acme US" in card_text(card)


def test_while_every_answer_thread_is_busy_questions_queue_once_per_event(
        ctx, feishu, monkeypatch, redis_url) -> None:
    _worker_env(monkeypatch, ctx, feishu, redis_url)
    with web_process(ctx, feishu, threads=0) as busy:
        assert ask(busy, feishu, "gmv 2026-W47", event_id="ev-busy-1") == []
        [question] = [m for m in feishu.messages.values() if m.msg_type == "text"]
        again = event_body("gmv 2026-W47", chat_id=ACME_CHAT, sender=ACME_BOSS, token=TOKEN,
                           event_id="ev-busy-1", message_id=question.message_id)
        assert busy.post(FEISHU_EVENTS_PATH, json=again).status_code == 200
    queue = Queue(ctx.queue_name, connection=ctx.redis)
    assert queue.count == 1  # the redelivered event is not queued again
    SimpleWorker([queue], connection=ctx.redis).work(burst=True)
    [reply] = feishu.thread(question.message_id)
    assert "Gross GMV" in card_text(reply)


# --- the long connection: ``tikpulse serve feishu`` -------------------------------------------

@pytest.mark.slow
def test_serve_feishu_answers_a_mention_over_the_long_connection(ctx, feishu, redis_url) -> None:
    """The real ``serve feishu`` process asks the fake for its websocket, keeps it alive with
    pings, acknowledges a pushed ``im.message.receive_v1`` event and answers in the thread."""
    proc = subprocess.Popen([sys.executable, "-m", "jobs.cli", "serve", "feishu"], cwd=ROOT,
                            env={**os.environ, **_serve_env(ctx, feishu, redis_url)},
                            stderr=subprocess.PIPE, text=True)
    try:
        assert feishu.ws.connected(timeout=60) == 1
        question = feishu.post_as_user(ACME_CHAT, "美国GMV 2026-W47")
        event = event_body("美国GMV 2026-W47", chat_id=ACME_CHAT, sender=ACME_BOSS,
                           message_id=question, event_id="ev-ws-1")
        frames = feishu.ws.push(event, parts=2)  # a payload in two frames, as Feishu may send
        assert feishu.ws.ack(frames)["code"] == 200
        [reply] = wait_replies(feishu, question)
        assert feishu.ws.pings >= 1
        again = feishu.ws.push(event)  # Feishu delivers again when it missed the ack
        assert feishu.ws.ack(again)["code"] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert reply.thread_id and reply.msg_type == "interactive"
    assert "1,400.00 USD" in card_text(reply)
    assert len(feishu.thread(question)) == 1
    assert feishu.calls_to("/callback/ws/endpoint")[0].params["AppID"] == feishu.app_id


@pytest.mark.slow
def test_serve_feishu_with_a_wrong_secret_says_what_to_check(ctx, feishu, redis_url) -> None:
    env = {**os.environ, **_serve_env(ctx, feishu, redis_url), "FEISHU_APP_SECRET": "guess"}
    done = subprocess.run([sys.executable, "-m", "jobs.cli", "serve", "feishu"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Feishu refused the long connection" in done.stderr
    assert "FEISHU_APP_SECRET" in done.stderr and "guess" not in done.stderr
    assert feishu.ws.connected(timeout=0) == 0


def wait_replies(feishu, message_id: str, timeout: float = 60.0):
    from tests.bot.slack_helpers import wait_for

    return wait_for(lambda: feishu.thread(message_id), timeout=timeout)
