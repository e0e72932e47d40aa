"""The report's sections beyond KPIs: channel mix, funnel, creators, content, stock, suggestions.

Each function reads what its section needs for the tenant's stores and hands it to ``analytics``;
DataFrames come back as ``jobs.report.records`` rows. A source without data gives an empty
section (a store without LIVE content has no LIVE ranking), never an invented zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection

from analytics.content import content_table, top_content, winner_traits
from analytics.creators import creator_leaderboard, new_vs_repeat
from analytics.funnel import FunnelResult, compare_funnels
from analytics.fx import FxRates
from analytics.mix import channel_mix
from analytics.stock import daily_units, stock_plans
from analytics.weeks import local_midnight_utc
from jobs.report.records import ChannelShare, ContentRow, CreatorRow, FunnelStep, records
from jobs.warehouse import section_loaders as il
from jobs.warehouse.loaders import load_affiliate_lines, load_orders
from jobs.warehouse.schema import content_daily, shop_traffic_daily, sku_stock_daily

#: Rows kept in the creator leaderboard and per content type.
TOP_CREATORS = 10
TOP_CONTENT = 5
#: Weeks of affiliate history that tell a new creator from a repeat one.
CREATOR_HISTORY_WEEKS = 8
#: Days of sales history behind each SKU's forecast.
STOCK_HISTORY_DAYS = 56
#: SKUs kept in the report: every one to reorder now, then the fewest days of cover.
TOP_STOCK = 20


def traffic_rows(conn: Connection, shop_ids: Sequence[str], first: date, last: date) -> (
    pd.DataFrame
):
    """Shop traffic per channel and day for the stores."""
    return il.load_shop_days(conn, shop_traffic_daily, shop_ids, first, last)


def content_rows(conn: Connection, shop_ids: Sequence[str], first: date, last: date) -> (
    tuple[pd.DataFrame, pd.DataFrame]
):
    """(contents, content_daily with content_type and creator_username) of the stores."""
    contents = il.load_contents(conn, shop_ids)
    daily = il.load_shop_days(conn, content_daily, shop_ids, first, last)
    if not daily.empty and not contents.empty:
        daily = daily.merge(contents[["shop_id", "content_id", "content_type",
                                      "creator_username"]], on=["shop_id", "content_id"],
                            how="left")
    return contents, daily


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
    parts = []
    for shop, tz in shop_tz.items():
        start = local_midnight_utc(tz, days[0] - timedelta(weeks=CREATOR_HISTORY_WEEKS))
        lines = load_affiliate_lines(conn, shop, start,
                                     local_midnight_utc(tz, days[-1] + timedelta(1)))
        parts.append(lines.assign(day=lines["create_time"].dt.tz_convert(tz).dt.date))
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else parts[0]


def creators_section(conn: Connection, lines: pd.DataFrame, shop_tz: Mapping[str, str],
                     days: Sequence[date], currency: str, fx: FxRates,
                     daily: pd.DataFrame) -> pd.DataFrame:
    """The creator leaderboard of the week (empty without affiliate orders)."""
    if lines.empty:
        return pd.DataFrame()
    names = sorted(set(lines["creator_username"]))
    profiles = il.load_creators(conn, names)
    snapshots = il.load_creator_snapshots(conn, names, days[0] - timedelta(days=35), days[-1])
    stats = daily if not daily.empty and "creator_username" in daily else None
    return creator_leaderboard(lines.drop(columns="day"), days, shop_tz, currency, fx,
                               creators=profiles, snapshots=snapshots, content_daily=stats)


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


def stock_section(conn: Connection, shop_tz: Mapping[str, str], lead_times: Mapping[str, int],
                  last_day: date) -> pd.DataFrame:
    """Stock plans of every SKU of the stores, most urgent first."""
    first = last_day - timedelta(days=STOCK_HISTORY_DAYS - 1)
    days = [first + timedelta(i) for i in range(STOCK_HISTORY_DAYS)]
    skus = il.load_skus(conn, list(shop_tz))
    if skus.empty:
        return pd.DataFrame()
    units = []
    for shop, tz in shop_tz.items():
        start, end = local_midnight_utc(tz, first), local_midnight_utc(tz, last_day +
                                                                       timedelta(1))
        orders = load_orders(conn, shop, start, end)
        lines = il.load_order_lines(conn, shop, start, end)
        if not orders.empty and not lines.empty:
            units.append(daily_units(orders, lines, {shop: tz}))
    sold = (pd.concat(units, ignore_index=True) if units else
            pd.DataFrame(columns=["shop_id", "sku_id", "day", "units"]))
    lead = skus["shop_id"].map(lead_times)
    skus = skus.assign(lead_time_days=skus["lead_time_days"].fillna(lead))
    stock_daily = il.load_shop_days(conn, sku_stock_daily, list(shop_tz), first, last_day)
    return stock_plans(sold, skus, days, stock_daily=stock_daily)


def stock_rows(plans: pd.DataFrame) -> tuple[object, ...]:
    """The SKUs to act on: all to reorder now, then the fewest days of cover."""
    from analytics.stock import StockPlan

    if plans.empty:
        return ()
    urgent = plans[plans["reorder_now"]]
    rest = plans[~plans["reorder_now"]].head(max(0, TOP_STOCK - len(urgent)))
    return records(pd.concat([urgent, rest]), StockPlan)
