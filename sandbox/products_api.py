"""Shop API catalogue: ``POST /product/202309/products/search`` (products with SKUs, prices and
stock; ``page_size`` 1-100, ``page_token``) and ``POST /product/202309/inventory/search``
(``{"sku_ids": [...]}`` or ``{"product_ids": [...]}``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox.paging import query_key
from sandbox.regions import money_str
from sandbox.shop_api import paged
from sandbox.shop_gate import BadRequest, ShopContext, json_body, signed
from sandbox.state import SandboxState
from sandbox.web import Request, Router

WAREHOUSE_ID_BASE = 7_068_000_000_000_000_000


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the catalogue endpoints."""
    router.add(
        "POST",
        "/product/202309/products/search",
        signed(state, lambda r, c: _products(state, r, c)),
    )
    router.add(
        "POST",
        "/product/202309/inventory/search",
        signed(state, lambda r, c: _inventory(state, r, c)),
    )


def _shop_skus(state: SandboxState, shop_idx: int) -> pd.DataFrame:
    skus = state.dataset.skus
    return skus[skus["shop_idx"].to_numpy() == shop_idx]


def _sku_json(sku: Any, exp: int, cur: str, warehouse: str) -> dict[str, Any]:
    price = money_str(int(sku.price), exp)
    return {
        "id": sku.sku_id,
        "seller_sku": sku.seller_sku,
        "sales_attributes": [{"name": "Variant", "value_name": sku.variant}],
        "price": {"tax_exclusive_price": price, "sale_price": price, "currency": cur},
        "inventory": [{"warehouse_id": warehouse, "quantity": int(sku.stock)}],
    }


def _products(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    json_body(req)
    skus = _shop_skus(state, ctx.shop)
    product_ids = skus["product_id"].drop_duplicates().to_numpy()
    chunk, token = paged(np.arange(product_ids.size), req, query_key("products"))
    shop = state.dataset.shops.iloc[ctx.shop]
    exp, cur = int(shop["exponent"]), str(shop["currency"])
    warehouse = str(WAREHOUSE_ID_BASE + ctx.shop)
    created = int(state.dataset.midnights[ctx.shop][0]) - 90 * 86_400
    items = []
    for pid in product_ids[chunk]:
        group = skus[skus["product_id"] == pid]
        items.append(
            {
                "id": str(pid),
                "title": str(group["product_name"].iloc[0]),
                "status": "ACTIVATE",
                "create_time": created,
                "update_time": created,
                "skus": [_sku_json(s, exp, cur, warehouse) for s in group.itertuples()],
            }
        )
    return {"products": items, "next_page_token": token, "total_count": int(product_ids.size)}


def _inventory(state: SandboxState, req: Request, ctx: ShopContext) -> dict[str, Any]:
    body = json_body(req)
    skus = _shop_skus(state, ctx.shop)
    if body.get("sku_ids"):
        skus = skus[skus["sku_id"].isin([str(x) for x in body["sku_ids"]])]
    elif body.get("product_ids"):
        skus = skus[skus["product_id"].isin([str(x) for x in body["product_ids"]])]
    else:
        raise BadRequest("sku_ids or product_ids is required")
    warehouse = str(WAREHOUSE_ID_BASE + ctx.shop)
    return {
        "inventory": [
            {
                "product_id": str(pid),
                "skus": [
                    {
                        "id": s.sku_id,
                        "total_available_quantity": int(s.stock),
                        "warehouse_inventory": [
                            {"warehouse_id": warehouse, "available_quantity": int(s.stock)}
                        ],
                    }
                    for s in group.itertuples()
                ],
            }
            for pid, group in skus.groupby("product_id", sort=False)
        ]
    }
