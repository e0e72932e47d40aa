"""The read API of the report's sections and the chat: one function per number, shared by both.

Chat answers and the weekly report call the same functions here, so a SKU's days of cover, a
creator's GMV or a channel's share never has two definitions: ``stock_cover`` (stock plans of
``analytics.stock`` over complete, synced days up to an as-of day), ``affiliate_lines`` and
``creator_board`` (the leaderboard of ``analytics.creators``, commission by
``analytics.clean.affiliate_commission``), ``traffic_days`` (shop traffic per channel and day)
and ``content_days`` (videos, LIVE sessions and their daily stats). KPIs come from
``jobs.warehouse.queries``; rows are loaded by ``jobs.warehouse.loaders`` / ``section_loaders``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, select

from analytics.creators import creator_leaderboard
from analytics.fx import FxRates
from analytics.stock import daily_units, stock_plans
from analytics.weeks import local_midnight_utc
from config.tenants import Store
from jobs.warehouse import section_loaders as il
from jobs.warehouse.loaders import UnknownShop, load_affiliate_lines, load_orders, shop_info
from jobs.warehouse.schema import content_daily, shop_traffic_daily, sku_stock_daily, sync_cursors

#: Days of sales history behind each SKU's forecast.
STOCK_HISTORY_DAYS = 56
#: The sync source whose ``latest_complete_day`` says how far a store's sales are known.
SALES_SOURCE = "orders"
#: Days before the period of follower snapshots read for the creators' risk (follower spikes).
SNAPSHOT_LOOKBACK_DAYS = 35


def store_zones(conn: Connection, stores: Iterable[Store]) -> dict[str, str]:
    """shop_id -> time zone: the warehouse's (as the report reads it), else the tenants file's,
    so a creator's or SKU's local days are the same days in chat and in the digest."""
    out = {}
    for store in stores:
        try:
            out[store.shop_id] = shop_info(conn, store.shop_id)["timezone"]
        except UnknownShop:  # configured but never synced
            out[store.shop_id] = store.resolved_timezone
    return out


def synced_through(conn: Connection, shop_id: str, today: date) -> date:
    """The last local day of the store whose sales are complete: its orders sync's
    ``latest_complete_day``, never later than yesterday (today is still selling); yesterday
    when the store has no such cursor (data imported rather than synced)."""
    known = conn.execute(select(sync_cursors.c.latest_complete_day).where(
        sync_cursors.c.source == SALES_SOURCE, sync_cursors.c.subject_id == shop_id)).scalar()
    yesterday = today - timedelta(days=1)
    return yesterday if known is None else min(known, yesterday)


def stock_cover(conn: Connection, shop_tz: Mapping[str, str], lead_times: Mapping[str, int],
                as_of: date, *, sku: str | None = None) -> pd.DataFrame:
    """Stock plans (``analytics.stock.StockPlan`` columns plus ``seller_sku``, ``product_name``)
    of the stores' SKUs as of local day ``as_of``, most urgent first.

    The forecast reads the ``STOCK_HISTORY_DAYS`` days ending on ``as_of`` (sales-valid orders;
    days out of stock left out); a SKU's lead time is its own, else its store's. ``sku`` keeps
    the SKU whose id or seller SKU it is (any case). The report's stock section and the chat's
    ``stock`` answer are both this function, so they show the same days of cover.
    """
    first = as_of - timedelta(days=STOCK_HISTORY_DAYS - 1)
    days = [first + timedelta(i) for i in range(STOCK_HISTORY_DAYS)]
    skus = il.load_skus(conn, list(shop_tz))
    if sku is not None and not skus.empty:
        key = sku.lower()
        skus = skus[(skus["sku_id"].str.lower() == key)
                    | (skus["seller_sku"].fillna("").str.lower() == key)]
    if skus.empty:
        return pd.DataFrame()
    units = []
    for shop, tz in shop_tz.items():
        start, end = local_midnight_utc(tz, first), local_midnight_utc(tz, as_of + timedelta(1))
        orders = load_orders(conn, shop, start, end)
        lines = il.load_order_lines(conn, shop, start, end)
        if not orders.empty and not lines.empty:
            units.append(daily_units(orders, lines, {shop: tz}))
    sold = (pd.concat(units, ignore_index=True) if units else
            pd.DataFrame(columns=["shop_id", "sku_id", "day", "units"]))
    lead = skus["shop_id"].map(lead_times)
    skus = skus.assign(lead_time_days=skus["lead_time_days"].fillna(lead))
    stock_daily = il.load_shop_days(conn, sku_stock_daily, list(shop_tz), first, as_of)
    plans = stock_plans(sold, skus, days, stock_daily=stock_daily)
    names = skus[["shop_id", "sku_id", "seller_sku", "product_name"]]
    return plans.merge(names, on=["shop_id", "sku_id"], how="left")


def affiliate_lines(conn: Connection, shop_tz: Mapping[str, str], first: date, last: date) -> (
    pd.DataFrame
):
    """Affiliate (creator) order lines created on the stores' local days ``[first, last]``,
    each with its local ``day``."""
    parts = []
    for shop, tz in shop_tz.items():
        lines = load_affiliate_lines(conn, shop, local_midnight_utc(tz, first),
                                     local_midnight_utc(tz, last + timedelta(1)))
        parts.append(lines.assign(day=lines["create_time"].dt.tz_convert(tz).dt.date))
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else parts[0]


def creator_board(conn: Connection, lines: pd.DataFrame, shop_tz: Mapping[str, str],
                  days: Sequence[date], currency: str, fx: FxRates | None,
                  content: pd.DataFrame) -> pd.DataFrame:
    """The creator leaderboard of ``days`` (``analytics.creators.creator_leaderboard``: GMV,
    orders, units, commission, GMV per commission, CVR, risk), empty without affiliate sales.

    ``lines`` come from ``affiliate_lines`` (lines before ``days`` only tell new creators from
    repeat ones); ``content`` is ``content_days``' daily stats, for views and clicks.
    """
    if lines.empty or not lines["day"].isin(list(days)).any():
        return pd.DataFrame()
    names = sorted(set(lines["creator_username"]))
    profiles = il.load_creators(conn, names)
    snapshots = il.load_creator_snapshots(
        conn, names, days[0] - timedelta(days=SNAPSHOT_LOOKBACK_DAYS), days[-1])
    stats = content if not content.empty and "creator_username" in content else None
    return creator_leaderboard(lines.drop(columns="day"), days, shop_tz, currency, fx,
                               creators=profiles, snapshots=snapshots, content_daily=stats)


def traffic_days(conn: Connection, shop_ids: Sequence[str], first: date, last: date) -> (
    pd.DataFrame
):
    """Shop traffic per channel and local day ``[first, last]`` of the stores (for the funnel
    and the channel mix)."""
    return il.load_shop_days(conn, shop_traffic_daily, shop_ids, first, last)


def content_days(conn: Connection, shop_ids: Sequence[str], first: date, last: date) -> (
    tuple[pd.DataFrame, pd.DataFrame]
):
    """(contents, their daily stats over ``[first, last]`` with ``content_type`` and
    ``creator_username``) of the stores."""
    contents = il.load_contents(conn, shop_ids)
    daily = il.load_shop_days(conn, content_daily, shop_ids, first, last)
    if not daily.empty and not contents.empty:
        daily = daily.merge(contents[["shop_id", "content_id", "content_type",
                                      "creator_username"]], on=["shop_id", "content_id"],
                            how="left")
    return contents, daily
