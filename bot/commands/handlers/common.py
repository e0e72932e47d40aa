"""Steps most handlers share: the stores asked about, the period, and the replies when either is
wrong (an unknown store lists only the stores this channel may see) or an FX rate is missing
(the pair, the days and how to add it; never "Something went wrong")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from analytics.display import fx_missing_note
from analytics.fx import MissingFxRate, MissingRates, rate_gaps
from analytics.weeks import iso_week_label
from bot.commands.context import BotContext
from bot.commands.middleware import Turn
from bot.commands.periods import Period, PeriodError, cut_short, resolve_period
from bot.commands.reply import Reply, Text, reply
from bot.commands.scope import Scope, UnknownStore, resolve_scope, visible_stores_text
from bot.commands.texts import command_name, say
from config.tenants import Tenant
from jobs.warehouse.freshness import stores_sales_through


class Refusal(Exception):
    """A handler cannot answer; ``reply`` says why and what to do."""

    def __init__(self, answer: Reply) -> None:
        self.reply = answer
        super().__init__(answer.headline)


def scope_of(turn: Turn, said: str | None = None, *, use_parsed: bool = True) -> Scope:
    """The stores the question names (default: all of the tenant's); ``Refusal`` if unknown."""
    tenant = _tenant(turn)
    parsed = turn.parsed
    words = said if said is not None or not use_parsed else (parsed.scope if parsed else None)
    try:
        return resolve_scope(tenant, words)
    except UnknownStore as exc:
        raise Refusal(unknown_store_reply(turn, exc)) from None


def unknown_store_reply(turn: Turn, exc: UnknownStore) -> Reply:
    """"No such store" with the list of this channel's stores (never another tenant's)."""
    if exc.several:
        text = say("several_stores", turn.lang, said=exc.said,
                   stores=visible_stores_text(exc.several))
    else:
        first = exc.visible[0].region if exc.visible else "UK"
        example = f"{command_name(turn.parsed.command or 'kpi', turn.lang)} {first}" \
            if turn.parsed else f"kpi {first}"
        text = say("unknown_store", turn.lang, said=exc.said,
                   stores=visible_stores_text(exc.visible) or "-", example=example)
    return reply(text, kind="unknown_store")


def fx_note(lang: str, gaps: tuple[MissingRates, ...] | list[MissingRates]) -> Text:
    """The note naming missing FX rates and how to add them."""
    return Text(fx_missing_note(gaps, lang), "note")


def fx_missing_reply(turn: Turn, exc: MissingFxRate | tuple[MissingRates, ...]) -> Reply:
    """An answer that needs a missing rate: which rate, which days, and how to add it."""
    gaps = rate_gaps([exc]) if isinstance(exc, MissingFxRate) else exc
    return reply(fx_missing_note(gaps, turn.lang), kind="error")


def local_today(tenant: Tenant, scope: Scope, now: datetime) -> date:
    """Today's date where the question applies: the stores' zone if they share one, else the
    tenant's digest zone."""
    zones = {s.resolved_timezone for s in scope.stores}
    zone = zones.pop() if len(zones) == 1 else tenant.digest.timezone
    return now.astimezone(ZoneInfo(zone)).date()


def period_of(turn: Turn, ctx: BotContext, scope: Scope) -> Period:
    """The period asked about, in local dates, cut at the last day whose sales are synced in
    every store of ``scope`` (``Period.through``; compared like with like); ``Refusal`` for an
    impossible period."""
    today = local_today(_tenant(turn), scope, ctx.now())
    try:
        period = resolve_period(turn.parsed.period if turn.parsed else None, today)
    except PeriodError as exc:
        raise Refusal(reply(say("bad_period", turn.lang, problem=str(exc)), kind="unclear")) \
            from None
    period = cut_short(period, data_through(ctx, scope, ctx.now()))
    if period.through is not None and period.through < period.start:
        raise Refusal(reply(say("not_synced_yet", turn.lang, period=period.label,
                                through=period.through.isoformat(),
                                week=iso_week_label(period.through)), kind="answer"))
    return period


def data_through(ctx: BotContext, scope: Scope, now: datetime) -> date:
    """The last local day whose sales are complete in every store of ``scope``
    (``jobs.warehouse.freshness.stores_sales_through``: the orders sync's cursor, as the digest's
    quality section reads it, else the last imported day; never later than yesterday)."""
    today = {s.shop_id: now.astimezone(ZoneInfo(s.resolved_timezone)).date()
             for s in scope.stores}
    with ctx.engine.connect() as conn:
        days = stores_sales_through(conn, today)
    return min(days.values()) if days else now.date()


def through_note(period: Period, lang: str) -> Text | None:
    """"Data through <date>; compared with the same days of the period before" when the
    period reaches past the synced data, else ``None``."""
    if period.through is None:
        return None
    before = period.previous()
    return Text(say("data_through", lang, through=period.through.isoformat(),
                    first=before.start.isoformat(), last=before.end.isoformat()), "note")


def _tenant(turn: Turn) -> Tenant:
    assert turn.tenant is not None, "bind_tenant runs before handlers"
    return turn.tenant


def refusals(handler: Callable[[Turn, BotContext], Reply]) -> Callable[[Turn, BotContext], Reply]:
    """Decorator: turn a ``Refusal`` raised inside a handler into its reply, and a missing FX
    rate that escaped the handler into the note saying which rate to add."""

    @wraps(handler)
    def run(turn: Turn, ctx: BotContext) -> Reply:
        try:
            return handler(turn, ctx)
        except Refusal as refusal:
            return refusal.reply
        except MissingFxRate as exc:
            return fx_missing_reply(turn, exc)

    return run
