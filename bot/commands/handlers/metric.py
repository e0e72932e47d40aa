"""One metric asked about in plain words: "refund rate in the UK", "settled revenue last week",
"英国广告花了多少钱".

The answer is that metric for the scope and period with its context: the period before (the same
days of it when the data stops early), the change, and with several stores each store's figure in
its own currency. The numbers are the KPI answers' (``load_answer``: the digest's query API).
"""

from __future__ import annotations

from analytics.display import change, metric_name
from bot.commands.context import BotContext
from bot.commands.handlers.common import refusals, scope_of, through_note
from bot.commands.handlers.metrics import (
    answer_data,
    heading,
    load_answer,
    load_numbers,
    money_note,
    value_cell,
)
from bot.commands.middleware import Turn
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope, resolve_scope, store_label

#: Headings of the one-metric table.
COLUMNS = {"en": ("", "This period", "Previous", "Change"), "zh": ("", "本期", "上期", "变化")}
#: The first row's name when the scope has several stores.
TOTAL = {"en": "Total", "zh": "合计"}
#: The metric shown when a question names none (never happens from the grammar; a safe default).
DEFAULT_METRIC = "gross_gmv"


def _store_rows(turn: Turn, ctx: BotContext, scope: Scope, metric: str) -> list[tuple[str, ...]]:
    """Each store of a several-store scope, in its own currency."""
    assert turn.tenant is not None
    rows: list[tuple[str, ...]] = []
    for store in scope.stores:
        one = resolve_scope(turn.tenant, store.shop_id)
        answer = load_answer(turn, ctx, one)
        if answer.numbers is None:
            continue
        cur, prev = answer.numbers.current, answer.numbers.previous
        rows.append((store_label(store), value_cell(metric, cur, None, turn.lang),
                     value_cell(metric, prev, None, turn.lang),
                     change(cur.value(metric), None if prev is None else prev.value(metric))))
    return rows


@refusals
def metric(turn: Turn, ctx: BotContext) -> Reply:
    """The metric the question names, for the scope and period, against the period before."""
    assert turn.parsed is not None
    metric_id = turn.parsed.metric or DEFAULT_METRIC
    scope = scope_of(turn)
    numbers = load_numbers(turn, ctx, scope)
    cur, prev, beside = numbers.current, numbers.previous, numbers.reporting
    lang = turn.lang
    name = metric_name(metric_id, lang)
    first = TOTAL[lang] if len(scope.stores) > 1 else scope.label
    rows: list[tuple[str, ...]] = [(first,
             value_cell(metric_id, cur, None if beside is None else beside.current, lang),
             value_cell(metric_id, prev, None if beside is None or prev is None else
                    beside.previous, lang),
             change(cur.value(metric_id), None if prev is None else prev.value(metric_id)))]
    if len(scope.stores) > 1:
        rows += _store_rows(turn, ctx, scope, metric_id)
    note = through_note(numbers.period, lang)
    data = answer_data(turn, scope, numbers) | {"metric": metric_id}
    return reply(heading(name, scope, numbers), Table(COLUMNS[lang], tuple(rows)),
                 *([note] if note else []), money_note(lang, numbers, len(scope.stores) == 1),
                 Text(f"`define {metric_id}`", "note"), data=data)
