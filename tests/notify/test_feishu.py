"""The digest and alerts in Feishu through the real ``lark-oapi`` client and the fake Open API:
a JSON 2.0 card with the summary chart, the charts and the PDF in its thread, exactly once under
429s and a lost answer, a corrected re-run patching the card, Feishu's per-chat limit kept, and
alerts once per incident with the admins @mentioned."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time

from config.chat_bindings import Chats, FeishuBinding
from config.settings import Settings
from jobs.alerts.deliver import FeishuSender
from jobs.alerts.evaluate import evaluate_tenant
from jobs.digest.deliver import deliver
from jobs.digest.deliveries import DeliveryKey, load_delivery
from jobs.digest.pipeline import channels_of
from jobs.notify.clients import feishu_api
from jobs.notify.feishu import FeishuNotifier, _trust_key, _uuid, digest_card
from tests.alerts.conftest import alert_setup, make_tenant, seed_tenant, set_status
from tests.notify.packages import TITLE, deck_package, package, png

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


def test_the_deck_follows_the_pdf_as_a_ppt_file_and_the_card_says_so(engine, conn,
                                                                     feishu) -> None:
    sent = deliver(engine, conn, deck_package(), KEY, notifier(feishu, conn))
    assert sent.outcome == "sent"
    [card_msg] = feishu.chat(CHAT)
    assert "完整报告（PDF）和演示文稿（PPTX）" in markdown_of(card_msg.card)
    thread = feishu.thread(card_msg.message_id)
    assert [m.msg_type for m in thread] == ["image", "image", "file", "file"]
    pdf, deck = (feishu.uploads[m.content["file_key"]] for m in thread[-2:])
    assert (pdf.file_type, deck.file_type) == ("pdf", "ppt")
    assert deck.data == deck_package().editions[0].deck.data  # type: ignore[union-attr]
    assert deck.file_name.endswith(".pptx")
    assert deliver(engine, conn, deck_package(), KEY, notifier(feishu, conn)).outcome == \
        "already_sent"
    assert len(feishu.thread(card_msg.message_id)) == 4


def test_the_fake_keeps_feishus_upload_limits(conn, feishu) -> None:
    from jobs.notify.errors import Refused
    from tests.fakes.feishu_api import FILE_MAX_BYTES, IMAGE_MAX_BYTES

    api = feishu_api(feishu.app_id, feishu.app_secret, feishu.origin, conn)
    with pytest.raises(Refused, match="234006"):  # a file over 30 MB
        api.upload_file(b"%PDF" + bytes(FILE_MAX_BYTES), "big.pdf", "pdf")
    with pytest.raises(Refused, match="234001"):  # "pptx" is not a Feishu file type: "ppt" is
        api.upload_file(b"PK\x03\x04deck", "deck.pptx", "pptx")
    with pytest.raises(Refused, match="234010"):  # an empty file
        api.upload_file(b"", "empty.pdf", "pdf")
    with pytest.raises(Refused, match="234006"):  # an image over 10 MB
        api.upload_image(png("x")[:8] + bytes(IMAGE_MAX_BYTES))
    with pytest.raises(Refused, match="234011"):  # not an image
        api.upload_image(b"%PDF-1.4 not a picture")
    assert feishu.uploads == {}
    assert api.upload_file(b"PK\x03\x04deck", "deck.pptx", "ppt").startswith("file_")


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


def test_the_fake_answers_feishus_rate_limit_codes(conn) -> None:
    """5 messages a second into one chat (a group, or one user's direct chat), then 230020; 50 a
    second per app, then HTTP 429 / 99991400: what an unpaced client meets."""
    from jobs.notify.errors import Refused
    from tests.fakes.feishu_api import APP_PER_S, CHAT_PER_S, FakeFeishu

    with FakeFeishu(clock=lambda: 1000.0) as frozen:  # every call in the same instant
        api = feishu_api(frozen.app_id, frozen.app_secret, frozen.origin)  # no Redis: unpaced
        api.sleep = lambda _s: None
        for i in range(CHAT_PER_S):
            api.send(CHAT, "text", {"text": f"m{i}"}, uuid=f"c{i}")
        with pytest.raises(Refused, match="230020"):
            api.send(CHAT, "text", {"text": "one too many"}, uuid="c-over")
        for i in range(CHAT_PER_S, APP_PER_S):
            api.send(f"oc_other{i:07d}", "text", {"text": f"m{i}"}, uuid=f"a{i}")
        with pytest.raises(Refused, match="99991400"):
            api.send("oc_another0001", "text", {"text": "over the app"}, uuid="a-over")
        limited = [c for c in frozen.calls if c.status == 429]
    assert len(frozen.messages) == APP_PER_S and limited  # waited out, then given up


def test_sixty_messages_into_twelve_chats_keep_feishus_limits(conn, feishu) -> None:
    """Paced through Redis, a burst over many chats stays under 50/s per app and 5/s per chat:
    the fake (which counts in real time) never answers 429 or 230020."""
    api = feishu_api(feishu.app_id, feishu.app_secret, feishu.origin, conn)
    chats = [f"oc_burst{i:06d}" for i in range(12)]
    for n in range(5):
        for chat in chats:
            api.send(chat, "text", {"text": f"{chat} {n}"}, uuid=f"{chat}-{n}")
    assert len(feishu.messages) == 60
    assert [c.status for c in feishu.calls_to("im.v1.message.create")] == [200] * 60


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
