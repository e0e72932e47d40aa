"""``stock [sku | at risk]``: stock on hand, days of cover and which SKUs to reorder now, the
same numbers as the weekly digest's stock section.

Each store's SKUs are planned by ``jobs.warehouse.reads.stock_cover``, the function the report's
stock section is, as of the store's last synced day (``synced_through``): a forecast of daily
units over the ``STOCK_HISTORY_DAYS`` days up to it (``analytics.stock``: paid, sales-valid
orders), days of cover = stock / forecast; a SKU is at risk ("reorder") when its stock is at or
below its reorder point (forecast x lead time + safety stock, the lead time being the SKU's,
else the store's ``lead_time_days``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.display import count, missing
from bot.commands.context import BotContext
from bot.commands.handlers.common import refusals, scope_of
from bot.commands.middleware import Turn
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope, UnknownStore, resolve_scope, store_label
from jobs.warehouse.reads import STOCK_HISTORY_DAYS, stock_cover, store_zones, synced_through

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


def _plans(ctx: BotContext, scope: Scope, sku: str | None) -> pd.DataFrame:
    """Every store's stock plans as of its last synced day (``as_of`` column), fewest days of
    cover first."""
    lead = {s.shop_id: s.lead_time_days for s in scope.stores}
    parts = []
    with ctx.engine.connect() as conn:
        for shop, tz in store_zones(conn, scope.stores).items():
            as_of = synced_through(conn, shop, ctx.now().astimezone(ZoneInfo(tz)).date())
            plans = stock_cover(conn, {shop: tz}, lead, as_of, sku=sku)
            parts.append(plans.assign(as_of=as_of))
    found = [p for p in parts if not p.empty]
    if not found:
        return pd.DataFrame(columns=["days_of_cover", "reorder_now", "as_of"])
    plans = pd.concat(found, ignore_index=True)
    cover = plans["days_of_cover"].astype(float).fillna(float("inf"))
    return plans.assign(_c=cover).sort_values(["_c", "sku_id"], kind="stable").drop(columns="_c")


def _name(plan: Any) -> str:
    """How a SKU is named: its seller SKU, else its id."""
    seller = plan.seller_sku
    return str(plan.sku_id if missing(seller) or not seller else seller)


def _data(plans: pd.DataFrame) -> dict[str, object]:
    """The structured answer: each SKU's plan as the digest has it."""
    return {"stock": [
        {"shop_id": p.shop_id, "sku_id": p.sku_id, "sku": _name(p),
         "stock": int(p.stock), "days_of_cover": None if missing(p.days_of_cover)
         else float(p.days_of_cover), "lead_time_days": int(p.lead_time_days),
         "reorder_now": bool(p.reorder_now), "as_of": p.as_of.isoformat()}
        for p in plans.itertuples(index=False)]}


@refusals
def stock(turn: Turn, ctx: BotContext) -> Reply:
    """Stock and cover per SKU; ``at risk`` keeps only the SKUs to reorder now."""
    assert turn.parsed is not None and turn.tenant is not None
    store_words, sku = _split_sku(turn)
    scope = scope_of(turn, store_words, use_parsed=False)
    names = {s.shop_id: store_label(s) for s in scope.stores}
    plans = _plans(ctx, scope, sku)
    if turn.parsed.at_risk:
        plans = plans[plans["reorder_now"].astype(bool)]
    zh = turn.lang == "zh"
    title = ("库存" if zh else "Stock") + (" · " + ("缺货风险" if zh else "at risk")
                                             if turn.parsed.at_risk else "")
    head = Text(f"{title} · {scope.label}" + (f" · {sku}" if sku else ""), "heading")
    if plans.empty:
        text = ("没有找到该 SKU。" if sku else "没有缺货风险的 SKU。") if zh else (
            f"No SKU {sku!r} in {scope.label}." if sku else "No SKU at risk.")
        return reply(head, text)
    table = tuple((_name(p), names[p.shop_id], count(p.stock),
                   "-" if missing(p.days_of_cover) else f"{p.days_of_cover:.0f}",
                   str(p.lead_time_days), ("⚠ " if p.reorder_now else "") + (
                       ("补货" if zh else "reorder") if p.reorder_now else ""))
                  for p in plans.head(MAX_ROWS).itertuples(index=False))
    cols = ("SKU", "店铺", "库存", "可售天数", "补货周期", "") if zh else (
        "SKU", "Store", "Stock", "Days of cover", "Lead time", "")
    through = ", ".join(sorted({d.isoformat() for d in plans["as_of"]}))
    note = (f"与周报一致：按截至 {through}（已同步）的 {STOCK_HISTORY_DAYS} 天销量预测计算"
            if zh else f"As in the digest: cover uses the sales forecast of the "
            f"{STOCK_HISTORY_DAYS} synced days to {through}")
    return reply(head, Table(cols, table), Text(note, "note"), data=_data(plans))
