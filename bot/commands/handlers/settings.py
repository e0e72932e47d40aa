"""Settings and housekeeping: ``targets``, ``target <metric> <value>`` (admins), ``auth status``,
``subscribe`` / ``unsubscribe`` alerts. Writes are single upserts by natural key (idempotent).
"""

from __future__ import annotations

from decimal import Decimal

from analytics.display import metric_name, metric_value
from bot.commands.context import BotContext
from bot.commands.grammar import Parsed
from bot.commands.handlers.common import refusals
from bot.commands.handlers.metrics import load_numbers
from bot.commands.middleware import Turn
from bot.commands.periods import PeriodSpec
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import resolve_scope
from jobs.accounts.targets import (
    METRIC_TARGETS,
    TARGET_METRICS,
    BadTarget,
    effective_targets,
    overrides,
)
from jobs.accounts.targets import set_target as store_target


@refusals
def targets(turn: Turn, ctx: BotContext) -> Reply:
    """Each target that is set, last week's actual value and whether it was met."""
    assert turn.tenant is not None
    zh = turn.lang == "zh"
    with ctx.engine.connect() as conn:
        current = effective_targets(conn, turn.tenant)
        changed = overrides(conn, turn.tenant.id)
    set_ = {k: v for k, v in current.model_dump().items() if v is not None}
    if not set_:
        return reply("还没有设置目标。管理员可用：`target roas 3.0`" if zh else
                     "No targets set yet. Admins can set one: `target roas 3.0`.")
    turn.parsed = _last_week(turn)
    nums = load_numbers(turn, ctx, resolve_scope(turn.tenant, None))
    rows = []
    for name, value in set_.items():
        metric = TARGET_METRICS[name]
        actual = nums.current.value(metric)
        unit_value = metric_value(metric, Decimal(value), nums.current.currency)
        met = "" if actual is None else ("✓" if _met(metric, actual, value) else "✗")
        who = f" ({changed[name][1]})" if name in changed else ""
        rows.append((name, metric_name(metric, turn.lang), unit_value + who,
                     metric_value(metric, actual, nums.current.currency), met))
    cols = ("目标", "指标", "目标值", nums.period.label, "") if zh else (
        "Target", "Metric", "Target value", nums.period.label, "")
    return reply(Text(f"{'目标' if zh else 'Targets'} · {turn.tenant.name}", "heading"),
                 Table(cols, tuple(rows)))


def _last_week(turn: Turn) -> Parsed | None:
    from dataclasses import replace

    return None if turn.parsed is None else replace(turn.parsed, period=PeriodSpec("last_week"),
                                                    scope=None)


def _met(metric: str, actual: object, target: object) -> bool:
    lower = metric in ("cpa",)
    return float(actual) <= float(target) if lower else float(actual) >= float(target)  # type: ignore[arg-type]


@refusals
def set_target(turn: Turn, ctx: BotContext) -> Reply:
    """Set one target (admins only; checked by the middleware)."""
    parsed, tenant = turn.parsed, turn.tenant
    assert parsed is not None and tenant is not None
    zh = turn.lang == "zh"
    name = METRIC_TARGETS.get(parsed.metric or "")
    if name is None or parsed.value is None:
        return reply("例如：`target roas 3.0`、`target cvr 0.025`、`target gmv 50000`" if zh else
                     "Say which target and the value, e.g. `target roas 3.0`, "
                     "`target cvr 0.025`, `target gmv 50000` (weekly).", kind="unclear")
    value = parsed.value
    try:
        with ctx.engine.begin() as conn:
            store_target(conn, tenant.id, name, value,
                         f"{turn.request.platform}:{turn.request.user_id}", now=ctx.now())
    except BadTarget as exc:
        return reply(str(exc), kind="unclear")
    text = (f"已设置目标 {name} = {value}。" if zh else
            f"Target {name} is now {value}. The next digest measures against it.")
    return reply(text)


@refusals
def auth_status(turn: Turn, ctx: BotContext) -> Reply:
    """Health of the tenant's shop and ads authorizations (never another tenant's)."""
    from jobs.accounts.auth_status import authorization_health

    assert turn.tenant is not None
    zh = turn.lang == "zh"
    mine = [h for h in authorization_health(ctx.engine, now=ctx.now())
            if h.tenant_id == turn.tenant.id]
    if not mine:
        return reply("还没有连接任何店铺或广告账户。运行 `tikpulse auth connect-shop`。" if zh else
                     "No shop or ads account is connected yet. Run `tikpulse auth connect-shop`.")
    rows = tuple((h.kind, h.seller_name or "-", ", ".join(h.covers) or "-", h.health,
                  h.refresh_expires_at.date().isoformat() if h.refresh_expires_at else "-")
                 for h in mine)
    cols = ("类型", "名称", "覆盖", "状态", "到期") if zh else (
        "Kind", "Name", "Covers", "Health", "Refresh expires")
    return reply(Text(f"{'授权状态' if zh else 'Authorizations'} · {turn.tenant.name}", "heading"),
                 Table(cols, rows))


def _subscription(turn: Turn, ctx: BotContext, on: bool) -> Reply:
    from jobs.alerts.subscriptions import known_kinds, subscribe, unsubscribe

    assert turn.parsed is not None
    if turn.request.platform == "terminal":
        return reply("Alerts go to chat channels: run `subscribe` in the Slack channel or "
                     "Telegram chat that should get them.", kind="unclear")
    kind = (turn.parsed.scope or "all").replace(" ", "_")
    if kind not in known_kinds():
        return reply(f"Alert kinds: {', '.join(known_kinds())}", kind="unclear")
    change = subscribe if on else unsubscribe
    req = turn.request
    with ctx.engine.begin() as conn:
        change(conn, req.platform, req.channel_id, kind, now=ctx.now())
    zh = turn.lang == "zh"
    if on:
        return reply(f"本频道将接收 {kind} 提醒。" if zh else
                     f"This channel now gets {kind} alerts.")
    return reply(f"本频道不再接收 {kind} 提醒。" if zh else f"This channel no longer gets {kind} "
                 "alerts. `subscribe` turns them back on.")


@refusals
def subscribe(turn: Turn, ctx: BotContext) -> Reply:
    """Hear alerts (all, or one kind) in this channel."""
    return _subscription(turn, ctx, True)


@refusals
def unsubscribe(turn: Turn, ctx: BotContext) -> Reply:
    """Mute alerts (all, or one kind) in this channel."""
    return _subscription(turn, ctx, False)
