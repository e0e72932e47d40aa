"""Catalogue endpoints: products with SKU prices and stock, and inventory lookups."""

from __future__ import annotations

from decimal import Decimal

from sandbox_helpers import ShopCaller


def test_products_and_inventory(shop: ShopCaller) -> None:
    gb = shop.shops()[0]
    products, token = [], ""
    while True:
        query = {"page_size": 10, **({"page_token": token} if token else {})}
        data = shop.call(
            "POST", "/product/202309/products/search", query, {}, cipher=gb["cipher"]
        ).json()["data"]
        products += data["products"]
        token = data["next_page_token"]
        if not token:
            break
    assert len(products) == data["total_count"] >= 15
    skus = [s for p in products for s in p["skus"]]
    assert all(
        s["price"]["currency"] == "GBP" and Decimal(s["price"]["sale_price"]) > 0 for s in skus
    )
    assert any(s["inventory"][0]["quantity"] < 50 for s in skus)  # some SKUs run low
    wanted = [skus[0]["id"], skus[-1]["id"]]
    inv = shop.call(
        "POST", "/product/202309/inventory/search", {}, {"sku_ids": wanted}, cipher=gb["cipher"]
    ).json()["data"]["inventory"]
    found = {s["id"]: s["total_available_quantity"] for p in inv for s in p["skus"]}
    assert found == {
        skus[0]["id"]: skus[0]["inventory"][0]["quantity"],
        skus[-1]["id"]: skus[-1]["inventory"][0]["quantity"],
    }
    bad = shop.call("POST", "/product/202309/inventory/search", {}, {}, cipher=gb["cipher"])
    assert bad.json()["code"] == 36009004
