"""Shop API: authorized shops, order search, returns and cancellations search.

Search endpoints take ``page_size`` (1-100), ``page_token``, ``sort_field`` and ``sort_order`` in
the query and filters in the JSON body (``*_ge`` inclusive, ``*_lt`` exclusive); they answer
``{<items>, next_page_token, total_count}`` with ``next_page_token == ""`` on the last page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from sandbox.index import index_of
from sandbox.paging import BadPageToken, page, page_size_param, query_key
from sandbox.shop_gate import BadRequest, ShopContext, json_body, signed
from sandbox.state import SandboxState
from sandbox.web import Request, Router
from sandbox.wire import orders_json, refunds_json

TIME_FILTERS = ("create_time_ge", "create_time_lt", "update_time_ge", "update_time_lt")


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the shop, order and return/cancellation endpoints."""
    shops = signed(state, lambda req, ctx: _shops(state, ctx), shop_scoped=False)
    router.add("GET", "/authorization/202309/shops", shops)
    router.add("GET", "/seller/202309/shops", shops)
    router.add(
        "POST", "/order/202309/orders/search", signed(state, lambda r, c: _orders(state, r, c))
    )
    router.add(
        "POST",
        "/return_refund/202309/returns/search",
        signed(state, lambda r, c: _refunds(state, r, c, "RETURN", "return_orders")),
    )
    router.add(
        "POST",
        "/return_refund/202309/cancellations/search",
        signed(state, lambda r, c: _refunds(state, r, c, "CANCEL", "cancellations")),
    )


def _shops(state: SandboxState, ctx: ShopContext) -> dict[str, Any]:
    shops = state.dataset.shops
    mine = shops[shops["seller_idx"] == ctx.seller_idx]
    return {
        "shops": [
            {
                "id": r.shop_id,
                "name": r.name,
                "region": r.region,
                "seller_type": "CROSS_BORDER",
                "cipher": r.cipher,
                "code": r.code,
            }
            for r in mine.itertuples()
        ]
    }


def search_rows(
    times: dict[str, np.ndarray],
    body: dict[str, Any],
    req: Request,
    extra_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, str]:
    """Positions matching the body's time filters, sorted as asked, and the query's paging key."""
    n = next(iter(times.values())).size
    mask = np.ones(n, dtype=bool) if extra_mask is None else extra_mask.copy()
    for name in TIME_FILTERS:
        if body.get(name) is None:
            continue
        try:
            bound = int(body[name])
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"{name} must be unix seconds") from exc
        column = times[name.rsplit("_", 1)[0]]
        mask &= column >= bound if name.endswith("_ge") else column < bound
    sort_field = req.param("sort_field") or "create_time"
    if sort_field not in times:
        raise BadRequest("sort_field must be create_time or update_time")
    descending = (req.param("sort_order") or "DESC").upper() == "DESC"
    positions = np.flatnonzero(mask)
    key = times[sort_field][positions]
    order = np.lexsort((positions, -key if descending else key))
    return positions[order], query_key(body, sort_field, descending)


def cached_search(
    state: SandboxState, name: str, shop_idx: int, body: dict[str, Any], req: Request,
    search: Callable[[], tuple[np.ndarray, str]],
) -> tuple[np.ndarray, str]:
    """``search()`` (positions and paging key) once per (endpoint, shop, filters, sort) while
    the clock stands: the pages of one query are slices of one result."""
    key = ("search", name, shop_idx, json.dumps(body, sort_keys=True, default=str),
           req.param("sort_field"), req.param("sort_order"))
    return state.search(key, search)  # type: ignore[no-any-return]


def paged(positions: np.ndarray, req: Request, key: str) -> tuple[np.ndarray, str]:
    """One page of positions and the next page token, or BadRequest."""
    try:
        size = page_size_param(req.param("page_size"))
        return page(positions, size, req.param("page_token"), key)
    except (ValueError, BadPageToken) as exc:
        raise BadRequest(str(exc)) from exc


def _orders(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    ds = state.dataset
    view = state.shop_view(ctx.shop)
    body = json_body(req)

    def search() -> tuple[np.ndarray, str]:
        mask = None
        if body.get("order_status"):
            mask = view.status == str(body["order_status"])
        times = {
            "create_time": index_of(ds).orders["create_time"][view.rows],
            "update_time": view.update_time,
        }
        return search_rows(times, body, req, mask)

    positions, key = cached_search(state, "orders", ctx.shop, body, req, search)
    chunk, token = paged(positions, req, key)
    orders = orders_json(
        ds, view.rows[chunk], view.status[chunk], view.update_time[chunk], view.as_of
    )
    return {"orders": orders, "next_page_token": token, "total_count": int(positions.size)}


def _refunds(
    state: SandboxState, req: Request, ctx: ShopContext, kind: str, field: str
) -> dict[str, Any]:
    ds = state.dataset
    view = state.shop_view(ctx.shop)
    body = json_body(req)

    def search() -> tuple[np.ndarray, str]:
        refunds = index_of(ds).refunds
        mask = refunds["kind"][view.refund_rows] == (0 if kind == "CANCEL" else 1)
        status_field = "cancel_status" if kind == "CANCEL" else "return_status"
        if body.get(status_field):
            wanted = (
                body[status_field] if isinstance(body[status_field], list) else [body[status_field]]
            )
            mask &= np.isin(view.refund_status, wanted)
        if body.get("order_ids"):
            ids = index_of(ds).orders["order_id"][refunds["order_row"][view.refund_rows]]
            mask &= np.isin(ids.astype(str), [str(x) for x in body["order_ids"]])
        times = {
            "create_time": refunds["request_time"][view.refund_rows],
            "update_time": view.refund_update_time,
        }
        return search_rows(times, body, req, mask)

    positions, key = cached_search(state, field, ctx.shop, body, req, search)
    chunk, token = paged(positions, req, key)
    items = refunds_json(
        ds, view.refund_rows[chunk], view.refund_status[chunk], view.refund_update_time[chunk]
    )
    return {field: items, "next_page_token": token, "total_count": int(positions.size)}
