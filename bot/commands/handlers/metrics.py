"""KPI answers: ``roas``, ``gmv`` and ``kpi``, each with the period before it, and the pieces
``metric``, ``summary``, ``profit`` and ``compare`` build on.

Numbers come from the rollups through ``bot.commands.numbers``: a question about one store in
that store's own currency (what Seller Center shows) with the reporting-currency figure beside
it, totals and comparisons in the tenant's reporting currency. A missing FX rate never stops an
answer: what can be shown is shown in each store's own currency, with a note naming the rate and
how to add it. Every answer carries ``data`` (tenant, scope, period, currency, metrics) for
``tikpulse ask --json``.
"""

from __future__ import annotations

from typing import Any

from analytics.display import (
    change,
    metric_name,
    metric_value,
    missing,
    plain,
    with_reporting,
)
from analytics.kpis import KpiSet
from bot.commands.context import BotContext
from bot.commands.gaps import value_text
from bot.commands.handlers.common import (
    Refusal,
    fx_missing_reply,
    fx_note,
    period_of,
    refusals,
    scope_of,
    through_note,
)
from bot.commands.middleware import Turn
from bot.commands.numbers import ScopeAnswer, ScopeNumbers, scope_answer
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope, store_label

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


def load_answer(turn: Turn, ctx: BotContext, scope: Scope,
                compared_with: Scope | None = None) -> ScopeAnswer:
    """What a KPI answer about ``scope`` can show for the asked period (see ``scope_answer``);
    ``compared_with`` is the other side of a comparison."""
    assert turn.tenant is not None
    period = period_of(turn, ctx, scope)
    reporting = turn.tenant.reporting_currency
    other = () if compared_with is None else compared_with.stores

    def stores_key(stores: tuple[Any, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((s.shop_id, s.advertiser_ids) for s in stores)

    key = ("scope_answer", stores_key(scope.stores), stores_key(other), period, reporting)

    def compute() -> ScopeAnswer:
        with ctx.engine.connect() as conn:
            return scope_answer(conn, scope.stores, period, reporting, compared_with=other)

    return ctx.answers.get_or_compute(key, compute)


def load_numbers(turn: Turn, ctx: BotContext, scope: Scope) -> ScopeNumbers:
    """KPIs of ``scope`` for the asked period; ``Refusal`` naming the rate when one is missing."""
    answer = load_answer(turn, ctx, scope)
    if answer.numbers is None:
        raise Refusal(fx_missing_reply(turn, answer.missing))
    return answer.numbers


def answer_data(turn: Turn, scope: Scope, numbers: ScopeNumbers) -> dict[str, Any]:
    """The structured answer behind a KPI reply (what ``--json`` prints)."""
    assert turn.tenant is not None
    period = numbers.period

    def metrics(kpis: KpiSet) -> dict[str, Any]:
        return {m: plain(kpis.value(m)) for m in JSON_METRICS}

    beside = numbers.reporting
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
        "data_through": None if period.through is None else period.through.isoformat(),
        "reporting": None if beside is None else {
            "currency": beside.current.currency, "metrics": metrics(beside.current)},
    }


def missing_data(turn: Turn, scope: Scope, answer: ScopeAnswer) -> dict[str, Any]:
    """The structured answer when the scope's numbers need a missing rate: each store in its own
    currency, and the missing rates."""
    assert turn.tenant is not None
    return {
        "tenant": turn.tenant.id, "scope": scope.ids[0] if scope.kind != "all" else "all",
        "scope_kind": scope.kind, "stores": [s.shop_id for s in scope.stores],
        "currency": None, "metrics": None,
        "by_store": {s.shop_id: answer_data(turn, scope, n) for s, n in answer.stores},
        "missing_fx": [{"base": g.currency, "quote": g.quote, "first": g.first.isoformat(),
                        "last": g.last.isoformat(), "days": g.days} for g in answer.missing],
    }


def heading(title: str, scope: Scope, numbers: ScopeNumbers) -> Text:
    """"ROAS · Acme UK · 2026-W47 (2026-11-16..2026-11-22)"."""
    p = numbers.period
    span = f" ({p.start.isoformat()}..{p.end.isoformat()})" if "-W" in p.label else ""
    return Text(f"{title} · {scope.label} · {p.label}{span}", "heading")


def value_cell(metric: str, kpis: KpiSet | None, beside: KpiSet | None, lang: str = "en") -> str:
    """A value in its own currency, with the reporting-currency figure beside it if known;
    "n/a (not reported by <source>)" when its source reported nothing."""
    if kpis is None or missing(kpis.value(metric)):
        return value_text(metric, kpis, lang)
    if beside is None:
        return metric_value(metric, kpis.value(metric), kpis.currency)
    return with_reporting(metric, kpis.value(metric), kpis.currency, beside.value(metric),
                          beside.currency)


def kpi_table(metric_ids: tuple[str, ...], numbers: ScopeNumbers, lang: str,
              title: str | None = None) -> Table:
    """Metric | this period | previous | change (money in a store's own currency has the
    reporting-currency figure beside it)."""
    cur, prev, beside = numbers.current, numbers.previous, numbers.reporting
    columns = ("指标", "本期", "上期", "变化") if lang == "zh" else (
        "Metric", "This period", "Previous", "Change")
    rows = []
    for m in metric_ids:
        before = None if prev is None else prev.value(m)
        rows.append((metric_name(m, lang),
                     value_cell(m, cur, None if beside is None else beside.current, lang),
                     value_cell(m, prev, None if beside is None else beside.previous, lang),
                     change(cur.value(m), before)))
    return Table(columns, tuple(rows), title)


def money_note(lang: str, numbers: ScopeNumbers, one_store: bool = False) -> Text:
    currency = numbers.current.currency
    if one_store and numbers.reporting is None:
        return Text(f"金额单位 {currency}（店铺币种）· 口径：`define <指标>`" if lang == "zh" else
                    f"Money in {currency}, the store's own currency · definitions: "
                    "`define <metric>`", "note")
    if numbers.reporting is not None:
        other = numbers.reporting.current.currency
        return Text(f"金额单位 {currency}（店铺币种），括号内为按每日汇率换算的 {other} · "
                    "口径：`define <指标>`" if lang == "zh" else
                    f"Money in {currency}, the store's own currency; ≈ {other} beside it at "
                    "each day's FX rate · definitions: `define <metric>`", "note")
    return Text(f"金额单位 {currency}（按每日汇率换算）· 口径：`define <指标>`" if lang == "zh" else
                f"Money in {currency} (each day at its FX rate) · definitions: `define <metric>`",
                "note")


def _by_store(answer: ScopeAnswer, metric_ids: tuple[str, ...], lang: str) -> list[Table]:
    """Each store's table in its own currency (when the scope's total needs a missing rate)."""
    own = "店铺币种" if lang == "zh" else "own currency"
    return [kpi_table(metric_ids, numbers, lang,
                      f"{store_label(store)} · {numbers.current.currency} ({own})")
            for store, numbers in answer.stores]


def _kpi_command(title_en: str, title_zh: str, command: str):  # type: ignore[no-untyped-def]
    @refusals
    def handle(turn: Turn, ctx: BotContext) -> Reply:
        scope = scope_of(turn)
        answer = load_answer(turn, ctx, scope)
        title = title_zh if turn.lang == "zh" else title_en
        numbers = answer.numbers
        missing = [fx_note(turn.lang, answer.missing)] if answer.missing else []
        if numbers is None:
            period = period_of(turn, ctx, scope)
            head = Text(f"{title} · {scope.label} · {period.label}", "heading")
            return reply(head, *missing, *_by_store(answer, SHOWN[command], turn.lang),
                         data=missing_data(turn, scope, answer))
        through = [n for n in (through_note(numbers.period, turn.lang),) if n is not None]
        return reply(heading(title, scope, numbers), kpi_table(SHOWN[command], numbers, turn.lang),
                     *through, money_note(turn.lang, numbers, len(scope.stores) == 1), *missing,
                     data=answer_data(turn, scope, numbers))

    handle.__doc__ = f"``{command}``: {title_en} of a store, region or all stores."
    return handle


roas = _kpi_command("ROAS", "投产比", "roas")
gmv = _kpi_command("GMV", "GMV", "gmv")
kpi = _kpi_command("KPIs", "核心指标", "kpi")
