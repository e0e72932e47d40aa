"""From cleaned frames to rollup rows: the per-day sums of one store (or advertiser).

Pure functions over the frames ``jobs.warehouse.queries`` loads (money as int64 units); each
returns the list of row dicts to insert, with money as exact ``Decimal`` for the ``Money`` type.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from analytics.clean import affiliate_commission
from jobs.warehouse.types import from_money_units

Row = dict[str, Any]


def local_day(times: pd.Series, tz: str) -> pd.Series:
    """The local calendar date of each aware UTC time in zone ``tz``."""
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
    """One ``shop_daily`` row per day in ``days`` (zeros where nothing happened)."""
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
    """Rows excluded per (day, rule): orders on their paid day (unpaid: created day), refunds on
    their completion day under ``refund_<rule>``."""
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
    """``affiliate_daily`` rows: per (day, creator, content type) orders, units, GMV, commission."""
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


AD_COLUMNS = ("campaign_name", "currency", "impressions", "clicks", "conversions", "purchases",
              "video_views")


def ad_rollup_rows(advertiser_id: str, rows: pd.DataFrame) -> list[Row]:
    """``ad_daily`` rows per (day, campaign) from the campaign-level report rows (the level every
    ads KPI uses, as in ``analytics.daily.ad_rows``); "-" stays ``None``."""
    campaign = rows[rows["level"] == "campaign"]

    def value(v: Any) -> Any:
        return None if pd.isna(v) else int(v)

    return [
        {"advertiser_id": advertiser_id, "day": r["day"], "campaign_id": r["campaign_id"],
         **{c: (r[c] if c in ("campaign_name", "currency") else value(r[c])) for c in AD_COLUMNS},
         "spend": None if pd.isna(r["spend"]) else from_money_units(r["spend"]),
         "purchase_value": (None if pd.isna(r["purchase_value"])
                            else from_money_units(r["purchase_value"]))}
        for r in campaign.to_dict("records")
    ]
