"""Shop API affiliate endpoints: ``POST /affiliate_seller/202410/orders/search`` (creator orders,
visible 36 hours after creation, as affiliate data lags) and
``GET /affiliate_seller/202406/marketplace_creators/{creator_user_id}`` (creator profile) and
``POST /affiliate_seller/202406/marketplace_creators/search`` (body ``keyword``; finds a creator's
``creator_user_id`` by username, one page of 12 or 20).

Commission rates are basis points as strings (``"1500"`` = 15%); money is ``{amount, currency}``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox.aftersales import PARTIAL_ALL, PARTIAL_LINE
from sandbox.creators import CREATOR_ID_BASE
from sandbox.index import index_of
from sandbox.lifecycle import happened
from sandbox.orders import KIND_NORMAL, NO_TIME
from sandbox.regions import money_str
from sandbox.shop_api import TIME_FILTERS, cached_search, paged, search_rows
from sandbox.shop_gate import BadRequest, ShopContext, json_body, signed
from sandbox.state import SandboxState
from sandbox.web import Request, Router

AFFILIATE_LAG = 36 * 3600


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the affiliate endpoints."""
    router.add(
        "POST",
        "/affiliate_seller/202410/orders/search",
        signed(state, lambda r, c: _orders(state, r, c)),
    )
    router.add(
        "GET",
        "/affiliate_seller/202406/marketplace_creators/{creator_user_id}",
        signed(state, lambda r, c: _creator(state, r, c)),
    )
    router.add(
        "POST",
        "/affiliate_seller/202406/marketplace_creators/search",
        signed(state, lambda r, c: _search_creators(state, r)),
    )


def _orders(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    ds = state.dataset
    view = state.shop_view(ctx.shop)
    body = {k: v for k, v in json_body(req).items() if k in TIME_FILTERS[:2]}
    o = index_of(ds).orders

    def search() -> tuple[np.ndarray, str]:
        created = o["create_time"][view.rows]
        mask = (o["creator_row"][view.rows] >= 0) & (created <= view.as_of - AFFILIATE_LAG)
        return search_rows({"create_time": created}, body, req, mask)

    positions, key = cached_search(state, "affiliate", ctx.shop, body, req, search)
    chunk, token = paged(positions, req, key)
    refunded = state.cached(("refunded_lines", view.as_of), lambda: refunded_lines(ds, view.as_of))
    items = [
        _order_json(ds, row, status, view.as_of, refunded)
        for row, status in zip(view.rows[chunk].tolist(), view.status[chunk].tolist(), strict=True)
    ]
    return {"orders": items, "next_page_token": token, "total_count": int(positions.size)}


def refunded_lines(ds: Any, as_of: int) -> np.ndarray:
    """Per line: fully refunded by ``as_of`` (returned, or its order cancelled/fully returned)."""
    r = ds.refunds
    done = happened(r["complete_time"].to_numpy(), as_of)
    shape = r["shape"].to_numpy()
    out = np.zeros(len(ds.lines), dtype=bool)
    whole = r["order_row"].to_numpy()[done & (shape == PARTIAL_ALL)]
    out[ds.order_lines(whole)] = True
    one = done & (shape == PARTIAL_LINE)
    out[
        ds.orders["line_start"].to_numpy()[r["order_row"].to_numpy()[one]]
        + r["line_pos"].to_numpy()[one]
    ] = True
    return out


def _order_json(ds: Any, row: int, status: str, as_of: int, refunded: np.ndarray) -> dict[str, Any]:
    ix = index_of(ds)
    o = ix.orders
    shop = ix.shops[int(o["shop_idx"][row])]
    exp, cur = int(shop["exponent"]), str(shop["currency"])
    creator = int(o["creator_row"][row])
    content = int(o["content_row"][row])
    content_type = (
        "SHOWCASE" if content < 0 else ("LIVE" if ix.content["is_live"][content] else "VIDEO")
    )
    bp = int(ix.creators["commission_bp"][creator])
    settle = int(o["settle_time"][row])
    settled = settle != NO_TIME and settle <= as_of
    start = int(o["line_start"][row])
    span = slice(start, start + int(o["n_lines"][row]))  # an order's lines are contiguous
    groups: dict[tuple[int, int], list[int]] = {}  # (sku, unit price) -> [quantity, refunded]
    for sku, price, back in zip(ix.lines["sku_row"][span].tolist(),
                                ix.lines["sale_price"][span].tolist(),
                                refunded[span].tolist(), strict=True):
        entry = groups.setdefault((sku, price), [0, 0])
        entry[0] += 1
        entry[1] += int(back)
    username = ix.creator_names[creator]
    content_id = "" if content < 0 else str(ix.content["content_id"][content])
    out_skus = []
    for (sku, price), (qty, back) in groups.items():
        estimated = (price * qty * bp + 5000) // 10000
        actual = (price * (qty - back) * bp + 5000) // 10000 if settled else 0
        out_skus.append(
            {
                "product_id": ix.sku_text["product_id"][sku],
                "sku_id": ix.sku_text["sku_id"][sku],
                "creator_username": username,
                "content_type": content_type,
                "content_id": content_id,
                "quantity": qty,
                "price": {"amount": money_str(price, exp), "currency": cur},
                "commission_rate": str(bp),
                "estimated_paid_commission": {"amount": money_str(estimated, exp), "currency": cur},
                "actual_paid_commission": {"amount": money_str(actual, exp), "currency": cur},
                "refunded_quantity": back,
                "returned_quantity": 0 if status == "CANCELLED" else back,
                "campaign_id": "",
            }
        )
    order = {
        "id": str(o["order_id"][row]),
        "status": status,
        "create_time": int(o["create_time"][row]),
        "skus": out_skus,
    }
    delivered = int(o["delivery_time"][row])
    if 0 <= delivered <= as_of:
        order["delivery_time"] = delivered
    return order


def creator_stats(ds: Any, as_of_by_shop: np.ndarray) -> pd.DataFrame:
    """Per creator: GMV (sales-valid paid orders), units, GMV by content type, views and posts."""
    o = ds.orders
    paid = happened(o["paid_time"].to_numpy(), as_of_by_shop[o["shop_idx"].to_numpy()])
    mine = (o["creator_row"].to_numpy() >= 0) & paid & (o["kind"].to_numpy() == KIND_NORMAL)
    content = o["content_row"].to_numpy()[mine]
    is_live = np.where(
        content >= 0, ds.content["is_live"].to_numpy()[np.maximum(content, 0)], False
    )
    frame = pd.DataFrame(
        {
            "creator": o["creator_row"].to_numpy()[mine],
            "gmv": o["sub_total"].to_numpy()[mine],
            "units": o["n_lines"].to_numpy()[mine].astype(np.int64),
        }
    )
    frame["live_gmv"] = np.where(is_live, frame["gmv"], 0)
    frame["video_gmv"] = np.where((content >= 0) & ~is_live, frame["gmv"], 0)
    sales = frame.groupby("creator").sum()
    c = ds.content
    posts = (
        pd.DataFrame(
            {
                "creator": c["creator_row"],
                "views": c["views"],
                "videos": ~c["is_live"],
                "lives": c["is_live"],
                "likes": c["likes"],
            }
        )
        .groupby("creator")
        .sum()
    )
    return posts.join(sales, how="outer").fillna(0).astype(np.int64)


def _creator(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    ds = state.dataset
    try:
        row = (int(req.path_args["creator_user_id"]) - CREATOR_ID_BASE) // 13
    except ValueError as exc:
        raise BadRequest("creator_user_id must be numeric") from exc
    if not 0 <= row < len(ds.creators) or int(ds.creators["creator_id"].iat[row]) != int(
        req.path_args["creator_user_id"]
    ):
        raise BadRequest("no such creator")
    stats = state.cached("creator_stats", lambda: creator_stats(ds, state.as_of_all()))
    s = stats.loc[row] if row in stats.index else pd.Series(0, index=stats.columns)
    shop = ds.shops.iloc[int(ds.creators["shop_idx"].iat[row])]
    exp, cur = int(shop["exponent"]), str(shop["currency"])

    def money(value: Any) -> dict[str, str]:
        return {"amount": money_str(int(value), exp), "currency": cur}

    gpm = (int(s["gmv"]) * 1000) // max(int(s["views"]), 1)
    return {
        "creator": {
            "creator_user_id": str(ds.creators["creator_id"].iat[row]),
            "username": str(ds.creators["username"].iat[row]),
            "nickname": str(ds.creators["username"].iat[row]).replace("_", " ").title(),
            "follower_count": int(ds.creators["followers"].iat[row]),
            "gmv": money(s["gmv"]),
            "video_gmv": money(s["video_gmv"]),
            "live_gmv": money(s["live_gmv"]),
            "units_sold": int(s["units"]),
            "gpm": money(gpm),
            "video_count": int(s["videos"]),
            "live_count": int(s["lives"]),
            "avg_video_views": int(s["views"]) // max(int(s["videos"] + s["lives"]), 1),
            "engagement_rate": f"{(int(s['likes']) / max(int(s['views']), 1)):.4f}",
        }
    }


def _search_creators(state: SandboxState, req: Request) -> dict[str, Any]:
    """Creators whose username contains ``keyword`` (case-insensitive), first page only."""
    size = req.param("page_size") or "12"
    if size not in ("12", "20"):
        raise BadRequest("page_size must be 12 or 20")
    keyword = str(json_body(req).get("keyword") or "").strip().lower()
    c = state.dataset.creators
    names = c["username"].astype(str)
    rows = np.flatnonzero(names.str.lower().str.contains(keyword, regex=False).to_numpy())
    creators = [
        {
            "creator_user_id": str(c["creator_id"].iat[row]),
            "username": str(names.iat[row]),
            "follower_count": int(c["followers"].iat[row]),
        }
        for row in rows[: int(size)]
    ]
    return {"creators": creators, "next_page_token": "", "search_key": keyword}
