"""Creators and content: ``top creators [n] [by gmv|roi|cvr]``, ``creator @handle``,
``top videos``.

Sales come from ``affiliate_daily`` (the rollup of affiliate order lines) and content stats from
``content_daily``, always filtered to the bound tenant's stores: a creator who sold for another
tenant only is "no sales in your stores", and their numbers never show. Money is summed per day
and converted to the reporting currency at each day's rate.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from analytics.fx import convert_totals
from analytics.money import ratio
from bot.commands.context import BotContext
from bot.commands.format import count, money, multiple, percent
from bot.commands.handlers.common import period_of, refusals, scope_of
from bot.commands.middleware import Turn
from bot.commands.numbers import fx_for
from bot.commands.reply import Reply, Table, Text, reply
from jobs.warehouse.loaders import frame, raw
from jobs.warehouse.schema import affiliate_daily, content_daily, contents

DEFAULT_TOP = 5
MAX_TOP = 25


def _creator_frame(ctx: BotContext, currency: str, shop_ids: list[str], first, last,  # type: ignore[no-untyped-def]
                   handle=None):
    a = affiliate_daily
    stmt = select(a.c.shop_id, a.c.day, a.c.creator_username, a.c.currency, a.c.orders, a.c.units,
                  raw(a.c.gmv), raw(a.c.commission)).where(
        a.c.shop_id.in_(shop_ids), a.c.day >= first, a.c.day <= last)
    if handle is not None:
        stmt = stmt.where(func.lower(a.c.creator_username) == handle.lower())
    with ctx.engine.connect() as conn:
        data = frame(conn, stmt, [])
        fx = fx_for(conn, data["currency"] if len(data) else [], currency, first, last)
    return data, fx


def _content_clicks(ctx: BotContext, shop_ids: list[str], first, last) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    c, d = contents, content_daily
    stmt = (select(c.c.creator_username, c.c.content_id, c.c.title, c.c.content_type, d.c.currency,
                   d.c.day, d.c.views, d.c.product_clicks, d.c.orders, raw(d.c.gmv))
            .join(d, (d.c.shop_id == c.c.shop_id) & (d.c.content_id == c.c.content_id))
            .where(c.c.shop_id.in_(shop_ids), d.c.day >= first, d.c.day <= last))
    with ctx.engine.connect() as conn:
        return frame(conn, stmt, [])


def _leaderboard(turn: Turn, ctx: BotContext, shop_ids, period) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    assert turn.tenant is not None
    ccy = turn.tenant.reporting_currency
    data, fx = _creator_frame(ctx, ccy, shop_ids, period.start, period.end)
    if data.empty:
        return data
    gmv = convert_totals(data, ["creator_username"], "gmv", ccy, fx)
    fee = convert_totals(data, ["creator_username"], "commission", ccy, fx)
    counts = data.groupby("creator_username")[["orders", "units"]].sum().reset_index()
    board = counts.merge(gmv, on="creator_username").merge(fee, on="creator_username", how="left")
    clicks = _content_clicks(ctx, shop_ids, period.start, period.end)
    by_creator = clicks.groupby("creator_username")["product_clicks"].sum() if len(clicks) else {}
    board["clicks"] = board["creator_username"].map(lambda h: by_creator.get(h))
    board["roi"] = [ratio(g, c) for g, c in zip(board["gmv"], board["commission"], strict=True)]
    board["cvr"] = [ratio(o, c) for o, c in zip(board["orders"], board["clicks"], strict=True)]
    return board


@refusals
def top_creators(turn: Turn, ctx: BotContext) -> Reply:
    """The creators who sold most for the scope, ordered by GMV, ROI (GMV/commission) or CVR."""
    assert turn.parsed is not None and turn.tenant is not None
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    n = min(turn.parsed.n or DEFAULT_TOP, MAX_TOP)
    key = turn.parsed.rank_by if turn.parsed.rank_by in ("gmv", "roi", "cvr", "orders") else "gmv"
    board = _leaderboard(turn, ctx, [s.shop_id for s in scope.stores], period)
    zh = turn.lang == "zh"
    head = Text(f"{'达人排行' if zh else 'Top creators'} · {scope.label} · {period.label} · "
                f"{'按' if zh else 'by'} {key}", "heading")
    if board.empty:
        return reply(head, "该期没有达人成交。" if zh else "No creator sales in that period.")
    board = board.sort_values(key, ascending=False, na_position="last", key=_sortable).head(n)
    ccy = turn.tenant.reporting_currency
    rows = tuple((f"@{r.creator_username}", money(r.gmv, ccy), count(r.orders),
                  money(None if pd.isna(r.commission) else r.commission, ccy),
                  multiple(r.roi), percent(r.cvr)) for r in board.itertuples())
    cols = ("达人", "GMV", "订单", "佣金", "ROI", "CVR") if zh else (
        "Creator", "GMV", "Orders", "Commission", "ROI", "CVR")
    return reply(head, Table(cols, rows), Text(
        "ROI = GMV / 佣金；CVR = 订单 / 商品点击" if zh else
        "ROI = GMV / commission; CVR = orders / product clicks of their content", "note"))


def _sortable(column: pd.Series) -> pd.Series:
    return column.map(lambda v: float("-inf") if v is None or pd.isna(v) else float(v))


@refusals
def creator(turn: Turn, ctx: BotContext) -> Reply:
    """One creator's sales, commission and content in the tenant's stores."""
    assert turn.parsed is not None and turn.tenant is not None
    handle = (turn.parsed.handle or "").lstrip("@")
    zh = turn.lang == "zh"
    if not handle:
        return reply("请写达人账号，例如：`达人 @lily.home`" if zh else
                     "Name the creator, e.g. `creator @lily.home`.", kind="unclear")
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    ids = [s.shop_id for s in scope.stores]
    ccy = turn.tenant.reporting_currency
    data, fx = _creator_frame(ctx, ccy, ids, period.start, period.end, handle)
    if data.empty:
        return reply(f"@{handle} 在 {scope.label} {period.label} 没有成交。" if zh else
                     f"@{handle} has no sales in {scope.label} for {period.label}.")
    data = data.assign(creator_username=data["creator_username"].str.lower())
    gmv = convert_totals(data, ["creator_username"], "gmv", ccy, fx)["gmv"].iloc[0]
    fee = convert_totals(data, ["creator_username"], "commission", ccy, fx)
    fee_total = fee["commission"].iloc[0] if len(fee) else None
    rows = (("GMV", money(gmv, ccy)), ("订单" if zh else "Orders", count(data["orders"].sum())),
            ("件数" if zh else "Units", count(data["units"].sum())),
            ("佣金" if zh else "Commission", money(fee_total, ccy)),
            ("ROI", multiple(ratio(gmv, fee_total))))
    head = Text(f"@{handle} · {scope.label} · {period.label}", "heading")
    return reply(head, Table(("指标", "数值") if zh else ("Metric", "Value"), rows))


@refusals
def top_videos(turn: Turn, ctx: BotContext) -> Reply:
    """The videos (and lives) with the most GMV in the scope, with views and click-through."""
    assert turn.parsed is not None and turn.tenant is not None
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    n = min(turn.parsed.n or DEFAULT_TOP, MAX_TOP)
    data = _content_clicks(ctx, [s.shop_id for s in scope.stores], period.start, period.end)
    zh = turn.lang == "zh"
    head = Text(f"{'爆款视频' if zh else 'Top videos'} · {scope.label} · {period.label}", "heading")
    if data.empty:
        return reply(head, "该期没有内容数据。" if zh else "No content data for that period.")
    ccy = turn.tenant.reporting_currency
    with ctx.engine.connect() as conn:
        fx = fx_for(conn, data["currency"], ccy, period.start, period.end)
    gmv = convert_totals(data, ["content_id"], "gmv", ccy, fx)
    stats = data.groupby(["content_id", "title", "creator_username"], dropna=False)[
        ["views", "product_clicks", "orders"]].sum().reset_index()
    board = stats.merge(gmv, on="content_id", how="left").sort_values(
        "gmv", ascending=False, key=_sortable).head(n)
    rows = tuple((str(r.title or r.content_id)[:40], f"@{r.creator_username}",
                  money(None if pd.isna(r.gmv) else r.gmv, ccy), count(r.views),
                  percent(ratio(r.product_clicks, r.views))) for r in board.itertuples())
    cols = ("视频", "达人", "GMV", "播放", "点击率") if zh else (
        "Video", "Creator", "GMV", "Views", "Click rate")
    return reply(head, Table(cols, rows))
