"""What the digest says, before any language: headline, changes ranked by money, suggestions.

``compose(report, targets)`` turns a frozen ``WeeklyReport`` into a ``Digest``: the headline KPIs
against last week, the 4-week baseline and the targets (good/bad by each metric's direction);
"what changed and why" items (GMV split into traffic x conversion x order value, true ROAS split
into CTR, CVR, order value and CPM) ranked by the money at stake; rule-based suggestions with
their reasons; and what data is missing. A store's rows are in its own currency with the
reporting-currency figure beside them; the headline (the tenant total) is in the reporting
currency, or empty when it needs a missing FX rate, which makes the digest partial.
``jobs.digest.sentences`` puts it into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from analytics.catalog import get_metric
from analytics.drivers import Decomposition, decompose_gmv
from analytics.kpi_report import KpiReport
from analytics.kpis import KpiSet
from analytics.periods import BASELINE_PERIODS, parse_period
from config.tenants import Targets
from jobs.digest.advice import Missing, Suggestion, roas_basis, suggestions
from jobs.digest.summary import Conclusion, conclusions
from jobs.report.model import StoreReport, WeeklyReport

#: Headline metrics, in display order.
HEADLINE = ("gross_gmv", "net_gmv", "orders", "aov", "cvr", "spend", "roas_platform", "roas_true",
            "refund_rate")
#: A store's GMV move is worth a sentence from this share of its previous week...
MIN_CHANGE_PCT = 0.05
#: ...and at least this much money (reporting currency; the store's own when a rate is missing).
MIN_CHANGE_MONEY = Decimal(50)
#: "What changed" items shown.
MAX_CHANGES = 5
#: ``Missing.source`` of a missing FX rate.
FX_SOURCE = "fx_rate"


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
    currency: str = ""  # of ``value`` (money metrics)
    beside: Decimal | float | int | None = None  # ``value`` in the reporting currency
    beside_currency: str = ""


@dataclass(frozen=True)
class ChangeItem:
    """A move worth explaining: which store, which metric, its drivers, money at stake."""

    store: str
    metric: str  # net_gmv | roas_true ...
    current: float
    pct: float | None
    good: bool | None
    drivers: tuple[tuple[str, float, float | None], ...]  # (factor, contribution, pct change)
    money_at_stake: Decimal  # reporting currency when the store's rates are known
    currency: str = ""  # of ``current`` and the drivers' money: the store's own
    reporting: Decimal | None = None  # ``current`` in the reporting currency (money, other ccy)


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
    conclusions: tuple[Conclusion, ...] = ()  # the summary's three lines, language-free


def headline_rows(kpis: KpiReport | None, metrics: tuple[str, ...] = HEADLINE,
                  beside: KpiReport | None = None) -> tuple[HeadlineRow, ...]:
    """The headline metrics of one scope (none when its numbers need a missing FX rate);
    ``beside``: the same scope in the reporting currency, for a store in its own."""
    if kpis is None:
        return ()
    targets = {t.metric: t for t in kpis.targets}
    other = None if beside is None or beside is kpis else beside.current
    base_line = kpis.baseline_4w  # compared with only when whole: "vs 3-month avg" must mean it
    whole = base_line is not None and base_line.weeks >= BASELINE_PERIODS[
        parse_period(kpis.week)[0]]
    rows = []
    for metric in metrics:
        if kpis.current.value(metric) is None:
            continue  # not measurable this week (e.g. no traffic data): said in data quality
        if metric == "roas_true" and roas_basis(kpis.current) != "roas_true":
            continue
        prev, base = kpis.change(metric, "previous"), kpis.change(metric, "4w")
        target = targets.get(metric)
        rows.append(HeadlineRow(metric, kpis.current.value(metric), prev.reference, prev.pct,
                                base.pct if whole else None, prev.good,
                                None if target is None else target.target,
                                None if target is None else target.met, kpis.current.currency,
                                None if other is None else other.value(metric),
                                "" if other is None else other.currency))
    return tuple(rows)


def gmv_decomposition(current: KpiSet, previous: KpiSet | None) -> Decomposition | None:
    """Net GMV's week-on-week change split into traffic, conversion and order value."""
    if previous is None:
        return None
    return decompose_gmv(
        (previous.visitors, float(previous.orders), float(previous.net_gmv)),
        (current.visitors, float(current.orders), float(current.net_gmv)))


def _stake_kpis(store: StoreReport, currency: str) -> KpiReport:
    """The store's KPIs to weigh a move across stores by: in the reporting ``currency``, else
    (a rate is missing) its own."""
    return store.in_currency(currency) or store.kpis


def _gmv_change(store: StoreReport, currency: str) -> ChangeItem | None:
    cur, prev = store.kpis.current, store.kpis.previous
    dec = gmv_decomposition(cur, prev)
    if dec is None or prev is None:
        return None
    move = cur.net_gmv - prev.net_gmv
    weigh = _stake_kpis(store, currency)
    stake = move if weigh.previous is None else weigh.current.net_gmv - weigh.previous.net_gmv
    pct = store.kpis.change("net_gmv").pct
    if abs(stake) < MIN_CHANGE_MONEY or (pct is not None and abs(pct) < MIN_CHANGE_PCT):
        return None
    parts = tuple((p.factor, p.contribution, _pct(p.previous, p.current))
                  for p in sorted(dec.parts, key=lambda p: -abs(p.contribution))
                  if abs(p.contribution) >= 0.01 * float(abs(move)))
    beside = None if weigh is store.kpis or weigh.current.currency == cur.currency else (
        weigh.current.net_gmv)
    return ChangeItem(store.name, "net_gmv", float(cur.net_gmv), pct,
                      store.kpis.change("net_gmv").good, parts, abs(stake), cur.currency, beside)


def _roas_change(store: StoreReport, currency: str) -> ChangeItem | None:
    cur, prev = store.kpis.current, store.kpis.previous
    metric = roas_basis(cur)
    change = store.kpis.change(metric)
    if prev is None or change.pct is None or abs(change.pct) < 2 * MIN_CHANGE_PCT:
        return None
    roas = cur.value(metric)
    if roas is None or not cur.spend:
        return None
    spend = _stake_kpis(store, currency).current.spend or cur.spend
    stake = abs(Decimal(str(change.delta or 0)) * spend).quantize(Decimal("0.01"))
    revenue = ("ads_net_revenue", "ads_net_revenue") if metric == "roas_true" else (
        "purchase_value", "purchase_value")
    parts = tuple((name, 0.0, _pct(a, b)) for name, a, b in (
        ("revenue", getattr(prev, revenue[0]), getattr(cur, revenue[1])),
        ("spend", prev.spend, cur.spend), ("cpm", prev.cpm, cur.cpm), ("ctr", prev.ctr, cur.ctr),
        ("cvr", prev.cvr, cur.cvr)) if _pct(a, b) is not None)
    parts = tuple(sorted(parts, key=lambda p: -abs(p[2] or 0)))[:3]
    return ChangeItem(store.name, metric, float(roas), change.pct, change.good, parts, stake,
                      cur.currency)


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


def fx_missing(report: WeeklyReport) -> tuple[Missing, ...]:
    """The FX rates the report lacks, as missing data of the run (``source`` "fx_rate", the pair
    as ``store``, the first missing day): a digest without them is partial, though not held."""
    return tuple(Missing(f"{g.currency}->{g.quote}", FX_SOURCE, g.first.isoformat(), None)
                 for g in report.missing_fx)


def is_partial(report: WeeklyReport) -> bool:
    """Whether the digest of ``report`` lacks data: a source behind, or an FX rate missing."""
    return bool(missing_data(report) or report.missing_fx)


def compose(report: WeeklyReport, targets: Targets, *, partial: bool = False) -> Digest:
    """The language-free digest of ``report``; ``partial`` when sent despite missing data (and
    always when an FX rate is missing)."""
    ccy = report.reporting_currency
    changes = [c for s in report.stores for c in (_gmv_change(s, ccy), _roas_change(s, ccy)) if c]
    changes.sort(key=lambda c: c.money_at_stake, reverse=True)
    total = report.total
    return Digest(
        report=report, headline=headline_rows(total),
        store_rows=tuple((s.name, headline_rows(s.kpis, beside=s.reporting))
                         for s in report.stores),
        changes=tuple(changes[:MAX_CHANGES]),
        suggestions=suggestions(report, targets, missing_data(report)),
        gmv_drivers=None if total is None else gmv_decomposition(total.current, total.previous),
        missing=missing_data(report), partial=partial or bool(report.missing_fx),
        conclusions=conclusions(report, targets),
    )


def is_money(metric_id: str) -> bool:
    """Whether a catalog metric is an amount of money."""
    return get_metric(metric_id).unit == "money"
