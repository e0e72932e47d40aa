"""The rows of a store's daily rollups as SQL: one ``SELECT`` per rollup table, inserted by
``INSERT ... SELECT`` in the database (the same statements on SQLite and PostgreSQL, but for how
the units of a day's sales are summed: each planner gets the form it runs fastest).

Each select reads the raw rows of one ``rollup_scope.Scope`` by their time index, gives each row
its local day (``local_dates.local_date``) and the cleaning rule it breaks (``order_rule``,
``refund_rule``: the rules of ``analytics.clean`` in SQL), sums per day and only then meets the
scope's days (``ROLLUP_DAYS``), so no plan can join every raw row to every day. Sales are
sales-valid orders on their paid day; refunds of sales-valid orders count on the day they
complete, settlements on their settled day, excluded orders on their paid day (unpaid ones on
their created day). Money is summed as the integer units it is stored in, so sums are exact.
Days without activity get a row of zeros.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Subquery,
    Table,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from analytics.clean import ORDER_RULES, REFUND_RULES
from jobs.warehouse.local_dates import local_date
from jobs.warehouse.rollup_scope import ROLLUP_DAYS, TEST_ORDERS, Scope
from jobs.warehouse.schema import (
    ID,
    affiliate_daily,
    affiliate_order_lines,
    order_lines,
    order_settlements,
    orders,
    refunds,
    shop_daily,
    shop_daily_exclusions,
    shop_week_buyers,
)
from jobs.warehouse.types import UTCDateTime

D, ORD, REF = ROLLUP_DAYS.c, orders.c, refunds.c


def _units(column: Any) -> ColumnElement[int]:
    """A money column as its stored integer units."""
    return type_coerce(column, BigInteger)


def _order_breaks() -> dict[str, ColumnElement[bool]]:
    """Per cleaning rule of ``ORDER_RULES``, SQL true when an order breaks it (never NULL)."""
    return {
        "cancelled_before_payment": and_(ORD.paid_time.is_(None), ORD.cancel_time.is_not(None)),
        "unpaid": ORD.paid_time.is_(None),
        "sample": ORD.is_sample,
        "replacement": ORD.is_replacement,
        "test": ORD.order_id.in_(select(TEST_ORDERS.c.order_id)),
    }


def order_rule() -> ColumnElement[str | None]:
    """The first cleaning rule (``ORDER_RULES``, in order) an order breaks; NULL for a sale."""
    breaks = _order_breaks()
    return case(*[(breaks[rule], rule) for rule in ORDER_RULES])


def is_sale() -> ColumnElement[bool]:
    """The order breaks no rule: ``order_rule()`` is NULL, written as the rules each negated so
    PostgreSQL can estimate how many orders pass (it guesses 0.5% for a ``CASE ... IS NULL``
    and then joins a year of order lines one index lookup at a time)."""
    breaks = _order_breaks()
    return and_(*[not_(breaks[rule]) for rule in ORDER_RULES])


def refund_rule(scope: Scope) -> ColumnElement[str | None]:
    """``refund_<rule>`` (``REFUND_RULES``) a refund joined to its order (outer) breaks; NULL
    for a refund that reduces net GMV."""
    breaks = {
        "not_completed": REF.status.not_in(scope.done_refund_statuses),
        "order_not_found": ORD.order_id.is_(None),
        "order_excluded": order_rule().is_not(None),
    }
    return case(*[(breaks[rule], f"refund_{rule}") for rule in REFUND_RULES])


def _during(scope: Scope, table: Table, time: str, *, weeks: bool = False) -> ColumnElement[bool]:
    """Rows of the scope's store whose ``time`` lies in its wanted days' span (or, with
    ``weeks``, in the whole weeks around them), as the time index reads them."""
    lo, hi = scope.window if weeks else (scope.start, scope.end)
    return and_(table.c.shop_id == scope.shop_id, table.c[time] >= lo, table.c[time] < hi)


def _day(scope: Scope, column: Any) -> Any:
    return local_date(column, scope.runs).label("day")


def _refunds_with_orders() -> Any:
    return refunds.outerjoin(orders, and_(ORD.shop_id == REF.shop_id,
                                          ORD.order_id == REF.order_id))


def _per_day(rows: Subquery, *sums: Any) -> Subquery:
    """``rows`` (one per raw row, with its ``day``) summed per wanted day."""
    return (select(rows.c.day, *sums).select_from(rows.join(ROLLUP_DAYS, D.day == rows.c.day))
            .where(D.wanted).group_by(rows.c.day).subquery())


def shop_day_select(scope: Scope) -> Select[Any]:
    """``shop_daily``: per wanted day, sales, units, buyers, GMV, refunds and settlements."""
    paid, lines = ORD.paid_time, order_lines.c
    # Units: SQLite looks each sale's lines up by key (a join would read the orders twice and
    # sort every line by day); PostgreSQL would run that subquery as a loop of index lookups
    # (2 s for a year of 600,000 orders) and joins the lines by hash instead (1.1 s).
    per_order = scope.dialect == "sqlite"
    units = case((and_(paid >= scope.start, paid < scope.end), select(func.sum(lines.quantity))
                  .where(lines.shop_id == ORD.shop_id, lines.order_id == ORD.order_id)
                  .scalar_subquery())) if per_order else cast(null(), BigInteger)
    sold = select(_day(scope, paid), ORD.buyer_id, _units(ORD.sub_total).label("amount"),
                  units.label("units")).where(
        _during(scope, orders, "paid_time", weeks=True), is_sale()).subquery()
    sales = _per_day(sold, func.count().label("n"),
                     func.count(distinct(sold.c.buyer_id)).label("buyers"),
                     func.sum(sold.c.amount).label("gmv"), func.sum(sold.c.units).label("units"))
    parts, unit_sum = [sales], sales.c.units
    if not per_order:
        sold_lines = select(_day(scope, paid), lines.quantity).select_from(orders.join(
            order_lines, and_(lines.shop_id == ORD.shop_id, lines.order_id == ORD.order_id))
        ).where(_during(scope, orders, "paid_time"), is_sale()).subquery()
        joined = _per_day(sold_lines, func.sum(sold_lines.c.quantity).label("units"))
        parts, unit_sum = [sales, joined], joined.c.units
    kept = select(_day(scope, REF.completed_time), _units(REF.refund_amount).label("amount")
                  ).select_from(_refunds_with_orders()).where(
        _during(scope, refunds, "completed_time"), refund_rule(scope).is_(None)).subquery()
    back = _per_day(kept, func.count().label("n"), func.sum(kept.c.amount).label("amount"))
    s = order_settlements.c
    paid_out = select(_day(scope, s.settled_time), _units(s.settlement_amount).label("amount")
                      ).where(_during(scope, order_settlements, "settled_time")).subquery()
    settled = _per_day(paid_out, func.count().label("n"),
                       func.sum(paid_out.c.amount).label("amount"))
    days = select(D.day).where(D.wanted).subquery()
    every: Any = days
    for part in (*parts, back, settled):
        every = every.outerjoin(part, part.c.day == days.c.day)
    zero = literal(0)
    return select(
        _shop(scope), days.c.day, _currency(scope), func.coalesce(sales.c.n, zero),
        func.coalesce(unit_sum, zero), func.coalesce(sales.c.buyers, zero),
        func.coalesce(sales.c.gmv, zero), func.coalesce(back.c.n, zero),
        func.coalesce(back.c.amount, zero), func.coalesce(settled.c.n, zero),
        func.coalesce(settled.c.amount, zero), literal(scope.refreshed_at, UTCDateTime),
    ).select_from(every)


def exclusion_select(scope: Scope) -> Select[Any]:
    """``shop_daily_exclusions``: per wanted day and rule, the excluded orders (on their paid
    day, unpaid ones on their created day) and refunds (``refund_<rule>``), counted and
    summed."""
    rule, amount = order_rule().label("rule"), _units(ORD.sub_total).label("amount")
    paid = select(_day(scope, ORD.paid_time), rule, amount).where(
        _during(scope, orders, "paid_time", weeks=True))
    unpaid = select(_day(scope, ORD.create_time), rule, amount).where(
        _during(scope, orders, "create_time", weeks=True), ORD.paid_time.is_(None))
    back = select(_day(scope, REF.completed_time), refund_rule(scope).label("rule"),
                  _units(REF.refund_amount).label("amount")).select_from(
        _refunds_with_orders()).where(_during(scope, refunds, "completed_time"))
    rows = union_all(paid, unpaid, back).subquery()
    return (select(_shop(scope), rows.c.day, rows.c.rule, func.count(), _currency(scope),
                   func.sum(rows.c.amount))
            .select_from(rows.join(ROLLUP_DAYS, D.day == rows.c.day))
            .where(D.wanted, rows.c.rule.is_not(None)).group_by(rows.c.day, rows.c.rule))


def affiliate_select(scope: Scope) -> Select[Any]:
    """``affiliate_daily``: per wanted day, creator and content type, the lines' orders, units,
    GMV, commission (``analytics.clean.affiliate_commission``) and refunded units."""
    a = affiliate_order_lines.c
    actual, estimated = _units(a.actual_paid_commission), _units(a.estimated_paid_commission)
    commission = case(
        (or_(a.status.in_(scope.cancelled_line_statuses), a.refunded_quantity >= a.quantity),
         literal(0)),
        (and_(actual.is_not(None), actual != 0), actual),
        else_=func.coalesce(estimated, literal(0)))
    lines = select(_day(scope, a.create_time), a.creator_username,
                   func.coalesce(a.content_type, "").label("content_type"), a.currency,
                   a.order_id, a.quantity, (_units(a.price) * a.quantity).label("gmv"),
                   commission.label("commission"), a.refunded_quantity).where(
        _during(scope, affiliate_order_lines, "create_time")).subquery()
    c = lines.c
    return (select(_shop(scope), c.day, c.creator_username, c.content_type,
                   func.min(c.currency), func.count(distinct(c.order_id)), func.sum(c.quantity),
                   func.sum(c.gmv), func.sum(c.commission), func.sum(c.refunded_quantity))
            .select_from(lines.join(ROLLUP_DAYS, D.day == c.day)).where(D.wanted)
            .group_by(c.day, c.creator_username, c.content_type))


def week_buyer_select(scope: Scope) -> Select[Any]:
    """``shop_week_buyers``: distinct buyers of the sales of each week with a wanted day; a week
    whose sales carry no buyer id gets no row (its buyers are unknown, not 0)."""
    sold = select(_day(scope, ORD.paid_time), ORD.buyer_id).where(
        _during(scope, orders, "paid_time", weeks=True), is_sale()).subquery()
    sales = (select(D.week, func.count(distinct(sold.c.buyer_id)).label("buyers"),
                    func.count().label("n"))
             .select_from(sold.join(ROLLUP_DAYS, D.day == sold.c.day))
             .group_by(D.week).subquery())
    weeks = select(D.week).where(D.wanted).distinct().subquery()
    return (select(_shop(scope), weeks.c.week, func.coalesce(sales.c.buyers, literal(0)))
            .select_from(weeks.outerjoin(sales, sales.c.week == weeks.c.week))
            .where(or_(sales.c.n.is_(None), sales.c.buyers > 0)))


#: Each rollup table, its day (or week) column, the ``ROLLUP_DAYS`` column that says which of its
#: rows a span rewrites, and the select of their new rows.
ROLLUP_SELECTS: tuple[tuple[Table, Any, Any, Any], ...] = (
    (shop_daily, shop_daily.c.day, D.day, shop_day_select),
    (shop_daily_exclusions, shop_daily_exclusions.c.day, D.day, exclusion_select),
    (affiliate_daily, affiliate_daily.c.day, D.day, affiliate_select),
    (shop_week_buyers, shop_week_buyers.c.week_start, D.week, week_buyer_select),
)


def _shop(scope: Scope) -> ColumnElement[str]:
    return literal(scope.shop_id, ID)


def _currency(scope: Scope) -> ColumnElement[str]:
    return literal(scope.currency, shop_daily.c.currency.type)
