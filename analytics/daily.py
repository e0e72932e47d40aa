"""Daily metric rows per store: the additive building blocks every weekly KPI is summed from.

Inputs: warehouse frames (orders, order_lines, refunds, order_settlements, ad_report_rows,
shop_traffic_daily, affiliate_order_lines), the shop -> IANA zone map, and for ads the
advertiser -> shop map (or a ``shop_id`` column on the ad rows). Output: a long frame
``shop_id, day, metric, currency, value`` (one row per store, local day, metric and currency;
``value`` int64: money units of 10**-4 for money metrics, plain counts otherwise; ``currency`` is
"" for counts). This is the shape of the warehouse rollups (shop x day x metric): recomputing a
touched day means calling this on that day's rows only.

Rows appear only where the source has data: a missing ads value ("-") adds no row, so a window
without any ``spend`` row has spend "not available", which is not zero spend.
Metrics (ids match ``analytics.catalog`` where they are catalog metrics): gross_gmv, orders, units
(by paid day of sales-valid orders); refunds (by completion day, ``clean_refunds``);
settled_revenue (by settled day); commission_cost (by affiliate order create day; actual paid
commission, else estimated); spend, impressions, clicks, purchases, purchase_value (campaign
level, by the advertiser's report day); visitors, page_views, traffic_buyers, traffic_gmv (shop
traffic channel ALL, or the sum of channels when ALL is absent) and paid_gmv (channel PAID).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analytics.clean import (
    DEFAULT_RULES,
    CleaningRules,
    affiliate_commission,
    clean_orders,
    clean_refunds,
)
from analytics.weeks import local_days

__all__ = [
    "COLUMNS", "MONEY_METRICS", "ad_rows", "commission_rows", "daily_metrics", "order_rows",
    "refund_rows", "settlement_rows", "traffic_rows",
]


COLUMNS = ["shop_id", "day", "metric", "currency", "value"]
MONEY_METRICS: frozenset[str] = frozenset(
    {"gross_gmv", "refunds", "settled_revenue", "commission_cost", "spend", "purchase_value",
     "traffic_gmv", "paid_gmv"}
)
AD_METRICS: tuple[str, ...] = ("spend", "impressions", "clicks", "purchases", "purchase_value")


def _long(frame: pd.DataFrame, metric: str, column: str, currency: bool) -> pd.DataFrame:
    """Sum ``column`` per (shop, day[, currency]) into long rows, skipping missing values.

    An absent column is treated like an all-missing one (the source does not report it).
    """
    if column not in frame:
        return pd.DataFrame(columns=COLUMNS)
    part = frame[frame[column].notna()]
    if part.empty:
        return pd.DataFrame(columns=COLUMNS)
    if pd.api.types.is_datetime64_any_dtype(part["day"]):
        part = part.assign(day=part["day"].dt.date)
    keys = ["shop_id", "day", "currency"] if currency else ["shop_id", "day"]
    values = pd.to_numeric(part[column]).astype("int64")
    sums = values.groupby([part[k] for k in keys], sort=True).sum().reset_index(name="value")
    if not currency:
        sums["currency"] = ""
    sums["metric"] = metric
    return sums[COLUMNS]


def order_rows(
    orders: pd.DataFrame, order_lines: pd.DataFrame | None, shop_tz: Mapping[str, str],
    rules: CleaningRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """gross_gmv, orders and units of sales-valid orders, by local paid day."""
    valid = clean_orders(orders, rules).valid
    valid = valid.assign(day=local_days(valid["paid_time"], valid["shop_id"], shop_tz), one=1)
    parts = [_long(valid, "gross_gmv", "sub_total", True), _long(valid, "orders", "one", False)]
    if order_lines is not None:
        qty = order_lines.groupby(["shop_id", "order_id"])["quantity"].sum().rename("units")
        with_units = valid.join(qty, on=["shop_id", "order_id"])
        parts.append(_long(with_units.assign(units=with_units["units"].fillna(0)), "units",
                           "units", False))
    return _concat(parts)


def refund_rows(
    refunds: pd.DataFrame, orders: pd.DataFrame, shop_tz: Mapping[str, str],
    rules: CleaningRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """refunds (money) of completed refunds of sales-valid orders, by local completion day."""
    valid = clean_refunds(refunds, clean_orders(orders, rules), rules).valid
    valid = valid.assign(day=local_days(valid["completed_time"], valid["shop_id"], shop_tz))
    return _long(valid, "refunds", "refund_amount", True)


def settlement_rows(settlements: pd.DataFrame, shop_tz: Mapping[str, str]) -> pd.DataFrame:
    """settled_revenue (settlement_amount) by local settled day."""
    done = settlements[settlements["settled_time"].notna()]
    done = done.assign(day=local_days(done["settled_time"], done["shop_id"], shop_tz))
    return _long(done, "settled_revenue", "settlement_amount", True)


def commission_rows(affiliate_lines: pd.DataFrame, shop_tz: Mapping[str, str]) -> pd.DataFrame:
    """commission_cost: actual paid commission, else the estimate, by local order create day."""
    lines = affiliate_lines.assign(
        day=local_days(affiliate_lines["create_time"], affiliate_lines["shop_id"], shop_tz),
        commission=affiliate_commission(affiliate_lines),
    )
    return _long(lines, "commission_cost", "commission", True)


def ad_rows(
    ad_report_rows: pd.DataFrame, advertiser_shop: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Ads totals from campaign-level rows; ``None``/NaN ("-") values add no row."""
    rows = ad_report_rows[ad_report_rows["level"] == "campaign"]
    if "shop_id" not in rows or advertiser_shop is not None:
        mapping = dict(advertiser_shop or {})
        unknown = set(rows["advertiser_id"]) - set(mapping)
        if unknown:
            raise KeyError(f"advertisers without a shop: {sorted(unknown)}")
        rows = rows.assign(shop_id=rows["advertiser_id"].map(mapping))
    parts = [_long(rows, m, m, m in MONEY_METRICS) for m in AD_METRICS]
    return _concat(parts)


def traffic_rows(traffic: pd.DataFrame) -> pd.DataFrame:
    """Shop traffic totals (channel ALL, else the sum of channels) and the PAID channel's GMV."""
    overall = traffic[traffic["channel"] == "ALL"]
    has_all = set(zip(overall["shop_id"], overall["day"], strict=True))
    rest = traffic[traffic["channel"] != "ALL"]
    keys = pd.Series(list(zip(rest["shop_id"], rest["day"], strict=True)), index=rest.index)
    fallback = rest[~keys.isin(has_all)] if len(rest) else rest
    total = pd.concat([overall, fallback])
    paid = traffic[traffic["channel"] == "PAID"]
    return _concat([
        _long(total, "visitors", "visitors", False),
        _long(total, "page_views", "page_views", False),
        _long(total, "traffic_buyers", "buyers", False),
        _long(total, "traffic_gmv", "gmv", True),
        _long(paid, "paid_gmv", "gmv", True),
    ])


def daily_metrics(
    *, shop_tz: Mapping[str, str], orders: pd.DataFrame | None = None,
    order_lines: pd.DataFrame | None = None, refunds: pd.DataFrame | None = None,
    settlements: pd.DataFrame | None = None, ad_report_rows: pd.DataFrame | None = None,
    advertiser_shop: Mapping[str, str] | None = None, traffic: pd.DataFrame | None = None,
    affiliate_lines: pd.DataFrame | None = None, rules: CleaningRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """All daily metric rows from whichever sources are given (see the module docstring)."""
    parts = []
    if orders is not None:
        parts.append(order_rows(orders, order_lines, shop_tz, rules))
        if refunds is not None:
            parts.append(refund_rows(refunds, orders, shop_tz, rules))
    if settlements is not None:
        parts.append(settlement_rows(settlements, shop_tz))
    if affiliate_lines is not None:
        parts.append(commission_rows(affiliate_lines, shop_tz))
    if ad_report_rows is not None:
        parts.append(ad_rows(ad_report_rows, advertiser_shop))
    if traffic is not None:
        parts.append(traffic_rows(traffic))
    return _concat(parts)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "value" else object)
                             for c in COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].astype("int64")
    return out
