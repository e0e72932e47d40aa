"""The Telegram adapter through python-telegram-bot's Application and the fake Bot API."""

import asyncio

import pytest

from bot.commands.reply import Table, Text, reply
from bot.telegram.app import build_application
from bot.telegram.render import CAPTION_LIMIT, MESSAGE_LIMIT, caption, text_messages
from tests.bot.seed import ACME_CHAT, ACME_TG_ADMIN, ACME_TG_MEMBER
from tests.bot.slack_helpers import wait_for
from tests.fakes.telegram_api import FakeTelegram

UNBOUND_CHAT = -1005550001111


@pytest.fixture
def tg():
    with FakeTelegram() as server:
        yield server


def _deliver(bot_ctx, tg, *messages: tuple[int, str, int]) -> None:
    """Queue user messages at the fake server, fetch them with getUpdates, process them."""
    for chat, text, user in messages:
        tg.push_text(chat, text, user_id=user)

    async def run() -> None:
        app = build_application(bot_ctx, tg.token, tg.base_url)
        async with app:
            updates = await app.bot.get_updates(timeout=0)
            for update in updates:
                await app.process_update(update)
            if updates:  # confirm them, as a poller does
                await app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)

    asyncio.run(run())


def test_slash_command_is_answered_in_html_with_a_table(bot_ctx, tg):
    _deliver(bot_ctx, tg, (ACME_CHAT, "/roas UK last week", ACME_TG_MEMBER))
    (answer,) = [m for m in tg.chat(ACME_CHAT) if m.kind == "text"]
    assert answer.parse_mode == "HTML"
    assert "<pre>" in answer.text and "Platform ROAS" in answer.text and "3.00x" in answer.text


def test_free_text_question_in_chinese(bot_ctx, tg):
    _deliver(bot_ctx, tg, (ACME_CHAT, "上周美国销售额", ACME_TG_MEMBER))
    (answer,) = tg.chat(ACME_CHAT)
    assert "总GMV" in answer.text and "1,400.00 USD" in answer.text


def test_group_chatter_is_left_alone(bot_ctx, tg):
    _deliver(bot_ctx, tg, (ACME_CHAT, "see you all tomorrow", ACME_TG_MEMBER))
    assert tg.chat(ACME_CHAT) == []


def test_unbound_chat_gets_nothing_but_setup_help(bot_ctx, tg):
    _deliver(bot_ctx, tg, (UNBOUND_CHAT, "/roas all", 1), (UNBOUND_CHAT, "gmv last week", 1))
    assert tg.chat(UNBOUND_CHAT) == []
    _deliver(bot_ctx, tg, (UNBOUND_CHAT, "/start", 1))
    (answer,) = tg.chat(UNBOUND_CHAT)
    assert str(UNBOUND_CHAT) in answer.text and "USD" not in answer.text


def test_chart_answer_arrives_as_a_photo_with_a_short_caption(bot_ctx, tg):
    _deliver(bot_ctx, tg, (ACME_CHAT, "/why gmv last week", ACME_TG_MEMBER))
    photos = [m for m in tg.chat(ACME_CHAT) if m.kind == "photo"]
    assert len(photos) == 1 and photos[0].data.startswith(b"\x89PNG")
    assert 0 < len(photos[0].caption) <= CAPTION_LIMIT


def test_admin_only_command_is_refused_for_a_member_and_done_for_the_admin(bot_ctx, tg):
    _deliver(bot_ctx, tg, (ACME_CHAT, "/target roas 2.5", ACME_TG_MEMBER))
    _deliver(bot_ctx, tg, (ACME_CHAT, "/target roas 2.5", ACME_TG_ADMIN))
    refused, done = tg.chat(ACME_CHAT)
    assert "admins" in refused.text and "2.5" in done.text


def test_long_answers_are_split_under_the_message_limit(bot_ctx, tg):
    rows = tuple((f"row {i}", f"{i:,} USD") for i in range(600))
    long = reply(Text("Long", "heading"), Table(("name", "value"), rows))
    messages = text_messages(long)
    assert len(messages) > 1 and all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert all(m.count("<pre>") == m.count("</pre>") for m in messages)
    assert "row 599" in messages[-1]

    async def send() -> None:
        app = build_application(bot_ctx, tg.token, tg.base_url)
        async with app:
            for text in messages:
                await app.bot.send_message(ACME_CHAT, text, parse_mode="HTML")

    asyncio.run(send())
    assert len(tg.chat(ACME_CHAT)) == len(messages)  # the fake refuses anything over 4096


def test_caption_is_cut_to_the_limit():
    assert len(caption("x" * 5000)) == CAPTION_LIMIT


def test_webhook_mode_accepts_only_the_secret_token(bot_ctx, tg):
    """``POST /telegram/webhook`` of the web process: the secret header or 403; the application
    is started with the app and registers the webhook with Telegram."""
    import json

    import httpx

    from bot.web_routes import chat_routes
    from jobs.web.app import WebDeps, make_app
    from tests.fakes.asgi import serve_asgi

    update = {"update_id": 900, "message": {
        "message_id": 77, "date": 1763600000, "text": "/gmv US last week",
        "chat": {"id": ACME_CHAT, "type": "supergroup", "title": "acme"},
        "from": {"id": ACME_TG_MEMBER, "is_bot": False, "first_name": "seller"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 4}]}}
    app = build_application(bot_ctx, tg.token, tg.base_url)
    chat = chat_routes(None, app, "s3cret-token", "https://bot.example/telegram/webhook")
    deps = WebDeps(engine=bot_ctx.engine, redis=bot_ctx.redis, tiktok_app=None,
                   connect=None)
    with serve_asgi(make_app(deps, chat.routes, chat.lifespan)) as base:
        url = f"{base}/telegram/webhook"
        body = json.dumps(update)
        forged = httpx.post(url, content=body, headers={
            "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "guess"})
        missing = httpx.post(url, content=body, headers={"content-type": "application/json"})
        genuine = httpx.post(url, content=body, headers={
            "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
        (answer,) = wait_for(lambda: tg.chat(ACME_CHAT))
    assert (forged.status_code, missing.status_code, genuine.status_code) == (403, 403, 200)
    assert tg.webhook_url == "https://bot.example/telegram/webhook"
    assert "1,400.00 USD" in answer.text


def test_several_charts_go_as_one_media_group_and_files_as_documents(bot_ctx, tg):
    from types import SimpleNamespace

    from bot.commands.reply import Document, Image
    from bot.telegram.app import send_reply

    png = _tiny_png()
    answer = reply(Text("Charts", "heading"),
                   *(Image(f"c{i}.png", png, f"chart {i}") for i in range(3)),
                   Document("kpis.csv", b"metric,value\ngmv,1\n", "text/csv", "KPIs"))

    async def send() -> None:
        app = build_application(bot_ctx, tg.token, tg.base_url)
        async with app:
            await send_reply(SimpleNamespace(bot=app.bot), ACME_CHAT, answer)

    asyncio.run(send())
    kinds = [(m.kind, m.media_group_id is not None) for m in tg.chat(ACME_CHAT)]
    assert kinds == [("text", False), ("photo", True), ("photo", True), ("photo", True),
                     ("document", False)]
    assert tg.chat(ACME_CHAT)[-1].data == b"metric,value\ngmv,1\n"


def _tiny_png() -> bytes:
    from io import BytesIO

    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    out = BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def test_flood_control_429_is_waited_out_and_the_answer_still_arrives(bot_ctx, tg):
    tg.fail_next(1, status=429, retry_after=1, method="sendMessage")
    _deliver(bot_ctx, tg, (ACME_CHAT, "/gmv US last week", ACME_TG_MEMBER))
    (answer,) = tg.chat(ACME_CHAT)
    assert "1,400.00 USD" in answer.text
    assert [c.status for c in tg.calls_to("sendMessage")] == [429, 200]
