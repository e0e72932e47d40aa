"""Stock records: the units on hand of each SKU of a product, summed over warehouses, with the
SKU's sale price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jobs.sources.tiktok import wire as w


@dataclass(frozen=True)
class SkuStock:
    """Available stock of one SKU (summed over warehouses)."""

    product_id: str
    product_title: str | None
    product_status: str | None
    sku_id: str
    seller_sku: str | None
    currency: str | None
    sale_price: Decimal | None
    quantity: int


def parse_product_stock(data: Mapping[str, Any]) -> list[SkuStock]:
    """The SKUs of one entry of ``data.products`` with stock summed over warehouses."""
    product_id = str(w.required(data, "id"))
    return [
        SkuStock(
            product_id=product_id,
            product_title=w.text(data.get("title")),
            product_status=w.text(data.get("status")),
            sku_id=str(w.required(sku, "id")),
            seller_sku=w.text(sku.get("seller_sku")),
            currency=w.text(w.obj(sku, "price").get("currency")),
            sale_price=w.money(w.obj(sku, "price").get("sale_price"), "sale_price"),
            quantity=sum(w.integer(i.get("quantity")) or 0 for i in w.items(sku, "inventory")),
        )
        for sku in w.items(data, "skus")
    ]
