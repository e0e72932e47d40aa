"""The fake Slack and Telegram servers speak the wire protocols the real client libraries expect."""

from __future__ import annotations

import asyncio
import io

import pytest
from matplotlib.figure import Figure
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, NetworkError, RetryAfter

from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

CHANNEL = "C0ACMEOPS"
CHAT = -1001234567890


def png(width_px: int = 300) -> bytes:
    fig = Figure(figsize=(width_px / 100, 1), dpi=100)
    fig.add_subplot().plot([1, 2, 3])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@pytest.fixture
def slack():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def tg():
    with FakeTelegram() as server:
        yield server


def test_slack_post_update_and_files_in_thread(slack: FakeSlack) -> None:
    client = WebClient(token=slack.token, base_url=slack.base_url, timeout=5)
    assert client.auth_test()["bot_id"] == "B0TIKBOT"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*GMV* 1,234"}}]
    posted = client.chat_postMessage(channel=CHANNEL, text="digest", blocks=blocks)
    image = png()
    client.files_upload_v2(channel=CHANNEL, thread_ts=posted["ts"], file_uploads=[
        {"content": image, "filename": "trend.png", "title": "Trend"},
        {"content": b"%PDF-1.4 x", "filename": "digest.pdf", "title": "PDF"},
    ])
    client.chat_update(channel=CHANNEL, ts=posted["ts"], text="digest v2", blocks=blocks)

    [message] = slack.top_level(CHANNEL)
    assert (message.text, message.blocks, message.edits) == ("digest v2", blocks, 1)
    files = slack.thread(CHANNEL, posted["ts"])
    assert [f.filename for f in files] == ["trend.png", "digest.pdf"]
    assert files[0].data == image
    assert [c.method for c in slack.calls].count("upload") == 2


def test_slack_errors_are_slack_shaped(slack: FakeSlack) -> None:
    client = WebClient(token=slack.token, base_url=slack.base_url, timeout=5)
    with pytest.raises(SlackApiError) as by_name:
        client.chat_postMessage(channel="#general", text="x")
    assert by_name.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel=CHANNEL, ts="1.2", text="x")
    assert missing.value.response["error"] == "message_not_found"
    bad = WebClient(token="xoxb-wrong", base_url=slack.base_url, timeout=5)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        bad.auth_test()


def test_slack_429_and_5xx_are_injectable(slack: FakeSlack) -> None:
    plain = WebClient(token=slack.token, base_url=slack.base_url, timeout=5)
    slack.fail_next(1, status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        plain.chat_postMessage(channel=CHANNEL, text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    slack.fail_next(1, status=503)
    with pytest.raises(SlackApiError):
        plain.chat_postMessage(channel=CHANNEL, text="x")
    retrying = WebClient(token=slack.token, base_url=slack.base_url, timeout=5,
                         retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    slack.fail_next(2, status=429, retry_after=0, method="chat.postMessage")
    retrying.chat_postMessage(channel=CHANNEL, text="after two 429s")
    assert [c.status for c in slack.calls_to("chat.postMessage")][-3:] == [429, 429, 200]
    assert len(slack.top_level(CHANNEL)) == 1


def test_slack_ephemeral_conversations_and_response_url(slack: FakeSlack) -> None:
    client = WebClient(token=slack.token, base_url=slack.base_url, timeout=5)
    assert client.conversations_info(channel=CHANNEL)["channel"]["id"] == CHANNEL
    client.chat_postEphemeral(channel=CHANNEL, user="U0ACMEBOSS", text="only you")
    assert slack.ephemeral[0]["text"] == "only you"
    WebhookClient(slack.response_url("cmd1")).send(text="done", response_type="in_channel")
    assert slack.responses["cmd1"] == [{"text": "done", "response_type": "in_channel"}]


def test_telegram_messages_edits_media_and_documents(tg: FakeTelegram) -> None:
    image = png(1200)

    async def run() -> None:
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            assert bot.username == "tikpulse_bot"
            sent = await bot.send_message(chat_id=CHAT, text="digest")
            await bot.edit_message_text(chat_id=CHAT, message_id=sent.message_id, text="v2")
            with pytest.raises(BadRequest, match="not modified"):
                await bot.edit_message_text(chat_id=CHAT, message_id=sent.message_id, text="v2")
            group = await bot.send_media_group(chat_id=CHAT, media=[
                InputMediaPhoto(image, caption="summary"), InputMediaPhoto(png(400))])
            assert group[0].photo[-1].width == 1200
            await bot.edit_message_caption(chat_id=CHAT, message_id=group[0].message_id,
                                           caption="summary v2")
            doc = await bot.send_document(chat_id=CHAT, document=b"%PDF-1.4", filename="d.pdf")
            assert doc.document.file_name == "d.pdf"
            with pytest.raises(BadRequest, match="too long"):
                await bot.send_message(chat_id=CHAT, text="x" * 4097)

    asyncio.run(run())
    kinds = [(m.kind, m.text or m.caption) for m in tg.chat(CHAT)]
    assert kinds == [("text", "v2"), ("photo", "summary v2"), ("photo", None), ("document", None)]
    assert tg.chat(CHAT)[1].data == image


def test_telegram_429_5xx_and_polling(tg: FakeTelegram) -> None:
    async def run() -> None:
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            tg.fail_next(1, status=429, retry_after=3)
            with pytest.raises(RetryAfter) as limited:
                await bot.send_message(chat_id=CHAT, text="x")
            assert "Retry in 3 seconds" in str(limited.value)
            tg.fail_next(1, status=502)
            with pytest.raises(NetworkError):
                await bot.send_message(chat_id=CHAT, text="x")
            await bot.delete_webhook()
            tg.push_text(CHAT, "/kpi uk")
            updates = await bot.get_updates(timeout=1)
            assert updates[0].message.text == "/kpi uk"
            assert updates[0].message.entities[0].type == "bot_command"
            assert await bot.get_updates(offset=updates[0].update_id + 1) == ()

    asyncio.run(run())
    assert tg.chat(CHAT) == []
