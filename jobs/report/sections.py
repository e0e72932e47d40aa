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
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from analytics.campaigns import campaign_noise, campaign_verdict, campaign_weeks
from analytics.content import content_table, top_content, winner_traits
from analytics.creators import creator_verdicts, new_vs_repeat
from analytics.funnel import FunnelResult, compare_funnels
from analytics.fx import FxRates, convert_totals
from analytics.mix import channel_mix
from analytics.money import quantize
from analytics.suggestions import campaign_true_roas
from jobs.report.records import (
    CampaignRow,
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
                   previous: Sequence[date], metrics: pd.DataFrame | None = None) -> (
    FunnelResult | None
):
    """The funnel per channel for both weeks (``None`` without traffic data). The shop's
    (channel ALL) orders are the KPIs' orders (``metrics``: the daily metric rows the headline
    sums, sales-valid orders by paid day), so the funnel and the headline count the same."""
    if traffic.empty:
        return None
    content = daily if not daily.empty and "content_type" in daily else None
    return compare_funnels(_kpi_orders(traffic, metrics), days, previous, content=content)


def _kpi_orders(traffic: pd.DataFrame, metrics: pd.DataFrame | None) -> pd.DataFrame:
    """Shop traffic with channel ALL's ``orders`` replaced by the KPIs' orders of each store-day
    (zero on a day without orders), one definition of an order."""
    if metrics is None or metrics.empty or "ALL" not in set(traffic["channel"]):
        return traffic
    orders = metrics[metrics["metric"] == "orders"].groupby(["shop_id", "day"])["value"].sum()
    out = traffic.copy()
    rows = out["channel"] == "ALL"
    keys = list(zip(out.loc[rows, "shop_id"], out.loc[rows, "day"], strict=True))
    out.loc[rows, "orders"] = [int(orders.get(k, 0)) for k in keys]
    return out


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
                    currency: str, shop_tz: Mapping[str, str], fx: FxRates,
                    lines: pd.DataFrame | None = None,
                    products: Mapping[str, str] | None = None) -> tuple[
    tuple[ContentRow, ...], tuple[object, ...]
]:
    """Top videos and LIVE sessions of the week (with the product each sold most units of,
    from the affiliate ``lines``, by its name in ``products``) and what the winners share."""
    if contents.empty or daily.empty:
        return (), ()
    table = content_table(contents, daily, days, currency, shop_tz, fx)
    table["product_name"] = _top_products(table, lines, days, products or {})
    top: list[ContentRow] = []
    winners: list[object] = []
    for kind in ("VIDEO", "LIVE"):
        if (table["content_type"] == kind).any():
            top += records(top_content(table, kind, TOP_CONTENT), ContentRow)
            winners.append(winner_traits(table, kind))
    return tuple(top), tuple(winners)


def _top_products(table: pd.DataFrame, lines: pd.DataFrame | None, days: Sequence[date],
                  products: Mapping[str, str]) -> list[str | None]:
    """Per content row, the name of the SKU its affiliate lines sold most units of."""
    if lines is None or lines.empty or "content_id" not in lines:
        return [None] * len(table)
    week = lines[lines["day"].isin(list(days)) & lines["content_id"].notna()]
    units = week.groupby(["shop_id", "content_id", "sku_id"])["quantity"].sum().reset_index()
    best = units.sort_values("quantity", ascending=False).drop_duplicates(["shop_id",
                                                                          "content_id"])
    sku = {(str(s), str(c)): str(k) for s, c, k in
           zip(best["shop_id"], best["content_id"], best["sku_id"], strict=True)}
    return [products.get(sku.get((str(s), str(c)), ""))
            for s, c in zip(table["shop_id"], table["content_id"], strict=True)]


def _ads_in(part: pd.DataFrame, currency: str, fx: FxRates | None) -> pd.DataFrame:
    """Campaign-day ads rows with their money in ``currency`` (floats) and counts summed."""
    key = ["campaign_id", "day"]
    money = [convert_totals(part, key, m, currency, fx).set_index(key)[m].map(float)
             for m in ("spend", "purchase_value")]
    counts = part.groupby(key)[["impressions", "clicks", "purchases"]].sum(min_count=1)
    frame = pd.concat([*money, counts], axis=1).reset_index()
    names = part.dropna(subset=["campaign_name"]).groupby("campaign_id")["campaign_name"].last()
    return frame.assign(campaign_name=frame["campaign_id"].map(names))


def campaign_rows(ads: pd.DataFrame, shop_id: str, days: Sequence[date], currency: str,
                  fx: FxRates | None, roas: tuple[float | None, float | None],
                  targets: tuple[float | None, float | None], basis: str,
                  checks: tuple[tuple[str, ...], tuple[float | None, ...]] = ((), ())) -> (
    list[CampaignRow]
):
    """A store's campaigns of the week in ``currency``: spend, platform ROAS, true ROAS (the
    store's own with one campaign, else estimated from its true / platform ratio), CPA, CTR,
    last week, and the verdict on ``basis`` against (target, break-even) within each
    campaign's noise band. ``roas``: the store's (true, platform) ROAS of the week; ``checks``:
    its deteriorations and their figures (``analytics.campaigns.store_checks``)."""
    part = ads[ads["shop_id"] == shop_id]
    table = campaign_weeks(_ads_in(part, currency, fx), days) if not part.empty else part
    if table.empty:
        return []
    table = campaign_true_roas(table, *roas)
    out = []
    for raw in table.to_dict("records"):
        r: dict[str, Any] = {k: None if not isinstance(v, str | tuple) and pd.isna(v) else v
                             for k, v in raw.items()}
        noise = campaign_noise(r["weekly_roas"])
        out.append(CampaignRow(
            shop_id=shop_id, campaign_id=r["campaign_id"], campaign_name=r["campaign_name"],
            currency=currency, spend=_money(r["spend"]) or Decimal(0),
            roas_platform=r["roas_platform"], roas_true=r["roas_true"],
            true_estimated=len(table) > 1, cpa=_money(r["cpa"]), ctr=r["ctr"],
            roas_previous=r["roas_previous"],
            spend_previous=_money(r["spend_previous"]), basis=basis, noise=noise,
            verdict=campaign_verdict(r.get(basis), *targets, noise=noise, worse=checks[0]),
            target=targets[0], break_even=targets[1], checks=checks[1],
            blockers=checks[0] if (r.get(basis) or 0) >= (targets[0] or float("inf")) else ()))
    return out


def _money(value: float | None) -> Decimal | None:
    return None if value is None or pd.isna(value) else quantize(Decimal(str(value)))


def stock_rows(plans: pd.DataFrame) -> tuple[object, ...]:
    """The SKUs to act on: all to reorder now, then the fewest days of cover."""
    from jobs.report.records import StockRow

    if plans.empty:
        return ()
    urgent = plans[plans["reorder_now"]]
    rest = plans[~plans["reorder_now"]].head(max(0, TOP_STOCK - len(urgent)))
    return records(pd.concat([urgent, rest]), StockRow)
