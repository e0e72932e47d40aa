"""Data quality of one store-week: freshness and coverage per source, exclusions per rule,
reconciliation.

Freshness comes from ``sync_cursors.latest_complete_day`` of the store and its ads accounts;
coverage lists the week's days each source has rows for (``analytics.quality.coverage_table``);
exclusions from the ``shop_daily_exclusions`` rollup; the reconciliation puts our gross GMV next
to the GMV the platform's shop analytics reports (``shop_traffic_daily``, channel ALL) where the
API gives it, so a gap from cleaning rules or a missed page is visible, not hidden.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Table, func, select

from analytics.quality import Reconciliation, coverage_table, reconcile
from analytics.weeks import WeekWindow
from config.tenants import Tenant
from jobs.report.model import Coverage, DataQuality, Exclusions, Freshness
from jobs.report.records import records
from jobs.warehouse.queries import store_advertisers
from jobs.warehouse.schema import (
    ad_daily,
    shop_daily,
    shop_daily_exclusions,
    shop_traffic_daily,
    sync_cursors,
)


def _in_week(table: Table, shop_id: str, window: WeekWindow) -> list[ColumnElement[bool]]:
    c = table.c
    return [c.shop_id == shop_id, c.day >= window.monday, c.day <= window.days[-1]]


def freshness(conn: Connection, subjects: list[str], window: WeekWindow) -> tuple[
    Freshness, ...
]:
    """Each synced source of the subjects, and how many days short of the week's end it is."""
    rows = conn.execute(
        select(sync_cursors.c.source, sync_cursors.c.subject_id,
               sync_cursors.c.latest_complete_day)
        .where(sync_cursors.c.subject_id.in_(subjects))
        .order_by(sync_cursors.c.subject_id, sync_cursors.c.source)
    ).all()
    last = window.days[-1]
    return tuple(
        Freshness(r.source, r.subject_id, r.latest_complete_day,
                  None if r.latest_complete_day is None
                  else max(0, (last - r.latest_complete_day).days))
        for r in rows
    )


def exclusions(conn: Connection, shop_id: str, window: WeekWindow) -> tuple[Exclusions, ...]:
    """Rows and money each cleaning rule excluded from the store's week."""
    t = shop_daily_exclusions
    rows = conn.execute(
        select(t.c.rule, func.sum(t.c.rows), func.sum(t.c.amount))
        .where(*_in_week(t, shop_id, window)).group_by(t.c.rule).order_by(t.c.rule)
    ).all()
    return tuple(Exclusions(rule, int(n), amount) for rule, n, amount in rows)


def reconciliation(conn: Connection, shop_id: str, window: WeekWindow) -> tuple[
    Reconciliation, ...
]:
    """Our gross GMV against the platform's shop-analytics GMV for the week (if reported)."""
    ours = conn.execute(select(func.sum(shop_daily.c.gross_gmv))
                        .where(*_in_week(shop_daily, shop_id, window))).scalar()
    t = shop_traffic_daily
    platform = conn.execute(select(func.sum(t.c.gmv)).where(
        *_in_week(t, shop_id, window), t.c.channel == "ALL")).scalar()
    if ours is None or platform is None:
        return ()
    return reconcile({"gross_gmv": ours}, {"gross_gmv": platform})


def coverage(conn: Connection, shop_id: str, advertiser_ids: list[str], window: WeekWindow) -> (
    tuple[Coverage, ...]
):
    """Days of the week with orders, ad rows (per advertiser) and shop traffic."""
    first, last = window.monday, window.days[-1]
    queries = [
        ("orders", select(shop_daily.c.shop_id, shop_daily.c.day).where(
            *_in_week(shop_daily, shop_id, window), shop_daily.c.orders > 0)),
        ("traffic", select(shop_traffic_daily.c.shop_id, shop_traffic_daily.c.day).where(
            *_in_week(shop_traffic_daily, shop_id, window)).distinct()),
        ("ads", select(ad_daily.c.advertiser_id, ad_daily.c.day).where(
            ad_daily.c.advertiser_id.in_(advertiser_ids), ad_daily.c.day >= first,
            ad_daily.c.day <= last).distinct()),
    ]
    present = [(source, str(subject), day) for source, stmt in queries
               for subject, day in conn.execute(stmt)]
    if not present:
        return ()
    frame = pd.DataFrame(present, columns=["source", "subject_id", "day"])
    table = coverage_table(frame, window.days, today=last + timedelta(days=1))
    return records(table, Coverage)


def store_quality(conn: Connection, tenant: Tenant, shop_id: str, window: WeekWindow) -> (
    DataQuality
):
    """The data-quality facts of one store-week."""
    store = next(s for s in tenant.stores if s.shop_id == shop_id)
    ads = store_advertisers(conn, [shop_id], {shop_id: store.advertiser_ids})
    days = conn.execute(select(func.count()).select_from(shop_daily)
                        .where(*_in_week(shop_daily, shop_id, window))).scalar_one()
    return DataQuality(
        freshness=freshness(conn, [shop_id, *sorted(ads)], window),
        coverage=coverage(conn, shop_id, sorted(ads), window),
        exclusions=exclusions(conn, shop_id, window),
        days_with_data=int(days),
        reconciliation=reconciliation(conn, shop_id, window),
    )

