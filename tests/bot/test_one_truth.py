"""One truth: a question in chat and the weekly digest give the same numbers for the same store
and week: a SKU's days of cover, the top creators' GMV, orders and commission, the week's
headline KPIs and the channel mix, on SQLite and PostgreSQL.

Chat answers go through ``dispatch`` exactly as a Slack message; the digest's numbers are the
``WeeklyReport`` that ``build_weekly_report`` freezes. The seed is built so the definitions the
chat used before (a 28-day run rate counting unsynced days, UTC days) give other numbers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from analytics.display import money, percent
from bot.commands import BotContext, Request, as_text, dispatch
from config.tenant_registry import load_tenants
from jobs.report.build import build_weekly_report
from jobs.report.model import WeeklyReport
from tests.bot.truth_seed import ADMIN, CHANNEL, NOW, SKUS, UK, US, seed, units_sold, write_tenants

WEEK = "2026-W47"


@pytest.fixture
def truth(engine, tmp_path, redis_conn) -> tuple[BotContext, WeeklyReport]:
    """(the bot over the seeded warehouse as of Tuesday 2026-11-24, the digest's W47 report)."""
    seed(engine)
    ctx = BotContext(load_tenants(write_tenants(tmp_path)), engine, redis_conn,
                     clock=lambda: NOW)
    return ctx, build_weekly_report(engine, ctx.tenants().tenant("acme"), WEEK)


def ask(ctx: BotContext, text: str):  # type: ignore[no-untyped-def]
    """The bot's reply to ``text`` asked by Acme's admin in Acme's channel."""
    return dispatch(Request("slack", CHANNEL, ADMIN, text), ctx)


@pytest.mark.parametrize("shop, sku, seller, stock, lead", SKUS)
def test_days_of_cover_in_chat_is_the_digests(truth, shop, sku, seller, stock, lead):
    ctx, report = truth
    reply = ask(ctx, f"stock {seller}")
    (chat,) = reply.data["stock"]
    plan = next(p for p in report.insights.stock if (p.shop_id, p.sku_id) == (shop, sku))
    assert chat["as_of"] == report.store(shop).last_day.isoformat()  # synced days only
    assert chat["days_of_cover"] == pytest.approx(plan.days_of_cover)
    assert (chat["stock"], chat["lead_time_days"], chat["reorder_now"]) == (
        plan.stock, plan.lead_time_days, plan.reorder_now)
    row = next(r for r in reply.blocks[1].rows if r[0] == seller)
    assert row[3] == f"{plan.days_of_cover:.0f}"
    # the old chat reading (stock / mean units of the 28 days to today) is another number
    today = NOW.date()
    old = stock / (sum(units_sold(shop, today - timedelta(days=i)) for i in range(28)) / 28)
    assert abs(old - plan.days_of_cover) >= 1


def test_top_creators_in_chat_are_the_digests(truth):
    ctx, report = truth
    reply = ask(ctx, f"top creators 10 {WEEK}")
    chat = [(c["creator"], Decimal(c["gmv"]), c["orders"], Decimal(c["commission"]))
            for c in reply.data["creators"]]
    digest = [(c.creator_username, c.gmv, c.orders, c.commission) for c in report.insights.creators]
    assert chat == digest
    # in both stores, the Los Angeles Sunday-night sale in, the cancelled line earning nothing,
    # lily's order with a video line and a LIVE line counted once
    assert [(c[0], c[2]) for c in chat] == [("max.deals", 2), ("lily.home", 4)]
    lily = as_text(ask(ctx, f"creator @lily.home {WEEK}"))
    assert money(report.insights.creators[1].gmv, "USD") in lily


@pytest.mark.parametrize("scope", ["all", "UK", "US"])
def test_headline_kpis_in_chat_are_the_digests(truth, scope):
    ctx, report = truth
    chat = ask(ctx, f"kpi {scope} {WEEK}").data["metrics"]
    kpis = report.total if scope == "all" else report.store({"UK": UK, "US": US}[scope]).kpis
    assert Decimal(chat["gross_gmv"]) == kpis.current.gross_gmv
    assert Decimal(chat["net_gmv"]) == kpis.current.net_gmv
    assert chat["orders"] == kpis.current.orders and chat["orders"] > 0


def test_channel_mix_in_chat_is_the_digests(truth):
    ctx, report = truth
    reply = ask(ctx, f"traffic {WEEK}")
    chat = {r[0]: (r[1], r[2]) for r in reply.blocks[1].rows}
    digest = {m.channel: (percent(m.visitors_share, 1), percent(m.gmv_share, 1))
              for m in report.insights.mix}
    assert chat == digest and chat["PAID"][1] == "40.0%"


def _ads(engine) -> None:  # type: ignore[no-untyped-def]
    """A UK ads account with two campaigns over W46 and W47 (added before the report is built)."""
    from jobs.warehouse.schema import ad_daily, advertisers
    from jobs.warehouse.upsert import upsert

    monday = date(2026, 11, 9)
    with engine.begin() as conn:
        upsert(conn, advertisers, [{"advertiser_id": "7300000000000000001", "tenant_id": "acme",
                                    "shop_id": UK, "name": "UK ads", "currency": "GBP",
                                    "timezone": "Europe/London", "created_at": NOW,
                                    "updated_at": NOW}])
        upsert(conn, ad_daily, [
            {"advertiser_id": "7300000000000000001", "day": monday + timedelta(days=i),
             "campaign_id": cid, "campaign_name": name, "currency": "GBP",
             "spend": Decimal(spend) + i, "impressions": 1000, "clicks": 40, "conversions": 1,
             "purchases": 1, "purchase_value": Decimal(value), "video_views": 0}
            for i in range(14) for cid, name, spend, value in (("c1", "Mugs", "12.5", "40"),
                                                                ("c2", "Lamps", "7", "5"))])


@pytest.fixture
def truth_with_ads(engine, tmp_path, redis_conn) -> tuple[BotContext, WeeklyReport]:
    """``truth`` with ads: the bot and the digest's W47 report over the same warehouse."""
    seed(engine)
    _ads(engine)
    ctx = BotContext(load_tenants(write_tenants(tmp_path)), engine, redis_conn,
                     clock=lambda: NOW)
    return ctx, build_weekly_report(engine, ctx.tenants().tenant("acme"), WEEK)


@pytest.mark.parametrize("scope", ["all", "UK"])
def test_new_answers_give_the_digests_numbers(truth_with_ads, scope):
    ctx, report = truth_with_ads
    digest = (report.total if scope == "all" else report.store(UK).kpis).current
    summary = ask(ctx, f"summary {scope} {WEEK}").data
    for metric in ("gross_gmv", "net_gmv", "spend", "refunds"):
        assert Decimal(summary["metrics"][metric]) == getattr(digest, metric), metric
    assert summary["metrics"]["orders"] == digest.orders
    assert summary["metrics"]["roas_true"] == pytest.approx(digest.roas_true)
    spend = ask(ctx, f"ad spend {scope} {WEEK}").data
    assert spend["metric"] == "spend" and Decimal(spend["metrics"]["spend"]) == digest.spend
    profit = ask(ctx, f"profit {scope} {WEEK}").data
    assert Decimal(profit["net_gmv"]) == digest.net_gmv
    assert Decimal(profit["spend"]) == digest.spend
    campaigns = ask(ctx, f"campaigns {scope} {WEEK}").data["campaigns"]
    assert sum(Decimal(c["spend"]) for c in campaigns) == digest.spend
    assert {c["campaign"] for c in campaigns} == {"Mugs", "Lamps"}


def test_compare_a_metric_gives_each_stores_digest_number(truth_with_ads):
    ctx, report = truth_with_ads
    data = ask(ctx, f"compare gmv UK US {WEEK}").data
    for side, shop in (("left", UK), ("right", US)):
        kpis = report.store(shop).in_currency("USD")
        assert Decimal(data[side]["metrics"]["gross_gmv"]) == kpis.current.gross_gmv
