"""What a profit answer needs beyond the KPIs: the settlement breakdown and units sold per SKU.

``settlement_breakdown`` sums the orders settled in a period (``order_settlements``: revenue,
platform fees and tax, shipping, platform and affiliate commission, and the payout), each order
converted at the rate of its local settlement day; a column no settled order reported stays
``None``. ``units_by_sku`` counts the units of sales-valid orders (paid, not sample, not
replacement, not cancelled) per store and SKU, by paid time in the store's own days, for a cost
of goods where the tenants file gives unit costs. Same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, false, func, or_, select

from analytics.money import quantize
from analytics.weeks import local_midnight_utc
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.schema import order_lines, order_settlements, orders

#: order_settlements columns summed, by the name the answer gives them.
SETTLEMENT_PARTS = {
    "revenue": "revenue_amount", "fees": "fee_and_tax_amount",
    "shipping": "shipping_cost_amount", "platform_commission": "platform_commission_amount",
    "affiliate_commission": "affiliate_commission_amount", "payout": "settlement_amount",
}
#: Order statuses that never count as sales.
NOT_SALES = ("CANCELLED", "UNPAID")


def _in_days(column, shop_tz: Mapping[str, str], first: date, last: date, shop_column):  # type: ignore[no-untyped-def]
    """``column`` (a UTC time) within each store's local days ``[first, last]``."""
    return or_(false(), *(and_(shop_column == shop,
                               column >= local_midnight_utc(tz, first),
                               column < local_midnight_utc(tz, last + timedelta(days=1)))
                          for shop, tz in shop_tz.items()))


def settlement_breakdown(conn: Connection, shop_tz: Mapping[str, str], first: date, last: date,
                         currency: str) -> dict[str, Decimal | int | None]:
    """Σ of each part of the orders settled in the stores' local days ``[first, last]`` in
    ``currency`` (``orders``: how many), ``None`` for a part no order reported; amounts as
    TikTok reports them (fees and commissions negative). ``MissingFxRate`` for a missing rate."""
    s = order_settlements.c
    cols = [s[c] for c in SETTLEMENT_PARTS.values()]
    rows = conn.execute(select(s.shop_id, s.currency, s.settled_time, *cols).where(
        _in_days(s.settled_time, shop_tz, first, last, s.shop_id))).all()
    fx = load_fx(conn, {r.currency for r in rows} - {currency}, currency, first, last)
    out: dict[str, Decimal | int | None] = dict.fromkeys(SETTLEMENT_PARTS)
    for r in rows:
        day = r.settled_time.astimezone(ZoneInfo(shop_tz[r.shop_id])).date()
        for name, column in SETTLEMENT_PARTS.items():
            value = getattr(r, column)
            if value is None:
                continue
            amount = fx.convert(Decimal(value), r.currency, day, currency, exact=True)
            out[name] = Decimal(out[name] or 0) + amount
    out["orders"] = len(rows)
    return {k: quantize(v) if isinstance(v, Decimal) else v
            for k, v in out.items()}


def units_by_sku(conn: Connection, shop_tz: Mapping[str, str], first: date,
                 last: date) -> dict[tuple[str, str, str], int]:
    """(shop id, SKU id, seller SKU) -> units of sales-valid orders paid in the stores' local
    days ``[first, last]``."""
    o, line = orders.c, order_lines.c
    query = (select(line.shop_id, line.sku_id, line.seller_sku,
                    func.sum(line.quantity).label("units"))
             .select_from(order_lines.join(orders, and_(o.shop_id == line.shop_id,
                                                       o.order_id == line.order_id)))
             .where(_in_days(o.paid_time, shop_tz, first, last, o.shop_id),
                    o.is_sample == false(), o.is_replacement == false(),
                    o.cancel_time.is_(None), o.status.not_in(NOT_SALES))
             .group_by(line.shop_id, line.sku_id, line.seller_sku))
    return {(str(r.shop_id), str(r.sku_id or ""), str(r.seller_sku or "")): int(r.units or 0)
            for r in conn.execute(query)}
