"""JSON of orders, line items and refund records, built only for the rows of the page served.

Money is a decimal string in the shop's currency; times are unix seconds; events after the API
clock are left out (an order paid after the clock looks unpaid).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.aftersales import (
    CANCEL,
    CANCEL_INITIATORS,
    CANCEL_REASONS,
    PARTIAL_ALL,
    PARTIAL_AMOUNT,
    REJECTED,
)
from sandbox.dataset import Dataset
from sandbox.index import index_of
from sandbox.orders import KIND_REPLACEMENT, KIND_SAMPLE, KIND_TEST
from sandbox.regions import money_str

ORDER_MONEY = (
    "sub_total",
    "shipping_fee",
    "seller_discount",
    "platform_discount",
    "total_amount",
    "tax",
)
TEST_MESSAGE = "TEST ORDER - please do not ship"


def orders_json(
    ds: Dataset, rows: np.ndarray, status: np.ndarray, update_time: np.ndarray, as_of: int
) -> list[dict[str, Any]]:
    """Order objects for ``rows`` (with their as-of ``status`` and ``update_time``)."""
    if rows.size == 0:
        return []
    o = index_of(ds).orders
    cols = {
        c: o[c][rows].tolist()
        for c in (
            "order_id",
            "shop_idx",
            "create_time",
            "paid_time",
            "cancel_time",
            "delivery_time",
            "ship_time",
            "kind",
            "user_id",
            "cancel_initiator",
            "cancel_reason",
            *ORDER_MONEY,
        )
    }
    line_rows = ds.order_lines(rows)
    counts = o["n_lines"][rows]
    bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
    shop = index_of(ds).shops[int(cols["shop_idx"][0])]
    all_lines = _lines(ds, line_rows, np.repeat(status, counts), shop)
    out = []
    for i, (now, updated) in enumerate(zip(status.tolist(), update_time.tolist(), strict=True)):
        order = _order(cols, i, now, int(updated), as_of, shop)
        order["line_items"] = all_lines[bounds[i] : bounds[i + 1]]
        out.append(order)
    return out


def _order(
    cols: dict[str, list[Any]], i: int, status: str, update_time: int, as_of: int, shop: Any
) -> dict[str, Any]:
    exp, cur = int(shop["exponent"]), str(shop["currency"])
    kind = int(cols["kind"][i])
    order: dict[str, Any] = {
        "id": str(cols["order_id"][i]),
        "status": str(status),
        "create_time": int(cols["create_time"][i]),
        "update_time": update_time,
        "is_sample_order": kind == KIND_SAMPLE,
        "is_replacement_order": kind == KIND_REPLACEMENT,
        "is_exchange_order": False,
        "is_cod": False,
        "user_id": str(cols["user_id"][i]),
        "buyer_message": TEST_MESSAGE if kind == KIND_TEST else "",
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "shipping_type": "TIKTOK",
        "delivery_option_name": "Standard shipping",
        "payment_method_name": "Card",
        "payment": {
            "currency": cur,
            **{k: money_str(cols[k][i], exp) for k in ORDER_MONEY},
            "original_shipping_fee": money_str(cols["shipping_fee"][i], exp),
        },
        "recipient_address": {
            "name": "TEST" if kind == KIND_TEST else f"Buyer {cols['user_id'][i] % 100000}",
            "region_code": str(shop["region"]),
            "phone_number": "(+**)*****1234",
            "full_address": "*** masked ***",
        },
    }
    for field, col in (
        ("paid_time", "paid_time"),
        ("cancel_time", "cancel_time"),
        ("delivery_time", "delivery_time"),
        ("shipping_time", "ship_time"),
    ):
        t = int(cols[col][i])
        if 0 <= t <= as_of:
            order[field] = t
    if "cancel_time" in order:
        order["cancel_reason"] = CANCEL_REASONS[int(cols["cancel_reason"][i])]
        order["cancellation_initiator"] = CANCEL_INITIATORS[int(cols["cancel_initiator"][i])]
    return order


def _lines(
    ds: Dataset, line_rows: np.ndarray, status: np.ndarray, shop: Any
) -> list[dict[str, Any]]:
    exp, cur = int(shop["exponent"]), str(shop["currency"])
    ix = index_of(ds)
    sku = ix.lines["sku_row"][line_rows].tolist()
    text = {c: [ix.sku_text[c][k] for k in sku] for c in ("product_id", "product_name", "sku_id",
                                                           "variant", "seller_sku")}
    money = {
        c: ix.lines[c][line_rows].tolist()
        for c in ("original_price", "sale_price", "seller_discount", "platform_discount")
    }
    ids = ix.lines["line_id"][line_rows].tolist()
    states = status.tolist()
    return [
        {
            "id": str(ids[i]),
            "product_id": text["product_id"][i],
            "product_name": text["product_name"][i],
            "sku_id": text["sku_id"][i],
            "sku_name": text["variant"][i],
            "seller_sku": text["seller_sku"][i],
            **{c: money_str(v[i], exp) for c, v in money.items()},
            "currency": cur,
            "display_status": str(states[i]),
            "is_gift": False,
            "cancel_reason": "",
        }
        for i in range(len(ids))
    ]


REFUND_COLUMNS = (
    "order_row",
    "shop_idx",
    "amount",
    "request_time",
    "kind",
    "record_id",
    "initiator",
    "shape",
    "line_pos",
)


def refunds_json(
    ds: Dataset, rows: np.ndarray, status: np.ndarray, update_time: np.ndarray
) -> list[dict[str, Any]]:
    """Return or cancellation records for refund-table ``rows``."""
    ix = index_of(ds)
    r = {c: ix.refunds[c][rows].tolist() for c in REFUND_COLUMNS}
    order_ids = ix.orders["order_id"][ix.refunds["order_row"][rows]].tolist()
    statuses, updated = status.tolist(), update_time.tolist()
    out = []
    for i in range(rows.size):
        shop = ix.shops[int(r["shop_idx"][i])]
        exp, cur = int(shop["exponent"]), str(shop["currency"])
        amount = money_str(r["amount"][i], exp)
        zero = money_str(0, exp)
        record: dict[str, Any] = {
            "order_id": str(order_ids[i]),
            "create_time": int(r["request_time"][i]),
            "update_time": int(updated[i]),
            "refund_amount": {
                "currency": cur,
                "refund_total": amount,
                "refund_subtotal": amount,
                "refund_shipping_fee": zero,
                "refund_tax": zero,
            },
        }
        items = _refund_lines(ds, r, i, exp)
        if int(r["kind"][i]) == CANCEL:
            initiator = int(r["initiator"][i])
            record.update(
                cancel_id=str(r["record_id"][i]),
                cancel_status=str(statuses[i]),
                cancel_type="BUYER_CANCEL" if initiator == 0 else "CANCEL",
                role=CANCEL_INITIATORS[initiator],
                cancel_line_items=items,
            )
        else:
            shape = int(r["shape"][i])
            record.update(
                return_id=str(r["record_id"][i]),
                return_status=str(statuses[i]),
                return_type="REFUND" if shape == PARTIAL_AMOUNT else "RETURN_AND_REFUND",
                role="BUYER",
                return_reason="Item not as described",
                return_line_items=items,
            )
        out.append(record)
    return out


def _refund_lines(ds: Dataset, r: dict[str, list[Any]], i: int, exp: int) -> list[dict[str, Any]]:
    """The order lines a record covers: all of them, or the one returned line."""
    ix = index_of(ds)
    order_row, shape, pos = int(r["order_row"][i]), int(r["shape"][i]), int(r["line_pos"][i])
    start = int(ix.orders["line_start"][order_row])
    n = int(ix.orders["n_lines"][order_row])
    picked = range(start, start + n) if pos < 0 or shape == PARTIAL_ALL else [start + pos]
    one_amount = shape in (PARTIAL_AMOUNT, REJECTED)  # part of one line's price, or nothing
    line_ids, sku_rows, prices = ix.lines["line_id"], ix.lines["sku_row"], ix.lines["sale_price"]
    return [
        {
            "order_line_item_id": str(line_ids[k]),
            "sku_id": ix.sku_text["sku_id"][int(sku_rows[k])],
            "refund_amount": money_str(r["amount"][i] if one_amount else prices[k], exp),
        }
        for k in picked
    ]
