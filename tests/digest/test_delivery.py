"""Exactly-once delivery to the fake Slack and Telegram APIs through the real client libraries:
429s, server errors, an answer lost between posting and recording, and corrections."""

from __future__ import annotations

import io

import pytest
import redis
from matplotlib.figure import Figure

from jobs.digest.deliver import deliver
from jobs.digest.deliveries import DeliveryKey, load_delivery
from jobs.digest.package import Attachment, DigestPackage, Edition
from jobs.notify.clients import slack_client
from jobs.notify.slack import SlackNotifier
from jobs.notify.telegram import TelegramNotifier
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

CHANNEL, CHAT = "C0ACMEOPS", "-1001234567890"
SLACK_KEY = DeliveryKey("acme", "2026-W47", "slack", CHANNEL)
TG_KEY = DeliveryKey("acme", "2026-W47", "telegram", CHAT)


def png(label: str) -> bytes:
    fig = Figure(figsize=(3, 1), dpi=50)
    fig.text(0.1, 0.5, label)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def package(digest_hash: str = "a" * 64, gmv: str = "$17,500",
            more: tuple[str, ...] = ()) -> DigestPackage:
    charts = tuple(Attachment(f"acme-2026-W47-en-{n}.png", n.title(), png(n + gmv))
                   for n in ("trend", "drivers"))
    edition = Edition(
        lang="en", title="Acme weekly digest · 2026-W47", slack_text=f"Gross GMV {gmv}",
        slack_blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": f"*GMV* {gmv}"}}],
        telegram_html=f"<b>Acme</b>\nGross GMV {gmv}", telegram_more=more, charts=charts,
        pdf=Attachment("acme-2026-W47-en.pdf", "Full report", b"%PDF-1.4 " + gmv.encode(),
                       "application/pdf"),
        correction_note="✏️ Corrected: recalculated after the data was updated.")
    return DigestPackage("acme", "2026-W47", digest_hash, (edition,))


@pytest.fixture
def conn(redis_url: str):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def slack():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def tg():
    with FakeTelegram() as server:
        yield server


def slack_notifier(slack: FakeSlack) -> SlackNotifier:
    return SlackNotifier(slack_client(slack.token, slack.base_url))


def test_slack_posts_summary_then_charts_and_pdf_in_the_thread_once(engine, conn, slack) -> None:
    notifier = slack_notifier(slack)
    first = deliver(engine, conn, package(), SLACK_KEY, notifier)
    again = deliver(engine, conn, package(), SLACK_KEY, notifier)
    assert (first.outcome, again.outcome) == ("sent", "already_sent")
    [summary] = slack.top_level(CHANNEL)
    assert summary.blocks[0]["text"]["text"] == "*GMV* $17,500"
    assert summary.metadata["event_payload"]["marker"].startswith("tikpulse/acme/2026-W47/en/")
    files = slack.thread(CHANNEL, summary.ts)
    assert [f.filename for f in files] == ["acme-2026-W47-en-trend.png",
                                          "acme-2026-W47-en-drivers.png", "acme-2026-W47-en.pdf"]
    assert files[0].data == package().editions[0].charts[0].data
    assert len(slack.answered("chat.postMessage")) == 1
    state = load_delivery(engine, SLACK_KEY)
    assert state.status == "sent" and state.ids["summary:en"]["id"] == summary.ts


def test_slack_429s_are_waited_out_and_post_once(engine, conn, slack) -> None:
    slack.fail_next(2, status=429, retry_after=0, method="chat.postMessage")
    slack.fail_next(1, status=429, retry_after=0, method="files.completeUploadExternal")
    outcome = deliver(engine, conn, package(), SLACK_KEY, slack_notifier(slack))
    assert outcome.outcome == "sent"
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 429, 200]
    assert len(slack.top_level(CHANNEL)) == 1


def test_slack_answer_lost_after_posting_is_found_not_reposted(engine, conn, slack) -> None:
    slack.drop_reply_next(1, method="chat.postMessage")  # posted, but the worker never hears
    crashed = deliver(engine, conn, package(), SLACK_KEY, slack_notifier(slack))
    assert crashed.outcome == "failed" and crashed.retryable
    assert load_delivery(engine, SLACK_KEY).pending == "summary:en"
    retried = deliver(engine, conn, package(), SLACK_KEY, slack_notifier(slack))
    assert retried.outcome == "sent"
    assert len(slack.top_level(CHANNEL)) == 1  # found by its metadata marker, not posted again
    assert len(slack.calls_to("conversations.history")) == 1


def test_slack_server_error_on_upload_then_retry_does_not_duplicate(engine, conn, slack) -> None:
    slack.fail_next(1, status=500, method="files.completeUploadExternal")
    failed = deliver(engine, conn, package(), SLACK_KEY, slack_notifier(slack))
    assert failed.outcome == "failed"
    deliver(engine, conn, package(), SLACK_KEY, slack_notifier(slack))
    [summary] = slack.top_level(CHANNEL)
    names = [f.filename for f in slack.thread(CHANNEL, summary.ts)]
    assert names.count("acme-2026-W47-en-trend.png") == 1 and len(names) == 3


def test_slack_corrected_rerun_edits_the_message(engine, conn, slack) -> None:
    notifier = slack_notifier(slack)
    deliver(engine, conn, package(), SLACK_KEY, notifier)
    fixed = deliver(engine, conn, package("b" * 64, "$18,000"), SLACK_KEY, notifier)
    assert fixed.outcome == "corrected"
    [summary] = slack.top_level(CHANNEL)
    assert summary.edits == 1 and "$18,000" in summary.blocks[0]["text"]["text"]
    assert "Corrected" in summary.blocks[-1]["elements"][0]["text"]
    shares = slack.replies(CHANNEL, summary.ts)
    assert any("Corrected" in m.text for m in shares)  # new charts marked as the correction
    assert len(slack.answered("chat.postMessage")) == 1


def test_telegram_summary_media_group_and_pdf_once(engine, conn, tg) -> None:
    notifier = TelegramNotifier(tg.token, tg.base_url)
    tg.fail_next(1, status=429, retry_after=1, method="sendMediaGroup")
    assert deliver(engine, conn, package(), TG_KEY, notifier).outcome == "sent"
    assert deliver(engine, conn, package(), TG_KEY, notifier).outcome == "already_sent"
    kinds = [(m.kind, m.media_group_id is not None) for m in tg.chat(int(CHAT))]
    assert kinds == [("text", False), ("photo", True), ("photo", True), ("document", False)]
    assert tg.chat(int(CHAT))[0].parse_mode == "HTML"
    assert tg.chat(int(CHAT))[1].caption == "Acme weekly digest · 2026-W47"
    assert [c.status for c in tg.calls_to("sendMediaGroup")] == [429, 200]


def test_telegram_lost_answer_is_in_doubt_and_never_reposted_blindly(engine, conn, tg) -> None:
    notifier = TelegramNotifier(tg.token, tg.base_url)
    tg.drop_reply_next(1, method="sendMessage")
    assert deliver(engine, conn, package(), TG_KEY, notifier).outcome == "failed"
    doubt = deliver(engine, conn, package(), TG_KEY, notifier)
    assert doubt.outcome == "in_doubt" and "--resend-in-doubt" in doubt.detail
    assert len(tg.chat(int(CHAT))) == 1  # the lost one, not a second copy
    forced = deliver(engine, conn, package(), TG_KEY, notifier, resend_in_doubt=True)
    assert forced.outcome == "sent"


def test_telegram_corrected_rerun_edits_text_and_marks_new_charts(engine, conn, tg) -> None:
    notifier = TelegramNotifier(tg.token, tg.base_url)
    deliver(engine, conn, package(), TG_KEY, notifier)
    assert deliver(engine, conn, package("c" * 64, "$18,000"), TG_KEY, notifier).outcome == \
        "corrected"
    summary = tg.chat(int(CHAT))[0]
    assert summary.edits == 1 and "$18,000" in summary.text and "Corrected" in summary.text
    assert len(tg.answered("sendMessage")) == 1
    assert tg.chat(int(CHAT))[-1].caption.startswith("✏️ Corrected")


def test_telegram_continuations_follow_the_summary_and_are_corrected_in_place(
        engine, conn, tg) -> None:
    notifier = TelegramNotifier(tg.token, tg.base_url)
    more = ("<b>Acme</b> <i>(continued)</i>\n<b>Creators</b>\n• Jane $899",
            "<b>Acme</b> <i>(continued)</i>\n<b>Stock</b>\n• Lamp 3 days")
    assert deliver(engine, conn, package(more=more), TG_KEY, notifier).outcome == "sent"
    chat = tg.chat(int(CHAT))
    assert [m.kind for m in chat] == ["text", "text", "text", "photo", "photo", "document"]
    summary, *continued = chat[:3]
    assert [m.text for m in continued] == list(more)
    assert all(m.reply_to == summary.message_id and m.parse_mode == "HTML" for m in continued)
    assert deliver(engine, conn, package(more=more), TG_KEY, notifier).outcome == "already_sent"
    fewer = (more[0].replace("$899", "$950"),)  # corrected numbers; the stock part went away
    assert deliver(engine, conn, package("c" * 64, "$18,000", fewer), TG_KEY,
                   notifier).outcome == "corrected"
    summary, first, spare = tg.chat(int(CHAT))[:3]
    assert "$18,000" in summary.text and "$950" in first.text and "Corrected" in first.text
    assert spare.edits == 1 and "Lamp" not in spare.text and "Corrected" in spare.text
    assert len(tg.answered("sendMessage")) == 3  # edited, never posted again
