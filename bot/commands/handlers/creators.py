"""Creators and content: ``top creators [n] [by gmv|roi|cvr]``, ``creator @handle``,
``top videos``, the same numbers as the weekly digest's creator and content sections.

Creators come from ``jobs.warehouse.reads.creator_board`` over the period's affiliate order
lines (GMV = price x quantity; commission by ``analytics.clean.affiliate_commission``; ROI =
GMV / commission; CVR = orders from the creator's content / its product clicks) and videos from
``content_days`` through ``analytics.content.content_table``, the reads the report uses, always
for the bound tenant's stores only: a creator who sold for another tenant only is "no sales in
your stores", and their numbers never show. One store answers in its own currency, several in the
reporting currency (each day converted at its rate).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics.content import content_table
from analytics.creators import VERDICT_REASONS, creator_verdicts
from analytics.display import count, money, multiple, percent, plain
from analytics.money import ratio
from bot.commands.context import BotContext
from bot.commands.gaps import not_reported
from bot.commands.handlers.common import period_of, refusals, scope_of, through_note
from bot.commands.middleware import Turn
from bot.commands.numbers import fx_for, scope_currency
from bot.commands.periods import Period
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope
from jobs.warehouse.reads import affiliate_lines, content_days, creator_board, store_zones

DEFAULT_TOP = 5
MAX_TOP = 25
#: Ranking words -> leaderboard column.
RANK_COLUMNS = {"gmv": "gmv", "roi": "gmv_per_commission", "cvr": "cvr", "orders": "orders",
                "engagement": "engagement_rate", "commission": "commission", "views": "views"}
#: Ranking keys as the heading says them (English, 中文).
RANK_NAMES = {"gmv": ("GMV", "GMV"), "roi": ("GMV per commission", "佣金产出比"),
              "cvr": ("CVR", "转化率"), "orders": ("orders", "订单"),
              "engagement": ("engagement", "互动率"), "commission": ("commission", "佣金"),
              "views": ("views", "播放")}
#: Verdict words shown in the table (the reasons come from ``VERDICT_REASONS``).
VERDICT_WORDS = {"rebook": ("rebook", "续约"), "watch": ("watch", "观察"), "stop": ("stop", "停止")}


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=i) for i in range(period.days)]


def _board(ctx: BotContext, scope: Scope, period: Period, currency: str,
           handle: str | None = None) -> pd.DataFrame:
    """The creator leaderboard of the period (only ``handle``'s row when given)."""
    with ctx.engine.connect() as conn:
        zones = store_zones(conn, scope.stores)
        lines = affiliate_lines(conn, zones, period.start, period.end)
        if handle is not None and not lines.empty:
            lines = lines[lines["creator_username"].str.lower() == handle.lower()]
        if lines.empty:
            return pd.DataFrame()
        fx = fx_for(conn, lines["currency"], currency, period.start, period.end)
        _, content = content_days(conn, list(zones), period.start, period.end)
        return creator_board(conn, lines, zones, _days(period), currency, fx, content)


def _currency(ctx: BotContext, turn: Turn, scope: Scope) -> str:
    assert turn.tenant is not None
    with ctx.engine.connect() as conn:
        return scope_currency(conn, scope.stores, turn.tenant.reporting_currency)


def _sortable(column: pd.Series) -> pd.Series:
    return column.map(lambda v: float("-inf") if v is None or pd.isna(v) else float(v))


def _nullable(value: Any) -> Any:
    """A cell of the board, with pandas' missing values as ``None``."""
    return None if value is None or pd.isna(value) else value


@refusals
def top_creators(turn: Turn, ctx: BotContext) -> Reply:
    """The creators who sold most for the scope, ordered by GMV, ROI (GMV/commission) or CVR."""
    assert turn.parsed is not None and turn.tenant is not None
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    n = min(turn.parsed.n or DEFAULT_TOP, MAX_TOP)
    key = turn.parsed.rank_by if turn.parsed.rank_by in RANK_COLUMNS else "gmv"
    ccy = _currency(ctx, turn, scope)
    board = _board(ctx, scope, period, ccy)
    zh = turn.lang == "zh"
    head = Text(f"{'达人排行' if zh else 'Top creators'} · {scope.label} · {period.label} · "
                f"{'按' if zh else 'by'} {RANK_NAMES[key][1 if zh else 0]}", "heading")
    if board.empty:
        return reply(head, "该期没有达人成交。" if zh else "No creator sales in that period.")
    board = creator_verdicts(board).sort_values(RANK_COLUMNS[key], ascending=False,
                                                kind="stable", key=_sortable).head(n)
    videos = not_reported("content_daily", turn.lang)
    rows = tuple((f"@{r.creator_username}", money(r.gmv, ccy), count(r.orders),
                  money(_nullable(r.commission), ccy), multiple(_nullable(r.gmv_per_commission)),
                  _or(percent(_nullable(r.cvr)), videos),
                  _or(percent(_nullable(r.engagement_rate)), videos),
                  _verdict(r.verdict, r.verdict_reasons, zh)) for r in board.itertuples())
    cols = ("达人", "GMV", "订单", "佣金", "ROI", "CVR", "互动率", "建议") if zh else (
        "Creator", "GMV", "Orders", "Commission", "ROI", "CVR", "Engagement", "Verdict")
    data = {"period": period.label, "currency": ccy, "by": key, "creators": [
        {"creator": r.creator_username, "gmv": plain(_nullable(r.gmv)), "orders": int(r.orders),
         "commission": plain(_nullable(r.commission)), "roi": _nullable(r.gmv_per_commission),
         "cvr": _nullable(r.cvr), "engagement": _nullable(r.engagement_rate),
         "verdict": r.verdict, "verdict_reasons": list(r.verdict_reasons)}
        for r in board.itertuples()]}
    note = through_note(period, turn.lang)
    return reply(head, Table(cols, rows), *([note] if note else []), Text(
        "ROI = GMV / 佣金；CVR = 内容订单 / 商品点击；互动率 = (赞+评+转) / 播放" if zh else
        "ROI = GMV / commission; CVR = orders from their content / its product clicks; "
        "engagement = (likes + comments + shares) / views", "note"), data=data)


def _or(text: str, instead: str) -> str:
    """``instead`` where the cell reads "n/a" (the source did not report it)."""
    return instead if text == "n/a" else text


def _verdict(verdict: str, reasons: tuple[str, ...], zh: bool) -> str:
    """"stop: GMV per commission below 3×" (the first reason, in the reader's language)."""
    name = VERDICT_WORDS.get(verdict, (verdict, verdict))[1 if zh else 0]
    first = VERDICT_REASONS.get(reasons[0], (reasons[0], reasons[0]))[1 if zh else 0] \
        if reasons else ""
    return f"{name}: {first}" if first else name


@refusals
def creator(turn: Turn, ctx: BotContext) -> Reply:
    """One creator's sales, commission and ROI in the tenant's stores."""
    assert turn.parsed is not None and turn.tenant is not None
    handle = (turn.parsed.handle or "").lstrip("@")
    zh = turn.lang == "zh"
    if not handle:
        return reply("请写达人账号，例如：`达人 @lily.home`" if zh else
                     "Name the creator, e.g. `creator @lily.home`.", kind="unclear")
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    ccy = _currency(ctx, turn, scope)
    board = _board(ctx, scope, period, ccy, handle)
    if board.empty:
        return reply(f"@{handle} 在 {scope.label} {period.label} 没有成交。" if zh else
                     f"@{handle} has no sales in {scope.label} for {period.label}.")
    r = next(board.itertuples())
    rows = (("GMV", money(r.gmv, ccy)), ("订单" if zh else "Orders", count(r.orders)),
            ("件数" if zh else "Units", count(r.units)),
            ("佣金" if zh else "Commission", money(_nullable(r.commission), ccy)),
            ("ROI", multiple(_nullable(r.gmv_per_commission))))
    head = Text(f"@{handle} · {scope.label} · {period.label}", "heading")
    return reply(head, Table(("指标", "数值") if zh else ("Metric", "Value"), rows))


@refusals
def top_videos(turn: Turn, ctx: BotContext) -> Reply:
    """The videos (and lives) with the most GMV in the scope, with views and click-through."""
    assert turn.parsed is not None and turn.tenant is not None
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    n = min(turn.parsed.n or DEFAULT_TOP, MAX_TOP)
    ccy = _currency(ctx, turn, scope)
    with ctx.engine.connect() as conn:
        zones = store_zones(conn, scope.stores)
        contents, daily = content_days(conn, list(zones), period.start, period.end)
        fx = fx_for(conn, daily["currency"] if len(daily) else [], ccy, period.start,
                    period.end)
    zh = turn.lang == "zh"
    head = Text(f"{'爆款视频' if zh else 'Top videos'} · {scope.label} · {period.label}", "heading")
    table = (pd.DataFrame() if contents.empty or daily.empty else
             content_table(contents, daily, _days(period), ccy, zones, fx))
    if table.empty:
        return reply(head, "该期没有内容数据。" if zh else "No content data for that period.")
    order = ["views", "gmv"] if turn.parsed.rank_by == "views" else ["gmv", "views"]
    board = table.sort_values(order, ascending=False, kind="stable", key=_sortable).head(n)
    rows = tuple((str(r.title or r.content_id)[:40], f"@{r.creator_username}",
                  money(r.gmv, ccy), count(r.views),
                  _or(percent(ratio(_nullable(r.product_clicks), _nullable(r.views))),
                      not_reported("content_daily", turn.lang)))
                 for r in board.itertuples())
    cols = ("视频", "达人", "GMV", "播放", "点击率") if zh else (
        "Video", "Creator", "GMV", "Views", "Click rate")
    return reply(head, Table(cols, rows))
