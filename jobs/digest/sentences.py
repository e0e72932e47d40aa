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
from jobs.digest import section_text
from jobs.digest.advice import Suggestion
from jobs.digest.compose import ChangeItem, Digest, HeadlineRow
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
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # creators, content, stock
    headline_note: str | None = None  # why the headline is empty (totals need a missing rate)


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
    """"Acme UK net GMV £12,345 (−16.8% WoW): traffic −£2,100, conversion −£800" (in the
    store's own currency)."""
    currency = item.currency or currency
    head = (f"{item.store} {w.metric(item.metric)} "
            f"{w.value(item.metric, Decimal(str(item.current)), currency)} "
            f"({w.t('vs_prev')} {w.pct_change(item.pct)} {mark(item.good)})")
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


def suggestion_sentence(s: Suggestion, w: Words, currency: str) -> str:
    """One suggestion with its reason, in the reader's language."""
    f = s.facts
    currency = s.currency or currency
    zh = w.lang == "zh"
    ratio = lambda v: w.ratio(float(v), "multiple")  # noqa: E731
    platform = f.get("basis") == "platform"
    roas_name = ("平台" if platform else "真实") if zh else ("platform" if platform else "true")
    roas = ratio(f["roas"]) if "roas" in f else ""
    if s.action == "raise_budget":
        pct, extra = f"{float(f['step']):.0%}", w.money(f["extra_spend"], currency)
        return (f"{s.store}：广告预算提高{pct}（约多花 {extra}）：{roas_name}ROAS {roas} "
                f"高于目标 {ratio(f['target'])}，仍有空间。" if zh else
                f"{s.store}: raise the ad budget by {pct} (≈ {extra} more spend): {roas_name} "
                f"ROAS {roas} beats the {ratio(f['target'])} target with headroom.")
    if s.action == "pause_ads":
        lost, spend = w.money(s.money_at_stake, currency), w.money(f["spend"], currency)
        return (f"{s.store}：暂停或削减广告：{roas_name}ROAS {roas} 低于盈亏平衡 "
                f"{ratio(f['break_even'])}（花费 {spend} 中约 {lost} 亏损）。" if zh else
                f"{s.store}: pause or cut ads: {roas_name} ROAS {roas} is below break-even "
                f"{ratio(f['break_even'])} (≈ {lost} of {spend} spend lost).")
    if s.action == "check_refunds":
        rate, base = w.ratio(f["rate"], "percent"), w.ratio(f["baseline"], "percent")
        return (f"{s.store}：检查退款：退款率 {rate}，4周均值 {base}。" if zh else
                f"{s.store}: check refunds: refund rate {rate} vs {base} 4-week average.")
    if s.action == "restock":
        sku = section_text.sku_label(f["sku"], f.get("name"))
        return (f"{s.store}：补货 {sku} {f['qty']} 件（可售 {f['cover']:.0f} 天，"
                f"补货周期 {f['lead']} 天）。" if zh else
                f"{s.store}: reorder {f['qty']} units of {sku} ({f['cover']:.0f} days "
                f"of cover, lead time {f['lead']} days).")
    if s.action == "review_creator":
        return (f"再次合作前复核达人 {s.store}：{f['reason']}。" if zh else
                f"Review creator {s.store} before the next collaboration: {f['reason']}.")
    if s.action == "reauthorize_account":
        return (f"{s.store}：请重新授权（{f['reason']}），否则数据无法同步。" if zh else
                f"{s.store}: re-authorize ({f['reason']}); its data cannot sync until then.")
    if s.action == "reauthorize":
        return (f"{s.store}：{w.source(f['source'])} 数据从未同步，请重新授权或检查连接。" if zh
                else f"{s.store}: {w.source(f['source'])} has never synced: re-authorize the "
                "shop or check the connection.")
    day = f["latest_day"]
    return (f"{s.store}：{w.source(f['source'])} 数据落后 {f['days_behind']} 天（最后完整日 "
            f"{day}），请运行 tikpulse sync 或检查授权。" if zh else
            f"{s.store}: {w.source(f['source'])} is {f['days_behind']} day(s) behind (last "
            f"complete day {day}): run tikpulse sync or check the authorization.")


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
    w, report = Words(lang), digest.report
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
    changes += section_text.anomaly_lines(ins.anomalies, w, names)
    sections = tuple((w.t(key), tuple(lines)) for key, lines in (
        ("creators", section_text.creator_lines(ins.creators, w, ccy)),
        ("content", section_text.content_lines(ins.winners, w)),
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
    )


def metric_unit(metric_id: str) -> str:
    """The catalog unit of a metric (money, count, percent, multiple...)."""
    return get_metric(metric_id).unit
