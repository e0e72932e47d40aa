"""The reference for ``jobs.warehouse.rollups``: the shop rollups as computed in pandas.

This is the implementation the SQL refresh replaced (raw rows loaded into frames, cleaned by
``analytics.clean``, summed per local day), kept as the oracle the SQL version must equal to the
unit: ``refresh_with_pandas(conn, shop_id, days)`` writes ``shop_daily``,
``shop_daily_exclusions``, ``affiliate_daily`` and ``shop_week_buyers`` for ``days`` as the old
``refresh_rollups`` did.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete

from analytics.clean import (
    DEFAULT_RULES,
    CleaningRules,
    affiliate_commission,
    clean_orders,
    clean_refunds,
)
from analytics.weeks import local_midnight_utc
from jobs.warehouse import loaders as q
from jobs.warehouse.schema import (
    affiliate_daily,
    shop_daily,
    shop_daily_exclusions,
    shop_week_buyers,
)
from jobs.warehouse.types import from_money_units

Row = dict[str, Any]
#: Touched days closer than this were read together (as ``jobs.warehouse.rollups`` does).
SPAN_GAP_DAYS = 14


def refresh_with_pandas(conn: Connection, shop_id: str, days: Iterable[date], *,
                        rules: CleaningRules = DEFAULT_RULES) -> int:
    """Recompute the store's rollups for ``days`` in pandas; rollup rows written."""
    wanted = sorted(set(days))
    if not wanted:
        return 0
    info = q.shop_info(conn, shop_id)
    spans, group = [], [wanted[0]]
    for day in wanted[1:]:
        if (day - group[-1]).days > SPAN_GAP_DAYS:
            spans.append(group)
            group = []
        group.append(day)
    spans.append(group)
    return sum(_refresh_span(conn, shop_id, info, span, rules) for span in spans)


def _refresh_span(conn: Connection, shop_id: str, info: dict[str, str], days: list[date],
                  rules: CleaningRules) -> int:
    tz = info["timezone"]
    first, last = days[0], days[-1]
    start, end = local_midnight_utc(tz, first), local_midnight_utc(tz, last + timedelta(1))
    mondays = sorted({d - timedelta(d.weekday()) for d in days})
    week_start = local_midnight_utc(tz, mondays[0])
    week_end = local_midnight_utc(tz, mondays[-1] + timedelta(7))
    cleaned = clean_orders(q.load_orders(conn, shop_id, week_start, week_end), rules)
    units = q.load_order_units(conn, shop_id, start, end)
    refund_frame = q.load_refunds(conn, shop_id, start, end)
    refunds_clean = clean_refunds(refund_frame, clean_orders(_refund_orders(refund_frame), rules),
                                  rules)
    settlements = q.load_settlements(conn, shop_id, start, end)
    affiliate = q.load_affiliate_lines(conn, shop_id, start, end)
    keep = set(days)
    daily = shop_day_rows(shop_id, info, days, cleaned.valid, units, refunds_clean.valid,
                          settlements, datetime.now(UTC))
    excluded = [r for r in exclusion_rows(shop_id, info, cleaned.excluded, refunds_clean.excluded)
                if r["day"] in keep]
    creators = [r for r in affiliate_rows(shop_id, tz, affiliate) if r["day"] in keep]
    for table in (shop_daily, shop_daily_exclusions, affiliate_daily):
        conn.execute(delete(table).where(table.c.shop_id == shop_id, table.c.day.in_(days)))
    for table, rows in ((shop_daily, daily), (shop_daily_exclusions, excluded),
                        (affiliate_daily, creators)):
        if rows:
            conn.execute(table.insert(), rows)
    buyers = _write_week_buyers(conn, shop_id, tz, mondays, cleaned.valid)
    return len(daily) + len(excluded) + len(creators) + buyers


def _refund_orders(refund_frame: pd.DataFrame) -> pd.DataFrame:
    found = refund_frame[refund_frame["order_found"].notna()]
    data = {"shop_id": found["shop_id"], "order_id": found["order_id"],
            "currency": found["currency"], "sub_total": 0}
    for name in q.REFUND_ORDER_COLUMNS:
        data[name] = found[f"order_{name}"]
    return pd.DataFrame(data).drop_duplicates(["shop_id", "order_id"])


def _write_week_buyers(conn: Connection, shop_id: str, tz: str, mondays: list[date],
                       valid: pd.DataFrame) -> int:
    week_of = local_day(valid["paid_time"], tz).map(lambda d: d - timedelta(d.weekday()))
    counts = valid["buyer_id"].groupby(week_of).nunique() if len(valid) else {}
    orders = week_of.value_counts() if len(valid) else {}
    rows = [{"shop_id": shop_id, "week_start": m, "buyers": int(counts.get(m, 0))}
            for m in mondays if counts.get(m, 0) or not orders.get(m, 0)]
    conn.execute(delete(shop_week_buyers).where(shop_week_buyers.c.shop_id == shop_id,
                                                shop_week_buyers.c.week_start.in_(mondays)))
    if rows:
        conn.execute(shop_week_buyers.insert(), rows)
    return len(rows)


def local_day(times: pd.Series, tz: str) -> pd.Series:
    utc = pd.to_datetime(times, utc=True)
    return utc.dt.tz_convert(tz).dt.date


def _sum(frame: pd.DataFrame, by: pd.Series, column: str) -> dict[date, int]:
    if frame.empty:
        return {}
    return {k: int(v) for k, v in frame[column].groupby(by).sum().items()}


def _count(frame: pd.DataFrame, by: pd.Series) -> dict[date, int]:
    if frame.empty:
        return {}
    return {k: int(v) for k, v in frame.groupby(by).size().items()}


def shop_day_rows(shop_id: str, info: dict[str, str], days: list[date], valid: pd.DataFrame,
                  units: pd.Series, refunds: pd.DataFrame, settlements: pd.DataFrame,
                  now: datetime) -> list[Row]:
    tz = info["timezone"]
    paid_day = local_day(valid["paid_time"], tz)
    with_units = valid.assign(units=valid["order_id"].map(units).fillna(0).astype("int64"))
    buyers = ({} if valid.empty else
              {k: int(v) for k, v in valid["buyer_id"].groupby(paid_day).nunique().items()})
    refund_day = local_day(refunds["completed_time"], tz)
    settled_day = local_day(settlements["settled_time"], tz)
    orders_n, units_n = _count(valid, paid_day), _sum(with_units, paid_day, "units")
    gmv, refund_n = _sum(valid, paid_day, "sub_total"), _count(refunds, refund_day)
    refund_amt = _sum(refunds, refund_day, "refund_amount")
    settled_n = _count(settlements, settled_day)
    settled_amt = _sum(settlements, settled_day, "settlement_amount")
    return [
        {
            "shop_id": shop_id, "day": day, "currency": info["currency"],
            "orders": orders_n.get(day, 0), "units": units_n.get(day, 0),
            "buyers": buyers.get(day, 0), "gross_gmv": from_money_units(gmv.get(day, 0)),
            "refunds": refund_n.get(day, 0),
            "refund_amount": from_money_units(refund_amt.get(day, 0)),
            "settled_orders": settled_n.get(day, 0),
            "settled_revenue": from_money_units(settled_amt.get(day, 0)),
            "refreshed_at": now,
        }
        for day in days
    ]


def exclusion_rows(shop_id: str, info: dict[str, str], orders: pd.DataFrame,
                   refunds: pd.DataFrame) -> list[Row]:
    tz = info["timezone"]
    parts = []
    if not orders.empty:
        when = orders["paid_time"].fillna(orders["create_time"])
        parts.append(orders.assign(day=local_day(when, tz), amount=orders["sub_total"]))
    if not refunds.empty:
        parts.append(refunds.assign(day=local_day(refunds["completed_time"], tz),
                                    excluded_by="refund_" + refunds["excluded_by"].astype("str"),
                                    amount=refunds["refund_amount"]))
    rows: list[Row] = []
    for part in parts:
        grouped = part.groupby(["day", "excluded_by"])["amount"].agg(["size", "sum"])
        for (day, rule), (size, amount) in grouped.iterrows():
            rows.append({"shop_id": shop_id, "day": day, "rule": str(rule), "rows": int(size),
                         "currency": info["currency"], "amount": from_money_units(amount)})
    return rows


def affiliate_rows(shop_id: str, tz: str, lines: pd.DataFrame) -> list[Row]:
    if lines.empty:
        return []
    commission = affiliate_commission(lines)
    data = lines.assign(
        day=local_day(lines["create_time"], tz),
        content_type=lines["content_type"].fillna("").astype("str"),
        gmv=lines["price"].astype("int64") * lines["quantity"].astype("int64"),
        commission=commission.fillna(0).astype("int64"),
    )
    keys = ["day", "creator_username", "content_type"]
    grouped = data.groupby(keys).agg(
        currency=("currency", "first"), orders=("order_id", "nunique"), units=("quantity", "sum"),
        gmv=("gmv", "sum"), commission=("commission", "sum"),
        refunded_units=("refunded_quantity", "sum"),
    )
    return [
        {"shop_id": shop_id, "day": day, "creator_username": creator, "content_type": ctype,
         "currency": r.currency, "orders": int(r.orders), "units": int(r.units),
         "gmv": from_money_units(r.gmv), "commission": from_money_units(r.commission),
         "refunded_units": int(r.refunded_units)}
        for (day, creator, ctype), r in grouped.iterrows()
    ]
