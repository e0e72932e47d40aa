"""Order rules: a day without orders in a shop that always has some, and orders that do not
reconcile with the shop's own analytics.

Both look only at local days the orders sync reports complete (``latest_complete_day``): a day
not synced yet is the freshness rule's business, not an empty day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select

from analytics.weeks import local_days, local_midnight_utc
from jobs.alerts.findings import Finding, healthy
from jobs.alerts.subjects import Subject
from jobs.warehouse.schema import orders, shop_traffic_daily, sync_cursors

#: Days before the checked days that show what "usual" is.
BASELINE_DAYS = 28
#: The most recent complete days checked for an empty day.
CHECKED_DAYS = 2
#: A shop "always has orders" when every baseline day had at least this many.
MIN_USUAL_DAILY_ORDERS = 3
#: Reconciliation window, and the gap allowed between our orders and the shop's analytics.
RECONCILE_DAYS = 7
RECONCILE_TOLERANCE = 0.05
RECONCILE_MIN_GAP = 5


def check_orders(
    conn: Connection, tenant_id: str, subjects: dict[str, Subject]
) -> Iterator[Finding]:
    """``no_orders`` and ``reconciliation_gap`` findings for each synced shop of the tenant."""
    shops = {k: s for k, s in subjects.items() if s.kind == "shop"}
    through = _complete_through(conn, list(shops))
    for shop_id, last_day in through.items():
        subject = shops[shop_id]
        first = last_day - timedelta(days=BASELINE_DAYS + CHECKED_DAYS - 1)
        counts = daily_order_counts(conn, subject, first, last_day)
        yield _no_orders(tenant_id, subject, counts, last_day)
        yield _reconciliation(conn, tenant_id, subject, counts, last_day)


def daily_order_counts(conn: Connection, shop: Subject, first: date, last: date) -> pd.Series:
    """Paid, non-sample orders per local paid day in ``[first, last]`` (zero days included)."""
    start = local_midnight_utc(shop.timezone, first)
    end = local_midnight_utc(shop.timezone, last + timedelta(days=1))
    paid = pd.Series(conn.execute(
        select(orders.c.paid_time).where(
            orders.c.shop_id == shop.id, orders.c.paid_time >= start, orders.c.paid_time < end,
            orders.c.is_sample.is_(False))
    ).scalars().all(), dtype=object)
    days = local_days(paid, pd.Series([shop.id] * len(paid), dtype=object),
                      {shop.id: shop.timezone})
    index = pd.Index([first + timedelta(days=i) for i in range((last - first).days + 1)])
    return days.value_counts().reindex(index, fill_value=0).astype(int)


def _no_orders(tenant_id: str, shop: Subject, counts: pd.Series, last_day: date) -> Finding:
    checked = counts.iloc[-CHECKED_DAYS:]
    baseline = counts.iloc[:-CHECKED_DAYS]
    empty = [d for d, n in checked.items() if n == 0]
    usual = int(baseline.median()) if len(baseline) else 0
    facts = {"shop_id": shop.id, "shop_name": shop.name, "usual_daily_orders": usual,
             "through": last_day.isoformat()}
    if not empty or len(baseline) < BASELINE_DAYS or baseline.min() < MIN_USUAL_DAILY_ORDERS:
        return healthy(tenant_id, "no_orders", shop.id, **facts)
    started = local_midnight_utc(shop.timezone, empty[0])
    return Finding(tenant_id, "no_orders", shop.id, True, "no_orders", severity="high",
                   started_at=started,
                   facts={**facts, "empty_days": [d.isoformat() for d in empty]})


def _reconciliation(conn: Connection, tenant_id: str, shop: Subject, counts: pd.Series,
                    last_day: date) -> Finding:
    first = last_day - timedelta(days=RECONCILE_DAYS - 1)
    reported = conn.execute(
        select(func.sum(shop_traffic_daily.c.orders), func.count()).where(
            shop_traffic_daily.c.shop_id == shop.id, shop_traffic_daily.c.channel == "ALL",
            shop_traffic_daily.c.day >= first, shop_traffic_daily.c.day <= last_day)
    ).one()
    ours = int(counts.loc[[d for d in counts.index if d >= first]].sum())
    facts = {"shop_id": shop.id, "shop_name": shop.name, "from": first.isoformat(),
             "through": last_day.isoformat(), "orders_stored": ours}
    if not reported[1] or reported[0] is None:  # no shop analytics to compare with
        return healthy(tenant_id, "reconciliation_gap", shop.id, **facts)
    theirs = int(reported[0])
    gap = abs(ours - theirs)
    facts = {**facts, "orders_reported": theirs, "gap": gap}
    if gap < RECONCILE_MIN_GAP or gap <= RECONCILE_TOLERANCE * max(theirs, 1):
        return healthy(tenant_id, "reconciliation_gap", shop.id, **facts)
    return Finding(tenant_id, "reconciliation_gap", shop.id, True, "gap", severity="medium",
                   facts=facts)


def _complete_through(conn: Connection, shop_ids: list[str]) -> dict[str, date]:
    if not shop_ids:
        return {}
    rows = conn.execute(select(sync_cursors.c.subject_id, sync_cursors.c.latest_complete_day)
                        .where(sync_cursors.c.source == "orders",
                               sync_cursors.c.subject_id.in_(shop_ids)))
    return {r.subject_id: r.latest_complete_day for r in rows if r.latest_complete_day}


