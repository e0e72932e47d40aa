"""Incremental daily rollups: the sums every weekly KPI is served from.

``refresh_rollups(conn, shop_id, days)`` recomputes one store's ``shop_daily``,
``shop_daily_exclusions`` and ``affiliate_daily`` rows for the given local days (and the
``shop_week_buyers`` of the weeks they fall in) from the raw rows, with the cleaning rules of
``analytics.clean``: sales are sales-valid orders on their paid day; refunds of sales-valid orders
reduce net GMV on the day they complete; settlements count on their settled day; unpaid orders are
excluded on the day they were created. Days without activity get a row of zeros, so a day that was
computed is told apart from a day never synced. Which days to refresh is decided where raw
facts are written (``jobs.ingestion.writer`` marks them; ``jobs.warehouse.dirty`` refreshes them).
Distinct buyers do not add up over days, so each week's buyers are counted from its orders.
The rows are computed and written by the database (``jobs.warehouse.rollup_sql``, over the days
and judgements ``jobs.warehouse.rollup_scope`` prepares): no raw row is loaded into Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from sqlalchemy import Connection, delete, select

from analytics.clean import DEFAULT_RULES, CleaningRules
from config.tenants import Tenant
from jobs.warehouse import loaders as q
from jobs.warehouse.rollup_days import ad_rollup_rows
from jobs.warehouse.rollup_scope import ROLLUP_DAYS, prepare_scope
from jobs.warehouse.rollup_sql import ROLLUP_SELECTS
from jobs.warehouse.touched import data_days

__all__ = [
    "cleaning_rules", "data_days", "rebuild_ad_rollups", "rebuild_rollups", "refresh_ad_rollups",
    "refresh_rollups",
]


def cleaning_rules(tenant: Tenant) -> CleaningRules:
    """The cleaning rules of a tenant: the defaults with its own test-order markers."""
    return CleaningRules(test_message_markers=tuple(tenant.test_order_markers))


def refresh_rollups(
    conn: Connection, shop_id: str, days: Iterable[date], *, rules: CleaningRules = DEFAULT_RULES
) -> int:
    """Recompute the store's rollups for ``days`` (local dates) in this transaction.

    Idempotent: running it twice, or over days that did not change, writes the same rows.
    Only the given days (and the distinct buyers of their weeks) are written. Returns the number
    of rollup rows written.
    """
    wanted = sorted(set(days))
    if not wanted:
        return 0
    info = q.shop_info(conn, shop_id)
    return sum(_refresh_span(conn, shop_id, info, span, rules) for span in _spans(wanted))


def rebuild_rollups(
    conn: Connection, shop_id: str, *, rules: CleaningRules = DEFAULT_RULES
) -> int:
    """Recompute every day the store has data for (first sync, or after a rule change)."""
    span = data_days(conn, shop_id)
    if span is None:
        return 0
    first, last = span
    return refresh_rollups(conn, shop_id, _day_range(first, last), rules=rules)


def _day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(i) for i in range((last - first).days + 1)]


#: Touched days closer than this are loaded with one range query (the days between are read,
#: not written); farther apart, each group gets its own queries.
SPAN_GAP_DAYS = 14


def _spans(days: list[date]) -> Iterator[list[date]]:
    """Sorted days grouped so each group is read with one indexed range query per table."""
    group = [days[0]]
    for day in days[1:]:
        if (day - group[-1]).days > SPAN_GAP_DAYS:
            yield group
            group = []
        group.append(day)
    yield group


def _runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Contiguous runs of sorted days."""
    start = prev = days[0]
    for day in days[1:]:
        if day != prev + timedelta(1):
            yield start, prev
            start = day
        prev = day
    yield start, prev


def _refresh_span(conn: Connection, shop_id: str, info: dict[str, str], days: list[date],
                  rules: CleaningRules) -> int:
    """Recompute ``days`` (one span) and the buyers of their weeks: per rollup table, one
    ``DELETE`` of the wanted days and one ``INSERT ... SELECT`` of their new rows."""
    scope = prepare_scope(conn, shop_id, info, days, rules)
    written = 0
    for table, key, scope_key, rows in ROLLUP_SELECTS:
        wanted = select(scope_key).where(ROLLUP_DAYS.c.wanted)
        conn.execute(delete(table).where(table.c.shop_id == shop_id, key.in_(wanted)))
        insert = (table.insert().from_select([c.name for c in table.c], rows(scope))
                  .execution_options(preserve_rowcount=True))
        written += conn.execute(insert).rowcount
    return written


def refresh_ad_rollups(conn: Connection, advertiser_id: str, days: Iterable[date]) -> int:
    """Recompute ``ad_daily`` (per advertiser, day, campaign) for ``days`` (advertiser-local).

    The campaign-level report rows are the ones every ads KPI uses; "-" stays ``None``.
    """
    from jobs.warehouse.schema import ad_daily, ad_report_rows

    wanted = sorted(set(days))
    written = 0
    for first, last in _runs(wanted) if wanted else ():
        rows = q.load_days(conn, ad_report_rows, "advertiser_id", advertiser_id, first, last)
        out = ad_rollup_rows(advertiser_id, rows)
        conn.execute(delete(ad_daily).where(ad_daily.c.advertiser_id == advertiser_id,
                                            ad_daily.c.day >= first, ad_daily.c.day <= last))
        if out:
            conn.execute(ad_daily.insert(), out)
        written += len(out)
    return written


def rebuild_ad_rollups(conn: Connection, advertiser_id: str) -> int:
    """Recompute ``ad_daily`` for every day the advertiser has report rows."""
    from sqlalchemy import func, select

    from jobs.warehouse.schema import ad_report_rows

    first, last = conn.execute(
        select(func.min(ad_report_rows.c.day), func.max(ad_report_rows.c.day))
        .where(ad_report_rows.c.advertiser_id == advertiser_id)
    ).one()
    if first is None:
        return 0
    return refresh_ad_rollups(conn, advertiser_id, _day_range(first, last))
