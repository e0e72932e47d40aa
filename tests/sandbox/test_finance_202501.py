"""``GET /finance/202501/statements/{statement_id}/statement_transactions``: a statement's orders,
paged by ``page_token``, with the per-order endpoint's very amounts and totals that add up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from sandbox_helpers import ShopCaller

from sandbox import Sandbox
from sandbox.finance import order_settlement
from sandbox.regions import money_str

STATEMENTS = "/finance/202309/statements"
TRANSACTIONS = "/finance/202501/statements/{}/statement_transactions"
ORDER = "/finance/202309/orders/{}/statement_transactions"


def statements(shop: ShopCaller, cipher: str) -> list[dict[str, Any]]:
    query = {"sort_field": "statement_time", "page_size": 100}
    data = shop.call("GET", STATEMENTS, query, cipher=cipher).json()["data"]
    assert data["next_page_token"] == ""
    return list(data["statements"])


def pages(shop: ShopCaller, cipher: str, statement_id: str, size: int,
          order: str = "ASC") -> list[dict[str, Any]]:
    """Every page of one statement's transactions."""
    out, token = [], ""
    while True:
        query = {"sort_field": "order_create_time", "sort_order": order, "page_size": size,
                 **({"page_token": token} if token else {})}
        response = shop.call("GET", TRANSACTIONS.format(statement_id), query, cipher=cipher)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        out.append(data)
        token = data["next_page_token"]
        if not token:
            return out


def test_a_statement_pages_its_orders_and_adds_up(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    statement = max(statements(shop, cipher), key=lambda s: Decimal(s["revenue_amount"]))
    got = pages(shop, cipher, statement["id"], 7)
    assert len(got) >= 3  # several pages of 7
    txns = [t for page in got for t in page["transactions"]]
    assert len(txns) == got[0]["total_count"] == len({t["order_id"] for t in txns})
    assert all(len(page["transactions"]) == 7 for page in got[:-1])
    created = [t["order_create_time"] for t in txns]
    assert created == sorted(created)
    root = got[0]
    assert (root["id"], root["create_time"], root["status"], root["currency"]) == (
        statement["id"], statement["statement_time"], "SETTLED", statement["currency"])
    assert root["total_settlement_amount"] == statement["settlement_amount"]
    assert sum(Decimal(t["settlement_amount"]) for t in txns) == Decimal(
        statement["settlement_amount"])
    assert sum(Decimal(t["fee_tax_amount"]) for t in txns) == Decimal(statement["fee_amount"])
    for t in txns:
        fee = t["fee_tax_breakdown"]["fee"]
        assert sum(Decimal(v) for v in fee.values()) == Decimal(t["fee_tax_amount"])
        assert Decimal(t["revenue_amount"]) + Decimal(t["fee_tax_amount"]) + Decimal(
            t["shipping_cost_amount"]) == Decimal(t["settlement_amount"])
    backwards = [t for page in pages(shop, cipher, statement["id"], 100, "DESC")
                 for t in page["transactions"]]
    assert backwards == txns[::-1]


def test_transactions_carry_the_per_order_amounts_and_ground_truth(
    sb: Sandbox, shop: ShopCaller
) -> None:
    cipher = shop.shops()[0]["cipher"]
    statement = statements(shop, cipher)[3]
    txns = pages(shop, cipher, statement["id"], 100)[0]["transactions"]
    ds = sb.dataset
    ids = ds.orders["order_id"].to_numpy().astype(str)
    rows = np.array([int(np.flatnonzero(ids == t["order_id"])[0]) for t in txns])
    exp = int(ds.shops["exponent"].iat[int(ds.orders["shop_idx"].iat[rows[0]])])
    truth = order_settlement(ds, rows)
    for t, want in zip(txns, truth.itertuples(index=False), strict=True):
        assert t["settlement_amount"] == money_str(want.settlement, exp)
        assert t["fee_tax_breakdown"]["fee"]["affiliate_commission_amount"] == money_str(
            want.affiliate_fee, exp)
    for t in txns[:5]:  # the sunset per-order endpoint answers the same amounts
        old = shop.call("GET", ORDER.format(t["order_id"]), cipher=cipher).json()["data"]
        assert old["settlement_status"] == "SETTLED"
        assert (old["revenue_amount"], old["fee_and_tax_amount"], old["shipping_cost_amount"],
                old["settlement_amount"]) == (t["revenue_amount"], t["fee_tax_amount"],
                                              t["shipping_cost_amount"], t["settlement_amount"])
        assert old["settle_time"] >= statement["statement_time"]


def test_unknown_statement_and_bad_queries_answer_the_error_envelope(shop: ShopCaller) -> None:
    gb, us = (s["cipher"] for s in shop.shops()[:2])
    known = statements(shop, gb)[0]["id"]
    query = {"sort_field": "order_create_time", "page_size": 20}
    for cipher, statement_id in ((gb, "123"), (gb, "not-a-number"), (us, known)):
        r = shop.call("GET", TRANSACTIONS.format(statement_id), query, cipher=cipher)
        body = r.json()
        assert (r.status_code, body["code"], body["data"]) == (404, 36009005, None)
        assert statement_id in body["message"] and body["request_id"]
    r = shop.call("GET", TRANSACTIONS.format(known), {"page_size": 20}, cipher=gb)
    assert (r.status_code, r.json()["code"]) == (400, 36009004)  # sort_field is required
    r = shop.call("GET", TRANSACTIONS.format(known), {**query, "page_token": "bogus"}, cipher=gb)
    assert (r.status_code, r.json()["code"]) == (400, 36009004)
    r = shop.call("GET", TRANSACTIONS.format(known), query)  # no shop_cipher
    assert r.status_code == 403
    unsigned = {**query, "app_key": shop.sb.credentials.app_key, "shop_cipher": gb,
                "timestamp": "1", "sign": "0"}
    r = shop.http.get(shop.sb.shop_api_url + TRANSACTIONS.format(known), params=unsigned,
                      headers={"x-tts-access-token": shop.access_token})
    assert (r.status_code, r.json()["code"]) == (401, 106001)


def test_an_order_not_in_any_statement_is_unsettled_per_order(shop: ShopCaller) -> None:
    cipher = shop.shops()[0]["cipher"]
    settled = {t["order_id"] for s in statements(shop, cipher)
               for page in pages(shop, cipher, s["id"], 100) for t in page["transactions"]}
    orders = shop.call("POST", "/order/202309/orders/search",
                       {"page_size": 100, "sort_order": "DESC"}, {"order_status": "COMPLETED"},
                       cipher=cipher).json()["data"]["orders"]
    waiting = [o["id"] for o in orders if o["id"] not in settled]
    assert waiting  # the newest completed orders have not settled yet
    data = shop.call("GET", ORDER.format(waiting[0]), cipher=cipher).json()["data"]
    assert (data["settlement_status"], data["statement_transactions"]) == ("UNSETTLED", [])
