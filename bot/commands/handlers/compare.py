"""``compare [metric] <store> <store>``: two stores (or regions) side by side over one period.

Without a metric, every headline KPI of each side; with one ("compare ctr UK TH", "对比英国美国的
退款率"), that metric this period, the period before and the change, per side. Both sides are in
the one currency ``answer_currency`` picks for the pair (the reporting currency when they differ),
from the KPI answers' reads (the digest's query API); a missing rate shows each store in its own
currency with the rate to add.
"""

from __future__ import annotations

from analytics.display import change, metric_name
from bot.commands.context import BotContext
from bot.commands.handlers.common import fx_note, period_of, refusals, scope_of
from bot.commands.handlers.metrics import (
    SHOWN,
    answer_data,
    load_answer,
    missing_data,
    money_note,
    value_cell,
)
from bot.commands.middleware import Turn
from bot.commands.numbers import ScopeAnswer, ScopeNumbers
from bot.commands.reply import Reply, Table, Text, reply

#: The rows of a one-metric comparison.
ROWS = {"en": ("This period", "Previous", "Change"), "zh": ("本期", "上期", "变化")}

@refusals
def compare(turn: Turn, ctx: BotContext) -> Reply:
    """Two stores (or regions) side by side over the same period."""
    parsed = turn.parsed
    assert parsed is not None
    if len(parsed.scopes) != 2:
        text = ("对比需要两个店铺，例如：`对比 英国 美国`" if turn.lang == "zh" else
                "Compare needs two stores, e.g. `compare UK US`.")
        return reply(text, kind="unclear")
    left, right = (scope_of(turn, said) for said in parsed.scopes)
    answers = load_answer(turn, ctx, left, right), load_answer(turn, ctx, right, left)
    sides = [_side(a) for a in answers]
    if parsed.metric is not None:
        rows = _metric_rows(parsed.metric, sides, turn.lang)
    else:
        rows = tuple((metric_name(m, turn.lang),
                      *(value_cell(m, None if n is None else n.current, None, turn.lang)
                        for n in sides)) for m in SHOWN["kpi"])
    title = "对比" if turn.lang == "zh" else "Compare"
    if parsed.metric is not None:
        title += f" {metric_name(parsed.metric, turn.lang)}"
    period = period_of(turn, ctx, left)
    head = Text(f"{title} · {left.label} vs {right.label} · {period.label}", "heading")
    data = {side: answer_data(turn, scope, n) if n is not None else
            missing_data(turn, scope, a)
            for side, scope, n, a in zip(("left", "right"), (left, right), sides, answers,
                                         strict=True)}
    missing = tuple(g for a in answers for g in a.missing)
    if not missing:
        assert sides[0] is not None
        return reply(head, Table(("", left.label, right.label), rows),
                     money_note(turn.lang, sides[0]),
                     data=data)
    own = "各店铺币种" if turn.lang == "zh" else "each store in its own currency"
    return reply(head, Table(("", left.label, right.label), rows, own),
                 fx_note(turn.lang, sorted(set(missing), key=lambda g: (g.currency, g.quote))),
                 data=data)


def _metric_rows(metric: str, sides: list[ScopeNumbers | None], lang: str) -> (
    tuple[tuple[str, ...], ...]
):
    """One metric of two sides: this period, the period before and the change."""
    now = tuple(value_cell(metric, None if n is None else n.current, None, lang) for n in sides)
    before = tuple(value_cell(metric, None if n is None else n.previous, None, lang) for n in sides)
    moved = tuple(change(None if n is None else n.current.value(metric),
                         None if n is None or n.previous is None else n.previous.value(metric))
                  for n in sides)
    this, previous, changed = ROWS[lang]
    return ((this, *now), (previous, *before), (changed, *moved))


def _side(answer: ScopeAnswer) -> ScopeNumbers | None:
    """One side of a comparison: in the reporting currency, else (a rate missing) its single
    store in its own currency, else nothing."""
    if answer.numbers is not None:
        return answer.numbers
    return answer.stores[0][1] if len(answer.stores) == 1 else None
