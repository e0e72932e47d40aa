"""What one span of a store's rollup refresh reads: its local days, and the few judgements
SQL cannot make exactly as ``analytics.clean`` does.

``prepare_scope`` fills two temporary tables in the caller's transaction and returns a ``Scope``:

- ``ROLLUP_DAYS``: every local day of the whole weeks the span touches, its Monday, and whether
  its rollups are to be written (``wanted``). Raw rows are read by their time index over the
  weeks' UTC ``window`` and joined to their day by ``local_dates.local_date`` (the zone's
  offsets over the window are the scope's ``runs``).
- ``TEST_ORDERS``: the orders of the span that are test orders. Whether a buyer message contains
  a marker is decided by Python's case folding (``analytics.clean.is_test_order``), which neither
  database reproduces, so only the few orders that could be one (a message, or a recipient
  name containing a test name) are read and judged in Python.

Likewise the refund statuses that mean the money went back and the affiliate statuses that mean
cancelled are judged in Python over the span's few distinct status words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    MetaData,
    Select,
    Table,
    and_,
    delete,
    false,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.schema import CreateTable

from analytics.clean import (
    CleaningRules,
    is_cancelled_line_status,
    is_completed_refund_status,
    is_test_order,
)
from analytics.weeks import local_midnight_utc
from jobs.warehouse.local_dates import Runs, offset_runs
from jobs.warehouse.schema import ID, affiliate_order_lines, orders, refunds

_TEMPORARY = MetaData()
ROLLUP_DAYS = Table(
    "_rollup_days", _TEMPORARY,
    Column("day", Date, primary_key=True),
    Column("week", Date, nullable=False),  # the local Monday of ``day``
    Column("wanted", Boolean, nullable=False),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)
TEST_ORDERS = Table(
    "_rollup_test_orders", _TEMPORARY,
    Column("order_id", ID, primary_key=True),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)


@dataclass(frozen=True)
class Scope:
    """One span of a store's refresh, its temporary tables filled."""

    shop_id: str
    currency: str
    start: datetime  #: UTC start of the first wanted day
    end: datetime  #: UTC end of the last wanted day
    window: tuple[datetime, datetime]  #: UTC start and end of the weeks of the wanted days
    runs: Runs  #: the zone's UTC offsets over ``window``
    done_refund_statuses: tuple[str, ...]  #: the span's statuses of completed refunds
    cancelled_line_statuses: tuple[str, ...]  #: the span's affiliate statuses meaning cancelled
    refreshed_at: datetime
    dialect: str  #: the database's name: a sum may take the form its planner runs best


def prepare_scope(conn: Connection, shop_id: str, info: dict[str, str], days: list[date],
                  rules: CleaningRules) -> Scope:
    """Fill the temporary tables for the sorted local ``days`` of one span and judge its
    statuses (``info`` as ``loaders.shop_info`` gives it)."""
    tz = info["timezone"]
    first_monday = days[0] - timedelta(days[0].weekday())
    last_sunday = days[-1] + timedelta(6 - days[-1].weekday())
    wanted = set(days)
    for table in (ROLLUP_DAYS, TEST_ORDERS):
        conn.execute(CreateTable(table, if_not_exists=True))
        conn.execute(delete(table))
    every_day = [first_monday + timedelta(i) for i in range((last_sunday - first_monday).days + 1)]
    conn.execute(ROLLUP_DAYS.insert(), [
        {"day": day, "week": day - timedelta(day.weekday()), "wanted": day in wanted}
        for day in every_day])
    start = local_midnight_utc(tz, days[0])
    end = local_midnight_utc(tz, days[-1] + timedelta(1))
    window = (local_midnight_utc(tz, first_monday),
              local_midnight_utc(tz, last_sunday + timedelta(1)))
    tests = _test_order_ids(conn, shop_id, window, (start, end), rules)
    if tests:
        conn.execute(TEST_ORDERS.insert(), [{"order_id": i} for i in sorted(tests)])
    refund_words = _words(conn, refunds.c.status, shop_id, refunds.c.completed_time, start, end)
    line = affiliate_order_lines.c
    line_words = _words(conn, line.status, shop_id, line.create_time, start, end)
    return Scope(
        shop_id, info["currency"], start, end, window, offset_runs(tz, *window),
        tuple(refund_words[is_completed_refund_status(refund_words, rules)].tolist()),
        tuple(line_words[is_cancelled_line_status(line_words)].dropna().tolist()),
        datetime.now(UTC), conn.dialect.name)


def _words(conn: Connection, column: Column[Any], shop_id: str, time: Column[Any],
           start: datetime, end: datetime) -> pd.Series:
    """The distinct values of a status ``column`` among the store's rows timed in the span."""
    table = column.table
    found = conn.execute(select(column).distinct().where(
        table.c.shop_id == shop_id, time >= start, time < end)).scalars()
    return pd.Series(list(found), dtype=object)


def _may_be_test(rules: CleaningRules) -> ColumnElement[bool]:
    """Orders that can be test orders under ``rules`` (a superset: Python decides). A name
    equal to a test name after stripping contains it; a message can only contain a marker if it
    is not empty (an empty marker, or an empty name, makes every order a candidate)."""
    if any(not m.upper() for m in rules.test_message_markers) or any(
            not n for n in rules.test_recipient_names):
        return true()
    names = [orders.c.recipient_name.contains(n, autoescape=True)
             for n in rules.test_recipient_names]
    messages = orders.c.buyer_message != "" if rules.test_message_markers else false()
    return or_(messages, *names)


def _test_order_ids(conn: Connection, shop_id: str, window: tuple[datetime, datetime],
                    span: tuple[datetime, datetime], rules: CleaningRules) -> set[str]:
    """Ids of the test orders among those the span reads: paid in the weeks' ``window`` (or
    unpaid and created in it), and the orders of the refunds completed in ``span``."""
    o = orders.c
    picked: list[Select] = []  # type: ignore[type-arg]
    for where in (and_(o.paid_time >= window[0], o.paid_time < window[1]),
                  and_(o.paid_time.is_(None), o.create_time >= window[0],
                       o.create_time < window[1]),
                  o.order_id.in_(select(refunds.c.order_id).where(
                      refunds.c.shop_id == shop_id, refunds.c.completed_time >= span[0],
                      refunds.c.completed_time < span[1]))):
        picked.append(select(o.order_id, o.buyer_message, o.recipient_name)
                      .where(o.shop_id == shop_id, where, _may_be_test(rules)))
    found = conn.execute(union_all(*picked)).all()
    if not found:
        return set()
    frame = pd.DataFrame(found, columns=["order_id", "buyer_message", "recipient_name"],
                         dtype=object)
    return set(frame["order_id"][is_test_order(frame, rules)].tolist())
