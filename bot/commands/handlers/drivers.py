"""``why <metric> [store]``: what moved a metric against the period before.

Two views: the metric's own drivers (GMV = visitors x conversion x order value; ROAS = revenue /
spend) and each store's contribution to the change, biggest first, with a waterfall chart for
additive metrics (money and counts add up over stores; ratios do not). One store answers in its
own currency, several in the tenant's reporting currency.
"""

from __future__ import annotations

from typing import Literal

from analytics.catalog import get_metric
from analytics.charts import driver_waterfall
from analytics.display import change, metric_name, metric_value
from analytics.fx import MissingFxRate
from bot.commands.chart_cache import cached_png
from bot.commands.context import BotContext
from bot.commands.handlers.common import (
    Refusal,
    fx_missing_reply,
    period_of,
    refusals,
    scope_of,
)
from bot.commands.handlers.metrics import answer_data, heading, kpi_table, load_answer
from bot.commands.middleware import Turn
from bot.commands.numbers import ScopeNumbers, scope_and_stores, scope_currency
from bot.commands.reply import Image, Reply, Table, Text, reply
from bot.commands.scope import Scope, store_label

#: The metrics that explain each metric's change.
DRIVERS: dict[str, tuple[str, ...]] = {
    "gross_gmv": ("visitors", "cvr", "orders", "aov"),
    "net_gmv": ("gross_gmv", "refunds", "refund_rate"),
    "orders": ("visitors", "cvr", "buyers"),
    "roas_platform": ("purchase_value", "spend", "cpc", "ctr"),
    "roas_true": ("net_gmv", "spend", "roas_platform"),
    "roas_blended": ("net_gmv", "spend"),
    "spend": ("impressions", "cpm", "clicks", "cpc"),
    "cvr": ("visitors", "orders"),
}
#: Stores listed in the contribution table.
TOP_STORES = 8


def _stores_table(turn: Turn, scope: Scope, metric: str, by_store: dict[str, ScopeNumbers]) -> (
    tuple[Table, list[tuple[str, float]]]
):
    moves = []
    for store in scope.stores:
        nums = by_store[store.shop_id]
        now = nums.current.value(metric)
        before = None if nums.previous is None else nums.previous.value(metric)
        delta = None if now is None or before is None else float(now) - float(before)
        moves.append((store, now, before, delta))
    moves.sort(key=lambda m: -abs(m[3] or 0))
    currency = next(iter(by_store.values())).current.currency
    rows = tuple((store_label(s), metric_value(metric, now, currency),
                  metric_value(metric, before, currency), change(now, before))
                 for s, now, before, _ in moves[:TOP_STORES])
    cols = ("店铺", "本期", "上期", "变化") if turn.lang == "zh" else (
        "Store", "This period", "Previous", "Change")
    steps = [(store_label(s), d) for s, _, _, d in moves[:TOP_STORES] if d is not None]
    return Table(cols, rows), steps


def _chart(turn: Turn, ctx: BotContext, metric: str, nums: ScopeNumbers,
           steps: list[tuple[str, float]]) -> Image | None:
    unit = get_metric(metric).unit
    now = nums.current.value(metric)
    before = None if nums.previous is None else nums.previous.value(metric)
    if unit not in ("money", "count") or before is None or now is None or not steps:
        return None
    lang: Literal["zh", "en"] = "zh" if turn.lang == "zh" else "en"
    name = metric_name(metric, lang)
    start = (nums.period.previous().label, float(before))
    end = (nums.period.label, float(now))
    currency = nums.current.currency if unit == "money" else ""
    png = cached_png(ctx.redis, "why", (name, start, tuple(steps), end, currency, lang),
                     lambda: driver_waterfall(start, steps, end, title=name, unit=currency,
                                              period=nums.period.label, lang=lang))
    return Image(f"why-{metric}-{nums.period.label}.png", png, f"{name} · {nums.period.label}",
                 alt=f"{name}: contribution of each store")


@refusals
def why(turn: Turn, ctx: BotContext) -> Reply:
    """The metric now and before, its drivers, and each store's part in the change."""
    parsed = turn.parsed
    assert parsed is not None and turn.tenant is not None
    if parsed.metric is None and parsed.metric_said:
        text = (f"不认识指标\u201c{parsed.metric_said}\u201d。例如：`为什么 gmv 英国`"
                if turn.lang == "zh"
                else f"I don't know the metric \u201c{parsed.metric_said}\u201d. "
                "Example: `why gmv UK` (see `define` for the list).")
        raise Refusal(reply(text, kind="unclear"))
    metric = parsed.metric or "gross_gmv"
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    try:
        with ctx.engine.connect() as conn:
            currency = scope_currency(conn, scope.stores, turn.tenant.reporting_currency)
            nums, by_store = scope_and_stores(conn, scope.stores, period, currency)
    except MissingFxRate as exc:
        gaps = load_answer(turn, ctx, scope).missing  # every missing day, not just the first
        raise Refusal(fx_missing_reply(turn, gaps or exc)) from None
    title = f"{'为什么' if turn.lang == 'zh' else 'Why'} {metric_name(metric, turn.lang)}"
    now = nums.current.value(metric)
    before = None if nums.previous is None else nums.previous.value(metric)
    line = (f"{metric_value(metric, before, nums.current.currency)} -> "
            f"{metric_value(metric, now, nums.current.currency)} ({change(now, before)})")
    blocks: list[Text | Table | Image] = [heading(title, scope, nums), Text(line)]
    drivers = DRIVERS.get(metric)
    if drivers:
        blocks.append(kpi_table(drivers, nums, turn.lang))
    stores, steps = _stores_table(turn, scope, metric, by_store)
    if len(scope.stores) > 1:
        blocks.append(stores)
    image = _chart(turn, ctx, metric, nums, steps)  # cached per content (chart_cache)
    if image is not None:
        blocks.append(image)
    return reply(*blocks, data=answer_data(turn, scope, nums))
