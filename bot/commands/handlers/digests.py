"""``digest preview`` and ``digest now`` (admins), of a week, a fortnight or a month.

Which report: the period named ("digest preview last month", "预览 2026-W46", "2026-W46..W47"
as dates) when it is exactly a report period (an ISO week, one of the tenant's fortnights or a
calendar month), else the last complete one of the cadence named ("月报", "双周报", "monthly"),
else last week's; any other span is refused with examples. The preview shows, in this chat only,
the headline numbers of that digest per store: from the frozen snapshot when the digest has been
prepared (``jobs.report.frozen``, as the digest loads it), otherwise live from the rollups (and
says so): each store in its own currency with the reporting-currency figure beside it, the total
in the reporting currency, or a note naming the FX rate the total needs when it is missing.
``digest now`` enqueues the digest job by import path (``prepare_digest``, which freezes the
snapshot, renders and delivers exactly once per channel) and answers at once.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from rq import Queue

from analytics.display import change, metric_name, with_reporting
from analytics.fx import MissingRates
from analytics.kpis import KpiSet
from analytics.periods import CADENCES, Period, last_complete_period, period_window
from bot.commands.context import BotContext
from bot.commands.handlers.common import Refusal, fx_note, refusals
from bot.commands.middleware import Turn
from bot.commands.numbers import scope_answer
from bot.commands.periods import Period as AskedPeriod
from bot.commands.periods import PeriodError, resolve_period
from bot.commands.reply import Block, Reply, Table, Text, reply
from bot.commands.scope import store_label
from jobs.report.frozen import load_frozen_report

#: RQ job that freezes, renders and sends a tenant's digest for one week: (tenant_id, week).
DIGEST_JOB = "jobs.digest.fanout.prepare_digest"
#: Metrics of the preview table.
PREVIEW = ("gross_gmv", "net_gmv", "orders", "spend", "roas_platform")
#: Words naming a cadence ("月报": the last complete month's digest).
CADENCE_WORDS = (("monthly", re.compile(r"月报|月度|monthly|month")),
                 ("biweekly", re.compile(r"双周|bi-?weekly|fortnight")))
#: Report names per cadence (for the answers).
NAMES = {"weekly": ("周报", "weekly digest"), "biweekly": ("双周报", "bi-weekly digest"),
         "monthly": ("月报", "monthly digest")}


#: A preview row: name, this period, the one before, this period in the reporting currency.
Row = tuple[str, KpiSet, KpiSet | None, KpiSet | None]


def report_period(turn: Turn, ctx: BotContext) -> Period:
    """The report the command is about, in the tenant's digest time zone; ``Refusal`` for a span
    that is not a report period."""
    assert turn.tenant is not None
    tz = turn.tenant.digest.timezone
    today = ctx.now().astimezone(ZoneInfo(tz)).date()
    spec = turn.parsed.period if turn.parsed is not None else None
    if spec is None:
        text = turn.request.text.lower()
        cadence = next((c for c, words in CADENCE_WORDS if words.search(text)), "weekly")
        return last_complete_period(tz, cadence, today)
    try:
        asked = resolve_period(spec, today)
    except PeriodError:
        asked = None
    found = None if asked is None else _matching(tz, asked)
    if found is None:
        zh = turn.lang == "zh"
        raise Refusal(reply(
            "周报按整周、双周或自然月出：例如 `预览周报 上周`、`预览月报`、`预览周报 2026年11月`。"
            if zh else "A digest covers a week, a fortnight or a calendar month: e.g. "
            "`digest preview last week`, `digest preview last month`, `digest preview 2026-W46`.",
            kind="unclear"))
    return found


def _matching(tz: str, asked: AskedPeriod) -> Period | None:
    """The report period whose days are exactly the asked days, if any."""
    for cadence in CADENCES:
        window = period_window(tz, asked.start, cadence)
        if (window.first, window.last) == (asked.start, asked.end):
            return window
    return None


def _name(period: Period, lang: str) -> str:
    zh, en = NAMES[period.cadence]
    return zh if lang == "zh" else en


@refusals
def digest_now(turn: Turn, ctx: BotContext) -> Reply:
    """Prepare and send a digest (last week's unless another period is named) to the tenant's
    channels now (admins)."""
    assert turn.tenant is not None
    period = report_period(turn, ctx)
    label, zh = period.label, turn.lang == "zh"
    if ctx.redis is None:
        return reply(f"Run `tikpulse digest --tenant {turn.tenant.id} --period {label} "
                     "--send-now`.", kind="unclear")
    queue = Queue(ctx.queue_name, connection=ctx.redis)
    job = queue.enqueue(DIGEST_JOB, turn.tenant.id, label,
                        job_id=f"digest-now-{turn.tenant.id}-{label}")
    return reply(f"{label} {_name(period, 'zh')}已排队（任务 {job.id}），每个频道只会收到一次。"
                 if zh else f"The {label} {_name(period, 'en')} is queued (job {job.id}); each "
                 "channel gets it once, channels that already have it are not sent it again.",
                 kind="queued")


@refusals
def digest_preview(turn: Turn, ctx: BotContext) -> Reply:
    """A digest's headline numbers per store (last week's unless another period is named), in
    this chat only."""
    tenant = turn.tenant
    assert tenant is not None
    period = report_period(turn, ctx)
    week, zh = period.label, turn.lang == "zh"
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
        asked = AskedPeriod(period.first, period.last, week)
        with ctx.engine.connect() as conn:
            each = {s.shop_id: scope_answer(conn, [s], asked, tenant.reporting_currency)
                    for s in tenant.stores}
            total = scope_answer(conn, tenant.stores, asked, tenant.reporting_currency)
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
    title = f"{_name(period, 'zh')}预览" if zh else f"Preview of the {_name(period, 'en')}"
    head = Text(f"{title} · {tenant.name} · {week}", "heading")
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
