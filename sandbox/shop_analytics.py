"""Shop API analytics: ``GET /analytics/202405/shop/performance`` (daily or whole-range intervals
with LIVE / VIDEO / PRODUCT_CARD breakdowns) and content performance
(``GET /analytics/202409/shop_videos/performance``, and ``.../shop_lives/performance`` [I]).

Shop performance counts sales-valid orders by their local order (creation) date, like Seller
Center; ``refunds`` by the local day the refund completed; ``buyers`` are distinct ``user_id``s.
Content objects also carry the sandbox's content features (``hook_seconds``, ``music_trending``,
``hashtag_count``) that drive their performance [I: not in the real API].
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from sandbox.aftersales import CANCEL, REJECTED
from sandbox.index import index_of
from sandbox.lifecycle import happened
from sandbox.orders import CHANNELS, KIND_NORMAL
from sandbox.paging import query_key
from sandbox.regions import USD_PER_UNIT, money_str, to_decimal
from sandbox.shop_api import paged
from sandbox.shop_gate import BadRequest, ShopContext, signed
from sandbox.state import SandboxState
from sandbox.truth import local_day_index
from sandbox.web import Request, Router

CHANNEL_VIEW_SHARE = np.array([0.3, 0.4, 0.3])
MAX_RANGE_DAYS = 365


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the analytics endpoints."""
    router.add(
        "GET",
        "/analytics/202405/shop/performance",
        signed(state, lambda r, c: _performance(state, r, c)),
    )
    router.add(
        "GET",
        "/analytics/202409/shop_videos/performance",
        signed(state, lambda r, c: _content(state, r, c, live=False)),
    )
    router.add(
        "GET",
        "/analytics/202409/shop_lives/performance",
        signed(state, lambda r, c: _content(state, r, c, live=True)),
    )


def _dates(state: SandboxState, req: Request) -> tuple[int, int]:
    try:
        first = date.fromisoformat(req.param("start_date_ge") or "")
        end = date.fromisoformat(req.param("end_date_lt") or "")
    except ValueError as exc:
        raise BadRequest("start_date_ge and end_date_lt must be YYYY-MM-DD") from exc
    if not first < end or (end - first).days > MAX_RANGE_DAYS:
        raise BadRequest(f"need start_date_ge < end_date_lt, at most {MAX_RANGE_DAYS} days apart")
    origin, clock = state.dataset.start, state.clock_day()
    lo = min(max(0, (first - origin).days), clock)  # a range outside the data set is empty
    return lo, max(lo, min(clock, (end - origin).days))


def shop_sales(state: SandboxState, shop_idx: int) -> dict[str, np.ndarray]:
    """Sales-valid paid orders of a shop as columns (local order day, channel, GMV, units, buyer),
    in order of their day (a shop's orders are sorted by creation), so a range is a slice."""
    o, span = index_of(state.dataset).orders, state.dataset.shop_orders(shop_idx)
    as_of = state.as_of(shop_idx)
    valid = (o["kind"][span] == KIND_NORMAL) & happened(o["paid_time"][span], as_of)
    return {
        "day": o["day_idx"][span][valid],
        "channel": o["channel"][span][valid],
        "gmv": o["sub_total"][span][valid],
        "units": o["n_lines"][span][valid].astype(np.int64),
        "user": o["user_id"][span][valid],
    }


def shop_refunds_by_day(state: SandboxState, shop_idx: int) -> np.ndarray:
    """Completed refund amounts of sales-valid orders per local day."""
    ds = state.dataset
    r = ds.refunds[ds.refunds["shop_idx"].to_numpy() == shop_idx]
    done = happened(r["complete_time"].to_numpy(), state.as_of(shop_idx))
    done &= ds.orders["kind"].to_numpy()[r["order_row"].to_numpy()] == KIND_NORMAL
    done &= (r["kind"].to_numpy() == CANCEL) | (r["shape"].to_numpy() != REJECTED)
    day = local_day_index(
        r["complete_time"].to_numpy()[done], np.full(int(done.sum()), shop_idx), ds.midnights
    )
    return np.bincount(
        day, weights=r["amount"].to_numpy()[done], minlength=ds.config.days + 1
    ).astype(np.int64)


def _performance(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    first, end = _dates(state, req)
    granularity = req.param("granularity") or "ALL"
    if granularity not in ("ALL", "1D"):
        raise BadRequest("granularity must be ALL or 1D")
    currency = (req.param("currency") or "LOCAL").upper()
    if currency not in ("LOCAL", "USD"):
        raise BadRequest("currency must be LOCAL or USD")
    shop_idx = ctx.shop
    sales = state.cached(("sales", shop_idx), lambda: shop_sales(state, shop_idx))
    refunds = state.cached(
        ("refunds_by_day", shop_idx), lambda: shop_refunds_by_day(state, shop_idx)
    )
    spans = [(d, d + 1) for d in range(first, end)] if granularity == "1D" else [(first, end)]
    intervals = [
        _interval(state, shop_idx, sales, refunds, lo, hi, currency) for lo, hi in spans if lo < hi
    ]
    latest = state.dataset.start + timedelta(days=state.clock_day() - 1)
    return {"performance": {"intervals": intervals}, "latest_available_date": str(latest)}


def _interval(
    state: SandboxState,
    shop_idx: int,
    sales: dict[str, np.ndarray],
    refunds: np.ndarray,
    lo: int,
    hi: int,
    currency: str,
) -> dict[str, Any]:
    ds = state.dataset
    shop = index_of(ds).shops[shop_idx]
    first, last = np.searchsorted(sales["day"], [lo, hi])
    part = {k: v[first:last] for k, v in sales.items()}
    views = int(np.asarray(shop["page_views"])[lo:hi].sum())
    money = _money_fn(int(shop["exponent"]), str(shop["currency"]), currency)
    channel_gmv, channel_buyers = [], []
    for c in range(len(CHANNELS)):
        mine = part["channel"] == c
        channel_gmv.append(int(part["gmv"][mine].sum()))
        channel_buyers.append(int(np.unique(part["user"][mine]).size))
    view_split = np.floor(views * CHANNEL_VIEW_SHARE).astype(np.int64)
    view_split[-1] += views - view_split.sum()
    orders, buyers = int(last - first), int(np.unique(part["user"]).size)
    gmv = int(part["gmv"].sum())
    return {
        "start_date": str(ds.start + timedelta(days=lo)),
        "end_date": str(ds.start + timedelta(days=hi)),
        "gmv": money(gmv),
        "orders": orders,
        "units_sold": int(part["units"].sum()),
        "buyers": buyers,
        "product_page_views": views,
        "refunds": money(int(refunds[lo:hi].sum())),
        "avg_order_value": money(gmv // orders if orders else 0),
        "conversion_rate": f"{(buyers / views) if views else 0:.4f}",
        "gmv_breakdowns": [
            {"type": c, "amount": money(g)["amount"]}
            for c, g in zip(CHANNELS, channel_gmv, strict=True)
        ],
        "buyer_breakdowns": [
            {"type": c, "amount": str(b)} for c, b in zip(CHANNELS, channel_buyers, strict=True)
        ],
        "product_page_view_breakdowns": [
            {"type": c, "amount": str(int(v))} for c, v in zip(CHANNELS, view_split, strict=True)
        ],
    }


def _money_fn(exp: int, local: str, currency: str) -> Callable[[int], dict[str, str]]:
    def money(minor: int) -> dict[str, str]:
        if currency == "LOCAL":
            return {"amount": money_str(minor, exp), "currency": local}
        usd = (to_decimal(minor, exp) * USD_PER_UNIT[local]).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        return {"amount": str(usd), "currency": "USD"}

    return money


def content_gmv(state: SandboxState) -> pd.DataFrame:
    """Per content item: GMV, orders and units of the sales-valid paid orders it drove."""
    ds = state.dataset
    o = ds.orders
    valid = (o["content_row"].to_numpy() >= 0) & (o["kind"].to_numpy() == KIND_NORMAL)
    valid &= happened(o["paid_time"].to_numpy(), state.as_of_all()[o["shop_idx"].to_numpy()])
    frame = pd.DataFrame(
        {
            "content": o["content_row"].to_numpy()[valid],
            "gmv": o["sub_total"].to_numpy()[valid],
            "orders": 1,
            "units": o["n_lines"].to_numpy()[valid].astype(np.int64),
        }
    )
    return frame.groupby("content").sum()


def _content(state: SandboxState, req: Request, ctx: ShopContext, live: bool) -> dict[str, Any]:
    ds = state.dataset
    first, end = _dates(state, req)
    c = ds.content
    creator_shop = ds.creators["shop_idx"].to_numpy()[c["creator_row"].to_numpy()]
    lo_ts, hi_ts = ds.midnights[ctx.shop][first], ds.midnights[ctx.shop][end]
    published = c["publish_time"].to_numpy()
    mask = (creator_shop == ctx.shop) & (c["is_live"].to_numpy() == live)
    mask &= (published >= lo_ts) & (published < hi_ts) & (published <= state.as_of(ctx.shop))
    rows = np.flatnonzero(mask)
    sales = state.cached("content_gmv", lambda: content_gmv(state)).reindex(rows, fill_value=0)
    sort_field = req.param("sort_field") or "gmv"
    if sort_field not in ("gmv", "views"):
        raise BadRequest("sort_field must be gmv or views")
    key = sales["gmv"].to_numpy() if sort_field == "gmv" else c["views"].to_numpy()[rows]
    order = np.lexsort((rows, -key))
    chunk, token = paged(order, req, query_key(first, end, sort_field, live))
    shop = index_of(ds).shops[ctx.shop]
    sold = {k: sales[k].to_numpy()[chunk].tolist() for k in ("gmv", "orders", "units")}
    items = [
        _content_json(
            ds, int(row), {k: v[i] for k, v in sold.items()}, int(shop["exponent"]),
            str(shop["currency"]), live,
        )
        for i, row in enumerate(rows[chunk].tolist())
    ]
    return {
        "lives" if live else "videos": items,
        "next_page_token": token,
        "total_count": int(rows.size),
    }


def _content_json(
    ds: Any, row: int, sales: dict[str, int], exp: int, cur: str, live: bool
) -> dict[str, Any]:
    c = index_of(ds).content
    username = index_of(ds).creator_names[int(c["creator_row"][row])]
    item = {
        "id": str(c["content_id"][row]),
        "username": username,
        "title": f"{'LIVE' if live else 'Video'} by {username} #{row}",
        "post_time" if not live else "start_time": int(c["publish_time"][row]),
        "duration": int(c["duration_seconds"][row]),
        "views": int(c["views"][row]),
        "likes": int(c["likes"][row]),
        "comments": int(c["comments"][row]),
        "shares": int(c["shares"][row]),
        "gmv": {"amount": money_str(int(sales["gmv"]), exp), "currency": cur},
        "sku_orders": int(sales["orders"]),
        "units_sold": int(sales["units"]),
    }
    if not live:
        item.update(
            hook_seconds=float(c["hook_seconds"][row]),
            music_trending=bool(c["trending_music"][row]),
            hashtag_count=int(c["hashtags"][row]),
        )
    return item
