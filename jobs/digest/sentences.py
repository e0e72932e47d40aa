"""The digest in words: one ``DigestText`` per language, shared by Slack, Telegram, HTML and PDF.

Headline cells carry an arrow for the direction of the move and a mark for whether that is good
for the business (✅ good, ⚠️ bad, ▪ neutral), so colour is never the only signal. A store's money
reads in its own currency with the reporting-currency figure beside it; a missing FX rate is
named, with how to add it, in the partial-digest line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from analytics.catalog import get_metric
from analytics.display import fx_missing_note
from jobs.digest import campaign_text, content_text, money_text, section_text
from jobs.digest.advice_text import suggestion_sentence
from jobs.digest.compose import ChangeItem, Digest, HeadlineRow
from jobs.digest.summary_text import summary_lines
from jobs.digest.words import Words


@dataclass(frozen=True)
class Cell:
    """One headline KPI as text."""

    name: str
    value: str
    change: str  # "▲ +12.3% ✅ · vs 4-wk avg −2.0%"
    target: str  # "target $50,000 ✅" or ""


@dataclass(frozen=True)
class DigestText:
    """Every line of one language's digest."""

    lang: str
    title: str
    period: str
    partial: str | None
    headline: tuple[Cell, ...]
    changes: tuple[str, ...]
    suggestions: tuple[str, ...]
    stores: tuple[tuple[str, tuple[Cell, ...]], ...]
    quality: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # money, creators, traffic...
    headline_note: str | None = None  # why the headline is empty (totals need a missing rate)
    summary: tuple[str, ...] = ()  # the three-line conclusion every format leads with
    cadence: str = "weekly"  # of the report: headings name its period ("本月核心指标")


def mark(good: bool | None) -> str:
    """✅ / ⚠️ / ▪ for good / bad / neutral."""
    return "▪" if good is None else ("✅" if good else "⚠️")


def cell(row: HeadlineRow, w: Words, currency: str) -> Cell:
    """A headline row in words (``currency``: of rows that do not say their own)."""
    currency = row.currency or currency
    arrow = "" if not row.pct_prev else ("▲ " if row.pct_prev > 0 else "▼ ")
    change = ""
    if row.pct_prev is not None:
        change = f"{w.t('vs_prev')} {arrow}{w.pct_change(row.pct_prev)} {mark(row.good)}"
    if row.pct_base is not None:
        change += f" · {w.t('vs_base')} {w.pct_change(row.pct_base)}"
    change = change.strip(" ·")
    target = ""
    if row.target is not None:
        goal = w.value(row.metric, row.target, currency)
        target = f"{w.t('target')} {goal} {mark(row.target_met)}"
    value = w.value(row.metric, row.value, currency)
    if row.beside is not None and row.beside_currency and row.beside_currency != currency \
            and get_metric(row.metric).unit == "money":
        value = w.beside(value, w.value(row.metric, row.beside, row.beside_currency))
    return Cell(w.metric(row.metric), value, change, target)


def change_sentence(item: ChangeItem, w: Words, currency: str) -> str:
    """"Acme UK net GMV £12,345 (≈ $15,431, −16.8% WoW): traffic −£2,100, conversion −£800"
    (in the store's own currency, the reporting currency's figure beside it)."""
    zh = w.lang == "zh"
    beside = "" if item.reporting is None else (
        f"≈ {w.money(item.reporting, currency)}{'，' if zh else ', '}")
    currency = item.currency or currency
    move = f"{beside}{w.t('vs_prev')} {w.pct_change(item.pct)} {mark(item.good)}"
    head = (f"{item.store} {w.metric(item.metric)} "
            f"{w.value(item.metric, Decimal(str(item.current)), currency)}"
            + (f"（{move}）" if zh else f" ({move})"))
    parts = []
    for factor, contribution, pct in item.drivers:
        name = w.t(factor)
        if item.metric == "net_gmv":
            sign = "+" if contribution >= 0 else "−"
            parts.append(f"{name} {sign}{w.money(Decimal(str(abs(contribution))), currency)}")
        else:
            flat = pct is not None and abs(pct) < 0.02
            parts.append(f"{name} {w.t('flat') if flat else w.pct_change(pct)}")
    sep = "：" if w.lang == "zh" else ": "
    return head + (sep + ("，" if w.lang == "zh" else ", ").join(parts) if parts else "")


def quality_lines(digest: Digest, w: Words) -> tuple[str, ...]:
    """Freshness, exclusions and reconciliation per store (one line each)."""
    lines = []
    behind = [w.t("never" if m.days_behind is None else "behind", store=m.store,
                  source=w.source(m.source), days=m.days_behind) for m in digest.missing]
    lines.append("; ".join(behind) if behind else w.t("fresh_all"))
    for store in digest.report.stores:
        q = store.quality
        parts = []
        if q.exclusions:
            items = ", ".join(f"{w.rule(e.rule)} {w.count(e.rows)}" for e in q.exclusions)
            parts.append(w.t("excluded", items=items))
        for r in q.reconciliation:
            parts.append(w.t("reconciled", pct=w.pct_change(r.difference_pct)))
        if parts:
            lines.append(f"{store.name}: " + "; ".join(parts))
    return tuple(lines)


def digest_text(digest: Digest, lang: str) -> DigestText:
    """All of the digest's text in ``lang`` (zh or en)."""
    w, report = Words(lang, digest.report.cadence), digest.report
    ccy = report.reporting_currency
    first = min((s.first_day for s in report.stores), default=None)
    last = max((s.last_day for s in report.stores), default=None)
    period = report.week + (f" · {w.period(first, last)}" if first and last else "")
    partial = None
    if digest.partial:
        notes = [w.t("never" if m.days_behind is None else "behind", store=m.store,
                     source=w.source(m.source), days=m.days_behind) for m in digest.missing]
        if report.missing_fx:
            notes.append(fx_missing_note(report.missing_fx, lang, quote="'"))
        partial = w.t("partial") + "; ".join(notes)
    ins = report.insights
    names = {s.shop_id: s.name for s in report.stores}
    changes = [change_sentence(c, w, ccy) for c in digest.changes]
    campaigns = {x.key: x.name for x in ins.labels if x.kind == "campaign"}
    nicknames = {c.creator_username: c.nickname for c in ins.creators}
    changes += section_text.anomaly_lines(ins.anomalies, w, names, campaigns, nicknames)
    sections = tuple((w.t(key), tuple(lines)) for key, lines in (
        ("money", money_text.money_lines(report, w)),
        ("campaigns", campaign_text.campaign_lines(ins.campaigns, w, names)),
        ("creators", section_text.creator_lines(ins.creators, w, ccy)),
        ("traffic_mix", money_text.mix_lines(ins.mix, w)),
        ("funnel_steps", money_text.funnel_lines(
            ins.funnel, w, None if report.total is None else report.total.current)
         + funnel_cvr(digest, w)),
        ("content", content_text.content_lines(ins.content, ins.winners, w, ccy)),
        ("stock", section_text.stock_lines(ins.stock, w))) if lines)
    return DigestText(
        lang=lang, title=w.t("title", tenant=report.tenant_name, week=report.week), period=period,
        partial=partial, headline=tuple(cell(r, w, ccy) for r in digest.headline),
        changes=tuple(changes) or (w.t("no_change"),), sections=sections,
        suggestions=tuple(suggestion_sentence(s, w, ccy) for s in digest.suggestions)
        or (w.t("no_suggestion"),),
        stores=tuple((name, tuple(cell(r, w, ccy) for r in rows[:4]))
                     for name, rows in digest.store_rows),
        quality=quality_lines(digest, w),
        headline_note=None if report.total is not None else w.t("totals_left_out", currency=ccy),
        summary=summary_lines(digest.conclusions, w), cadence=report.cadence,
    )


def funnel_cvr(digest: Digest, w: Words) -> list[str]:
    """The conversion rate and orders of the headline, stated in the funnel (one definition:
    the funnel's shop orders are the KPIs' orders); none without a headline CVR."""
    rows = {r.metric: r for r in digest.headline}
    if "cvr" not in rows or "orders" not in rows:
        return []
    ccy = digest.report.reporting_currency
    return [w.t("funnel_cvr", cvr_name=w.metric("cvr"), orders_name=w.metric("orders"),
                cvr=w.value("cvr", rows["cvr"].value, ccy),
                orders=w.value("orders", rows["orders"].value, ccy))]


def metric_unit(metric_id: str) -> str:
    """The catalog unit of a metric (money, count, percent, multiple...)."""
    return get_metric(metric_id).unit
