"""The answers issue 17 added, over the seeded warehouse as of Wednesday 2026-11-25: campaigns
ranked by loss, profit with its estimates said, summaries, one-metric answers, creators ranked by
any key with verdicts, and the honest gaps (not reported, data through)."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import yaml
from sqlalchemy import update

from analytics.display import change, money
from bot.commands import BotContext, as_text, dispatch
from config.tenant_registry import load_tenants
from jobs.warehouse.schema import ad_daily, order_settlements, shop_daily, sync_cursors
from jobs.warehouse.upsert import upsert
from tests.bot.conftest import ask_slack
from tests.bot.seed import NOW, TENANTS, UK, W47

UK_ADS = "7300000000000000001"


def ask(ctx: BotContext, text: str):  # type: ignore[no-untyped-def]
    """Acme's admin asking ``text`` in Acme's Slack channel."""
    return dispatch(ask_slack(text), ctx)


def _losing_campaign(engine) -> None:  # type: ignore[no-untyped-def]
    """A UK campaign spending 30 GBP a day for 15 GBP of sales in 2026-W47 (ROAS 0.5)."""
    with engine.begin() as conn:
        upsert(conn, ad_daily, [
            {"advertiser_id": UK_ADS, "day": d, "campaign_id": "cmp-loser",
             "campaign_name": "Spring sale", "currency": "GBP", "spend": Decimal(30),
             "impressions": 2000, "clicks": 20, "conversions": 1, "purchases": 1,
             "purchase_value": Decimal(15), "video_views": 0} for d in W47])


def test_which_campaign_is_wasting_money_ranks_by_loss_against_break_even(bot_ctx):
    _losing_campaign(bot_ctx.engine)
    reply = ask(bot_ctx, "which campaign is wasting money")
    data = reply.data
    assert data["by"] == "loss" and data["break_even_roas"] == "1"  # none set: ROAS 1
    worst = data["campaigns"][0]
    assert (worst["campaign"], worst["verdict"]) == ("Spring sale", "cut")
    spend = Decimal(30 * 7) * Decimal("1.25")  # GBP -> USD at 1.25
    expected = spend * (1 - Decimal("0.5"))  # platform ROAS 0.5 (the targets' basis) vs 1
    assert Decimal(worst["loss"]) == pytest.approx(expected, abs=Decimal("0.01"))
    assert [c["loss"] for c in data["campaigns"]] == sorted(
        (c["loss"] for c in data["campaigns"]), key=lambda v: -Decimal(v))
    assert "Spring sale" in as_text(reply).split("\n")[2]  # the lead names the worst first
    # the campaigns add up to the scope's ad spend, the KPI answer's (and the digest's) number
    total = sum(Decimal(c["spend"]) for c in data["campaigns"])
    assert total == Decimal(ask(bot_ctx, "spend last week").data["metrics"]["spend"])


def test_campaigns_honour_by_and_limit(bot_ctx):
    _losing_campaign(bot_ctx.engine)
    data = ask(bot_ctx, "top 1 campaigns by roas").data
    assert data["by"] == "roas" and len(data["campaigns"]) == 1
    assert data["campaigns"][0]["campaign"] == "c" and data["campaigns"][0]["roas"] == 3.0
    assert ask(bot_ctx, "campaigns by cpa").data["campaigns"][0]["campaign"] == "c"


def _with_costs(tmp_path, redis_conn, engine) -> BotContext:  # type: ignore[no-untyped-def]
    """Acme with a unit cost for the UK mug (2 GBP), and UK orders settled at an 8% fee."""
    tenants = copy.deepcopy(TENANTS)
    tenants["tenants"][0]["stores"][0]["unit_costs"] = {"sku1": "2.00"}
    path = tmp_path / "costs.yaml"
    path.write_text(yaml.safe_dump(tenants, allow_unicode=True), encoding="utf-8")
    with engine.begin() as conn:
        upsert(conn, order_settlements, [
            {"shop_id": UK, "order_id": f"s{i}", "statement_id": "st1",
             "settled_time": datetime(2026, 11, 18, 12, tzinfo=UTC),
             "currency": "GBP", "revenue_amount": Decimal(50), "fee_and_tax_amount": Decimal(-4),
             "settlement_amount": Decimal(46)} for i in range(2)])
    return BotContext(load_tenants(path), engine, redis_conn, clock=lambda: NOW)


def test_profit_subtracts_ads_commission_fees_and_goods_and_says_what_is_estimated(
        bot_engine, tmp_path, redis_conn):
    ctx = _with_costs(tmp_path, redis_conn, bot_engine)
    reply = ask(ctx, "is the UK store making money last week")
    data, kpis = reply.data, ask(ctx, "kpi UK").data["metrics"]
    net, spend = Decimal(kpis["net_gmv"]), Decimal(kpis["spend"])
    commission = Decimal(kpis["commission_cost"])
    fees = (net * Decimal("0.08")).quantize(Decimal("0.01"))  # 8 of 100 settled
    goods = Decimal(28 * 2)  # 28 mugs paid on Sunday 11-22 at 2 GBP
    assert Decimal(data["fees_estimated"]) == fees and Decimal(data["cogs_estimated"]) == goods
    assert Decimal(data["profit_sales"]) == net - spend - commission - fees - goods
    text = as_text(reply)
    assert "8.0% of net GMV" in text and "28 units" in text
    assert data["profit_cash"] is None  # the rollups hold no settled revenue for W47
    assert "n/a (not reported by TikTok Shop settlements)" in text
    assert not re.search(r"(?<![\d,.])0\.00 GBP", text)  # never a zero for what is unknown


def test_profit_names_skus_without_a_cost(bot_ctx):
    reply = ask(bot_ctx, "我们现在赚钱吗")
    assert reply.data["cogs_estimated"] is None and reply.data["uncosted_skus"] == ["sku1"]
    assert "sku1 没有单位成本" in as_text(reply) and "理解为：" in as_text(reply)


def test_summary_is_the_kpis_against_before_with_the_drivers(bot_ctx):
    reply = ask(bot_ctx, "summary UK 2026-W47")
    kpi = ask(bot_ctx, "kpi UK 2026-W47").data
    assert reply.data["metrics"] == kpi["metrics"]
    now, before = kpi["metrics"], kpi["previous"]["metrics"]
    aov = change(Decimal(now["aov"]), Decimal(before["aov"]))
    assert aov in reply.data["drivers"][0] and "GMV" in reply.data["drivers"][0]
    several = ask(bot_ctx, "how are we doing last week").data["drivers"]
    assert any("Acme US" in line for line in several)  # US moved the total most (-350 USD)


def test_a_metric_question_answers_that_metric_with_its_context(bot_ctx):
    reply = ask(bot_ctx, "refund rate in the UK")
    assert reply.data["metric"] == "refund_rate"
    row = reply.blocks[1].rows[0]
    assert row[1:] == ("10.00%", "0.00%", "n/a")  # 70 GBP of 700 refunded; none the week before
    assert "Read as: `metric` · Acme UK · 2026-W47 · Refund rate" in as_text(reply)


def test_a_metric_the_source_did_not_report_is_never_zero(bot_ctx):
    with bot_ctx.engine.begin() as conn:
        conn.execute(update(ad_daily).where(ad_daily.c.advertiser_id == UK_ADS)
                     .values(impressions=None, clicks=None))
    text = as_text(ask(bot_ctx, "ctr UK"))
    assert "n/a (not reported by TikTok Ads)" in text and "0.00%" not in text


def test_compare_one_metric_of_two_stores(bot_ctx):
    reply = ask(bot_ctx, "compare refund rate UK US")
    assert reply.blocks[1].rows[0] == ("This period", "10.00%", "0.00%")
    assert reply.data["left"]["metrics"]["refund_rate"] == pytest.approx(0.1)


def _synced(engine, through: date, days: list[date]) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(sync_cursors.insert().values(source="orders", subject_id=UK,
                                                  latest_complete_day=through, updated_at=NOW))
        upsert(conn, shop_daily, [
            {"shop_id": UK, "day": d, "currency": "GBP", "orders": 2, "units": 2, "buyers": 2,
             "gross_gmv": Decimal(50), "refunds": 0, "refund_amount": Decimal(0),
             "settled_orders": 0, "settled_revenue": Decimal(0), "refreshed_at": NOW}
            for d in days])


def test_a_week_not_yet_over_compares_the_same_days_and_says_data_through(bot_ctx):
    monday = date(2026, 11, 23)
    _synced(bot_ctx.engine, monday + timedelta(days=1), [monday, monday + timedelta(days=1)])
    reply = ask(bot_ctx, "gmv UK this week")
    assert reply.data["data_through"] == "2026-11-24"
    assert (reply.data["previous"]["start"], reply.data["previous"]["end"]) == (
        "2026-11-16", "2026-11-17")
    assert reply.data["metrics"]["gross_gmv"] == "100.0000"
    assert reply.data["previous"]["metrics"]["gross_gmv"] == "200.0000"  # Mon+Tue of W47
    assert "Data through 2026-11-24" in as_text(reply) and "-50.0%" in as_text(reply)


def test_a_week_with_nothing_synced_says_so_instead_of_zero(bot_ctx):
    _synced(bot_ctx.engine, date(2026, 11, 22), [])
    text = as_text(ask(bot_ctx, "gmv UK this week"))
    assert "data through 2026-11-22" in text and "2026-W47" in text and "-100" not in text


def test_creators_by_cvr_show_real_values_and_say_what_was_not_reported(bot_ctx):
    reply = ask(bot_ctx, "top creators 10 by cvr")
    first, second = reply.data["creators"]
    assert (first["creator"], first["cvr"]) == ("lily.home", pytest.approx(14 / 280))
    assert second["cvr"] is None  # max.deals has no video stats
    assert "n/a (not reported by TikTok video analytics)" in reply.blocks[1].rows[1][5]
    assert {c["verdict"] for c in reply.data["creators"]} <= {"rebook", "watch", "stop"}
    assert all(c["verdict_reasons"] for c in reply.data["creators"])


def test_creators_by_engagement_and_limit(bot_ctx):
    reply = ask(bot_ctx, "top creators 1 by engagement")
    assert reply.data["by"] == "engagement" and len(reply.data["creators"]) == 1
    assert reply.data["creators"][0]["creator"] == "lily.home"  # the only one with views


def test_a_literal_command_has_no_read_as_line(bot_ctx):
    assert "Read as" not in as_text(ask(bot_ctx, "roas UK"))
    assert money(Decimal("175.00"), "USD") in as_text(ask(bot_ctx, "英国广告花了多少钱"))


def test_help_lists_the_new_commands_with_chinese_examples(bot_ctx):
    text = as_text(ask(bot_ctx, "帮助"))
    for example in ("上周英国广告计划", "我们现在赚钱吗", "本周总结", "英国广告花了多少钱",
                    "对比英国美国的退款率", "达人排行 前10 按转化率"):
        assert f"`{example}`" in text
    for example in ("campaigns UK last week", "are we making money this month",
                    "how are we doing this month", "refund rate UK last week"):
        assert f"`{example}`" in as_text(ask(bot_ctx, "help"))
