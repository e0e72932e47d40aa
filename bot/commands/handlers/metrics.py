"""KPI answers: ``roas``, ``gmv``, ``kpi`` and ``compare``, each with the period before it.

Numbers come from the rollups through ``bot.commands.numbers`` in the tenant's reporting
currency. Every answer carries ``data`` (tenant, scope, period, currency, metrics) for
``tikpulse ask --json``.
"""

from __future__ import annotations

from typing import Any

from analytics.display import change, metric_name, metric_value, plain
from analytics.fx import MissingFxRate
from analytics.kpis import KpiSet
from bot.commands.context import BotContext
from bot.commands.handlers.common import Refusal, period_of, refusals, scope_of
from bot.commands.middleware import Turn
from bot.commands.numbers import ScopeNumbers, scope_kpis
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope

#: Metrics shown per command, in order (catalog ids).
SHOWN: dict[str, tuple[str, ...]] = {
    "roas": ("roas_platform", "roas_true", "roas_blended", "spend", "purchase_value",
             "net_gmv"),
    "gmv": ("gross_gmv", "refunds", "net_gmv", "orders", "units", "aov"),
    "kpi": ("gross_gmv", "net_gmv", "orders", "units", "aov", "visitors", "cvr", "spend",
            "roas_platform", "roas_true", "roas_blended", "ctr", "cpc", "cpm", "refund_rate"),
}
#: Metrics every ``--json`` answer carries (the issue's list, plus the rest of ``KpiSet``).
JSON_METRICS = ("gross_gmv", "net_gmv", "orders", "units", "aov", "spend", "impressions",
                "clicks", "ctr", "cpc", "cpm", "cvr", "roas_platform", "roas_true",
                "roas_blended", "refunds", "settled_revenue", "buyers", "visitors", "purchases",
                "purchase_value", "cpa", "refund_rate", "commission_cost")


def load_numbers(turn: Turn, ctx: BotContext, scope: Scope) -> ScopeNumbers:
    """KPIs of ``scope`` for the asked period; ``Refusal`` when an FX rate is missing."""
    assert turn.tenant is not None
    period = period_of(turn, ctx, scope)
    currency = turn.tenant.reporting_currency
    key = ("scope_kpis", tuple((s.shop_id, s.advertiser_ids) for s in scope.stores),
           period, currency)

    def compute() -> ScopeNumbers:
        with ctx.engine.connect() as conn:
            return scope_kpis(conn, scope.stores, period, currency)

    try:
        return ctx.answers.get_or_compute(key, compute)
    except MissingFxRate as exc:
        raise Refusal(fx_missing_reply(turn, exc)) from None


def fx_missing_reply(turn: Turn, exc: MissingFxRate) -> Reply:
    """"No FX rate for that day" with what to do about it."""
    text = (f"缺少汇率 {exc.currency}->{exc.quote}（{exc.day}），暂时无法换算。请运行 "
            "`tikpulse fx sync` 同步汇率，或用 `tikpulse fx import FILE` 导入汇率后再试。"
            if turn.lang == "zh" else
            f"No FX rate {exc.currency}->{exc.quote} for {exc.day}, so I can't convert that "
            "store's money yet. Run `tikpulse fx sync` (or add the rate with "
            "`tikpulse fx import FILE`) and ask again.")
    return reply(text, kind="error")


def answer_data(turn: Turn, scope: Scope, numbers: ScopeNumbers) -> dict[str, Any]:
    """The structured answer behind a KPI reply (what ``--json`` prints)."""
    assert turn.tenant is not None
    period = numbers.period

    def metrics(kpis: KpiSet) -> dict[str, Any]:
        return {m: plain(kpis.value(m)) for m in JSON_METRICS}

    return {
        "tenant": turn.tenant.id,
        "scope": scope.ids[0] if scope.kind != "all" else "all",
        "scope_kind": scope.kind,
        "stores": [s.shop_id for s in scope.stores],
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "label": period.label},
        "currency": numbers.current.currency,
        "metrics": metrics(numbers.current),
        "previous": {"start": period.previous().start.isoformat(),
                     "end": period.previous().end.isoformat(),
                     "metrics": None if numbers.previous is None else metrics(numbers.previous)},
    }


def heading(title: str, scope: Scope, numbers: ScopeNumbers) -> Text:
    """"ROAS · Acme UK · 2026-W47 (2026-11-16..2026-11-22)"."""
    p = numbers.period
    span = f" ({p.start.isoformat()}..{p.end.isoformat()})" if "-W" in p.label else ""
    return Text(f"{title} · {scope.label} · {p.label}{span}", "heading")


def kpi_table(metric_ids: tuple[str, ...], numbers: ScopeNumbers, lang: str) -> Table:
    """Metric | this period | previous | change."""
    cur, prev = numbers.current, numbers.previous
    columns = ("指标", "本期", "上期", "变化") if lang == "zh" else (
        "Metric", "This period", "Previous", "Change")
    rows = []
    for m in metric_ids:
        before = None if prev is None else prev.value(m)
        rows.append((metric_name(m, lang), metric_value(m, cur.value(m), cur.currency),
                     metric_value(m, before, cur.currency), change(cur.value(m), before)))
    return Table(columns, tuple(rows))


def _note(lang: str, currency: str) -> Text:
    return Text(f"金额单位 {currency}（按每日汇率换算）· 口径：`define <指标>`" if lang == "zh" else
                f"Money in {currency} (each day at its FX rate) · definitions: `define <metric>`",
                "note")


def _kpi_command(title_en: str, title_zh: str, command: str):  # type: ignore[no-untyped-def]
    @refusals
    def handle(turn: Turn, ctx: BotContext) -> Reply:
        scope = scope_of(turn)
        numbers = load_numbers(turn, ctx, scope)
        title = title_zh if turn.lang == "zh" else title_en
        return reply(heading(title, scope, numbers), kpi_table(SHOWN[command], numbers, turn.lang),
                     _note(turn.lang, numbers.current.currency),
                     data=answer_data(turn, scope, numbers))

    handle.__doc__ = f"``{command}``: {title_en} of a store, region or all stores."
    return handle


roas = _kpi_command("ROAS", "投产比", "roas")
gmv = _kpi_command("GMV", "GMV", "gmv")
kpi = _kpi_command("KPIs", "核心指标", "kpi")


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
    a, b = load_numbers(turn, ctx, left), load_numbers(turn, ctx, right)
    ids = SHOWN["kpi"]
    rows = tuple((metric_name(m, turn.lang),
                  metric_value(m, a.current.value(m), a.current.currency),
                  metric_value(m, b.current.value(m), b.current.currency)) for m in ids)
    title = "对比" if turn.lang == "zh" else "Compare"
    head = Text(f"{title} · {left.label} vs {right.label} · {a.period.label}", "heading")
    data = {"left": answer_data(turn, left, a), "right": answer_data(turn, right, b)}
    return reply(head, Table(("", left.label, right.label), rows),
                 _note(turn.lang, a.current.currency), data=data)
