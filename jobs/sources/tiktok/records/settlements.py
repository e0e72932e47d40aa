"""Settlement records: the money TikTok actually paid out, per statement and per order.

Settled amounts are what reached the seller, net of fees and commissions; order amounts in
``orders`` are what the buyer paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.records.values import _required_time


@dataclass(frozen=True)
class Statement:
    """A settlement statement (money actually paid out)."""

    id: str
    statement_time: datetime
    currency: str | None
    settlement_amount: Decimal
    revenue_amount: Decimal
    fee_amount: Decimal
    adjustment_amount: Decimal
    shipping_cost_amount: Decimal
    net_sales_amount: Decimal
    payment_status: str | None
    payment_id: str | None


@dataclass(frozen=True)
class OrderSettlement:
    """Per-order settlement: revenue, fees and what reached the seller."""

    order_id: str
    currency: str | None
    revenue_amount: Decimal
    fee_and_tax_amount: Decimal
    shipping_cost_amount: Decimal
    settlement_amount: Decimal
    platform_commission_amount: Decimal
    affiliate_commission_amount: Decimal


def parse_statement(data: Mapping[str, Any]) -> Statement:
    """One entry of ``data.statements``."""
    return Statement(
        id=str(w.required(data, "id")),
        statement_time=_required_time(data, "statement_time"),
        currency=w.text(data.get("currency")),
        settlement_amount=w.money0(data.get("settlement_amount")),
        revenue_amount=w.money0(data.get("revenue_amount")),
        fee_amount=w.money0(data.get("fee_amount")),
        adjustment_amount=w.money0(data.get("adjustment_amount")),
        shipping_cost_amount=w.money0(data.get("shipping_cost_amount")),
        net_sales_amount=w.money0(data.get("net_sales_amount")),
        payment_status=w.text(data.get("payment_status")),
        payment_id=w.text(data.get("payment_id")),
    )


def parse_order_settlement(order_id: str, data: Mapping[str, Any]) -> OrderSettlement:
    """``statement_transactions`` of one order; commissions summed over its SKUs."""
    skus = w.items(data, "sku_transactions")
    return OrderSettlement(
        order_id=order_id,
        currency=w.text(data.get("currency")),
        revenue_amount=w.money0(data.get("revenue_amount")),
        fee_and_tax_amount=w.money0(data.get("fee_and_tax_amount")),
        shipping_cost_amount=w.money0(data.get("shipping_cost_amount")),
        settlement_amount=w.money0(data.get("settlement_amount")),
        platform_commission_amount=_sum(skus, "platform_commission_amount"),
        affiliate_commission_amount=_sum(skus, "affiliate_commission_amount"),
    )


def _sum(rows: list[Mapping[str, Any]], key: str) -> Decimal:
    return sum((w.money0(r.get(key), key) for r in rows), Decimal(0))
