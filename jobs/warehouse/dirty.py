"""Stale rollup days: marked with the raw rows that changed them, recomputed once per run.

A write of orders, refunds, settlements or affiliate lines marks the local days it touches (before
and after the write, so a record that moved to another day refreshes both) in the same transaction
as the rows themselves; ``jobs.ingestion.writer`` is the one place that does this.
``refresh_marked_days`` recomputes every marked day of a store in one pass and clears the marks
in the caller's transaction (an import does it in its own, all-or-nothing);
``refresh_dirty_rollups`` does the same in a transaction of its own (a sync, after its pages were
committed): a run killed halfway leaves its days marked, and the next refresh picks them up.
Refreshing per page would recompute the same days over and over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, Engine, delete, select

from analytics.clean import DEFAULT_RULES, CleaningRules
from jobs.warehouse.rollups import refresh_rollups
from jobs.warehouse.schema import rollup_dirty_days
from jobs.warehouse.upsert import upsert
from jobs.warehouse.write_lock import write_transaction


def mark_days(conn: Connection, shop_id: str, days: Iterable[date]) -> int:
    """Mark these local days of the store as stale (days a writer computed from its own rows)."""
    rows = [{"shop_id": shop_id, "day": day} for day in sorted(set(days))]
    return upsert(conn, rollup_dirty_days, rows) if rows else 0


def refresh_marked_days(conn: Connection, shop_id: str, *,
                        rules: CleaningRules = DEFAULT_RULES) -> int:
    """Recompute the store's stale days and clear their marks, in the caller's transaction.

    Returns the number of rollup rows written (0 when no day was marked).
    """
    days = list(conn.execute(select(rollup_dirty_days.c.day)
                             .where(rollup_dirty_days.c.shop_id == shop_id)).scalars())
    if not days:
        return 0
    written = refresh_rollups(conn, shop_id, days, rules=rules)
    conn.execute(delete(rollup_dirty_days).where(rollup_dirty_days.c.shop_id == shop_id,
                                                 rollup_dirty_days.c.day.in_(days)))
    return written


def refresh_dirty_rollups(engine: Engine, shop_id: str, *,
                          rules: CleaningRules = DEFAULT_RULES) -> int:
    """Recompute the store's stale days and clear their marks, in one transaction of its own
    (on SQLite, in turn with this process's other writers)."""
    with write_transaction(engine) as conn:
        return refresh_marked_days(conn, shop_id, rules=rules)
