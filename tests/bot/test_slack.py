"""The Slack adapter through slack-bolt: signed requests in, answers at the fake Slack Web API."""

import time

import pytest
from rq import Queue, SimpleWorker
from slack_sdk import WebClient
from sqlalchemy import update

from bot.slack.app import build_app
from jobs.warehouse.schema import shop_daily
from tests.bot.seed import ACME_ADMIN, ACME_CHANNEL, ACME_MEMBER, US, W47
from tests.bot.slack_helpers import SIGNING_SECRET, event_body, signed, slash_body, wait_for
from tests.fakes.slack_api import FakeSlack

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def slack():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.base_url)


@pytest.fixture
def app(bot_ctx, client):
    return build_app(bot_ctx, client, signing_secret=SIGNING_SECRET)


def _command(app, slack, text, *, key="r1", user=ACME_ADMIN, channel=ACME_CHANNEL, **kw):
    body = slash_body(text, channel=channel, user=user, response_url=slack.response_url(key))
    return app.dispatch(signed(body, content_type=FORM, **kw))


def _section_text(payload) -> str:
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        import json

        blocks = json.loads(blocks)
    return "\n".join(b.get("text", {}).get("text", "") for b in blocks or [])


def test_slash_command_is_acked_then_answered_through_response_url(app, slack):
    started = time.perf_counter()
    response = _command(app, slack, "roas all last week")
    assert response.status == 200
    assert time.perf_counter() - started < 3.0
    (answer,) = wait_for(lambda: slack.responses.get("r1"))
    assert answer["response_type"] == "in_channel"
    text = _section_text(answer)
    assert "Platform ROAS" in text and "3.00x" in text and "525.00 USD" in text


def test_tp_alias_and_chinese(app, slack):
    body = slash_body("上周英国投产比", channel=ACME_CHANNEL, user=ACME_ADMIN,
                      response_url=slack.response_url("zh"), command="/tp")
    assert app.dispatch(signed(body, content_type=FORM)).status == 200
    (answer,) = wait_for(lambda: slack.responses.get("zh"))
    assert "平台ROAS" in _section_text(answer)


def test_bad_signature_is_refused_and_nothing_is_answered(app, slack):
    response = _command(app, slack, "roas all", secret="not-the-secret")
    assert response.status == 401
    time.sleep(0.3)
    assert slack.responses == {} and slack.messages == {}


def test_request_older_than_five_minutes_is_refused(app, slack):
    response = _command(app, slack, "roas all", timestamp=int(time.time()) - 301)
    assert response.status == 401


def test_refusals_are_ephemeral(app, slack):
    _command(app, slack, "target roas 9", user=ACME_MEMBER)
    (answer,) = wait_for(lambda: slack.responses.get("r1"))
    assert answer["response_type"] == "ephemeral"
    assert "admins" in _section_text(answer)


def test_unbound_channel_gets_setup_instructions(app, slack):
    _command(app, slack, "roas all", channel="C0NOBODY1")
    (answer,) = wait_for(lambda: slack.responses.get("r1"))
    assert "C0NOBODY1" in _section_text(answer) and "USD" not in _section_text(answer)


def test_chart_question_is_answered_by_a_job_with_an_image(app, slack, bot_ctx, monkeypatch,
                                                          redis_url, redis_conn, tmp_path):
    for name, value in {"DATABASE_URL": str(bot_ctx.engine.url), "REDIS_URL": redis_url,
                        "TIKPULSE_CONFIG": str(bot_ctx.tenants_file.path),
                        "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.base_url}.items():
        monkeypatch.setenv(name, value)
    assert _command(app, slack, "why gmv 2026-W47").status == 200
    queue = Queue(bot_ctx.queue_name, connection=redis_conn)
    wait_for(lambda: queue.count)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    (answer,) = slack.responses["r1"]
    assert "Acme US" in _section_text(answer)
    (png,) = [f for f in slack.files.values() if f.completed]
    assert png.channel == ACME_CHANNEL and png.data.startswith(b"\x89PNG")
    assert png.filename.endswith(".png")


def test_mention_is_answered_in_its_thread(app, slack, client):
    asked = client.chat_postMessage(channel=ACME_CHANNEL, text="<@U0TIKBOT> gmv US")
    event = {"type": "app_mention", "channel": ACME_CHANNEL, "user": ACME_MEMBER,
             "text": "<@U0TIKBOT> gmv US last week", "ts": asked["ts"]}
    app.dispatch(signed(event_body(event), content_type="application/json"))
    reply = wait_for(lambda: [m for m in slack.messages.values() if m.thread_ts == asked["ts"]])
    assert "1,400.00 USD" in "\n".join(b.get("text", {}).get("text", "") for b in reply[0].blocks)


def test_thread_reply_to_a_digest_answers_from_its_frozen_snapshot(app, slack, client, bot_ctx):
    from jobs.report.build import build_weekly_report
    from jobs.warehouse.schema import deliveries, digest_runs
    from tests.bot.seed import NOW

    tenant = bot_ctx.tenants().tenant("acme")
    report = build_weekly_report(bot_ctx.engine, tenant, "2026-W47")
    digest = client.chat_postMessage(channel=ACME_CHANNEL, text="Weekly digest 2026-W47")
    with bot_ctx.engine.begin() as conn:
        conn.execute(digest_runs.insert().values(
            tenant_id="acme", window="2026-W47", status="sent", snapshot=report.to_json(),
            history=[], created_at=NOW, updated_at=NOW))
        conn.execute(deliveries.insert().values(
            tenant_id="acme", window="2026-W47", channel_kind="slack", channel_id=ACME_CHANNEL,
            status="sent", message_id=digest["ts"]))
        # late data changes the live numbers after the digest went out
        conn.execute(update(shop_daily).where(shop_daily.c.shop_id == US,
                                              shop_daily.c.day == W47[0]).values(gross_gmv=0))
    event = {"type": "message", "channel": ACME_CHANNEL, "user": ACME_MEMBER, "text": "gmv US",
             "ts": "1763600099.000001", "thread_ts": digest["ts"], "channel_type": "channel"}
    app.dispatch(signed(event_body(event), content_type="application/json"))
    reply = wait_for(lambda: [m for m in slack.messages.values() if m.thread_ts == digest["ts"]])
    text = "\n".join(str(b) for b in reply[0].blocks)
    assert "1,400.00 USD" in text and "frozen" in text  # the digest's 7 x 200, not the live 1,200


def test_answer_slack_refuses_is_a_visible_failure_not_a_silent_success(slack, client):
    from bot.commands.reply import reply
    from bot.slack.deliver import AnswerNotDelivered, post_reply

    slack.fail_next(status=500, method="response_url")
    with pytest.raises(AnswerNotDelivered):
        post_reply(client, ACME_CHANNEL, reply("hello"), response_url=slack.response_url("x"))
    post_reply(client, ACME_CHANNEL, reply("hello"), response_url=slack.response_url("x"))
    assert slack.responses["x"][0]["text"] == "hello"
