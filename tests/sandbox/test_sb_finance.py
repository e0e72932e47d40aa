"""Finance endpoints: daily statements that lag delivery and add up, and per-order transactions."""

from __future__ import annotations

from decimal import Decimal

from sandbox_helpers import ShopCaller

STATEMENTS = "/finance/202309/statements"


def _all_statements(shop: ShopCaller, cipher: str) -> list[dict]:
    items, token = [], ""
    while True:
        query = {
            "sort_field": "statement_time",
            "page_size": 20,
            **({"page_token": token} if token else {}),
        }
        data = shop.call("GET", STATEMENTS, query, cipher=cipher).json()["data"]
        items += data["statements"]
        token = data["next_page_token"]
        if not token:
            return items


def test_statements_page_and_add_up(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    statements = _all_statements(shop, cipher)
    assert 40 <= len(statements) <= 70  # one per settlement day; the first ~10 days have none yet
    times = [s["statement_time"] for s in statements]
    assert times == sorted(times, reverse=True) and len(set(times)) == len(times)
    for s in statements:
        parts = (
            Decimal(s["revenue_amount"])
            + Decimal(s["fee_amount"])
            + Decimal(s["shipping_cost_amount"])
        )
        assert parts + Decimal(s["adjustment_amount"]) == Decimal(s["settlement_amount"])
        assert Decimal(s["fee_amount"]) < 0 and s["currency"] == "GBP"
    assert {s["payment_status"] for s in statements} == {"PAID", "PROCESSING"}
    r = shop.call("GET", STATEMENTS, {"page_size": 20}, cipher=cipher)
    assert (r.status_code, r.json()["code"]) == (400, 36009004)  # sort_field is required


def test_statement_time_window(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    query = {
        "sort_field": "statement_time",
        "page_size": 100,
        "statement_time_ge": 1_793_000_000,
        "statement_time_lt": 1_794_000_000,
    }
    got = shop.call("GET", STATEMENTS, query, cipher=cipher).json()["data"]["statements"]
    assert got and all(1_793_000_000 <= s["statement_time"] < 1_794_000_000 for s in got)


def test_order_statement_transactions(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    orders = shop.call(
        "POST",
        "/order/202309/orders/search",
        {"page_size": 100, "sort_order": "ASC"},
        {"order_status": "COMPLETED"},
        cipher=cipher,
    ).json()["data"]["orders"]
    settled = 0
    for order in orders[:30]:
        path = f"/finance/202309/orders/{order['id']}/statement_transactions"
        data = shop.call("GET", path, cipher=cipher).json()["data"]
        if data["settlement_status"] != "SETTLED":
            continue
        settled += 1
        skus = data["sku_transactions"]
        assert len(skus) == len(order["line_items"])
        assert sum(Decimal(s["revenue_amount"]) for s in skus) == Decimal(data["revenue_amount"])
        fees = sum(
            Decimal(s[k])
            for s in skus
            for k in (
                "platform_commission_amount",
                "affiliate_commission_amount",
                "transaction_fee_amount",
            )
        )
        assert fees == Decimal(data["fee_and_tax_amount"])
        assert (
            fees < 0 or Decimal(data["revenue_amount"]) == 0
        )  # fully refunded or $0 orders pay no fees
    assert settled >= 20
    other = shop.call("GET", "/finance/202309/orders/123/statement_transactions", cipher=cipher)
    assert other.json()["code"] == 36009004
