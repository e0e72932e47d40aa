"""The command layer end to end: middleware, handlers and the numbers they print."""

import json
import logging

import pytest
from sqlalchemy import select

from bot.commands import BotContext, Request, as_text, dispatch
from jobs.warehouse.schema import subscriptions, target_overrides
from tests.bot.conftest import ask_slack
from tests.bot.seed import (
    ACME_CHANNEL,
    ACME_CHAT,
    ACME_DM,
    ACME_MEMBER,
    ACME_TG_ADMIN,
    ACME_TG_MEMBER,
    UK,
    US,
)


def test_roas_for_all_stores_converts_each_store_into_the_reporting_currency(bot_ctx):
    reply = dispatch(ask_slack("roas all last week"), bot_ctx)
    m = reply.data["metrics"]
    # UK: 7 x 20 GBP spend and 7 x 60 GBP ad revenue at 1.25; US: 7 x 50 and 7 x 150 USD.
    assert (m["spend"], m["purchase_value"]) == ("525.0000", "1575.0000")
    assert m["roas_platform"] == pytest.approx(3.0)
    # net GMV 7 x 100 x 1.25 - 7 x 10 x 1.25 + 7 x 200 = 2187.50 over 525 spend
    assert m["roas_blended"] == pytest.approx(2187.5 / 525)
    # paid share 0.3 of each store's net GMV: (0.3 x 787.5 + 0.3 x 1400) / 525
    assert m["roas_true"] == pytest.approx((0.3 * 787.5 + 0.3 * 1400) / 525)
    assert reply.data["period"] == {"start": "2026-11-16", "end": "2026-11-22",
                                    "label": "2026-W47"}
    text = as_text(reply)
    assert "3.00x" in text and "525.00 USD" in text and "2026-W47" in text


def test_a_store_by_name_id_or_region_gives_the_same_answer(bot_ctx):
    answers = [dispatch(ask_slack(f"gmv {name} 2026-W47"), bot_ctx).data["metrics"]
               for name in ("Acme UK", UK, "UK", "GB", "英国")]
    assert all(a == answers[0] for a in answers)
    assert answers[0]["gross_gmv"] == "700.0000"  # 7 x 100 GBP: the store's own currency


def test_chinese_question_gets_a_chinese_answer(bot_ctx):
    reply = dispatch(ask_slack("上周美国销售额"), bot_ctx)
    text = as_text(reply)
    assert "总GMV" in text and "1,400.00 USD" in text


def test_unknown_store_lists_only_this_channels_stores(bot_ctx):
    reply = dispatch(ask_slack("roas Narnia"), bot_ctx)
    assert reply.kind == "unknown_store"
    text = as_text(reply)
    assert "narnia" in text.lower() and "Acme UK" in text and "Acme US" in text


def test_garbled_question_says_what_was_understood_and_suggests(bot_ctx):
    reply = dispatch(ask_slack("blorp last week"), bot_ctx)
    assert reply.kind == "unclear"
    text = as_text(reply)
    assert "last week" in text and "For example" in text


def test_unbound_channel_gets_setup_steps_not_data(bot_ctx):
    reply = dispatch(ask_slack("roas all", channel="C0NOBODY1"), bot_ctx)
    assert reply.kind == "setup"
    assert "C0NOBODY1" in as_text(reply) and "USD" not in as_text(reply)


def test_unbound_dm_is_refused_and_a_bound_dm_answers(bot_ctx):
    refused = dispatch(ask_slack("roas all", channel="D0STRANGER"), bot_ctx)
    assert refused.kind == "setup" and "channel" in as_text(refused)
    bound = dispatch(ask_slack("roas all", channel=ACME_DM, user=ACME_MEMBER), bot_ctx)
    assert bound.kind == "answer"


@pytest.mark.parametrize("text", ["target roas 2.5", "digest now"])
def test_admin_commands_are_refused_for_members(bot_ctx, text):
    reply = dispatch(ask_slack(text, user=ACME_MEMBER), bot_ctx)
    assert reply.kind == "refused" and ACME_MEMBER in as_text(reply)


def test_admin_sets_a_target_and_targets_show_it(bot_ctx):
    assert dispatch(ask_slack("target roas 2.5"), bot_ctx).kind == "answer"
    with bot_ctx.engine.connect() as conn:
        row = conn.execute(select(target_overrides)).one()
    assert (row.tenant_id, row.target, str(row.value)) == ("acme", "roas", "2.5")
    text = as_text(dispatch(ask_slack("targets", user=ACME_MEMBER), bot_ctx))
    assert "2.50x" in text and "slack:U0ACMEBOSS" in text


def test_telegram_roles_follow_the_chat_binding(bot_ctx):
    member = Request("telegram", str(ACME_CHAT), str(ACME_TG_MEMBER), "target roas 2.0")
    admin = Request("telegram", str(ACME_CHAT), str(ACME_TG_ADMIN), "target roas 2.0")
    assert dispatch(member, bot_ctx).kind == "refused"
    assert dispatch(admin, bot_ctx).kind == "answer"


def test_unsubscribe_then_subscribe_is_stored_per_channel(bot_ctx):
    dispatch(ask_slack("unsubscribe"), bot_ctx)
    with bot_ctx.engine.connect() as conn:
        assert conn.execute(select(subscriptions.c.subscribed)).scalar() is False
    dispatch(ask_slack("subscribe"), bot_ctx)
    with bot_ctx.engine.connect() as conn:
        rows = conn.execute(select(subscriptions)).all()
    assert [(r.channel_id, r.alert_kind, r.subscribed) for r in rows] == [
        (ACME_CHANNEL, "all", True)]


def test_rate_limit_per_user_in_redis(bot_ctx):
    bot_ctx.rate_per_minute = 3
    kinds = [dispatch(ask_slack("define roas"), bot_ctx).kind for _ in range(4)]
    assert kinds == ["answer", "answer", "answer", "limited"]
    other = dispatch(ask_slack("define roas", user="U0SOMEONE"), bot_ctx)
    assert other.kind == "answer"


def test_each_request_is_logged_with_tenant_command_and_latency(bot_ctx, caplog):
    with caplog.at_level(logging.INFO, logger="tikpulse.bot"):
        dispatch(ask_slack("gmv UK"), bot_ctx)
    line = caplog.records[-1].getMessage()
    assert "tenant=acme" in line and "command=gmv" in line and "latency_ms=" in line


def test_why_explains_by_store_with_a_waterfall_chart(bot_ctx):
    reply = dispatch(ask_slack("why gmv last week"), bot_ctx)
    text = as_text(reply)
    assert "Acme US" in text and "-20.0%" in text  # 1750 -> 1400
    assert reply.images and reply.images[0].png.startswith(b"\x89PNG")


def test_top_creators_and_creator_read_only_this_tenants_sales(bot_ctx):
    text = as_text(dispatch(ask_slack("top creators by roi"), bot_ctx))
    assert text.index("@lily.home") < text.index("@max.deals")  # ROI 10x before 5x
    lily = as_text(dispatch(ask_slack("creator @lily.home"), bot_ctx))
    assert "350.00 USD" in lily  # 7 x 40 GBP x 1.25, not the 5,555 THB sold for Rival


def test_stock_at_risk_uses_the_digests_stock_plan(bot_ctx):
    reply = dispatch(ask_slack("stock at risk"), bot_ctx)
    (mug,) = reply.data["stock"]
    # 28 mugs sold once (11-22) in the 56 days to yesterday: Croston's rate 28/54 x 0.95 a day,
    # so 10 in stock cover 20 days (the old 28-day run rate read 10); lead time 21: reorder
    assert (mug["sku"], mug["stock"], mug["lead_time_days"], mug["reorder_now"]) == (
        "ACME-MUG", 10, 21, True)
    assert mug["days_of_cover"] == pytest.approx(10 / (28 / 54 * 0.95))
    assert reply.blocks[1].rows == (("ACME-MUG", "Acme UK", "10", "20", "21", "⚠ reorder"),)


def test_json_data_is_serialisable(bot_ctx):
    data = dispatch(ask_slack("kpi"), bot_ctx).data
    assert json.loads(json.dumps(data))["tenant"] == "acme"


def test_a_crash_in_a_handler_is_answered_with_a_reference(bot_ctx: BotContext):
    bot_ctx.engine.dispose()
    with bot_ctx.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE shop_daily")
    reply = dispatch(ask_slack("gmv"), bot_ctx)
    assert reply.kind == "error" and "reference" in as_text(reply)


def test_same_answers_on_sqlite_and_postgresql(engine, tmp_path, redis_conn):
    from config.tenant_registry import load_tenants
    from tests.bot.seed import NOW, seed, write_tenants

    seed(engine)
    ctx = BotContext(load_tenants(write_tenants(tmp_path)), engine, redis_conn, clock=lambda: NOW)
    reply = dispatch(ask_slack("kpi all last week"), ctx)
    m = reply.data["metrics"]
    assert (m["gross_gmv"], m["net_gmv"], m["orders"], m["spend"]) == (
        "2275.0000", "2187.5000", 63, "525.0000")
    assert "@lily.home" in as_text(dispatch(ask_slack("top creators"), ctx))


def test_digest_now_enqueues_the_digest_job_for_last_week(bot_ctx, redis_conn):
    from rq import Queue

    reply = dispatch(ask_slack("digest now"), bot_ctx)
    assert reply.kind == "queued"
    (job,) = Queue(bot_ctx.queue_name, connection=redis_conn).get_jobs()
    assert (job.func_name, job.args) == ("jobs.digest.fanout.prepare_digest", ("acme", "2026-W47"))


@pytest.mark.parametrize(("text", "period"), [
    ("digest now 2026-W46", "2026-W46"), ("发送月报", "2026-10"),
    ("digest now last month", "2026-10"), ("send digest 11-02..11-15", "2026-W45-W46"),
])
def test_digest_now_takes_a_week_a_fortnight_or_a_month(bot_ctx, redis_conn, text, period):
    from rq import Queue

    reply = dispatch(ask_slack(text), bot_ctx)
    assert reply.kind == "queued" and period in as_text(reply)
    (job,) = Queue(bot_ctx.queue_name, connection=redis_conn).get_jobs()
    assert job.args == ("acme", period)


def test_digest_preview_of_a_month_and_a_refused_span(bot_ctx):
    month = as_text(dispatch(ask_slack("预览月报"), bot_ctx))
    assert month.startswith("月报预览 · ") and "2026-10" in month and "店铺" in month
    week = as_text(dispatch(ask_slack("digest preview 2026-W47"), bot_ctx))
    assert "weekly digest" in week and "2,275.00 USD" in week
    odd = dispatch(ask_slack("digest preview last 10 days"), bot_ctx)
    assert odd.kind == "unclear" and "calendar month" in as_text(odd)


def test_digest_preview_shows_each_store_live_until_the_digest_is_frozen(bot_ctx):
    text = as_text(dispatch(ask_slack("digest preview"), bot_ctx))
    assert "Acme UK" in text and "Acme US" in text and "2,275.00 USD" in text
    assert "not prepared yet" in text


def test_telegram_reply_to_a_digest_message_answers_from_the_snapshot(bot_ctx):
    from sqlalchemy import update

    from jobs.report.build import build_weekly_report
    from jobs.warehouse.schema import deliveries, digest_runs, shop_daily
    from tests.bot.seed import NOW, W47

    report = build_weekly_report(bot_ctx.engine, bot_ctx.tenants().tenant("acme"), "2026-W47")
    with bot_ctx.engine.begin() as conn:
        conn.execute(digest_runs.insert().values(
            tenant_id="acme", window="2026-W47", status="sent",
            snapshot=json.loads(report.to_json()), history=[], created_at=NOW, updated_at=NOW))
        conn.execute(deliveries.insert().values(
            tenant_id="acme", window="2026-W47", channel_kind="telegram",
            channel_id=str(ACME_CHAT), status="sent", message_id="41"))
        conn.execute(update(shop_daily).where(shop_daily.c.day == W47[0]).values(orders=0))
    ask = Request("telegram", str(ACME_CHAT), str(ACME_TG_MEMBER), "gmv", thread_id="41")
    frozen = dispatch(ask, bot_ctx)
    live = dispatch(Request("telegram", str(ACME_CHAT), str(ACME_TG_MEMBER), "gmv"), bot_ctx)
    assert frozen.data["metrics"]["orders"] == 63 and live.data["metrics"]["orders"] == 54
    assert "frozen" in as_text(frozen)
    preview = as_text(dispatch(ask_slack("digest preview"), bot_ctx))
    assert "frozen numbers" in preview


def test_repeated_question_within_a_minute_reuses_the_computed_numbers(bot_ctx):
    from sqlalchemy import update

    from bot.commands.cache import TtlCache
    from jobs.warehouse.schema import shop_daily

    first = dispatch(ask_slack("gmv US last week"), bot_ctx).data["metrics"]["orders"]
    with bot_ctx.engine.begin() as conn:
        conn.execute(update(shop_daily).where(shop_daily.c.shop_id == US).values(orders=1))
    again = dispatch(ask_slack("gmv US last week"), bot_ctx).data["metrics"]["orders"]
    assert (first, again, bot_ctx.answers.hits) == (35, 35, 1)
    bot_ctx.answers = TtlCache(ttl=0)  # expired: the next answer reads the rollups again
    assert dispatch(ask_slack("gmv US last week"), bot_ctx).data["metrics"]["orders"] == 7


def test_a_typo_is_answered_and_the_reading_is_shown(bot_ctx):
    reply = dispatch(ask_slack("rosa US last week"), bot_ctx)
    assert reply.kind == "answer" and reply.data["metrics"]["spend"] == "350.0000"
    assert "“rosa” -> `roas`" in as_text(reply)
