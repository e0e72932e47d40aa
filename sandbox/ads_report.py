"""``GET /report/integrated/get/``: a BASIC synchronous report over the daily ad rows.

Parameters as on the real API: ``dimensions``/``metrics`` as JSON-array strings (repeated query
parameters, as the official SDK sends them, are accepted too), ``start_date``/``end_date``
inclusive in the advertiser's time zone, at most 30 days with ``stat_time_day``, ``page`` >= 1,
``page_size`` 1-1000. Metric values are strings; ``"-"`` where a ratio has no denominator.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from sandbox import codes
from sandbox.ads import matured
from sandbox.ads_gate import AdsError
from sandbox.columns import span_of
from sandbox.index import index_of
from sandbox.regions import to_decimal
from sandbox.state import SandboxState
from sandbox.web import Request

MAX_DAYS_WITH_DAY_DIMENSION = 30
MAX_DAYS = 365
MAX_PAGE_SIZE = 1000
LEVEL_IDS = {
    "AUCTION_ADVERTISER": "advertiser_id",
    "AUCTION_CAMPAIGN": "campaign_id",
    "AUCTION_ADGROUP": "adgroup_id",
    "AUCTION_AD": "ad_id",
}
SUMS = (
    "spend",
    "impressions",
    "clicks",
    "reach",
    "conversion_served",
    "value_served",
    "video_play_actions",
)
COUNT_METRICS = {
    "impressions": "impressions",
    "clicks": "clicks",
    "reach": "reach",
    "conversion": "conversion_served",
    "complete_payment": "conversion_served",
    "onsite_shopping": "conversion_served",
    "video_play_actions": "video_play_actions",
}
VIDEO_SHARES = {
    "video_watched_2s": 0.55,
    "video_watched_6s": 0.3,
    "video_views_p25": 0.4,
    "video_views_p50": 0.25,
    "video_views_p75": 0.15,
    "video_views_p100": 0.08,
    "likes": 0.03,
    "comments": 0.004,
    "shares": 0.003,
    "follows": 0.002,
}
RATIO_METRICS = (
    "ctr",
    "cpc",
    "cpm",
    "cost_per_conversion",
    "complete_payment_roas",
    "total_complete_payment_rate",
    "conversion_rate",
    "total_onsite_shopping_value",
    "spend",
)
ATTRIBUTES = (
    "campaign_name",
    "campaign_id",
    "objective_type",
    "adgroup_id",
    "adgroup_name",
    "ad_name",
    "advertiser_name",
    "currency",
)
KNOWN_METRICS = (
    frozenset(COUNT_METRICS)
    | frozenset(VIDEO_SHARES)
    | frozenset(RATIO_METRICS)
    | frozenset(ATTRIBUTES)
)


def list_param(req: Request, name: str) -> list[str]:
    """A list parameter sent as a JSON-array string or as repeated query parameters."""
    values = req.query.get(name, [])
    if len(values) == 1 and values[0].strip().startswith("["):
        try:
            parsed = json.loads(values[0])
        except ValueError as exc:
            raise AdsError(codes.ADS_BAD_PARAMS, f"{name} is not a valid JSON array") from exc
        return [str(v) for v in parsed]
    return [v for v in values if v]


def report(state: SandboxState, req: Request, seller_idx: int) -> dict[str, Any]:
    """The report data: ``list`` of rows and ``page_info``."""
    adv_row = _advertiser(state, req, seller_idx)
    if (req.param("report_type") or "") != "BASIC":
        raise AdsError(codes.ADS_BAD_PARAMS, "report_type: only BASIC is supported")
    level = req.param("data_level") or ""
    if level not in LEVEL_IDS:
        raise AdsError(codes.ADS_BAD_PARAMS, f"data_level must be one of {sorted(LEVEL_IDS)}")
    dims = list_param(req, "dimensions")
    if not dims or set(dims) - {LEVEL_IDS[level], "stat_time_day"}:
        raise AdsError(
            codes.ADS_BAD_PARAMS, f"dimensions for {level}: {LEVEL_IDS[level]} and/or stat_time_day"
        )
    metrics = list_param(req, "metrics") or ["spend", "impressions"]
    unknown = set(metrics) - KNOWN_METRICS
    if unknown:
        raise AdsError(codes.ADS_BAD_PARAMS, f"unknown metrics: {sorted(unknown)}")
    first, last = _date_range(state, req, "stat_time_day" in dims)
    page_no, size = _paging(req)
    filters = _filters(req)
    query = (adv_row, level, tuple(dims), first, last,
             tuple(sorted((k, tuple(sorted(v))) for k, v in filters.items())))
    frame = state.cached(  # a report is paged: group once per query (until the clock moves)
        ("ads_report", query), lambda: _grouped(state, adv_row, level, dims, first, last, filters)
    )
    total = len(frame)
    chunk = frame.iloc[(page_no - 1) * size : page_no * size]
    rows = [_row(state, adv_row, level, dims, metrics, r) for r in chunk.itertuples(index=False)]
    return {
        "list": rows,
        "page_info": {
            "page": page_no,
            "page_size": size,
            "total_number": total,
            "total_page": (total + size - 1) // size,
        },
    }


def _advertiser(state: SandboxState, req: Request, seller_idx: int) -> int:
    adv_id = req.param("advertiser_id")
    if not adv_id:
        raise AdsError(codes.ADS_BAD_PARAMS, "advertiser_id is required")
    advs = state.dataset.advertisers
    match = np.flatnonzero(advs["advertiser_id"].to_numpy() == adv_id)
    if match.size == 0:
        raise AdsError(codes.ADS_NO_ADVERTISER)
    row = int(match[0])
    if int(state.dataset.shops["seller_idx"][advs["shop_idx"][row]]) != seller_idx:
        raise AdsError(codes.ADS_NO_PERMISSION)
    return row


def _date_range(state: SandboxState, req: Request, by_day: bool) -> tuple[int, int]:
    try:
        start = date.fromisoformat(req.param("start_date") or "")
        end = date.fromisoformat(req.param("end_date") or "")
    except ValueError as exc:
        raise AdsError(codes.ADS_BAD_PARAMS, "start_date and end_date must be YYYY-MM-DD") from exc
    if end < start:
        raise AdsError(codes.ADS_BAD_PARAMS, "end_date must not be before start_date")
    limit = MAX_DAYS_WITH_DAY_DIMENSION if by_day else MAX_DAYS
    if (end - start).days + 1 > limit:
        raise AdsError(codes.ADS_BAD_PARAMS, f"The date range must not exceed {limit} days.")
    origin = state.dataset.start
    return (start - origin).days, (end - origin).days


def _paging(req: Request) -> tuple[int, int]:
    try:
        page_no, size = int(req.param("page") or 1), int(req.param("page_size") or 10)
    except ValueError as exc:
        raise AdsError(codes.ADS_BAD_PARAMS, "page and page_size must be integers") from exc
    if page_no < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise AdsError(codes.ADS_BAD_PARAMS, f"page must be >= 1 and page_size 1-{MAX_PAGE_SIZE}")
    return page_no, size


FILTER_FIELDS = {
    "campaign_ids": ("campaigns", "campaign_id", "campaign_row"),
    "ad_ids": ("ads", "ad_id", "ad_row"),
}


def _filters(req: Request) -> dict[str, set[str]]:
    """``filtering``: a JSON array of ``{field_name, filter_type: "IN", filter_value}`` on
    ``campaign_ids`` or ``ad_ids`` (``filter_value`` a JSON-array string or an array)."""
    raw = req.param("filtering")
    if not raw:
        return {}
    try:
        items = json.loads(raw)
        items = items if isinstance(items, list) else [items]
        out = {}
        for item in items:
            value = item["filter_value"]
            values = json.loads(value) if isinstance(value, str) else value
            if item["field_name"] not in FILTER_FIELDS or item.get("filter_type", "IN") != "IN":
                raise ValueError(item["field_name"])
            out[item["field_name"]] = {str(v) for v in values}
        return out
    except (ValueError, KeyError, TypeError) as exc:
        raise AdsError(codes.ADS_BAD_PARAMS, f"unsupported filtering: {exc}") from exc


def _grouped(
    state: SandboxState,
    adv_row: int,
    level: str,
    dims: list[str],
    first: int,
    last: int,
    filters: dict[str, set[str]],
) -> pd.DataFrame:
    ds = state.dataset
    rows = ds.ad_rows
    lo, hi = span_of(rows["advertiser_row"].to_numpy(), adv_row)
    sub = rows.iloc[lo:hi]
    for field_name, wanted in filters.items():
        table, id_col, row_col = FILTER_FIELDS[field_name]
        ids = getattr(ds, table)[id_col].to_numpy()[sub[row_col].to_numpy()]
        sub = sub[np.isin(ids, list(wanted))]
    clock_day = state.clock_day()
    sub = sub[(sub["day_idx"] >= first) & (sub["day_idx"] <= min(last, clock_day - 1))].copy()
    lag = clock_day - 1 - sub["day_idx"].to_numpy()  # recent days' conversions are still maturing
    sub["conversion_served"] = matured(sub["conversion"].to_numpy(), lag)
    sub["value_served"] = matured(sub["value"].to_numpy(), lag)
    keys = {
        "AUCTION_ADVERTISER": "advertiser_row",
        "AUCTION_CAMPAIGN": "campaign_row",
        "AUCTION_ADGROUP": "campaign_row",
        "AUCTION_AD": "ad_row",
    }
    by = (["day_idx"] if "stat_time_day" in dims else []) + [keys[level]]
    return sub.groupby(by, as_index=False)[list(SUMS)].sum().sort_values(by, ignore_index=True)


def _row(
    state: SandboxState, adv_row: int, level: str, dims: list[str], metrics: list[str], r: Any
) -> dict[str, Any]:
    ds = state.dataset
    shop = index_of(ds).shops[int(index_of(ds).advertisers["shop_idx"][adv_row])]
    exp = int(shop["exponent"])
    dimensions: dict[str, Any] = {}
    if "stat_time_day" in dims:
        dimensions["stat_time_day"] = f"{ds.start + timedelta(days=int(r.day_idx))} 00:00:00"
    ids = _ids(ds, adv_row, level, r)
    dimensions[LEVEL_IDS[level]] = ids[LEVEL_IDS[level]]
    values = {m: _metric(m, r, exp, ids) for m in metrics}
    return {"dimensions": dimensions, "metrics": values}


def _ids(ds: Any, adv_row: int, level: str, r: Any) -> dict[str, str]:
    adv, campaigns, ads = index_of(ds).advertisers, index_of(ds).campaigns, index_of(ds).ads
    out = {
        "advertiser_id": str(adv["advertiser_id"][adv_row]),
        "advertiser_name": str(adv["name"][adv_row]),
        "currency": str(adv["currency"][adv_row]),
    }
    if level in ("AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD"):
        camp = int(r.campaign_row) if level != "AUCTION_AD" else int(ads["campaign_row"][r.ad_row])
        cid = str(campaigns["campaign_id"][camp])
        out.update(
            campaign_id=cid,
            campaign_name=str(campaigns["campaign_name"][camp]),
            objective_type=str(campaigns["objective_type"][camp]),
            adgroup_id=str(int(cid) + 5),
            adgroup_name=f"Ad group of {campaigns['campaign_name'][camp]}",
        )
    if level == "AUCTION_AD":
        out.update(ad_id=str(ads["ad_id"][r.ad_row]), ad_name=str(ads["ad_name"][r.ad_row]))
    return out


def _metric(name: str, r: Any, exp: int, ids: dict[str, str]) -> str:
    if name in ATTRIBUTES:
        return ids.get(name, "-")
    if name in COUNT_METRICS:
        return str(int(getattr(r, COUNT_METRICS[name])))
    if name in VIDEO_SHARES:
        return str(int(r.video_play_actions * VIDEO_SHARES[name]))
    spend, value = to_decimal(r.spend, exp), to_decimal(r.value_served, exp)
    money = Decimal(1).scaleb(-exp)
    ratios = {
        "spend": (spend, Decimal(1), money),
        "total_onsite_shopping_value": (value, Decimal(1), money),
        "ctr": (Decimal(int(r.clicks)) * 100, Decimal(int(r.impressions)), Decimal("0.01")),
        "cpc": (spend, Decimal(int(r.clicks)), money),
        "cpm": (spend * 1000, Decimal(int(r.impressions)), money),
        "cost_per_conversion": (spend, Decimal(int(r.conversion_served)), money),
        "complete_payment_roas": (value, spend, Decimal("0.01")),
        "total_complete_payment_rate": (
            Decimal(int(r.conversion_served)) * 100,
            Decimal(int(r.clicks)),
            Decimal("0.01"),
        ),
        "conversion_rate": (
            Decimal(int(r.conversion_served)) * 100,
            Decimal(int(r.clicks)),
            Decimal("0.01"),
        ),
    }
    top, bottom, quantum = ratios[name]
    if bottom == 0:
        return "-"
    return str((top / bottom).quantize(quantum, rounding=ROUND_HALF_UP))
