"""Stock: a sales forecast per SKU, days of cover, reorder point and a suggested order quantity.

Inputs: daily units sold per SKU (``daily_units`` builds them from sales-valid orders and their
lines), ``skus`` (stock, lead_time_days), optionally ``sku_stock_daily`` (days with zero stock are
left out of the demand history: a stock-out is not zero demand), the history's local days, the
service level and the review period (plain settings values).
Forecast: simple exponential smoothing of daily units; for intermittent demand (average interval
between selling days > ``INTERMITTENT_ADI``) Croston's method with the Syntetos-Boylan correction.
Safety stock = z(service level) x sd(daily units) x sqrt(lead time); reorder point = forecast x
lead time + safety stock; suggested quantity = reorder point + forecast x review days - stock,
rounded up (0 when stock is above the reorder point).
Output: ``StockPlan`` per SKU and ``stock_plans`` as a DataFrame (most urgent first).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
import pandas as pd

from analytics.clean import DEFAULT_RULES, CleaningRules, clean_orders
from analytics.weeks import local_days

__all__ = [
    "StockPlan", "croston_forecast", "daily_units", "is_intermittent", "plan_sku", "ses_forecast",
    "stock_plans",
]


#: Average demand interval (days) above which demand counts as intermittent (Syntetos-Boylan).
INTERMITTENT_ADI = 1.32
SES_ALPHA = 0.2
CROSTON_ALPHA = 0.1
DEFAULT_SERVICE_LEVEL = 0.95
DEFAULT_REVIEW_DAYS = 7
DEFAULT_LEAD_TIME_DAYS = 14


@dataclass(frozen=True)
class StockPlan:
    """What to do about one SKU's stock."""

    shop_id: str
    sku_id: str
    method: str  # ses | croston | none (no sales history)
    daily_forecast: float  # units per day
    stock: int
    days_of_cover: float | None  # None when nothing is expected to sell
    lead_time_days: int
    safety_stock: float
    reorder_point: float
    suggested_qty: int
    reorder_now: bool  # stock at or below the reorder point


def ses_forecast(values: Sequence[float], alpha: float = SES_ALPHA) -> float:
    """Simple exponential smoothing level after ``values`` (starts at the first week's mean)."""
    if not values:
        return 0.0
    level = float(np.mean(values[:7]))
    for y in values:
        level = alpha * y + (1 - alpha) * level
    return level


def croston_forecast(values: Sequence[float], alpha: float = CROSTON_ALPHA,
                     sba: bool = True) -> float:
    """Croston's demand rate (size / interval), with the Syntetos-Boylan bias correction."""
    size = interval = None
    since = 0
    for y in values:
        since += 1
        if y > 0:
            if size is None or interval is None:
                size, interval = float(y), float(since)
            else:
                size += alpha * (y - size)
                interval += alpha * (since - interval)
            since = 0
    if size is None or interval is None:
        return 0.0
    rate = size / interval
    return rate * (1 - alpha / 2) if sba else rate


def is_intermittent(values: Sequence[float]) -> bool:
    """Whether the average interval between selling days exceeds ``INTERMITTENT_ADI``."""
    selling = sum(1 for y in values if y > 0)
    return selling > 0 and len(values) / selling > INTERMITTENT_ADI


def plan_sku(shop_id: str, sku_id: str, history: Sequence[float], stock: int,
             lead_time_days: int, service_level: float = DEFAULT_SERVICE_LEVEL,
             review_days: int = DEFAULT_REVIEW_DAYS) -> StockPlan:
    """The stock plan of one SKU from its daily units (oldest first)."""
    if not any(y > 0 for y in history):
        method, rate = "none", 0.0
    elif is_intermittent(history):
        method, rate = "croston", croston_forecast(history)
    else:
        method, rate = "ses", ses_forecast(history)
    sd = float(np.std(history, ddof=1)) if len(history) > 1 else 0.0
    safety = NormalDist().inv_cdf(service_level) * sd * math.sqrt(lead_time_days)
    rop = rate * lead_time_days + safety
    need = rop + rate * review_days - stock if stock <= rop else 0.0
    return StockPlan(
        shop_id=shop_id, sku_id=sku_id, method=method, daily_forecast=rate, stock=stock,
        days_of_cover=stock / rate if rate > 0 else None, lead_time_days=lead_time_days,
        safety_stock=safety, reorder_point=rop, suggested_qty=max(0, math.ceil(need - 1e-9)),
        reorder_now=rate > 0 and stock <= rop)


def daily_units(orders: pd.DataFrame, order_lines: pd.DataFrame, shop_tz: Mapping[str, str],
                rules: CleaningRules = DEFAULT_RULES) -> pd.DataFrame:
    """Units sold per (shop_id, sku_id, local paid day) of sales-valid orders."""
    valid = clean_orders(orders, rules).valid
    valid = valid.assign(day=local_days(valid["paid_time"], valid["shop_id"], shop_tz))
    lines = order_lines.merge(valid[["shop_id", "order_id", "day"]], on=["shop_id", "order_id"])
    return lines.groupby(["shop_id", "sku_id", "day"])["quantity"].sum().rename(
        "units").reset_index()


def stock_plans(
    units: pd.DataFrame, skus: pd.DataFrame, days: Iterable[date], *,
    stock_daily: pd.DataFrame | None = None, service_level: float = DEFAULT_SERVICE_LEVEL,
    review_days: int = DEFAULT_REVIEW_DAYS, default_lead_time: int = DEFAULT_LEAD_TIME_DAYS,
) -> pd.DataFrame:
    """A ``StockPlan`` row per SKU in ``skus``; most urgent (fewest days of cover) first."""
    days = sorted(days)
    sold = units.set_index(["shop_id", "sku_id", "day"])["units"]
    out_of_stock: set[tuple[str, str, date]] = set()
    if stock_daily is not None:
        zero = stock_daily[stock_daily["stock"] <= 0]
        out_of_stock = set(zip(zero["shop_id"], zero["sku_id"], zero["day"], strict=True))
    plans = []
    for sku in skus.itertuples(index=False):
        key = (str(sku.shop_id), str(sku.sku_id))
        history = [float(sold.get((*key, d), 0)) for d in days if (*key, d) not in out_of_stock]
        lead = default_lead_time if pd.isna(sku.lead_time_days) else int(sku.lead_time_days)
        stock = 0 if pd.isna(sku.stock) else int(sku.stock)
        plans.append(asdict(plan_sku(*key, history, stock, lead, service_level, review_days)))
    frame = pd.DataFrame(plans, columns=list(StockPlan.__dataclass_fields__))
    cover = frame["days_of_cover"].astype(float).fillna(float("inf"))
    return frame.assign(_c=cover).sort_values(["_c", "sku_id"]).drop(columns="_c").reset_index(
        drop=True)
