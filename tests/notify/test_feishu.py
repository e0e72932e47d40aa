"""The digest and alerts in Feishu through the real ``lark-oapi`` client and the fake Open API:
a JSON 2.0 card with the summary chart, the charts and the PDF in its thread, exactly once under
429s and a lost answer, a corrected re-run patching the card, Feishu's per-chat limit kept, and
alerts once per incident with the admins @mentioned."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time

from config.settings import Settings
from config.tenants import Chats, FeishuBinding
from jobs.alerts.deliver import FeishuSender
from jobs.alerts.evaluate import evaluate_tenant
from jobs.digest.deliver import deliver
from jobs.digest.deliveries import DeliveryKey, load_delivery
from jobs.digest.pipeline import channels_of
from jobs.notify.clients import feishu_api
from jobs.notify.feishu import FeishuNotifier, _trust_key, _uuid, digest_card
from tests.alerts.conftest import alert_setup, make_tenant, seed_tenant, set_status
from tests.notify.packages import TITLE, package

CHAT, ADMIN = "oc_acmeops0001", "ou_acmeboss0001"
KEY = DeliveryKey("acme", "2026-W47", "feishu", CHAT)


def notifier(feishu, conn) -> FeishuNotifier:
    return FeishuNotifier(feishu_api(feishu.app_id, feishu.app_secret, feishu.origin, conn))


def markdown_of(card: dict) -> str:
    """Every text of a card, in order."""
    out = []

    def walk(elements):
        for e in elements:
            if e.get("tag") == "markdown":
                out.append(e["content"])
            walk(e.get("columns", []) + e.get("elements", []))

    walk(card["body"]["elements"])
    return "\n".join(out)


def test_card_with_chart_kpis_and_sections_then_charts_and_pdf_in_thread_once(
        engine, conn, feishu) -> None:
    sender = notifier(feishu, conn)
    first = deliver(engine, conn, package(), KEY, sender)
    again = deliver(engine, conn, package(), KEY, sender)
    assert (first.outcome, again.outcome) == ("sent", "already_sent")
    [card_msg] = feishu.chat(CHAT)
    card = card_msg.card
    assert card["schema"] == "2.0" and card["header"]["title"]["content"] == TITLE
    image = card["body"]["elements"][0]
    assert image["tag"] == "img" and feishu.uploads[image["img_key"]].data == \
        package().editions[0].charts[0].data
    text = markdown_of(card)
    for line in ("**本周核心指标**", "**总GMV**\nUS$17,500", "**变化与原因**", "**建议**",
                 "数据质量", "完整报告（PDF）"):
        assert line in text, line
    thread = feishu.thread(card_msg.message_id)
    assert [m.msg_type for m in thread] == ["image", "image", "file"]
    assert all(m.thread_id for m in thread)  # replies in the card's thread
    pdf = feishu.uploads[thread[-1].content["file_key"]]
    assert pdf.data == package().editions[0].pdf.data and pdf.file_type == "pdf"
    assert all(m.uuid for m in feishu.messages.values())
    assert len(feishu.answered("im.v1.message.create")) == 1
    assert load_delivery(engine, KEY).ids["summary:zh"]["id"] == card_msg.message_id


def test_429s_and_the_chat_limit_are_waited_out_and_post_once(engine, conn, feishu) -> None:
    feishu.fail_next(2, status=429, method="im.v1.message.create")
    feishu.fail_next(1, status=429, method="im.v1.message.reply")
    outcome = deliver(engine, conn, package(charts=6), KEY, notifier(feishu, conn))
    assert outcome.outcome == "sent"
    assert [c.status for c in feishu.calls_to("im.v1.message.create")] == [429, 429, 200]
    assert len(feishu.chat(CHAT)) == 1
    [card] = feishu.chat(CHAT)
    assert len(feishu.thread(card.message_id)) == 5  # 4 more charts and the PDF
    per_chat = [c for c in feishu.calls if c.status == 400 and b"230020" in c.body]
    assert per_chat == []  # never more than 5 messages a second into the chat


def test_a_lost_answer_is_posted_again_under_the_same_uuid(engine, conn, feishu) -> None:
    feishu.drop_reply_next(1, method="im.v1.message.create")  # posted, the worker never hears
    crashed = deliver(engine, conn, package(), KEY, notifier(feishu, conn))
    assert crashed.outcome == "failed" and crashed.retryable
    assert load_delivery(engine, KEY).pending == "summary:zh"
    retried = deliver(engine, conn, package(), KEY, notifier(feishu, conn))
    assert retried.outcome == "sent"
    assert len(feishu.chat(CHAT)) == 1  # Feishu returned the first message for its uuid
    creates = feishu.calls_to("im.v1.message.create")
    assert len(creates) == 2 and creates[0].params["uuid"] == creates[1].params["uuid"]


def test_a_post_in_doubt_past_the_uuid_hour_waits_for_a_person(engine, conn, feishu) -> None:
    feishu.drop_reply_next(1, method="im.v1.message.create")
    deliver(engine, conn, package(), KEY, notifier(feishu, conn))
    step = package().steps()[0]
    conn.delete(_trust_key(_uuid(package(), step, CHAT, "0")))  # an hour later
    doubt = deliver(engine, conn, package(), KEY, notifier(feishu, conn))
    assert doubt.outcome == "in_doubt" and "--resend-in-doubt" in doubt.detail
    forced = deliver(engine, conn, package(), KEY, notifier(feishu, conn), resend_in_doubt=True)
    assert forced.outcome == "sent"


def test_a_corrected_rerun_patches_the_card(engine, conn, feishu) -> None:
    sender = notifier(feishu, conn)
    deliver(engine, conn, package(), KEY, sender)
    fixed = deliver(engine, conn, package("b" * 64, "US$18,000"), KEY, sender)
    assert fixed.outcome == "corrected"
    [card_msg] = feishu.chat(CHAT)
    assert card_msg.edits == 1
    text = markdown_of(card_msg.card)
    assert "US$18,000" in text and "US$17,500" not in text and "已更正" in text
    assert card_msg.card["header"]["template"] == "orange"
    thread = feishu.thread(card_msg.message_id)
    notes = [m for m in thread if m.msg_type == "text"]
    assert len(notes) == 1 and notes[0].text.startswith("✏️ 已更正")
    assert len(feishu.answered("im.v1.message.create")) == 1  # never a second card


def test_a_card_older_than_14_days_is_refused_not_reposted(engine, conn, feishu) -> None:
    sender = notifier(feishu, conn)
    deliver(engine, conn, package(), KEY, sender)
    feishu.age(feishu.chat(CHAT)[0].message_id, 15 * 86400)
    late = deliver(engine, conn, package("c" * 64, "US$18,000"), KEY, sender)
    assert late.outcome == "failed" and "230031" in late.detail
    assert len(feishu.chat(CHAT)) == 1


def test_the_fake_refuses_what_feishu_refuses(conn, feishu) -> None:
    api = feishu_api(feishu.app_id, feishu.app_secret, feishu.origin, conn)
    from jobs.notify.errors import Refused

    with pytest.raises(Refused, match="230099"):  # a 1.0 "note" module in a 2.0 card
        api.send(CHAT, "interactive", {"schema": "2.0", "body": {"elements": [
            {"tag": "note", "elements": []}]}}, uuid="x1")
    with pytest.raises(Refused, match="230099"):  # an image nobody uploaded
        api.send(CHAT, "interactive", {"schema": "2.0", "body": {"elements": [
            {"tag": "img", "img_key": "img_v3_nope"}]}}, uuid="x2")
    with pytest.raises(Refused, match="230025"):
        api.send(CHAT, "interactive", {"schema": "2.0", "body": {"elements": [
            {"tag": "markdown", "content": "长" * 12_000}]}}, uuid="x3")
    bad = feishu_api(feishu.app_id, "wrong-secret", feishu.origin)
    bad.client.config.app_id = "cli_someone_else"  # not cached: asks for a token and is refused
    with pytest.raises(Refused, match="FEISHU_APP_ID"):
        bad.send(CHAT, "text", {"text": "hi"}, uuid="x4")
    assert feishu.messages == {}


def test_the_card_reads_well_in_chinese() -> None:
    card = digest_card(package().editions[0], "img_v3_x")
    text = json.dumps(card, ensure_ascii=False)
    assert "\\u" not in text and len(text.encode()) < 30 * 1024
    print("\n" + markdown_of(card))


def test_wiring_serves_feishu_chats(tmp_path, monkeypatch, redis_url, feishu) -> None:
    from jobs.wiring import digest_notifiers

    monkeypatch.setenv("FEISHU_APP_ID", feishu.app_id)
    monkeypatch.setenv("FEISHU_APP_SECRET", feishu.app_secret)
    monkeypatch.setenv("FEISHU_BASE_URL", feishu.origin)
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert isinstance(digest_notifiers(Settings())["feishu"], FeishuNotifier)
    tenant = make_tenant().model_copy(update={"chats": Chats(feishu=(FeishuBinding(
        chat=CHAT, admins=(ADMIN,)),))})
    assert channels_of(tenant) == [("feishu", CHAT)]


def test_alerts_once_per_incident_with_admins_mentioned(engine, conn, feishu) -> None:
    from datetime import UTC, datetime

    broke = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    shop_auth, _ = seed_tenant(engine)
    set_status(engine, shop_auth, "revoked", broke, "no auth record [code 36004005]")
    tenant = make_tenant(language=("zh", "en")).model_copy(update={"chats": Chats(
        feishu=(FeishuBinding(chat=CHAT, admins=(ADMIN,)),))})
    setup = alert_setup(engine, {"feishu": FeishuSender(feishu_api(
        feishu.app_id, feishu.app_secret, feishu.origin, conn))})

    def at(moment):
        with freeze_time(moment, real_asyncio=True):
            return evaluate_tenant(setup, tenant)

    at(broke + timedelta(minutes=5))
    [first] = feishu.chat(CHAT)
    assert first.msg_type == "text" and f'<at user_id="{ADMIN}"></at>' in first.text
    assert first.text.index("店铺授权") < first.text.index("Shop authorization")  # Chinese first
    for hours in (1, 6, 23):
        at(broke + timedelta(hours=hours))
    assert len(feishu.chat(CHAT)) == 1
    at(broke + timedelta(hours=25))
    assert len(feishu.chat(CHAT)) == 2
    set_status(engine, shop_auth, "healthy", broke + timedelta(hours=26))
    at(broke + timedelta(hours=26))
    at(broke + timedelta(hours=27))
    texts = [m.text for m in feishu.chat(CHAT)]
    assert len(texts) == 3 and texts[-1].startswith("✅") and ADMIN not in texts[-1]
