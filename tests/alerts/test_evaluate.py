"""Evaluating a tenant end to end on both databases: warehouse rows in, chat messages out.

The clock is frozen (freezegun) and moved by hand; Slack and Telegram are the real client
libraries talking to the local fake servers.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from jobs.alerts.deliver import SlackSender, TelegramSender
from jobs.alerts.evaluate import evaluate_tenant
from jobs.alerts.subscriptions import unsubscribe
from jobs.warehouse.db import make_engine
from tests.alerts.conftest import (
    SLACK_ADMIN,
    SLACK_CHANNEL,
    TELEGRAM_ADMIN,
    TELEGRAM_CHAT,
    alert_setup,
    make_tenant,
    seed_tenant,
    set_status,
)

BROKE = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def evaluate_at(setup, tenant, moment):
    with freeze_time(moment, real_asyncio=True):
        return evaluate_tenant(setup, tenant)


def test_revoked_shop_alerts_once_repeats_daily_and_recovers_once(engine, senders, slack, telegram):
    shop_auth, _ = seed_tenant(engine)
    set_status(engine, shop_auth, "revoked", BROKE, "no auth record [code 36004005]")
    setup, tenant = alert_setup(engine, senders), make_tenant()

    evaluate_at(setup, tenant, BROKE + timedelta(minutes=5))
    [first] = slack.top_level(SLACK_CHANNEL)
    assert "Shop authorization broken" in first.text
    assert "Acme UK (7495000000000000001)" in first.text
    assert "removed TikPulse's authorization" in first.text
    assert "2026-11-20 14:00 (Asia/Shanghai)" in first.text  # since, in the tenant's zone
    assert "https://services.tiktokshop.com/open/authorize?service_id=7001" in first.text
    assert "tikpulse auth connect-shop --auth-code &lt;CODE&gt; --tenant acme" in first.text
    assert f"<@{SLACK_ADMIN}>" in first.text
    [tg] = telegram.chat(TELEGRAM_CHAT)
    assert f'tg://user?id={TELEGRAM_ADMIN}' in tg.text and tg.parse_mode == "HTML"

    for hours in (1, 6, 23):
        evaluate_at(setup, tenant, BROKE + timedelta(hours=hours))
    assert len(slack.top_level(SLACK_CHANNEL)) == 1 and len(telegram.chat(TELEGRAM_CHAT)) == 1

    evaluate_at(setup, tenant, BROKE + timedelta(hours=25))
    assert slack.top_level(SLACK_CHANNEL)[-1].text.startswith("🔁 Still broken")

    set_status(engine, shop_auth, "healthy", BROKE + timedelta(hours=26))
    evaluate_at(setup, tenant, BROKE + timedelta(hours=26))
    evaluate_at(setup, tenant, BROKE + timedelta(hours=27))
    texts = [m.text for m in slack.top_level(SLACK_CHANNEL)]
    assert len(texts) == 3 and texts[-1].startswith("✅ Fixed: Shop authorization broken")
    assert SLACK_ADMIN not in texts[-1]
    assert len(telegram.chat(TELEGRAM_CHAT)) == 3


def test_a_restarted_worker_neither_resends_nor_forgets(engine, senders, slack, telegram):
    shop_auth, _ = seed_tenant(engine)
    set_status(engine, shop_auth, "shop_changed", BROKE)
    evaluate_at(alert_setup(engine, senders), make_tenant(), BROKE)
    # a new process: its own engine and chat clients, nothing kept in memory
    fresh_engine = make_engine(engine.url.render_as_string(hide_password=False))
    fresh = alert_setup(fresh_engine, {"slack": SlackSender(slack.token, slack.base_url),
                                       "telegram": TelegramSender(telegram.token,
                                                                  telegram.base_url)})
    evaluate_at(fresh, make_tenant(), BROKE + timedelta(hours=2))
    assert len(slack.top_level(SLACK_CHANNEL)) == 1
    set_status(fresh_engine, shop_auth, "healthy", BROKE + timedelta(hours=3))
    evaluate_at(fresh, make_tenant(), BROKE + timedelta(hours=3))
    assert slack.top_level(SLACK_CHANNEL)[-1].text.startswith("✅ Fixed")
    fresh_engine.dispose()


def test_two_workers_at_once_announce_once(engine, senders, slack, telegram):
    shop_auth, _ = seed_tenant(engine)
    set_status(engine, shop_auth, "revoked", BROKE)
    setup, tenant = alert_setup(engine, senders), make_tenant()
    start = threading.Barrier(4)

    def worker():
        start.wait()
        evaluate_tenant(setup, tenant, now=BROKE)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(slack.top_level(SLACK_CHANNEL)) == 1 and len(telegram.chat(TELEGRAM_CHAT)) == 1


def test_an_unsubscribed_channel_hears_nothing_of_that_kind(engine, senders, slack, telegram):
    _, ads_auth = seed_tenant(engine)
    set_status(engine, ads_auth, "revoked", BROKE)
    with engine.begin() as conn:
        unsubscribe(conn, "slack", SLACK_CHANNEL, "ads_token_dead")
    evaluate_at(alert_setup(engine, senders), make_tenant(), BROKE)
    assert slack.top_level(SLACK_CHANNEL) == []
    [tg] = telegram.chat(TELEGRAM_CHAT)
    assert "Ads account authorization stopped working" in tg.text
    assert "tikpulse auth connect-ads" in tg.text


def test_undelivered_notice_goes_out_at_the_next_evaluation(engine, senders, slack, telegram):
    shop_auth, _ = seed_tenant(engine)
    set_status(engine, shop_auth, "revoked", BROKE)
    setup, tenant = alert_setup(engine, senders), make_tenant()
    slack.fail_next(1, status=200, error="fatal_error", method="chat.postMessage")
    telegram.fail_next(1, status=500, method="sendMessage")
    result = evaluate_at(setup, tenant, BROKE)
    assert result.released == 1 and slack.top_level(SLACK_CHANNEL) == []
    evaluate_at(setup, tenant, BROKE + timedelta(minutes=10))
    assert len(slack.top_level(SLACK_CHANNEL)) == 1 and len(telegram.chat(TELEGRAM_CHAT)) == 1


def test_expiring_refresh_token_warns_ahead_in_both_languages(engine, senders, slack):
    seed_tenant(engine, refresh_expires_at=BROKE + timedelta(days=3))
    tenant = make_tenant(language=("zh", "en"))
    evaluate_at(alert_setup(engine, senders), tenant, BROKE)
    [msg] = slack.top_level(SLACK_CHANNEL)
    zh, en = msg.text.split("\n\n")[:2]
    assert "店铺授权即将到期" in zh and "剩余 3 天" in zh
    assert "Shop authorization expiring soon" in en and "(3 days left)" in en
