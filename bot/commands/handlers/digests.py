"""``digest preview`` and ``digest now`` (admins).

The preview shows, in this chat only, the headline numbers of last week's digest per store: from
the frozen snapshot when the digest has been prepared (``jobs.report.frozen``, as the digest
loads it), otherwise live from the rollups (and says so): each store in its own currency with the
reporting-currency figure beside it, the total in the reporting currency, or a note naming the FX
rate the total needs when it is missing. ``digest now`` enqueues the digest job
by import path (``prepare_digest``, which freezes the snapshot, renders and delivers exactly once
per channel) and answers at once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rq import Queue

from analytics.display import change, metric_name, with_reporting
from analytics.fx import MissingRates
from analytics.kpis import KpiSet
from bot.commands.context import BotContext
from bot.commands.handlers.common import fx_note, refusals
from bot.commands.middleware import Turn
from bot.commands.numbers import scope_answer
from bot.commands.periods import PeriodSpec, resolve_period
from bot.commands.reply import Block, Reply, Table, Text, reply
from bot.commands.scope import store_label
from jobs.report.frozen import load_frozen_report

#: RQ job that freezes, renders and sends a tenant's digest for one week: (tenant_id, week).
DIGEST_JOB = "jobs.digest.fanout.prepare_digest"
#: Metrics of the preview table.
PREVIEW = ("gross_gmv", "net_gmv", "orders", "spend", "roas_platform")
#: A preview row: name, this week, last week, this week in the reporting currency (or None).
Row = tuple[str, KpiSet, KpiSet | None, KpiSet | None]


def _last_week(turn: Turn, ctx: BotContext) -> str:
    assert turn.tenant is not None
    today = ctx.now().astimezone(ZoneInfo(turn.tenant.digest.timezone)).date()
    return resolve_period(PeriodSpec("last_week"), today).label


@refusals
def digest_now(turn: Turn, ctx: BotContext) -> Reply:
    """Prepare and send last week's digest to the tenant's channels now (admins)."""
    assert turn.tenant is not None
    week = _last_week(turn, ctx)
    zh = turn.lang == "zh"
    if ctx.redis is None:
        return reply(f"Run `tikpulse digest --tenant {turn.tenant.id} --week {week} --send-now`.",
                     kind="unclear")
    queue = Queue(ctx.queue_name, connection=ctx.redis)
    job = queue.enqueue(DIGEST_JOB, turn.tenant.id, week,
                        job_id=f"digest-now-{turn.tenant.id}-{week}")
    return reply(f"{week} 周报已排队（任务 {job.id}），每个频道只会收到一次。" if zh else
                 f"The {week} digest is queued (job {job.id}); each channel gets it once, "
                 "channels that already have it are not sent it again.", kind="queued")


@refusals
def digest_preview(turn: Turn, ctx: BotContext) -> Reply:
    """Last week's digest headline numbers per store, in this chat only."""
    tenant = turn.tenant
    assert tenant is not None
    week = _last_week(turn, ctx)
    zh = turn.lang == "zh"
    frozen = load_frozen_report(ctx.engine, tenant.id, week)
    names = {s.shop_id: store_label(s) for s in tenant.stores}
    everyone = "全部" if zh else "All stores"
    sets: list[Row] = []
    missing: tuple[MissingRates, ...] = ()
    if frozen is not None:
        report = frozen[0]
        for s in report.stores:
            sets.append((names.get(s.shop_id, s.name), s.kpis.current, s.kpis.previous,
                         None if s.reporting is None else s.reporting.current))
        if report.total is not None:
            sets.append((everyone, report.total.current, report.total.previous, None))
        missing = report.missing_fx
        note = "来自已冻结的周报数据" if zh else "From the digest's frozen numbers"
    else:
        period = resolve_period(PeriodSpec("last_week"), ctx.now().date())
        with ctx.engine.connect() as conn:
            each = {s.shop_id: scope_answer(conn, [s], period, tenant.reporting_currency)
                    for s in tenant.stores}
            total = scope_answer(conn, tenant.stores, period, tenant.reporting_currency)
        for shop, answer in each.items():
            if answer.numbers is not None:
                other = answer.numbers.reporting
                sets.append((names[shop], answer.numbers.current, answer.numbers.previous,
                             None if other is None else other.current))
        if total.numbers is not None:
            sets.append((everyone, total.numbers.current, total.numbers.previous, None))
        missing = total.missing + tuple(g for a in each.values() for g in a.missing
                                        if g not in total.missing)
        note = ("周报尚未生成：以下为实时数据" if zh else
                "The digest is not prepared yet: these are live numbers")
    cols = ("店铺" if zh else "Store", *(metric_name(m, turn.lang) for m in PREVIEW))
    rows = tuple((name, *(_cell(m, cur, prev, beside) for m in PREVIEW))
                 for name, cur, prev, beside in sets)
    head = Text(f"{'周报预览' if zh else 'Digest preview'} · {tenant.name} · {week}", "heading")
    blocks: list[Block] = [head, Table(cols, rows), Text(note, "note")]
    if missing:
        blocks.append(fx_note(turn.lang, missing))
    return reply(*blocks)


def _cell(metric: str, cur: KpiSet, prev: KpiSet | None, beside: KpiSet | None) -> str:
    """This week's value (a store's own currency, the reporting figure beside) and its change."""
    value = with_reporting(metric, cur.value(metric), cur.currency,
                           None if beside is None else beside.value(metric),
                           cur.currency if beside is None else beside.currency)
    return f"{value} ({change(cur.value(metric), None if prev is None else prev.value(metric))})"
