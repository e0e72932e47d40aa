"""``profit``: "are we making money", "我们现在赚钱吗".

Two views of the same period, side by side. Sales (accrual): net GMV minus ad spend, creator
commission, platform fees and cost of goods. Cash: settled revenue (TikTok's payouts, already
after its fees and commissions) minus ad spend and cost of goods. Net GMV, settled revenue,
spend and commission are the KPI answers' (the digest's query API). What is estimated is said
under the table: platform fees on unsettled sales use the fee rate of the orders settled in the
period (``jobs.warehouse.profit.settlement_breakdown``), and cost of goods is units sold x the
store's ``unit_costs`` from the tenants file, converted at the period's last rate; SKUs without a
cost are named. A part no source reported is "n/a (not reported by <source>)", never 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from analytics.display import money
from bot.commands.context import BotContext
from bot.commands.gaps import not_reported
from bot.commands.handlers.common import refusals, scope_of, through_note
from bot.commands.handlers.metrics import heading, load_numbers
from bot.commands.middleware import Turn
from bot.commands.numbers import fx_for
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope
from bot.commands.texts import phrase
from jobs.warehouse.profit import settlement_breakdown, units_by_sku
from jobs.warehouse.reads import store_zones

#: SKUs without a unit cost named in the note (the rest are counted).
MAX_NAMED_SKUS = 5
#: The answer's words.
WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Profit", "zh": "利润"},
    "columns": {"en": "|Sales (net GMV)|Cash (settled)", "zh": "|按销售（净GMV）|按回款（结算）"},
    "revenue": {"en": "Revenue", "zh": "收入"},
    "spend": {"en": "− Ad spend", "zh": "− 广告花费"},
    "commission": {"en": "− Creator commission", "zh": "− 达人佣金"},
    "fees": {"en": "− Platform fees (est.)", "zh": "− 平台费用（估）"},
    "cogs": {"en": "− Cost of goods (est.)", "zh": "− 货品成本（估）"},
    "profit": {"en": "= Profit", "zh": "= 利润"},
    "in_payout": {"en": "in the payout", "zh": "已在回款中扣除"},
    "yes": {"en": "Yes: {net} on sales, {cash} in cash.",
            "zh": "赚钱：按销售 {net}，按回款 {cash}。"},
    "no": {"en": "Not yet: {net} on sales, {cash} in cash.",
           "zh": "暂未赚钱：按销售 {net}，按回款 {cash}。"},
    "fee_rate": {"en": "Platform fees estimated at {rate} of net GMV: the rate of the {n} orders "
                       "settled in the period.",
                 "zh": "平台费用按净GMV的 {rate} 估算（本期已结算 {n} 单的费率）。"},
    "cogs_note": {"en": "Cost of goods: {units} units at the tenants file's unit costs.",
                  "zh": "货品成本：{units} 件 × 租户配置中的单位成本。"},
    "no_costs": {"en": "Cost of goods not included: no unit cost for {skus}. Add them under the "
                       "store's unit_costs in the tenants file (e.g. ACME-MUG: 3.50).",
                 "zh": "未计入货品成本：{skus} 没有单位成本。请在租户配置的店铺下添加 unit_costs"
                       "（例如 ACME-MUG: 3.50）。"},
}


def word(key: str, lang: str, **values: object) -> str:
    """A phrase of ``WORDS`` in ``lang``."""
    return phrase(WORDS, key, lang, **values)


def _cogs(ctx: BotContext, scope: Scope, units: dict[tuple[str, str, str], int], currency: str,
          last: date) -> tuple[Decimal | None, int, list[str]]:
    """Cost of the units sold (None without any cost), units costed, SKUs without a cost."""
    total, costed, uncosted = Decimal(0), 0, []
    by_shop = {s.shop_id: s for s in scope.stores}
    with ctx.engine.connect() as conn:
        for (shop, sku, seller), n in sorted(units.items()):
            store = by_shop[shop]
            costs = dict(store.unit_costs)
            cost = costs.get(seller) if seller in costs else costs.get(sku)
            if cost is None:
                uncosted.append(seller or sku)
                continue
            own = store.resolved_currency
            fx = fx_for(conn, [own], currency, last, last)
            total += fx.convert(cost * n, own, last, currency, exact=True)
            costed += n
    return (total.quantize(Decimal("0.01")) if costed else None), costed, uncosted


def _minus(value: Decimal | None, currency: str, source: str, lang: str) -> str:
    return not_reported(source, lang) if value is None else money(-value, currency)


@refusals
def profit(turn: Turn, ctx: BotContext) -> Reply:
    """Sales and cash profit of the period, with what is estimated said plainly."""
    scope = scope_of(turn)
    numbers = load_numbers(turn, ctx, scope)
    period, cur, lang = numbers.period, numbers.current, turn.lang
    ccy = cur.currency
    with ctx.engine.connect() as conn:
        zones = store_zones(conn, scope.stores)
        settled = settlement_breakdown(conn, zones, period.start, period.end, ccy)
        units = units_by_sku(conn, zones, period.start, period.end)
    cogs, costed, uncosted = _cogs(ctx, scope, units, ccy, period.end)
    fees_paid, revenue = settled["fees"], settled["revenue"]
    rate = (abs(Decimal(fees_paid)) / Decimal(revenue) if fees_paid is not None and revenue
            else None)
    fees = None if rate is None else (cur.net_gmv * rate).quantize(Decimal("0.01"))
    spend, commission = cur.spend or Decimal(0), cur.commission_cost or Decimal(0)
    net = cur.net_gmv - spend - commission - (fees or 0) - (cogs or 0)
    cash = None if cur.settled_revenue is None else cur.settled_revenue - spend - (cogs or 0)
    payout = word("in_payout", lang)
    rows = (
        (word("revenue", lang), money(cur.net_gmv, ccy),
         money(cur.settled_revenue, ccy) if cur.settled_revenue is not None
         else not_reported("order_settlements", lang)),
        (word("spend", lang), *[_minus(cur.spend, ccy, "ad_report_rows", lang)] * 2),
        (word("commission", lang), _minus(cur.commission_cost, ccy, "affiliate_order_lines",
                                          lang), payout),
        (word("fees", lang), _minus(fees, ccy, "order_settlements", lang), payout),
        (word("cogs", lang), *[money(-cogs, ccy) if cogs is not None else "n/a"] * 2),
        (word("profit", lang), money(net, ccy), money(cash, ccy)),
    )
    making = net > 0 and (cash is None or cash > 0)
    verdict = word("yes" if making else "no", lang, net=money(net, ccy), cash=money(cash, ccy))
    notes = [word("fee_rate", lang, rate=f"{rate:.1%}", n=settled["orders"])] if rate else []
    notes += [word("cogs_note", lang, units=costed)] if costed else []
    if uncosted:
        named = ", ".join(uncosted[:MAX_NAMED_SKUS]) + (
            f" (+{len(uncosted) - MAX_NAMED_SKUS})" if len(uncosted) > MAX_NAMED_SKUS else "")
        notes.append(word("no_costs", lang, skus=named))
    through = through_note(period, lang)
    data = {"period": period.label, "currency": ccy, "net_gmv": str(cur.net_gmv),
            "settled_revenue": None if cur.settled_revenue is None else str(cur.settled_revenue),
            "spend": None if cur.spend is None else str(cur.spend),
            "commission": None if cur.commission_cost is None else str(cur.commission_cost),
            "fees_estimated": None if fees is None else str(fees),
            "cogs_estimated": None if cogs is None else str(cogs),
            "profit_sales": str(net), "profit_cash": None if cash is None else str(cash),
            "uncosted_skus": uncosted}
    return reply(heading(word("title", lang), scope, numbers), verdict,
                 Table(tuple(word("columns", lang).split("|")), rows),
                 *([through] if through else []),
                 *([Text("\n".join(notes), "note")] if notes else []), data=data)
