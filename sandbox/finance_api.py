"""Shop API finance endpoints.

- ``GET /finance/202309/statements`` (``sort_field=statement_time`` required,
  ``statement_time_ge``/``_lt``, ``page_size`` 1-100, ``page_token``): daily statements.
- ``GET /finance/202501/statements/{statement_id}/statement_transactions``
  (``sort_field=order_create_time`` required, ``sort_order`` ASC by default, ``page_size`` 1-100,
  ``page_token``): the statement's totals and the order transactions it settled; an unknown
  statement answers HTTP 404 with code 36009005.
- ``GET /finance/202309/orders/{order_id}/statement_transactions``: one order's transactions
  (sunset in the real API; kept for orders not yet in any statement, which answer UNSETTLED).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox.codes import SHOP_NOT_FOUND
from sandbox.finance import (
    settled_rows,
    shop_statements,
    statement_detail_json,
    statement_json,
    statement_transactions_json,
    transactions_json,
)
from sandbox.index import index_of
from sandbox.orders import ORDER_ID_BASE
from sandbox.paging import query_key
from sandbox.shop_api import paged
from sandbox.shop_gate import BadRequest, ShopContext, shop_error, signed
from sandbox.state import SandboxState
from sandbox.web import Request, Response, Router

#: The one sort field of a statement's transactions.
TRANSACTION_SORT_FIELD = "order_create_time"


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the finance endpoints."""
    router.add(
        "GET", "/finance/202309/statements", signed(state, lambda r, c: _statements(state, r, c))
    )
    router.add(
        "GET",
        "/finance/202309/orders/{order_id}/statement_transactions",
        signed(state, lambda r, c: _transactions(state, r, c)),
    )
    router.add(
        "GET",
        "/finance/202501/statements/{statement_id}/statement_transactions",
        signed(state, lambda r, c: _statement_transactions(state, r, c)),
    )


def _int_param(req: Request, name: str) -> int | None:
    raw = req.param(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be unix seconds") from exc


def _statements(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    if req.param("sort_field") != "statement_time":
        raise BadRequest("sort_field=statement_time is required")
    shop_idx = ctx.shop
    as_of = state.as_of(shop_idx)
    daily = _daily(state, shop_idx)
    times = daily["statement_time"].to_numpy()
    mask = np.ones(times.size, dtype=bool)
    ge, lt = _int_param(req, "statement_time_ge"), _int_param(req, "statement_time_lt")
    if ge is not None:
        mask &= times >= ge
    if lt is not None:
        mask &= times < lt
    positions = np.flatnonzero(mask)
    if (req.param("sort_order") or "DESC").upper() == "DESC":
        positions = positions[::-1]
    chunk, token = paged(positions, req, query_key(ge, lt, req.param("sort_order")))
    shop = state.dataset.shops.iloc[shop_idx]
    items = [
        statement_json(row, int(shop["exponent"]), str(shop["currency"]), as_of)
        for row in daily.iloc[chunk].itertuples(index=False)
    ]
    return {"statements": items, "next_page_token": token, "total_count": int(positions.size)}


def _transactions(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    orders = state.dataset.orders
    try:
        offset = int(req.path_args["order_id"]) - ORDER_ID_BASE - 3
    except ValueError as exc:
        raise BadRequest("order_id must be numeric") from exc
    row = offset // 7
    if offset % 7 or not 0 <= row < len(orders) or int(orders["shop_idx"].iat[row]) != ctx.shop:
        raise BadRequest("order not found in this shop")
    if int(orders["create_time"].iat[row]) > state.as_of(ctx.shop):
        raise BadRequest("order not found in this shop")
    return transactions_json(state.dataset, row, state.as_of(ctx.shop))


def _daily(state: SandboxState, shop_idx: int) -> pd.DataFrame:
    """The shop's daily statements as of the clock (cached until it moves)."""
    as_of = state.as_of(shop_idx)
    return state.cached(
        ("statements", shop_idx), lambda: shop_statements(state.dataset, shop_idx, as_of)
    )


def _statement_by_id(state: SandboxState, shop_idx: int) -> dict[str, Any]:
    """The shop's statements by id (cached with them)."""
    daily = _daily(state, shop_idx)
    found: dict[str, Any] = state.cached(
        ("statement_ids", shop_idx),
        lambda: {str(row.id): row for row in daily.itertuples(index=False)},
    )
    return found


def _statement_transactions(
    state: SandboxState, req: Request, ctx: ShopContext
) -> dict[str, Any] | Response:
    if req.param("sort_field") != TRANSACTION_SORT_FIELD:
        raise BadRequest(f"sort_field={TRANSACTION_SORT_FIELD} is required")
    sort_order = (req.param("sort_order") or "ASC").upper()
    if sort_order not in ("ASC", "DESC"):
        raise BadRequest("sort_order must be ASC or DESC")
    shop_idx, statement_id = ctx.shop, req.path_args["statement_id"]
    statement = _statement_by_id(state, shop_idx).get(statement_id)
    if statement is None:
        return shop_error(404, SHOP_NOT_FOUND, f"Statement {statement_id} not found in this shop.")
    rows, days = state.cached(
        ("settled_rows", shop_idx),
        lambda: settled_rows(state.dataset, shop_idx, state.as_of(shop_idx)),
    )
    mine = rows[days == statement.day]
    if sort_order == "DESC":
        mine = mine[::-1]
    chunk, token = paged(mine, req, query_key(statement_id, sort_order))
    shop = index_of(state.dataset).shops[shop_idx]
    exp = int(shop["exponent"])
    return {
        **statement_detail_json(statement, exp, str(shop["currency"])),
        "transactions": statement_transactions_json(state.dataset, chunk, exp),
        "next_page_token": token,
        "total_count": int(mine.size),
    }
