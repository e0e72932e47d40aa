"""Thin loaders from the warehouse into the DataFrames ``analytics`` expects.

Every loader takes a connection, one store (or advertiser) and a half-open UTC range or an
inclusive range of local days, and returns warehouse column names with money as int64 units of
1e-4 (``MONEY_SCALE``; nullable money as ``Int64``) and points in time as tz-aware UTC. Queries go
through the (shop_id, time) indexes, so loading one store-week reads only that week's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Label,
    Select,
    Text,
    and_,
    bindparam,
    or_,
    select,
    type_coerce,
)

from jobs.warehouse.prepared import Prepared
from jobs.warehouse.schema import (
    affiliate_order_lines,
    order_lines,
    order_settlements,
    orders,
    refunds,
    shops,
)
from jobs.warehouse.types import Money, UTCDateTime

#: Order columns the cleaning rules and KPIs use (raw JSON and addresses are not loaded).
ORDER_COLUMNS = (
    "shop_id", "order_id", "status", "buyer_id", "create_time", "paid_time", "cancel_time",
    "is_sample", "is_replacement", "buyer_message", "recipient_name", "currency", "sub_total",
    "total_amount",
)
#: Columns of an order a refund's validity depends on (loaded with the refund).
REFUND_ORDER_COLUMNS = (
    "paid_time", "cancel_time", "is_sample", "is_replacement", "buyer_message", "recipient_name",
)


class UnknownShop(LookupError):
    """The shop is not in the warehouse ``shops`` table."""

    def __init__(self, shop_id: str) -> None:
        self.shop_id = shop_id
        super().__init__(f"shop {shop_id!r} is not in the warehouse; sync it or add it with "
                         "'tikpulse tenants' before computing its numbers")


_SHOP_INFO = Prepared(select(shops.c.name, shops.c.region, shops.c.currency, shops.c.timezone)
                     .where(shops.c.shop_id == bindparam("shop_id")))


def shop_info(conn: Connection, shop_id: str) -> dict[str, str]:
    """The shop's ``name``, ``region``, ``currency`` and ``timezone``; ``UnknownShop`` if absent."""
    found = _SHOP_INFO.rows(conn, {"shop_id": shop_id})
    row = found[0] if found else None
    if row is None:
        raise UnknownShop(shop_id)
    return dict(zip(("name", "region", "currency", "timezone"), row, strict=True))


def raw(column: Column[Any]) -> Label[Any]:
    """A column read without its Python type (money stays integer units, times stay as stored)."""
    return type_coerce(column, BigInteger).label(column.name)


def stored_time(column: Column[Any]) -> Label[Any]:
    """A time column as the driver returns it (SQLite: text; PostgreSQL: aware datetime), so
    pandas parses a whole column at once instead of Python converting row by row."""
    return type_coerce(column, Text).label(column.name)


def _pick(table_columns: Iterable[Column[Any]]) -> list[ColumnElement[Any]]:
    return [raw(c) if isinstance(c.type, Money) else
            stored_time(c) if isinstance(c.type, UTCDateTime) else c for c in table_columns]


def frame(conn: Connection, stmt: Select[Any], columns: Sequence[Column[Any] | str]) -> (
    pd.DataFrame
):
    """Run ``stmt`` into a DataFrame, typing money as int64 units and times as UTC."""
    result = conn.execute(stmt)
    keys = list(result.keys())
    rows = result.all()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(keys)
    data = pd.DataFrame({k: pd.Series(list(v), dtype=None if v else object)
                         for k, v in zip(keys, values, strict=True)})
    for col in columns:
        if isinstance(col, str):
            continue
        name = col.name
        if name not in data:
            continue
        if isinstance(col.type, UTCDateTime):
            data[name] = _utc(data[name])
        elif isinstance(col.type, Money):
            series = pd.to_numeric(data[name]).astype("Int64")
            data[name] = series.astype("int64") if not series.isna().any() else series
    return data


def _utc(values: pd.Series) -> pd.Series:
    """Stored times (SQLite text in UTC, or aware datetimes) as a UTC datetime column."""
    present = values.dropna()
    if len(present) and isinstance(present.iloc[0], str):
        return pd.to_datetime(values, utc=True, format="ISO8601")
    return pd.to_datetime(values, utc=True)


def _in_range(column: Column[Any], start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def load_orders(conn: Connection, shop_id: str, start: datetime, end: datetime) -> pd.DataFrame:
    """Orders paid in ``[start, end)``, and unpaid orders created in it (for the exclusions)."""
    cols = [orders.c[name] for name in ORDER_COLUMNS]
    stmt = select(*_pick(cols)).where(
        orders.c.shop_id == shop_id,
        or_(
            _in_range(orders.c.paid_time, start, end),
            and_(orders.c.paid_time.is_(None), _in_range(orders.c.create_time, start, end)),
        ),
    )
    return frame(conn, stmt, cols)


def paid_order_ids(shop_id: str, start: datetime, end: datetime) -> Select[Any]:
    """The ids of the store's orders paid in ``[start, end)``, as a subquery.

    Lines are fetched with ``order_id IN (this)`` so the database walks the paid-time index and
    then the lines' key; a join lets SQLite's planner scan every line of the shop instead.
    """
    return select(orders.c.order_id).where(orders.c.shop_id == shop_id,
                                           _in_range(orders.c.paid_time, start, end))


def load_order_units(conn: Connection, shop_id: str, start: datetime, end: datetime) -> pd.Series:
    """Units (Σ line quantity) per ``order_id`` of the orders paid in ``[start, end)``."""
    from sqlalchemy import func

    stmt = (
        select(order_lines.c.order_id, func.sum(order_lines.c.quantity).label("units"))
        .where(order_lines.c.shop_id == shop_id,
               order_lines.c.order_id.in_(paid_order_ids(shop_id, start, end)))
        .group_by(order_lines.c.order_id)
    )
    rows = conn.execute(stmt).all()
    return pd.Series({r.order_id: int(r.units) for r in rows}, dtype="int64", name="units")


def load_refunds(conn: Connection, shop_id: str, start: datetime, end: datetime) -> pd.DataFrame:
    """Refunds completed in ``[start, end)``, each with the columns of its order that decide
    whether the order is a sale (prefixed ``order_``; missing when the order is not stored)."""
    cols = [refunds.c[n] for n in ("shop_id", "refund_id", "order_id", "kind", "status",
                                   "create_time", "completed_time", "currency", "refund_amount")]
    order_cols = [orders.c[n].label(f"order_{n}") for n in REFUND_ORDER_COLUMNS]
    stmt = (
        select(*_pick(cols), orders.c.order_id.label("order_found"), *order_cols)
        .select_from(refunds.outerjoin(orders, and_(orders.c.shop_id == refunds.c.shop_id,
                                                    orders.c.order_id == refunds.c.order_id)))
        .where(refunds.c.shop_id == shop_id, _in_range(refunds.c.completed_time, start, end))
    )
    data = frame(conn, stmt, cols)
    for name in ("order_paid_time", "order_cancel_time"):
        data[name] = pd.to_datetime(data[name], utc=True)
    return data


def load_settlements(conn: Connection, shop_id: str, start: datetime, end: datetime) -> (
    pd.DataFrame
):
    """Order settlements settled in ``[start, end)``."""
    cols = list(order_settlements.c)
    stmt = select(*_pick(cols)).where(
        order_settlements.c.shop_id == shop_id,
        _in_range(order_settlements.c.settled_time, start, end),
    )
    return frame(conn, stmt, cols)


def load_affiliate_lines(conn: Connection, shop_id: str, start: datetime, end: datetime) -> (
    pd.DataFrame
):
    """Affiliate (creator) order lines created in ``[start, end)``."""
    cols = list(affiliate_order_lines.c)
    stmt = select(*_pick(cols)).where(
        affiliate_order_lines.c.shop_id == shop_id,
        _in_range(affiliate_order_lines.c.create_time, start, end),
    )
    return frame(conn, stmt, cols)


def load_days(conn: Connection, table: object, key: str, subject: str, first: date,
              last: date) -> pd.DataFrame:
    """Rows of a per-day table (rollups, traffic, ad rows) for one subject, days inclusive."""
    cols = list(table.c)  # type: ignore[attr-defined]
    stmt = select(*_pick(cols)).where(
        table.c[key] == subject, table.c.day >= first, table.c.day <= last  # type: ignore[attr-defined]
    )
    return frame(conn, stmt, cols)
