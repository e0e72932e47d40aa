"""Answers in a digest's thread, from that digest's frozen numbers.

``roas``, ``gmv`` and ``kpi`` about the digest's week, for all stores or one store, come from the
stored ``WeeklyReport``; anything else (another week, a region of several stores, creators...)
is answered live as usual, marked as not being part of the digest.
"""

from __future__ import annotations

from datetime import timedelta

from analytics.periods import period_window
from bot.commands.context import BotContext
from bot.commands.handlers.metrics import SHOWN, answer_data, heading, kpi_table
from bot.commands.middleware import Turn
from bot.commands.numbers import ScopeNumbers
from bot.commands.periods import Period, PeriodError, resolve_period
from bot.commands.reply import Reply, Text, reply
from bot.commands.scope import UnknownStore, resolve_scope
from bot.commands.threads import thread_report

#: Commands a digest thread answers from the snapshot.
SNAPSHOT_COMMANDS = frozenset({"roas", "gmv", "kpi"})
TITLES = {"roas": ("ROAS", "投产比"), "gmv": ("GMV", "GMV"), "kpi": ("KPIs", "核心指标")}


def from_snapshot(turn: Turn, ctx: BotContext) -> Reply | None:
    """The answer from the thread's digest, or ``None`` to answer live."""
    parsed, tenant, req = turn.parsed, turn.tenant, turn.request
    if parsed is None or tenant is None or req.thread_id is None:
        return None
    if parsed.command not in SNAPSHOT_COMMANDS:
        return None
    report = thread_report(ctx, tenant.id, req.platform, req.channel_id, req.thread_id)
    if report is None:
        return None
    span = period_window("UTC", report.week)  # a week, fortnight or month: only its days count
    if parsed.period is not None:
        try:
            asked = resolve_period(parsed.period, span.last + timedelta(days=1))
        except PeriodError:
            return None
        if asked.label != report.week:
            return None
    try:
        scope = resolve_scope(tenant, parsed.scope)
    except UnknownStore:
        return None  # the live answer explains which stores exist
    beside = None
    if scope.kind == "all":
        if report.total is None:
            return None  # the total needs a missing FX rate: the live answer names it
        kpis = report.total
    elif len(scope.stores) == 1:
        store = report.store(scope.stores[0].shop_id)
        kpis, beside = store.kpis, store.reporting  # its own currency, the reporting beside
    else:
        return None
    period = Period(span.first, span.last, report.week)
    numbers = ScopeNumbers(kpis.current, kpis.previous, period, None if beside is None else
                           ScopeNumbers(beside.current, beside.previous, period))
    zh = turn.lang == "zh"
    title = TITLES[parsed.command][1 if zh else 0]
    note = (f"来自 {report.week} 周报的冻结数据（与周报一致）" if zh else
            f"From the {report.week} digest's frozen numbers (same as the digest above)")
    return reply(heading(title, scope, numbers), kpi_table(SHOWN[parsed.command], numbers,
                                                           turn.lang),
                 Text(note, "note"), data=answer_data(turn, scope, numbers))
