"""What the digest says, before any language: headline, changes ranked by money, suggestions.

``compose(report, targets)`` turns a frozen ``WeeklyReport`` into a ``Digest``: the headline KPIs
against last week, the 4-week baseline and the targets (good/bad by each metric's direction);
"what changed and why" items (GMV split into traffic x conversion x order value, true ROAS split
into CTR, CVR, order value and CPM) ranked by the money at stake; rule-based suggestions with
their reasons; and what data is missing. ``jobs.digest.sentences`` puts it into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from analytics.catalog import get_metric
from analytics.drivers import Decomposition, decompose_gmv
from analytics.kpis import KpiReport, KpiSet
from config.tenants import Targets
from jobs.digest.advice import Missing, Suggestion, roas_basis, suggestions
from jobs.report.model import StoreReport, WeeklyReport

#: Headline metrics, in display order.
HEADLINE = ("gross_gmv", "net_gmv", "orders", "aov", "cvr", "spend", "roas_platform", "roas_true",
            "refund_rate")
#: A store's GMV move is worth a sentence from this share of its previous week...
MIN_CHANGE_PCT = 0.05
#: ...and at least this much money (reporting currency).
MIN_CHANGE_MONEY = Decimal(50)
#: "What changed" items shown.
MAX_CHANGES = 5


@dataclass(frozen=True)
class HeadlineRow:
    """One KPI: value, change vs last week and vs the 4-week baseline, target."""

    metric: str
    value: Decimal | float | int | None
    previous: Decimal | float | int | None
    pct_prev: float | None
    pct_base: float | None
    good: bool | None  # direction-aware judgement of the week-on-week move
    target: Decimal | float | None
    target_met: bool | None


@dataclass(frozen=True)
class ChangeItem:
    """A move worth explaining: which store, which metric, its drivers, money at stake."""

    store: str
    metric: str  # net_gmv | roas_true ...
    current: float
    pct: float | None
    good: bool | None
    drivers: tuple[tuple[str, float, float | None], ...]  # (factor, contribution, pct change)
    money_at_stake: Decimal


@dataclass(frozen=True)
class Digest:
    """Everything the digest shows, language-free."""

    report: WeeklyReport
    headline: tuple[HeadlineRow, ...]
    store_rows: tuple[tuple[str, tuple[HeadlineRow, ...]], ...]
    changes: tuple[ChangeItem, ...]
    suggestions: tuple[Suggestion, ...]
    gmv_drivers: Decomposition | None
    missing: tuple[Missing, ...]
    partial: bool


def headline_rows(kpis: KpiReport, metrics: tuple[str, ...] = HEADLINE) -> tuple[HeadlineRow, ...]:
    """The headline metrics of one scope."""
    targets = {t.metric: t for t in kpis.targets}
    rows = []
    for metric in metrics:
        if kpis.current.value(metric) is None:
            continue  # not measurable this week (e.g. no traffic data): said in data quality
        if metric == "roas_true" and roas_basis(kpis.current) != "roas_true":
            continue
        prev, base = kpis.change(metric, "previous"), kpis.change(metric, "4w")
        target = targets.get(metric)
        rows.append(HeadlineRow(metric, kpis.current.value(metric), prev.reference, prev.pct,
                                base.pct, prev.good, None if target is None else target.target,
                                None if target is None else target.met))
    return tuple(rows)


def gmv_decomposition(current: KpiSet, previous: KpiSet | None) -> Decomposition | None:
    """Net GMV's week-on-week change split into traffic, conversion and order value."""
    if previous is None:
        return None
    return decompose_gmv(
        (previous.visitors, float(previous.orders), float(previous.net_gmv)),
        (current.visitors, float(current.orders), float(current.net_gmv)))


def _gmv_change(store: StoreReport) -> ChangeItem | None:
    cur, prev = store.kpis.current, store.kpis.previous
    dec = gmv_decomposition(cur, prev)
    if dec is None or prev is None:
        return None
    move = cur.net_gmv - prev.net_gmv
    pct = store.kpis.change("net_gmv").pct
    if abs(move) < MIN_CHANGE_MONEY or (pct is not None and abs(pct) < MIN_CHANGE_PCT):
        return None
    parts = tuple((p.factor, p.contribution, _pct(p.previous, p.current))
                  for p in sorted(dec.parts, key=lambda p: -abs(p.contribution))
                  if abs(p.contribution) >= 0.01 * float(abs(move)))
    return ChangeItem(store.name, "net_gmv", float(cur.net_gmv), pct,
                      store.kpis.change("net_gmv").good, parts, abs(move))


def _roas_change(store: StoreReport) -> ChangeItem | None:
    cur, prev = store.kpis.current, store.kpis.previous
    metric = roas_basis(cur)
    change = store.kpis.change(metric)
    if prev is None or change.pct is None or abs(change.pct) < 2 * MIN_CHANGE_PCT:
        return None
    roas = cur.value(metric)
    if roas is None or not cur.spend:
        return None
    stake = abs(Decimal(str(change.delta or 0)) * cur.spend).quantize(Decimal("0.01"))
    revenue = ("ads_net_revenue", "ads_net_revenue") if metric == "roas_true" else (
        "purchase_value", "purchase_value")
    parts = tuple((name, 0.0, _pct(a, b)) for name, a, b in (
        ("revenue", getattr(prev, revenue[0]), getattr(cur, revenue[1])),
        ("spend", prev.spend, cur.spend), ("cpm", prev.cpm, cur.cpm), ("ctr", prev.ctr, cur.ctr),
        ("cvr", prev.cvr, cur.cvr)) if _pct(a, b) is not None)
    parts = tuple(sorted(parts, key=lambda p: -abs(p[2] or 0)))[:3]
    return ChangeItem(store.name, metric, float(roas), change.pct, change.good, parts, stake)


def _pct(before: object, after: object) -> float | None:
    if before is None or after is None or float(before) == 0:  # type: ignore[arg-type]
        return None
    return (float(after) - float(before)) / abs(float(before))  # type: ignore[arg-type]


def missing_data(report: WeeklyReport) -> tuple[Missing, ...]:
    """Sources of each store not synced through the week's last day (or never synced)."""
    out = []
    for store in report.stores:
        for f in store.quality.freshness:
            if f.days_behind != 0:
                out.append(Missing(store.name, f.source, None if f.latest_complete_day is None
                                   else f.latest_complete_day.isoformat(), f.days_behind))
        if not store.quality.freshness:
            out.append(Missing(store.name, "orders", None, None))
    return tuple(out)


def compose(report: WeeklyReport, targets: Targets, *, partial: bool = False) -> Digest:
    """The language-free digest of ``report``; ``partial`` when sent despite missing data."""
    changes = [c for s in report.stores for c in (_gmv_change(s), _roas_change(s)) if c]
    changes.sort(key=lambda c: c.money_at_stake, reverse=True)
    total = report.total
    return Digest(
        report=report, headline=headline_rows(total),
        store_rows=tuple((s.name, headline_rows(s.kpis)) for s in report.stores),
        changes=tuple(changes[:MAX_CHANGES]),
        suggestions=suggestions(report, targets, missing_data(report)),
        gmv_drivers=gmv_decomposition(total.current, total.previous),
        missing=missing_data(report), partial=partial,
    )


def is_money(metric_id: str) -> bool:
    """Whether a catalog metric is an amount of money."""
    return get_metric(metric_id).unit == "money"
