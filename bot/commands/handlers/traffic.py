"""Where buyers come from: ``funnel`` (impressions -> page views -> cart -> orders) and
``traffic`` (each channel's share of visitors and GMV), this period against the one before.

Both read ``shop_traffic_daily`` (store x day x channel: small) with
``jobs.warehouse.reads.traffic_days``, the read the report's funnel and channel mix use, through
``analytics.funnel`` and ``analytics.mix``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from analytics.display import count, percent
from analytics.funnel import compare_funnels
from analytics.mix import channel_mix
from bot.commands.context import BotContext
from bot.commands.handlers.common import period_of, refusals, scope_of
from bot.commands.handlers.metrics import load_numbers
from bot.commands.middleware import Turn
from bot.commands.numbers import fx_for, scope_currency
from bot.commands.reply import Reply, Table, Text, reply
from jobs.warehouse.reads import traffic_days

STAGE_NAMES = {"impressions": ("Impressions", "曝光"), "views": ("Views", "播放"),
               "page_views": ("Page views", "商品浏览"), "add_to_cart": ("Add to cart", "加购"),
               "orders": ("Orders", "下单")}


def _traffic(ctx: BotContext, shop_ids: list[str], first: date, last: date) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        return traffic_days(conn, shop_ids, first, last)


def _no_traffic(turn: Turn, label: str) -> Reply:
    text = (f"{label} 没有流量数据（shop traffic 未同步或该期无数据）。" if turn.lang == "zh" else
            f"No shop traffic data for {label} in that period (not synced yet, or no visits).")
    return reply(text)


def _days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


@refusals
def funnel(turn: Turn, ctx: BotContext) -> Reply:
    """The overall funnel (channel ALL) with each step's rate now and before."""
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    before = period.previous()
    data = _traffic(ctx, [s.shop_id for s in scope.stores], before.start, period.end)
    if data.empty:
        return _no_traffic(turn, scope.label)
    result = compare_funnels(data, _days(period.start, period.days),
                             _days(before.start, before.days))
    table = result.table[result.table["channel"] == "ALL"]
    zh = turn.lang == "zh"
    rows = tuple((STAGE_NAMES[r.stage][1 if zh else 0], count(r.current), count(r.previous),
                  percent(r.current_rate), percent(r.previous_rate))
                 for r in table.itertuples())
    cols = ("环节", "本期", "上期", "转化率", "上期转化率") if zh else (
        "Stage", "This period", "Previous", "Step rate", "Previous rate")
    blocks: list[Text | Table] = [Text(f"{'漏斗' if zh else 'Funnel'} · {scope.label} · "
                                       f"{period.label}", "heading"), Table(cols, rows)]
    drop = result.biggest_drop
    if drop is not None:
        a, b = STAGE_NAMES[drop.from_stage][zh], STAGE_NAMES[drop.to_stage][zh]
        blocks.append(Text(f"{'降幅最大' if zh else 'Biggest drop'}: {drop.channel} {a} -> {b} "
                           f"{drop.change_pp:+.2f} pp", "note"))
    return reply(*blocks)


@refusals
def traffic(turn: Turn, ctx: BotContext) -> Reply:
    """Each traffic channel's share of visitors and GMV, and how it moved."""
    assert turn.tenant is not None
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    before = period.previous()
    data = _traffic(ctx, [s.shop_id for s in scope.stores], before.start, period.end)
    if data.empty:
        return _no_traffic(turn, scope.label)
    with ctx.engine.connect() as conn:
        currency = scope_currency(conn, scope.stores, turn.tenant.reporting_currency)
        fx = fx_for(conn, data["currency"], currency, before.start, period.end)
    mix = channel_mix(data, _days(period.start, period.days), _days(before.start, before.days),
                      currency, fx)
    zh = turn.lang == "zh"
    rows = tuple((str(r.channel), percent(r.visitors_share, 1), percent(r.gmv_share, 1),
                  "n/a" if r.gmv_change_pp is None or pd.isna(r.gmv_change_pp)
                  else f"{r.gmv_change_pp:+.1f} pp") for r in mix.itertuples())
    cols = ("渠道", "访客占比", "GMV占比", "GMV占比变化") if zh else (
        "Channel", "Visitors", "GMV share", "GMV share change")
    visitors = load_numbers(turn, ctx, scope).current.visitors
    head = Text(f"{'流量' if zh else 'Traffic'} · {scope.label} · {period.label}", "heading")
    return reply(head, Table(cols, rows),
                 Text(f"{'访客' if zh else 'Visitors'}: {count(visitors)}", "note"))
