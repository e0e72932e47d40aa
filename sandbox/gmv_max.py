"""``GET /open_api/v1.3/gmv_max/report/get/``: the GMV Max view of an advertiser's shop [S].

``store_ids`` must name exactly one shop linked to the advertiser. ``cost`` is the spend of the
advertiser's PRODUCT_SALES campaigns; ``orders``/``gross_revenue`` count every sales-valid order
(organic and affiliate too) that contains a promoted product (the shop's best-selling quarter of
SKUs), so ``roi = gross_revenue / cost`` is an upper bound, not incremental, as on the platform.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from sandbox import codes
from sandbox.ads_gate import AdsError
from sandbox.ads_report import MAX_DAYS_WITH_DAY_DIMENSION, _advertiser, _paging, list_param
from sandbox.lifecycle import happened
from sandbox.orders import KIND_NORMAL
from sandbox.regions import money_str, to_decimal
from sandbox.state import SandboxState
from sandbox.truth import local_day_index
from sandbox.web import Request

METRICS = ("cost", "net_cost", "orders", "cost_per_order", "gross_revenue", "roi")
PROMOTED_SHARE = 0.25


def gmv_max_report(state: SandboxState, req: Request, seller_idx: int) -> dict[str, Any]:
    """Daily (or whole-range) GMV Max rows for one advertiser and its store."""
    adv_row = _advertiser(state, req, seller_idx)
    ds = state.dataset
    shop_idx = int(ds.advertisers["shop_idx"][adv_row])
    if list_param(req, "store_ids") != [str(ds.shops["shop_id"][shop_idx])]:
        raise AdsError(codes.ADS_BAD_PARAMS, "store_ids must hold exactly the advertiser's store")
    dims = list_param(req, "dimensions") or ["stat_time_day"]
    metrics = list_param(req, "metrics") or list(METRICS)
    if set(dims) - {"stat_time_day", "advertiser_id"} or set(metrics) - set(METRICS):
        raise AdsError(codes.ADS_BAD_PARAMS, f"dimensions: stat_time_day; metrics: {METRICS}")
    first, last = _range(state, req)
    daily = state.cached(("gmv_max", adv_row), lambda: _daily(state, adv_row, shop_idx))
    part = daily.iloc[first : min(last, state.clock_day() - 1) + 1]
    if "stat_time_day" not in dims:
        part = part.sum().to_frame().T.assign(day=first)
    page_no, size = _paging(req)
    exp = int(ds.shops["exponent"][shop_idx])
    rows = [
        _row(ds, r, dims, metrics, exp, adv_row)
        for r in part.iloc[(page_no - 1) * size : page_no * size].itertuples()
    ]
    total = len(part)
    return {
        "list": rows,
        "page_info": {
            "page": page_no,
            "page_size": size,
            "total_number": total,
            "total_page": (total + size - 1) // size,
        },
    }


def _range(state: SandboxState, req: Request) -> tuple[int, int]:
    try:
        start = date.fromisoformat(req.param("start_date") or "")
        end = date.fromisoformat(req.param("end_date") or "")
    except ValueError as exc:
        raise AdsError(codes.ADS_BAD_PARAMS, "start_date and end_date must be YYYY-MM-DD") from exc
    if end < start or (end - start).days + 1 > MAX_DAYS_WITH_DAY_DIMENSION:
        raise AdsError(codes.ADS_BAD_PARAMS, "The date range must be 1 to 30 days.")
    origin = state.dataset.start
    return max(0, (start - origin).days), (end - origin).days


def _daily(state: SandboxState, adv_row: int, shop_idx: int) -> pd.DataFrame:
    ds = state.dataset
    n_days = ds.config.days
    rows = ds.ad_rows[ds.ad_rows["advertiser_row"].to_numpy() == adv_row]
    sales_camp = ds.campaigns["objective_type"].to_numpy()[rows["campaign_row"].to_numpy()]
    rows = rows[sales_camp == "PRODUCT_SALES"]
    cost = np.bincount(rows["day_idx"], weights=rows["spend"], minlength=n_days)
    span = ds.shop_orders(shop_idx)
    o = ds.orders.iloc[span]
    paid = o["paid_time"].to_numpy()
    valid = (o["kind"].to_numpy() == KIND_NORMAL) & happened(paid, state.as_of(shop_idx))
    valid &= _has_promoted_line(ds, span, shop_idx)
    day = local_day_index(paid[valid], np.full(int(valid.sum()), shop_idx), ds.midnights)
    keep = (day >= 0) & (day < n_days)
    revenue = np.bincount(
        day[keep], weights=o["sub_total"].to_numpy()[valid][keep], minlength=n_days
    )
    return pd.DataFrame(
        {
            "day": np.arange(n_days),
            "cost": np.rint(cost).astype(np.int64),
            "orders": np.bincount(day[keep], minlength=n_days),
            "revenue": np.rint(revenue).astype(np.int64),
        }
    )


def _has_promoted_line(ds: Any, span: slice, shop_idx: int) -> np.ndarray:
    """Per order of the shop: holds at least one promoted SKU (top quarter by popularity)."""
    skus = ds.skus
    mine = skus["shop_idx"].to_numpy() == shop_idx
    cut = np.quantile(skus["weight"].to_numpy()[mine], 1 - PROMOTED_SHARE)
    promoted = mine & (skus["weight"].to_numpy() >= cut)
    o = ds.orders
    first = int(o["line_start"].iat[span.start])
    last = int(o["line_start"].iat[span.stop - 1] + o["n_lines"].iat[span.stop - 1])
    hit = promoted[ds.lines["sku_row"].to_numpy()[first:last]]
    local_order = ds.lines["order_row"].to_numpy()[first:last] - span.start
    return np.bincount(local_order[hit], minlength=span.stop - span.start) > 0


def _row(
    ds: Any, r: Any, dims: list[str], metrics: list[str], exp: int, adv_row: int
) -> dict[str, Any]:
    dimensions: dict[str, str] = {}
    if "stat_time_day" in dims:
        dimensions["stat_time_day"] = f"{ds.start + timedelta(days=int(r.day))} 00:00:00"
    if "advertiser_id" in dims:
        dimensions["advertiser_id"] = str(ds.advertisers["advertiser_id"][adv_row])
    cost, revenue, orders = int(r.cost), int(r.revenue), int(r.orders)
    money = Decimal(1).scaleb(-exp)
    values = {
        "cost": money_str(cost, exp),
        "net_cost": money_str(cost, exp),
        "orders": str(orders),
        "gross_revenue": money_str(revenue, exp),
        "cost_per_order": "-"
        if not orders
        else str((to_decimal(cost, exp) / orders).quantize(money, rounding=ROUND_HALF_UP)),
        "roi": "-"
        if not cost
        else str(
            (Decimal(revenue) / Decimal(cost)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        ),
    }
    return {"dimensions": dimensions, "metrics": {m: values[m] for m in metrics}}
