"""Assemble the week's ``Insights`` for a tenant: the one place the report's sections meet.

``week_insights`` reads each section's data once for all the tenant's stores and calls the section
builders of ``jobs.report.explanations`` and ``jobs.report.sections``; suggestions come last because
they use the others (campaign ROAS, stock plans, creator risk, authorization health). Sections that
add up or rank several stores' money are in the reporting currency; one that needs a missing FX
rate is left empty (the report's ``missing_fx`` says which rate), never a failed report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar, cast

import pandas as pd
from sqlalchemy import Connection

from analytics.anomaly_types import Anomaly
from analytics.campaigns import store_checks
from analytics.fx import FxRates, MissingFxRate
from analytics.kpi_report import KpiReport
from analytics.suggestions import (
    Suggestion,
    budget_suggestions,
    creator_suggestions,
    rank_suggestions,
    reauthorize_suggestions,
    restock_suggestions,
)
from config.tenants import Targets, Tenant
from jobs.accounts.targets import ROAS_TARGET_BASIS
from jobs.report import explanations as ri
from jobs.report import sections as rs
from jobs.report.forked import in_forks
from jobs.report.records import CampaignRow, ContentRow, Contributor, Insights
from jobs.warehouse import reads
from jobs.warehouse.section_loaders import load_authorizations

T = TypeVar("T")


@dataclass(frozen=True)
class WeekScope:
    """What every section needs to know about the tenant-week."""

    days: tuple[date, ...]  # the week's local dates, Monday first
    currency: str  # reporting currency
    fx: FxRates
    daily: pd.DataFrame  # daily metric rows of the tenant's stores (rollups)
    shop_tz: Mapping[str, str]
    regions: Mapping[str, str]
    advertiser_shop: Mapping[str, str]
    lead_times: Mapping[str, int]
    previous_days: tuple[date, ...] = ()  # the period before (default: the week before)

    @property
    def previous(self) -> list[date]:
        """The local dates of the period before (the week before unless ``previous_days``)."""
        return list(self.previous_days) or [d - timedelta(days=7) for d in self.days]


def week_insights(conn: Connection, tenant: Tenant, targets: Targets, scope: WeekScope,
                  reports: Mapping[str, KpiReport], total: KpiReport | None,
                  reporting: Mapping[str, KpiReport | None] | None = None) -> Insights:
    """Every insight section of the week (see ``jobs.report.records.Insights``).

    ``reports`` are the stores' KPIs in their own currencies, ``reporting`` the same in the
    reporting currency (``None`` where a rate is missing; default: ``reports``), ``total`` the
    tenant's (``None`` when it needs a missing rate). The anomalies (pandas over frames loaded
    first, no database) are found in a forked child where a core is spare, while this process
    builds the other sections (``forked.in_forks``).
    """
    days = list(scope.days)
    ads = ri.ad_rows(conn, scope.advertiser_shop, days[0] - timedelta(ri.HISTORY_DAYS),
                     days[-1])
    lines = rs.affiliate_history(conn, scope.shop_tz, days)

    def anomalies() -> tuple[Anomaly, ...]:
        found = (ri.store_anomalies(scope.daily, scope.regions, days)
                 + ri.campaign_anomalies(ads, scope.regions, days)
                 + ri.creator_anomalies(lines, days[0]))
        return tuple(sorted(found, key=_severity_order))

    def sections() -> Insights:
        return _sections(conn, tenant, targets, scope, reports, total, reporting, ads, lines)

    built, found = in_forks(_called, [sections, anomalies])
    return replace(cast(Insights, built), anomalies=cast(tuple[Anomaly, ...], found))


def _called(piece: Callable[[], object]) -> object:
    return piece()


def _sections(conn: Connection, tenant: Tenant, targets: Targets, scope: WeekScope,
              reports: Mapping[str, KpiReport], total: KpiReport | None,
              reporting: Mapping[str, KpiReport | None] | None, ads: pd.DataFrame,
              lines: pd.DataFrame) -> Insights:
    """The sections but the anomalies, from the week's ads and affiliate lines."""
    days, shops = list(scope.days), list(scope.shop_tz)
    drivers = [d for shop, rep in reports.items() for d in ri.drivers(shop, rep)]
    drivers += [] if total is None else ri.drivers(tenant.id, total)
    traffic = reads.traffic_days(conn, shops, scope.previous[0], days[-1])
    contents, content_daily = reads.content_days(conn, shops, scope.previous[0], days[-1])
    funnel = rs.funnel_section(traffic, content_daily, days, scope.previous, scope.daily)
    board = _unless_missing(lambda: reads.creator_board(
        conn, lines, scope.shop_tz, days, scope.currency, scope.fx, content_daily), pd.DataFrame())
    board = rs.with_verdicts(board)
    top_creators, split = rs.creator_rows(board)
    no_content: tuple[tuple[ContentRow, ...], tuple[object, ...]] = ((), ())
    plans = reads.stock_cover(conn, scope.shop_tz, scope.lead_times, days[-1])
    products = {x.key: x.name for x in rs.labels(pd.DataFrame(), plans)}
    content, winners = _unless_missing(lambda: rs.content_section(
        contents, content_daily, days, scope.currency, scope.shop_tz, scope.fx, lines,
        products), no_content)
    in_reporting = dict(reports if reporting is None else reporting)
    return Insights(
        drivers=tuple(drivers),
        contributors=tuple(_contributors(conn, scope, in_reporting, ads)),
        mix=_unless_missing(lambda: rs.mix_section(traffic, days, scope.previous, scope.currency,
                                                   scope.fx), ()),
        funnel=rs.funnel_steps(funnel), biggest_drop=None if funnel is None else
        funnel.biggest_drop,
        creators=top_creators, creator_split=split,  # type: ignore[arg-type]
        content=content, winners=winners,  # type: ignore[arg-type]
        stock=rs.stock_rows(plans),  # type: ignore[arg-type]
        suggestions=_suggestions(conn, tenant, targets, scope, reports, ads, plans, board),
        labels=rs.labels(ads, plans),
        campaigns=tuple(_campaign_rows(ads, scope, targets, reports)),
    )


def _unless_missing(make: Callable[[], T], empty: T) -> T:
    """A section that adds up several stores' money, or ``empty`` when it needs a missing FX
    rate (the report's ``missing_fx`` names it)."""
    try:
        return make()
    except MissingFxRate:
        return empty


def _severity_order(a: object) -> tuple[int, float]:
    rank = {"high": 0, "medium": 1, "low": 2}.get(getattr(a, "severity", "low"), 3)
    return rank, -float(getattr(a, "money_at_stake", None) or 0)


def _contributors(conn: Connection, scope: WeekScope,
                  reports: Mapping[str, KpiReport | None], ads: pd.DataFrame) -> list[Contributor]:
    """Which stores, campaigns and creators moved gross GMV, ad revenue and affiliate GMV (in
    the reporting currency; a dimension that needs a missing rate is left out)."""
    out: list[Contributor] = []
    known = {s: r for s, r in reports.items() if r is not None}
    if len(known) == len(reports):
        now = pd.Series({s: float(r.current.gross_gmv) for s, r in known.items()})
        before = pd.Series({s: float(r.previous.gross_gmv) for s, r in known.items()
                            if r.previous is not None})
        out += ri.contributors("store", "gross_gmv", now, before) if len(before) else []
    days, prev = list(scope.days), scope.previous
    if not ads.empty:
        out += _unless_missing(lambda: ri.contributors("campaign", "purchase_value", *(
            ri.converted(ads, "campaign_id", "purchase_value", scope.currency, scope.fx, d)
            for d in (days, prev))), [])
    aff = ri.affiliate_days(conn, list(scope.shop_tz), prev[0], days[-1])
    if not aff.empty:
        out += _unless_missing(lambda: ri.contributors("creator", "affiliate_gmv", *(
            ri.converted(aff, "creator_username", "gmv", scope.currency, scope.fx, d)
            for d in (days, prev))), [])
    return out


def _campaigns(ads: pd.DataFrame, shop_id: str, days: Sequence[date], currency: str,
               fx: FxRates | None) -> pd.DataFrame:
    part = ads[(ads["shop_id"] == shop_id) & ads["day"].isin(list(days))]
    if part.empty:
        return pd.DataFrame()
    spend = ri.converted(part, "campaign_id", "spend", currency, fx, days)
    value = ri.converted(part, "campaign_id", "purchase_value", currency, fx, days)
    names = part.groupby("campaign_id")["campaign_name"].first()
    frame = pd.DataFrame({"spend": spend, "purchase_value": value}).fillna(0.0)
    frame["roas_platform"] = [v / s if s else None for s, v in
                              zip(frame["spend"], frame["purchase_value"], strict=True)]
    return frame.assign(campaign_name=names).rename_axis("campaign_id").reset_index()


def _store_campaigns(ads: pd.DataFrame, shop_id: str, scope: WeekScope, own: str) -> (
    pd.DataFrame
):
    """A store's campaigns (ROAS is a ratio: any one currency will do): in the reporting
    currency, else in the store's own without any conversion, else none."""
    for currency, fx in ((scope.currency, scope.fx), (own, None)):
        try:
            return _campaigns(ads, shop_id, scope.days, currency, fx)
        except MissingFxRate:
            continue
    return pd.DataFrame()


def _campaign_rows(ads: pd.DataFrame, scope: WeekScope, targets: Targets,
                   reports: Mapping[str, KpiReport]) -> list[CampaignRow]:
    """Every store's campaigns, biggest spend first: in the reporting currency, else (a rate
    missing) in the store's own; verdicts on ``ROAS_TARGET_BASIS``."""
    if ads.empty:
        return []
    goal = tuple(None if v is None else float(v) for v in (targets.roas, targets.break_even_roas))
    out: list[CampaignRow] = []
    for shop, report in reports.items():
        k = report.current
        roas = tuple(None if v is None else float(v) for v in (k.roas_true, k.roas_platform))
        for currency, fx in ((scope.currency, scope.fx), (k.currency, None)):
            try:
                out += rs.campaign_rows(ads, shop, scope.days, currency, fx, roas,  # type: ignore[arg-type]
                                        goal, ROAS_TARGET_BASIS,  # type: ignore[arg-type]
                                        store_checks(report))
                break
            except MissingFxRate:
                continue
    return sorted(out, key=lambda r: -r.spend)


def _suggestions(conn: Connection, tenant: Tenant, targets: Targets, scope: WeekScope,
                 reports: Mapping[str, KpiReport], ads: pd.DataFrame, plans: pd.DataFrame,
                 board: pd.DataFrame) -> tuple[Suggestion, ...]:
    out: list[Suggestion] = []
    if targets.roas is not None and targets.break_even_roas is not None and not ads.empty:
        for shop, report in reports.items():
            campaigns = _store_campaigns(ads, shop, scope, report.current.currency)
            if campaigns.empty:
                continue
            out += budget_suggestions(campaigns, float(targets.roas),
                                      float(targets.break_even_roas), min_spend=Decimal(0),
                                      basis=ROAS_TARGET_BASIS)
    if not plans.empty:
        out += restock_suggestions(plans)
    auths = load_authorizations(conn, tenant.id)
    if not auths.empty:
        out += reauthorize_suggestions(auths)
    if not board.empty:
        out += creator_suggestions(board)
    return tuple(rank_suggestions(out))
