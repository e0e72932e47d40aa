"""Order, return and cancellation search: pagination, filters, sorting and wire formats."""

from __future__ import annotations

from decimal import Decimal

from sandbox_helpers import ShopCaller

ORDERS = "/order/202309/orders/search"


def _walk(
    shop: ShopCaller,
    cipher: str,
    body: dict,
    path: str = ORDERS,
    key: str = "orders",
    page_size: int = 100,
    **params,
) -> list[dict]:
    items, token, total = [], "", None
    while True:
        query = {"page_size": page_size, **params, **({"page_token": token} if token else {})}
        data = shop.call("POST", path, query, body, cipher=cipher).json()["data"]
        total = data["total_count"]
        items += data[key]
        token = data["next_page_token"]
        if not token:
            break
    assert len(items) == total
    return items


def test_page_token_walk_is_complete_and_disjoint(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    window = {"create_time_ge": 1_795_000_000, "create_time_lt": 1_795_300_000}
    orders = _walk(shop, cipher, window, page_size=37)
    ids = [o["id"] for o in orders]
    assert len(ids) == len(set(ids)) > 100
    assert all(
        window["create_time_ge"] <= o["create_time"] < window["create_time_lt"] for o in orders
    )
    times = [o["create_time"] for o in orders]
    assert times == sorted(times, reverse=True)  # default sort_order DESC


def test_page_size_limits_and_foreign_token(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    for size in (0, 101):
        r = shop.call("POST", ORDERS, {"page_size": size}, {}, cipher=cipher)
        assert (r.status_code, r.json()["code"]) == (400, 36009004)
    token = shop.call("POST", ORDERS, {"page_size": 100}, {}, cipher=cipher).json()["data"][
        "next_page_token"
    ]
    assert token
    r = shop.call(
        "POST",
        ORDERS,
        {"page_size": 100, "page_token": token},
        {"create_time_ge": 5},
        cipher=cipher,
    )
    assert r.json()["code"] == 36009004


def test_update_time_filter_and_ascending_sort(shop: ShopCaller) -> None:
    cipher = shop.shops()[1]["cipher"]
    body = {"update_time_ge": 1_794_268_800, "update_time_lt": 1_794_300_000}  # 2026-11-10 UTC
    orders = _walk(shop, cipher, body, sort_field="update_time", sort_order="ASC")
    assert orders
    updates = [o["update_time"] for o in orders]
    assert updates == sorted(updates)
    assert all(1_794_268_800 <= u < 1_794_300_000 for u in updates)
    assert any(o["create_time"] < 1_794_000_000 for o in orders)  # old orders that changed


def test_order_wire_format_and_money(shop: ShopCaller) -> None:
    cipher = shop.shops()[1]["cipher"]  # US: has sales tax
    orders = shop.call(
        "POST", ORDERS, {"page_size": 100}, {"create_time_lt": 1_792_000_000}, cipher=cipher
    ).json()["data"]["orders"]
    assert len(orders) == 100
    for o in orders:
        assert isinstance(o["id"], str) and isinstance(o["create_time"], int) and o["user_id"]
        pay = {k: Decimal(v) for k, v in o["payment"].items() if k != "currency"}
        assert all(isinstance(v, str) for k, v in o["payment"].items())
        lines = o["line_items"]
        assert lines and all("quantity" not in line for line in lines)
        assert pay["sub_total"] == sum(Decimal(x["sale_price"]) for x in lines)
        for x in lines:
            assert Decimal(x["sale_price"]) == Decimal(x["original_price"]) - Decimal(
                x["seller_discount"]
            )
        assert (
            pay["total_amount"]
            == pay["sub_total"] + pay["shipping_fee"] + pay["tax"] - pay["platform_discount"]
        )
        assert o["payment"]["currency"] == "USD"
    assert any(Decimal(o["payment"]["tax"]) > 0 for o in orders)
    assert {o["status"] for o in orders} >= {"COMPLETED"}


def test_status_filter(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    orders = shop.call(
        "POST", ORDERS, {"page_size": 50}, {"order_status": "CANCELLED"}, cipher=cipher
    ).json()["data"]["orders"]
    assert orders and all(o["status"] == "CANCELLED" and "cancel_time" in o for o in orders)


def test_returns_and_cancellations(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    returns = _walk(shop, cipher, {}, "/return_refund/202309/returns/search", "return_orders")
    cancels = _walk(shop, cipher, {}, "/return_refund/202309/cancellations/search", "cancellations")
    assert {r["return_type"] for r in returns} == {"RETURN_AND_REFUND", "REFUND"}
    statuses = {r["return_status"] for r in returns}
    assert {"RETURN_OR_REFUND_REQUEST_COMPLETE", "REFUND_OR_RETURN_REQUEST_REJECT"} <= statuses
    assert len(statuses) >= 3  # some still in progress at the clock
    for r in returns + cancels:
        amount = r["refund_amount"]
        assert amount["currency"] == "GBP" and amount["refund_total"] == amount["refund_subtotal"]
        assert r["update_time"] >= r["create_time"]
    assert all(c["cancel_status"].startswith("CANCELLATION_REQUEST_") for c in cancels)
    partial = [r for r in returns if r["return_type"] == "REFUND"]
    assert all(len(r["return_line_items"]) == 1 for r in partial)
    assert {r["return_status"] for r in partial} <= {
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
    }
    goods = {r["return_status"] for r in returns if r["return_type"] == "RETURN_AND_REFUND"}
    assert "RETURN_OR_REFUND_REQUEST_PENDING" not in goods
