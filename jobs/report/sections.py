"""The report's sections beyond KPIs: channel mix, funnel, creators, content, stock, suggestions.

Each function reads what its section needs for the tenant's stores and hands it to ``analytics``;
DataFrames come back as ``jobs.report.records`` rows. The reads are ``jobs.warehouse.reads``,
the functions the chat answers with too, so a section and the chat never disagree. A source
without data gives an empty section (a store without LIVE content has no LIVE ranking), never
an invented zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection

from analytics.content import content_table, top_content, winner_traits
from analytics.creators import creator_verdicts, new_vs_repeat
from analytics.funnel import FunnelResult, compare_funnels
from analytics.fx import FxRates
from analytics.mix import channel_mix
from jobs.report.records import (
    ChannelShare,
    ContentRow,
    CreatorRow,
    FunnelStep,
    Label,
    records,
)
from jobs.warehouse.reads import affiliate_lines

#: Rows kept in the creator leaderboard and per content type.
TOP_CREATORS = 10
TOP_CONTENT = 5
#: Weeks of affiliate history that tell a new creator from a repeat one.
CREATOR_HISTORY_WEEKS = 8
#: SKUs kept in the report: every one to reorder now, then the fewest days of cover.
TOP_STOCK = 20


def mix_section(traffic: pd.DataFrame, days: Sequence[date], previous: Sequence[date],
                currency: str, fx: FxRates) -> tuple[ChannelShare, ...]:
    """Visitors, page views and GMV shares per channel and their change."""
    if traffic.empty:
        return ()
    return records(channel_mix(traffic, days, previous, currency, fx), ChannelShare)


def funnel_section(traffic: pd.DataFrame, daily: pd.DataFrame, days: Sequence[date],
                   previous: Sequence[date]) -> FunnelResult | None:
    """The funnel per channel for both weeks (``None`` without traffic data)."""
    if traffic.empty:
        return None
    content = daily if not daily.empty and "content_type" in daily else None
    return compare_funnels(traffic, days, previous, content=content)


def funnel_steps(result: FunnelResult | None) -> tuple[FunnelStep, ...]:
    """The funnel table as rows."""
    return () if result is None else records(result.table, FunnelStep)


def affiliate_history(conn: Connection, shop_tz: Mapping[str, str], days: Sequence[date]) -> (
    pd.DataFrame
):
    """Affiliate lines of the week and the ``CREATOR_HISTORY_WEEKS`` before it, with the local
    ``day`` of each line (one read for the leaderboard and the creator anomalies)."""
    return affiliate_lines(conn, shop_tz, days[0] - timedelta(weeks=CREATOR_HISTORY_WEEKS),
                           days[-1])


def with_verdicts(board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard with rebook / watch / stop verdicts and the content's product clicks as
    ``clicks`` (unchanged when empty)."""
    if board.empty:
        return board
    out = creator_verdicts(board)
    return out.assign(clicks=out["product_clicks"]) if "product_clicks" in out else out


def labels(ads: pd.DataFrame, plans: pd.DataFrame) -> tuple[Label, ...]:
    """Names of the campaigns and SKUs the report refers to by id (only those with a name)."""
    out: list[Label] = []
    for kind, frame, key, name in (("campaign", ads, "campaign_id", "campaign_name"),
                                   ("sku", plans, "sku_id", "product_name")):
        if frame.empty or name not in frame:
            continue
        pairs = frame[[key, name]].dropna().drop_duplicates(key)
        out += [Label(kind, str(k), str(n).strip()) for k, n in
                zip(pairs[key], pairs[name], strict=True) if str(n).strip()]
    return tuple(out)


def creator_rows(board: pd.DataFrame) -> tuple[tuple[CreatorRow, ...], object]:
    """(top creators, new vs repeat split) of a leaderboard."""
    if board.empty:
        return (), None
    return records(board, CreatorRow, TOP_CREATORS), new_vs_repeat(board)


def content_section(contents: pd.DataFrame, daily: pd.DataFrame, days: Sequence[date],
                    currency: str, shop_tz: Mapping[str, str], fx: FxRates) -> tuple[
    tuple[ContentRow, ...], tuple[object, ...]
]:
    """Top videos and LIVE sessions of the week and what the winners share."""
    if contents.empty or daily.empty:
        return (), ()
    table = content_table(contents, daily, days, currency, shop_tz, fx)
    top: list[ContentRow] = []
    winners: list[object] = []
    for kind in ("VIDEO", "LIVE"):
        if (table["content_type"] == kind).any():
            top += records(top_content(table, kind, TOP_CONTENT), ContentRow)
            winners.append(winner_traits(table, kind))
    return tuple(top), tuple(winners)


def stock_rows(plans: pd.DataFrame) -> tuple[object, ...]:
    """The SKUs to act on: all to reorder now, then the fewest days of cover."""
    from jobs.report.records import StockRow

    if plans.empty:
        return ()
    urgent = plans[plans["reorder_now"]]
    rest = plans[~plans["reorder_now"]].head(max(0, TOP_STOCK - len(urgent)))
    return records(pd.concat([urgent, rest]), StockRow)
