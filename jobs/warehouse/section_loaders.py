"""Loaders for the report's insight sections: traffic, content, creators, SKUs, stock, lines.

They are the rows behind ``jobs.warehouse.reads`` (the read API the report and the chat share);
callers outside the warehouse go through that module. Same conventions as
``jobs.warehouse.loaders`` (money as int64 units, times as UTC); every query is bounded by the
tenant's stores and a day or time range, through the tables' keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Table, false, select

from jobs.warehouse.loaders import _pick, frame, paid_order_ids
from jobs.warehouse.schema import (
    authorizations,
    contents,
    creator_snapshots,
    creators,
    order_lines,
    skus,
)

#: Usernames per ``IN (...)`` list.
NAME_CHUNK = 500


def load_shop_days(conn: Connection, table: Table, ids: Sequence[str], first: date,
                   last: date, *, key: str = "shop_id") -> pd.DataFrame:
    """Rows of a per-day table (traffic, content_daily, stock, rollups) for local days
    ``[first, last]`` of the stores (or advertisers, with ``key="advertiser_id"``)."""
    cols = list(table.c)
    stmt = select(*_pick(cols)).where(table.c[key].in_(list(ids)),
                                      table.c.day >= first, table.c.day <= last)
    return frame(conn, stmt, cols)


def load_shop_rows(conn: Connection, table: Table, shop_ids: Sequence[str]) -> pd.DataFrame:
    """All rows of a per-shop table (contents, skus) for the stores."""
    cols = list(table.c)
    stmt = select(*_pick(cols)).where(table.c.shop_id.in_(list(shop_ids)))
    return frame(conn, stmt, cols)


def load_contents(conn: Connection, shop_ids: Sequence[str]) -> pd.DataFrame:
    """Videos and LIVE sessions of the stores (hashtags as lists)."""
    data = load_shop_rows(conn, contents, shop_ids)
    if not data.empty:
        data["hashtags"] = data["hashtags"].map(lambda v: list(v or []))
    return data


def load_skus(conn: Connection, shop_ids: Sequence[str]) -> pd.DataFrame:
    """The stores' SKUs with stock on hand and lead time."""
    return load_shop_rows(conn, skus, shop_ids)


def _by_names(conn: Connection, table: Table, names: Sequence[str],
              *extra: ColumnElement[bool]) -> (
    pd.DataFrame
):
    cols = list(table.c)
    parts = []
    unique = sorted(set(names))
    for i in range(0, len(unique), NAME_CHUNK):
        stmt = select(*_pick(cols)).where(
            table.c.creator_username.in_(unique[i : i + NAME_CHUNK]), *extra)
        parts.append(frame(conn, stmt, cols))
    return pd.concat(parts, ignore_index=True) if parts else frame(
        conn, select(*_pick(cols)).where(false()), cols)


def load_creators(conn: Connection, usernames: Sequence[str]) -> pd.DataFrame:
    """Creator profiles (follower counts) for the given usernames."""
    return _by_names(conn, creators, usernames)


def load_creator_snapshots(conn: Connection, usernames: Sequence[str], first: date,
                           last: date) -> pd.DataFrame:
    """Daily follower counts of the creators over ``[first, last]``."""
    t = creator_snapshots
    return _by_names(conn, t, usernames, t.c.day >= first, t.c.day <= last)


def load_order_lines(conn: Connection, shop_id: str, start: datetime, end: datetime) -> (
    pd.DataFrame
):
    """Lines (sku, product, quantity, sale price) of the orders paid in ``[start, end)``."""
    cols = [order_lines.c[n] for n in ("shop_id", "order_id", "line_id", "product_id",
                                       "product_name", "sku_id", "quantity", "currency",
                                       "sale_price")]
    stmt = select(*_pick(cols)).where(order_lines.c.shop_id == shop_id,
                                      order_lines.c.order_id.in_(paid_order_ids(shop_id, start,
                                                                                end)))
    return frame(conn, stmt, cols)


def load_authorizations(conn: Connection, tenant_id: str) -> pd.DataFrame:
    """The tenant's shop and ads authorizations: subject, kind, status (for suggestions)."""
    stmt = select(authorizations.c.subject, authorizations.c.kind, authorizations.c.status,
                  authorizations.c.status_reason).where(authorizations.c.tenant_id == tenant_id)
    return frame(conn, stmt, [])
