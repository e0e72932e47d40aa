"""The series anomaly detection watches, built from daily metric rows and raw ad/affiliate rows.

Inputs: the long daily rows of ``analytics.daily`` (one currency per store), campaign-level
``ad_report_rows``, ``affiliate_order_lines`` with a local ``day`` column. Output: per metric a
frame ``key, day, value, volume, money_per_unit, currency`` ready for
``analytics.anomalies.detect_anomalies``. Values are in the series' own currency (money as float
amounts, not units); each series is one store, campaign or creator in its own context.

Daily store metrics: gross_gmv (volume orders), orders (money per order = that day's AOV),
cvr = orders / visitors (volume visitors, money per unit = visitors x AOV), spend, cpm
(volume impressions, money per unit = impressions / 1000), ctr (volume impressions, money per
unit = impressions x CPC), roas_platform (volume spend, money per unit = spend).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.money import MONEY_SCALE

__all__ = [
    "SERIES_COLUMNS", "campaign_series", "creator_weekly_series", "store_series",
]


_FACTOR = float(10**MONEY_SCALE)
SERIES_COLUMNS = ["key", "day", "value", "volume", "money_per_unit", "currency"]


def _wide(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per (store, day) with a column per metric (money as float amounts)."""
    money = daily["currency"] != ""
    values = daily["value"].astype(float).where(~money, daily["value"] / _FACTOR)
    wide = daily.assign(v=values).pivot_table(index=["shop_id", "day"], columns="metric",
                                              values="v", aggfunc="sum")
    currency = daily[money].groupby("shop_id")["currency"].first()
    wide = wide.reset_index()
    wide["currency"] = wide["shop_id"].map(currency).fillna("")
    return wide


def _col(wide: pd.DataFrame, name: str) -> pd.Series:
    return wide[name] if name in wide else pd.Series(np.nan, index=wide.index)


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a / b.where(b != 0)).astype(float)


def _frame(wide: pd.DataFrame, value: pd.Series, volume: pd.Series,
           per_unit: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({"key": wide["shop_id"], "day": wide["day"], "value": value,
                        "volume": volume, "money_per_unit": per_unit,
                        "currency": wide["currency"]})
    return out[out["value"].notna()].reset_index(drop=True)


def store_series(daily: pd.DataFrame, *, fill_zero_sales: bool = True) -> dict[str, pd.DataFrame]:
    """Daily per-store series for gross_gmv, orders, cvr, spend, cpm, ctr, roas_platform.

    ``fill_zero_sales``: a store-day that has other rows but no orders counts as 0 sales.
    """
    wide = _wide(daily)
    gmv, orders = _col(wide, "gross_gmv"), _col(wide, "orders")
    if fill_zero_sales:
        gmv, orders = gmv.fillna(0.0), orders.fillna(0.0)
    aov = _div(gmv, orders)
    visitors, spend = _col(wide, "visitors"), _col(wide, "spend")
    impressions, clicks = _col(wide, "impressions"), _col(wide, "clicks")
    one = pd.Series(1.0, index=wide.index)
    return {
        "gross_gmv": _frame(wide, gmv, orders, one),
        "orders": _frame(wide, orders, orders, aov),
        "cvr": _frame(wide, _div(orders, visitors), visitors, visitors * aov),
        "spend": _frame(wide, spend, impressions, one),
        "cpm": _frame(wide, 1000 * _div(spend, impressions), impressions, impressions / 1000),
        "ctr": _frame(wide, _div(clicks, impressions), impressions,
                      impressions * _div(spend, clicks)),
        "roas_platform": _frame(wide, _div(_col(wide, "purchase_value"), spend), spend, spend),
    }


def campaign_series(ad_report_rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Daily per-campaign series: spend, cpm, ctr (campaign-level rows; "-" stays missing)."""
    rows = ad_report_rows[ad_report_rows["level"] == "campaign"]
    agg = rows.groupby(["campaign_id", "day"]).agg(
        spend=("spend", lambda s: s.sum(min_count=1)),
        impressions=("impressions", lambda s: s.sum(min_count=1)),
        clicks=("clicks", lambda s: s.sum(min_count=1)),
        currency=("currency", "first")).reset_index()
    wide = agg.rename(columns={"campaign_id": "shop_id"})
    spend = wide["spend"].astype(float) / _FACTOR
    impressions, clicks = wide["impressions"].astype(float), wide["clicks"].astype(float)
    one = pd.Series(1.0, index=wide.index)
    return {
        "spend": _frame(wide, spend, impressions, one),
        "cpm": _frame(wide, 1000 * _div(spend, impressions), impressions, impressions / 1000),
        "ctr": _frame(wide, _div(clicks, impressions), impressions,
                      impressions * _div(spend, clicks)),
    }


def creator_weekly_series(affiliate_lines: pd.DataFrame) -> pd.DataFrame:
    """Weekly affiliate units per creator (``day`` = local Monday; needs a local ``day`` column).

    ``value`` and ``volume`` are units (judge with ``count=True``: most creators sell a few
    units a week, so a money series would be mostly zeros); ``money_per_unit`` is the week's
    average unit price, so money at stake is the GMV of the unusual units. Weeks without
    sales inside a creator's span are zeros.
    """
    days = pd.to_datetime(affiliate_lines["day"])
    monday = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date
    gmv = affiliate_lines["price"].astype(float) * affiliate_lines["quantity"] / _FACTOR
    frame = pd.DataFrame({"key": affiliate_lines["creator_username"], "day": monday,
                          "gmv": gmv, "units": affiliate_lines["quantity"],
                          "currency": affiliate_lines["currency"]})
    weekly = frame.groupby(["key", "day"]).agg(gmv=("gmv", "sum"), value=("units", "sum"),
                                               currency=("currency", "first")).reset_index()
    full = []
    for key, part in weekly.groupby("key"):
        span = pd.date_range(min(part["day"]), max(part["day"]), freq="7D").date
        filled = part.set_index("day").reindex(span)
        filled["key"], filled["currency"] = key, part["currency"].iloc[0]
        full.append(filled.fillna({"value": 0, "gmv": 0.0}).rename_axis("day").reset_index())
    out = pd.concat(full, ignore_index=True) if full else weekly
    out["value"] = out["value"].astype(float)
    out["volume"] = out["value"]
    out["money_per_unit"] = _div(out["gmv"], out["value"])
    return out[SERIES_COLUMNS]
