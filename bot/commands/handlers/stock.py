"""``stock [sku | at risk]``: stock on hand, days of cover and which SKUs run out before a
reorder could arrive.

Days of cover = stock / average units sold per day over the last ``SALES_WINDOW_DAYS`` (paid,
non-sample orders); a SKU is at risk when its cover is shorter than its lead time (the SKU's, else
the store's ``lead_time_days``).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.commands.context import BotContext
from bot.commands.format import count
from bot.commands.handlers.common import refusals, scope_of
from bot.commands.middleware import Turn
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import UnknownStore, resolve_scope, store_label
from jobs.warehouse.schema import order_lines, orders, skus

#: Days of sales the daily run rate is averaged over.
SALES_WINDOW_DAYS = 28
#: SKUs listed at most.
MAX_ROWS = 15


def _split_sku(turn: Turn) -> tuple[str | None, str | None]:
    """(store words, sku words): words that are not a store of the tenant name a SKU."""
    assert turn.parsed is not None and turn.tenant is not None
    said = turn.parsed.scope
    if said is None or said == "all":
        return said, None
    try:
        resolve_scope(turn.tenant, said)
        return said, None
    except UnknownStore:
        words = said.split()
        for i in range(len(words)):
            rest = " ".join(words[:i] + words[i + 1:]) or None
            try:
                resolve_scope(turn.tenant, rest)
                return rest, words[i]
            except UnknownStore:
                continue
    return None, said


def _rows(ctx: BotContext, turn: Turn, shop_ids: list[str], sku: str | None) -> list[dict]:  # type: ignore[type-arg]
    since = ctx.now() - timedelta(days=SALES_WINDOW_DAYS)
    sold = (select(order_lines.c.shop_id, order_lines.c.sku_id,
                   func.sum(order_lines.c.quantity).label("units"))
            .join(orders, (orders.c.shop_id == order_lines.c.shop_id)
                  & (orders.c.order_id == order_lines.c.order_id))
            .where(orders.c.shop_id.in_(shop_ids), orders.c.paid_time >= since,
                   orders.c.is_sample.is_(False))
            .group_by(order_lines.c.shop_id, order_lines.c.sku_id)).subquery()
    stmt = (select(skus.c.shop_id, skus.c.sku_id, skus.c.seller_sku, skus.c.product_name,
                   skus.c.stock, skus.c.lead_time_days, sold.c.units)
            .outerjoin(sold, (sold.c.shop_id == skus.c.shop_id) & (sold.c.sku_id == skus.c.sku_id))
            .where(skus.c.shop_id.in_(shop_ids)))
    if sku:
        key = sku.lower()
        stmt = stmt.where((func.lower(skus.c.sku_id) == key)
                          | (func.lower(skus.c.seller_sku) == key))
    with ctx.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


@refusals
def stock(turn: Turn, ctx: BotContext) -> Reply:
    """Stock and cover per SKU; ``at risk`` keeps only SKUs that run out within the lead time."""
    assert turn.parsed is not None and turn.tenant is not None
    store_words, sku = _split_sku(turn)
    scope = scope_of(turn, store_words, use_parsed=False)
    lead = {s.shop_id: s.lead_time_days for s in scope.stores}
    names = {s.shop_id: store_label(s) for s in scope.stores}
    rows = []
    for r in _rows(ctx, turn, list(lead), sku):
        rate = (r["units"] or 0) / SALES_WINDOW_DAYS
        cover = None if rate == 0 else (r["stock"] or 0) / rate
        days = r["lead_time_days"] or lead[r["shop_id"]]
        rows.append((r, cover, days, cover is not None and cover < days))
    zh = turn.lang == "zh"
    if turn.parsed.at_risk:
        rows = [row for row in rows if row[3]]
    rows.sort(key=lambda row: float("inf") if row[1] is None else row[1])
    title = ("库存" if zh else "Stock") + (" · " + ("缺货风险" if zh else "at risk")
                                             if turn.parsed.at_risk else "")
    head = Text(f"{title} · {scope.label}" + (f" · {sku}" if sku else ""), "heading")
    if not rows:
        text = ("没有找到该 SKU。" if sku else "没有缺货风险的 SKU。") if zh else (
            f"No SKU {sku!r} in {scope.label}." if sku else "No SKU at risk.")
        return reply(head, text)
    table = tuple((str(r["seller_sku"] or r["sku_id"]), names[r["shop_id"]], count(r["stock"]),
                   "-" if cover is None else f"{cover:.0f}", str(days),
                   ("⚠ " if risk else "") + ("补货" if zh and risk else "reorder" if risk else ""))
                  for r, cover, days, risk in rows[:MAX_ROWS])
    cols = ("SKU", "店铺", "库存", "可售天数", "补货周期", "") if zh else (
        "SKU", "Store", "Stock", "Days of cover", "Lead time", "")
    note = (f"按最近 {SALES_WINDOW_DAYS} 天日均销量计算" if zh else
            f"Cover uses average daily units of the last {SALES_WINDOW_DAYS} days")
    return reply(head, Table(cols, table), Text(note, "note"))
