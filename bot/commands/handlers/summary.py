"""``summary``: a short read of any period ("本周总结", "how are we doing this month").

The headline KPIs against the period before (the same days of it when the data stops early), then
the drivers, biggest first: how GMV split into visitors, conversion and order value, which store
moved the total most, and what ads did (spend and true ROAS). The numbers are the KPI answers'
(``load_answer``, the digest's query API); the sentences come from ``LINES`` in both languages.
"""

from __future__ import annotations

from decimal import Decimal

from analytics.display import change, metric_name, metric_value, missing
from analytics.kpis import KpiSet
from bot.commands.context import BotContext
from bot.commands.handlers.common import refusals, scope_of, through_note
from bot.commands.handlers.metrics import (
    answer_data,
    heading,
    kpi_table,
    load_answer,
    load_numbers,
    money_note,
)
from bot.commands.middleware import Turn
from bot.commands.numbers import ScopeNumbers
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope, resolve_scope, store_label

#: The headline KPIs of a summary, in order.
HEADLINE = ("gross_gmv", "net_gmv", "orders", "cvr", "spend", "roas_true", "refund_rate",
            "settled_revenue")
#: The parts GMV is explained by (GMV = visitors x conversion x order value).
GMV_PARTS = ("visitors", "cvr", "aov")
#: The sentences of the drivers list.
LINES: dict[str, dict[str, str]] = {
    "title": {"en": "Summary", "zh": "总结"},
    "drivers": {"en": "What drove it:", "zh": "主要原因："},
    "gmv": {"en": "GMV {move}: {parts}", "zh": "GMV {move}：{parts}"},
    "store": {"en": "{store} moved the total most: {delta} ({move})",
              "zh": "{store} 对合计影响最大：{delta}（{move}）"},
    "ads": {"en": "Ads: spend {spend} ({spend_move}), true ROAS {roas} (was {roas_before})",
            "zh": "广告：花费 {spend}（{spend_move}），真实ROAS {roas}（上期 {roas_before}）"},
    "quiet": {"en": "No sales in this period or the one before.",
              "zh": "本期与上期均无成交。"},
}


def line(key: str, lang: str, **values: object) -> str:
    """A sentence of ``LINES`` in ``lang``."""
    return LINES[key].get(lang, LINES[key]["en"]).format(**values)


def _parts(cur: KpiSet, prev: KpiSet, lang: str) -> str:
    return ", ".join(f"{metric_name(m, lang)} {change(cur.value(m), prev.value(m))}"
                     for m in GMV_PARTS)


def _biggest_store(turn: Turn, ctx: BotContext, scope: Scope) -> str | None:
    """The store whose GMV moved the total most (in the total's currency)."""
    assert turn.tenant is not None
    moves: list[tuple[Decimal, str, str, str]] = []
    for store in scope.stores:
        answer = load_answer(turn, ctx, resolve_scope(turn.tenant, store.shop_id), scope)
        nums = answer.numbers
        if nums is None or nums.previous is None:
            continue
        delta = nums.current.gross_gmv - nums.previous.gross_gmv
        moves.append((delta, store_label(store), nums.current.currency,
                      change(nums.current.gross_gmv, nums.previous.gross_gmv)))
    if not moves:
        return None
    delta, name, currency, move = max(moves, key=lambda m: abs(m[0]))
    sign = "+" if delta >= 0 else ""
    return line("store", turn.lang, store=name, delta=sign + metric_value("gross_gmv", delta,
                                                                            currency), move=move)


def drivers(turn: Turn, ctx: BotContext, scope: Scope, numbers: ScopeNumbers) -> list[str]:
    """The drivers of the period's change, as bullet lines."""
    cur, prev, lang = numbers.current, numbers.previous, turn.lang
    if prev is None:
        return []
    out = [line("gmv", lang, move=change(cur.gross_gmv, prev.gross_gmv),
                parts=_parts(cur, prev, lang))]
    if len(scope.stores) > 1:
        biggest = _biggest_store(turn, ctx, scope)
        out += [biggest] if biggest else []
    if not missing(cur.spend) or not missing(prev.spend):
        out.append(line("ads", lang, spend=metric_value("spend", cur.spend, cur.currency),
                        spend_move=change(cur.spend, prev.spend),
                        roas=metric_value("roas_true", cur.roas_true, ""),
                        roas_before=metric_value("roas_true", prev.roas_true, "")))
    return [f"• {text}" for text in out]


@refusals
def summary(turn: Turn, ctx: BotContext) -> Reply:
    """Headline KPIs against the period before, and what drove the change."""
    scope = scope_of(turn)
    numbers = load_numbers(turn, ctx, scope)
    lang = turn.lang
    head = heading(line("title", lang), scope, numbers)
    note = through_note(numbers.period, lang)
    prev = numbers.previous
    if numbers.current.orders == 0 and (prev is None or prev.orders == 0):
        return reply(head, line("quiet", lang), *([note] if note else []),
                     data=answer_data(turn, scope, numbers))
    why = drivers(turn, ctx, scope, numbers)
    blocks: list[Table | Text] = [kpi_table(HEADLINE, numbers, lang)]
    if why:
        blocks.append(Text("\n".join([line("drivers", lang), *why])))
    data = answer_data(turn, scope, numbers) | {"drivers": why}
    return reply(head, *blocks, *([note] if note else []),
                 money_note(lang, numbers, len(scope.stores) == 1), data=data)
