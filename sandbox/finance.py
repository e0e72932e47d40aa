"""Settled money: daily statements per shop and per-order statement transactions.

An order settles one to three days after it completes (and after any refund), so settlement lags
delivery by more than a week. Per order: ``revenue = sub_total + platform_discount - refunds``
(the platform pays its own discount to the seller); fees are a platform commission, the
affiliate commission (creator orders) and a transaction fee, all negative; shipping cost is the
buyer's shipping fee minus the carrier cost; ``settlement = revenue + fees + shipping_cost``.

A shop's daily statement pays every order that settled on that local day; its transactions
(202501) carry each order's amounts from the same ``order_settlement`` as the per-order endpoint.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox.aftersales import REJECTED, RETURN
from sandbox.dataset import Dataset
from sandbox.index import index_of
from sandbox.lifecycle import happened
from sandbox.regions import REGIONS, money_str
from sandbox.truth import local_day_index

PLATFORM_COMMISSION_BP = 600
TRANSACTION_FEE_BP = 200
CARRIER_COST_FACTOR = 1.25
STATEMENT_ID_BASE = 8_800_000_000_000
#: Statement ids of one shop are ``STATEMENT_ID_BASE + shop_idx * STATEMENT_ID_SHOP + day``.
STATEMENT_ID_SHOP = 10_000
TRANSACTION_ID_BASE = 8_900_000_000_000_000
MONEY = (
    "revenue",
    "platform_fee",
    "affiliate_fee",
    "transaction_fee",
    "shipping_cost",
    "settlement",
)


def _bp(amount: np.ndarray, bp: np.ndarray | int) -> np.ndarray:
    return (amount * bp + 5000) // 10000


def order_settlement(ds: Dataset, rows: np.ndarray) -> pd.DataFrame:
    """Settlement amounts (minor units; fees and costs negative) of the given order rows."""
    o = ds.orders
    refunded = np.zeros(len(o), dtype=np.int64)
    r = ds.refunds
    counted = (r["kind"].to_numpy() == RETURN) & (r["shape"].to_numpy() != REJECTED)
    np.add.at(refunded, r["order_row"].to_numpy()[counted], r["amount"].to_numpy()[counted])
    revenue = (
        o["sub_total"].to_numpy()[rows] + o["platform_discount"].to_numpy()[rows] - refunded[rows]
    )
    creator = o["creator_row"].to_numpy()[rows]
    rate = np.where(
        creator >= 0, ds.creators["commission_bp"].to_numpy()[np.maximum(creator, 0)], 0
    )
    shop = o["shop_idx"].to_numpy()[rows]
    carrier = (
        np.array([REGIONS[x].shipping_fee for x in ds.shops["region"]])[shop] * CARRIER_COST_FACTOR
    )
    frame = pd.DataFrame(
        {
            "row": rows,
            "revenue": revenue,
            "platform_fee": -_bp(revenue, PLATFORM_COMMISSION_BP),
            "affiliate_fee": -_bp(revenue, rate),
            "transaction_fee": -_bp(revenue, TRANSACTION_FEE_BP),
            "shipping_cost": o["shipping_fee"].to_numpy()[rows] - carrier.astype(np.int64),
        }
    )
    frame["settlement"] = frame[
        ["revenue", "platform_fee", "affiliate_fee", "transaction_fee", "shipping_cost"]
    ].sum(axis=1)
    return frame


def settled_rows(ds: Dataset, shop_idx: int, as_of: int) -> tuple[np.ndarray, np.ndarray]:
    """(order rows of a shop settled by ``as_of`` in creation order, local day each settled)."""
    span = ds.shop_orders(shop_idx)
    rows = np.arange(span.start, span.stop)
    settle = ds.orders["settle_time"].to_numpy()[rows]
    rows = rows[happened(settle, as_of)]
    settle = ds.orders["settle_time"].to_numpy()[rows]
    return rows, local_day_index(settle, np.full(rows.size, shop_idx), ds.midnights)


def shop_statements(ds: Dataset, shop_idx: int, as_of: int) -> pd.DataFrame:
    """Daily statements of a shop settled by ``as_of`` (one per local settlement day)."""
    rows, days = settled_rows(ds, shop_idx, as_of)
    money = order_settlement(ds, rows)
    money["day"] = days
    daily = money.groupby("day", as_index=False)[list(MONEY)].sum()
    daily["statement_time"] = ds.midnights[shop_idx][daily["day"].to_numpy()]
    daily["id"] = STATEMENT_ID_BASE + shop_idx * STATEMENT_ID_SHOP + daily["day"]
    return daily


def statement_json(row: Any, exp: int, currency: str, as_of: int) -> dict[str, Any]:
    """One statement object."""
    fees = row.platform_fee + row.affiliate_fee + row.transaction_fee
    paid = row.statement_time + 2 * 86_400 <= as_of
    return {
        "id": str(row.id),
        "statement_time": int(row.statement_time),
        "currency": currency,
        "revenue_amount": money_str(row.revenue, exp),
        "fee_amount": money_str(fees, exp),
        "adjustment_amount": money_str(0, exp),
        "shipping_cost_amount": money_str(row.shipping_cost, exp),
        "net_sales_amount": money_str(row.revenue, exp),
        "settlement_amount": money_str(row.settlement, exp),
        "payment_status": "PAID" if paid else "PROCESSING",
        "payment_id": f"PAY{row.id}" if paid else "",
    }


def statement_detail_json(row: Any, exp: int, currency: str) -> dict[str, Any]:
    """The statement-level fields of ``GET /finance/202501/statements/{id}/statement_transactions``
    (no reserves or adjustments in the sandbox: payable equals settled)."""
    fees = row.platform_fee + row.affiliate_fee + row.transaction_fee
    return {
        "id": str(row.id),
        "create_time": int(row.statement_time),
        "status": "SETTLED",
        "currency": currency,
        "total_settlement_amount": money_str(row.settlement, exp),
        "total_reserve_amount": money_str(0, exp),
        "payable_amount": money_str(row.settlement, exp),
        "total_settlement_breakdown": {
            "total_revenue_amount": money_str(row.revenue, exp),
            "total_shipping_cost_amount": money_str(row.shipping_cost, exp),
            "total_fee_tax_amount": money_str(fees, exp),
            "total_adjustment_amount": money_str(0, exp),
        },
    }


def _settled_money(ds: Dataset, rows: np.ndarray) -> dict[str, np.ndarray]:
    """``order_settlement`` of order ``rows`` of one shop, read from that shop's table (computed
    once for all its orders and kept in the data set's index)."""
    if rows.size == 0:
        return {"row": rows}
    shop_idx = int(index_of(ds).orders["shop_idx"][rows[0]])
    span = ds.shop_orders(shop_idx)
    table = index_of(ds).memo(("settlement", shop_idx), lambda: {
        str(k): v.to_numpy()
        for k, v in order_settlement(ds, np.arange(span.start, span.stop)).items()})
    local = rows - span.start
    if local.min() < 0 or local.max() >= span.stop - span.start:
        raise ValueError("order rows of more than one shop")
    return {name: column[local] for name, column in table.items()}


def statement_transactions_json(ds: Dataset, rows: np.ndarray, exp: int) -> list[dict[str, Any]]:
    """Order transactions of the given settled order rows (one statement's page), read from the
    shop's precomputed settlement table (``sandbox.index``)."""
    ix = index_of(ds)
    m = {k: v.tolist() for k, v in _settled_money(ds, rows).items()}
    order_ids = ix.orders["order_id"][rows].tolist()
    created = ix.orders["create_time"][rows].tolist()
    out = []
    for i, row in enumerate(m["row"]):
        platform, affiliate, transaction = (
            m["platform_fee"][i], m["affiliate_fee"][i], m["transaction_fee"][i])
        out.append(
            {
                "id": str(TRANSACTION_ID_BASE + int(row)),
                "type": "ORDER",
                "order_id": str(order_ids[i]),
                "order_create_time": int(created[i]),
                "revenue_amount": money_str(m["revenue"][i], exp),
                "shipping_cost_amount": money_str(m["shipping_cost"][i], exp),
                "fee_tax_amount": money_str(platform + affiliate + transaction, exp),
                "fee_tax_breakdown": {
                    "fee": {
                        "platform_commission_amount": money_str(platform, exp),
                        "affiliate_commission_amount": money_str(affiliate, exp),
                        "transaction_fee_amount": money_str(transaction, exp),
                    },
                    "tax": {},
                },
                "adjustment_amount": money_str(0, exp),
                "settlement_amount": money_str(m["settlement"][i], exp),
            }
        )
    return out


def transactions_json(ds: Dataset, row: int, as_of: int) -> dict[str, Any]:
    """Statement transactions of one order (empty until it settles)."""
    o = ds.orders
    shop = ds.shops.iloc[int(o["shop_idx"].iat[row])]
    exp, cur = int(shop["exponent"]), str(shop["currency"])
    data: dict[str, Any] = {
        "order_id": str(o["order_id"].iat[row]),
        "currency": cur,
        "order_create_time": int(o["create_time"].iat[row]),
    }
    settle = int(o["settle_time"].iat[row])
    if not happened(np.array([settle]), as_of)[0]:
        return {
            **data,
            "settlement_status": "UNSETTLED",
            "statement_transactions": [],
            "sku_transactions": [],
        }
    m = order_settlement(ds, np.array([row])).iloc[0]
    fees = int(m.platform_fee + m.affiliate_fee + m.transaction_fee)
    data.update(
        settlement_status="SETTLED",
        settle_time=settle,
        revenue_amount=money_str(m.revenue, exp),
        fee_and_tax_amount=money_str(fees, exp),
        shipping_cost_amount=money_str(m.shipping_cost, exp),
        settlement_amount=money_str(m.settlement, exp),
        sku_transactions=_sku_split(ds, row, m, exp),
    )
    return data


def _sku_split(ds: Dataset, row: int, m: pd.Series, exp: int) -> list[dict[str, Any]]:
    """Per-line shares of the order's revenue and fees (the last line takes the rounding)."""
    lines = ds.order_lines(np.array([row]))
    base = (
        ds.lines["sale_price"].to_numpy()[lines] + ds.lines["platform_discount"].to_numpy()[lines]
    )
    weights = base / base.sum() if base.sum() else np.full(lines.size, 1 / lines.size)
    out = []
    for name in ("revenue", "platform_fee", "affiliate_fee", "transaction_fee"):
        share = np.floor(weights * int(m[name])).astype(np.int64)
        share[-1] += int(m[name]) - share.sum()
        out.append(share)
    skus = ds.skus
    return [
        {
            "sku_id": str(skus["sku_id"].iat[int(ds.lines["sku_row"].iat[j])]),
            "product_name": str(skus["product_name"].iat[int(ds.lines["sku_row"].iat[j])]),
            "quantity": 1,
            "revenue_amount": money_str(out[0][i], exp),
            "platform_commission_amount": money_str(out[1][i], exp),
            "affiliate_commission_amount": money_str(out[2][i], exp),
            "transaction_fee_amount": money_str(out[3][i], exp),
        }
        for i, j in enumerate(lines)
    ]
