"""Weekly KPIs per store, tenant or region, with previous week, baselines and target progress.

Inputs: the daily metric rows of ``analytics.daily`` (``shop_id, day, metric, currency, value``),
the local days of the period, the reporting currency, ``FxRates``, and optionally the distinct
buyer count (distinct counts do not add up over days, see ``count_buyers``) and targets.
Outputs: ``KpiSet`` (one period), ``KpiReport`` (week + previous + 4/52-week baselines + year ago
+ target progress) and ``TargetProgress``. Money is ``Decimal`` in the reporting currency
(each store-day total converted at that day's rate, summed exactly, rounded once); rates are
ratios of sums over the period, ``None`` when the denominator is 0 or missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Context, Decimal

import pandas as pd

from analytics.catalog import METRICS, get_metric
from analytics.daily import MONEY_METRICS
from analytics.fx import FxRates
from analytics.money import MONEY_SCALE, add_scaled, money_ratio, quantize, ratio, scaled_rate
from analytics.periods import BASELINE_PERIODS, Period, baseline_periods, period_window, year_ago
from analytics.weeks import WeekWindow

__all__ = [
    "Baseline", "Change", "KpiReport", "KpiSet", "TargetProgress", "compare", "compute_kpis",
    "count_buyers", "exact_totals", "kpis_from_totals", "period_report", "reports_by_group",
    "store_totals", "target_progress", "weekly_report",
]


#: Metrics that are zero (not "unknown") when a store has no rows: no orders means no sales.
ZERO_WHEN_ABSENT: frozenset[str] = frozenset({"gross_gmv", "refunds", "orders", "units"})
_ZERO = Decimal(0)
#: Precision of the exact conversions: any sum of units times a rate fits.
_WIDE = Context(prec=80)


@dataclass(frozen=True)
class KpiSet:
    """All KPIs of one scope over one period (field names are catalog ids)."""

    currency: str
    days: int
    gross_gmv: Decimal
    refunds: Decimal
    net_gmv: Decimal
    settled_revenue: Decimal | None
    orders: int
    units: int
    buyers: int | None
    aov: Decimal | None
    refund_rate: float | None
    visitors: int | None
    cvr: float | None
    spend: Decimal | None
    impressions: int | None
    clicks: int | None
    purchases: int | None
    purchase_value: Decimal | None
    ctr: float | None
    cpc: Decimal | None
    cpm: Decimal | None
    cpa: Decimal | None
    roas_platform: float | None
    roas_true: float | None
    roas_blended: float | None
    commission_cost: Decimal | None
    paid_share: float | None  # PAID channel share of shop GMV (the roas_true method)
    ads_net_revenue: Decimal | None  # net GMV attributable to ads (numerator of roas_true)

    def value(self, metric_id: str) -> Decimal | float | int | None:
        """The value of a catalog metric by id (``KeyError`` for an unknown id)."""
        if metric_id not in _FIELD_NAMES:
            raise KeyError(metric_id)
        value: Decimal | float | int | None = getattr(self, metric_id)
        return value


_FIELD_NAMES = frozenset(f.name for f in fields(KpiSet))
_FIELD_ORDER = tuple(f.name for f in fields(KpiSet))
_CATALOG_IDS = frozenset(m.id for m in METRICS)


def _kpi_set(*values: object) -> KpiSet:
    """``KpiSet(*values)`` (values in field order) without a frozen dataclass's
    ``object.__setattr__`` per field: a table of many stores makes one per store. (``KpiSet``
    has no ``__post_init__`` to skip; ``test_exact_totals`` compares the two.)"""
    kpis = object.__new__(KpiSet)
    kpis.__dict__.update(zip(_FIELD_ORDER, values, strict=True))
    return kpis


#: One summed metric of a store: (shop_id, metric, currency, day, units). ``day`` is the local
#: day of money in a currency other than the answer's (converted at that day's rate), else None.
MetricSum = tuple[str, str, str, date | None, int]


def store_totals(sums: Iterable[MetricSum], quote: str, fx: FxRates) -> (
    dict[str, dict[str, Decimal]]
):
    """Per store and metric, the exact total in ``quote`` (money) or count (as Decimal), from
    sums already made per store, metric and currency (and per day for money in another currency).

    Money in another currency is converted per store-day total at that day's rate, exactly
    (``exact_totals``). The pandas path hands its sums here (``compute_kpis``), the SQL read
    path its rows summed per rate (``jobs.warehouse.sum_rates``) to ``exact_totals``: both add
    the same numbers. ``MissingFxRate`` for a rate that is not stored.
    """
    whole: dict[str, dict[str, int]] = {}  # counts, and money already in ``quote``
    foreign: dict[tuple[str, str, date, str], int] = {}
    for shop, metric, currency, day, units in sums:
        if metric in MONEY_METRICS and currency != quote:
            if day is None:
                raise ValueError(f"{metric} of {shop} in {currency} needs its day to convert")
            at = (shop, metric, day, currency)
            foreign[at] = foreign.get(at, 0) + int(units)
        else:
            mine = whole.setdefault(shop, {})
            mine[metric] = mine.get(metric, 0) + int(units)
    pairs = dict.fromkeys((day, currency) for _, _, day, currency in foreign)
    rates = {pair: scaled_rate(fx.rate(pair[0], pair[1], quote)) for pair in pairs}
    scaled: dict[str, dict[str, list[int]]] = {}
    for (shop, metric, day, currency), units in foreign.items():
        add_scaled(scaled.setdefault(shop, {}), metric, units, *rates[(day, currency)])
    return exact_totals([whole], scaled)


def exact_totals(whole: Iterable[Mapping[str, Mapping[str, int]]],
                 scaled: Mapping[str, Mapping[str, Sequence[int]]]) -> (
    dict[str, dict[str, Decimal]]
):
    """Per store and metric, exactly: ``whole`` (dicts per store of counts and money already in
    the quote as integer units per metric; several: counts apart from money) plus ``scaled``:
    per store, money converted into the quote as ``[integer, digits]`` per metric, the integer
    being units times ``10**digits`` (``add_scaled``: the sums stay Python integers, one
    ``Decimal`` each). Stores come in the order ``whole``'s dicts, then ``scaled`` name them."""
    out: dict[str, dict[str, Decimal]] = {}
    for book in whole:
        for shop, found in book.items():
            totals = out.get(shop)
            if totals is None:
                totals = out[shop] = {}
            for metric, total in found.items():
                totals[metric] = (Decimal(total).scaleb(-MONEY_SCALE) if metric in MONEY_METRICS
                                  else Decimal(total))
    for shop, found_scaled in scaled.items():
        totals = out.get(shop)
        if totals is None:
            totals = out[shop] = {}
        for metric, (total, digits) in found_scaled.items():
            amount = Decimal(total).scaleb(-(MONEY_SCALE + digits), _WIDE)
            known = totals.get(metric)
            totals[metric] = amount if known is None else _WIDE.add(known, amount)
    return out


def _frame_sums(rows: pd.DataFrame, quote: str) -> list[MetricSum]:
    """``rows`` (daily metric rows) summed as ``store_totals`` takes them: counts and money in
    ``quote`` per store and metric, other money per store, metric, day and currency."""
    is_money = rows["metric"].isin(list(MONEY_METRICS))
    local = is_money & (rows["currency"] == quote)
    out: list[MetricSum] = []
    for part in (rows[~is_money], rows[local]):
        sums = part.groupby(["shop_id", "metric"], sort=False)["value"].sum()
        out += [(str(s), str(m), quote, None, int(v)) for (s, m), v in sums.items()]
    foreign = rows[is_money & ~local].groupby(["shop_id", "metric", "day", "currency"],
                                              sort=False)["value"].sum()
    out += [(str(s), str(m), str(c), d, int(v)) for (s, m, d, c), v in foreign.items()]
    return out


def _store_totals(rows: pd.DataFrame, quote: str, fx: FxRates) -> dict[str, dict[str, Decimal]]:
    """Per store and metric, the exact total in ``quote`` of daily metric rows."""
    return store_totals(_frame_sums(rows, quote), quote, fx)


def _sums(stores: Mapping[str, Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Each metric added up from 0 in store order over the stores that have it (in one pass: a
    table of many stores asks this per store); absent: 0 where ``ZERO_WHEN_ABSENT``, else not
    there."""
    found: dict[str, Decimal] = {}
    for totals in stores.values():
        for metric, value in totals.items():
            seen = found.get(metric)
            found[metric] = (_ZERO if seen is None else seen) + value
    for metric in ZERO_WHEN_ABSENT:
        if metric not in found:
            found[metric] = _ZERO
    return found


def _ads_net_revenue(
    stores: Mapping[str, Mapping[str, Decimal]],
) -> tuple[Decimal | None, Decimal | None]:
    """(Σ ads-attributable net revenue, Σ spend) over the stores that can say it (see catalog).

    Per store: where shop traffic has a PAID channel, its share of shop GMV × net GMV; otherwise
    (the Partner API breaks GMV down by LIVE / VIDEO / PRODUCT_CARD only) the platform-attributed
    revenue with the store's refund share removed, capped at the store's net GMV. A store with
    spend but neither has its spend left out too (numerator and denominator cover the same stores).
    """
    revenue: Decimal | None = None
    spend: Decimal | None = None
    for t in stores.values():
        attributable = _store_ads_net(t)
        if attributable is None or t.get("spend") is None:
            continue
        revenue = (revenue or Decimal(0)) + attributable
        spend = (spend or Decimal(0)) + t["spend"]
    return revenue, spend


def _store_ads_net(t: Mapping[str, Decimal]) -> Decimal | None:
    gross = t.get("gross_gmv", Decimal(0))
    net = gross - t.get("refunds", Decimal(0))
    traffic_gmv, paid = t.get("traffic_gmv"), t.get("paid_gmv")
    if traffic_gmv and paid:
        return net * paid / traffic_gmv
    claimed = t.get("purchase_value")
    if claimed is None:
        return None
    if gross <= 0:
        return Decimal(0)
    return min(claimed * net / gross, max(net, Decimal(0)))


def compute_kpis(
    daily: pd.DataFrame, days: Iterable[date], currency: str, fx: FxRates, *,
    shop_ids: Iterable[str] | None = None, buyers: int | None = None,
) -> KpiSet:
    """KPIs over ``days`` for the given stores (all stores in ``daily`` when ``shop_ids`` is None).

    ``MissingFxRate`` if a store-day total needs a rate that is not stored.
    """
    days = list(days)
    rows = daily[daily["day"].isin(days)]
    if shop_ids is not None:
        rows = rows[rows["shop_id"].isin(list(shop_ids))]
    return kpis_from_totals(_store_totals(rows, currency, fx), len(days), currency, buyers=buyers)


def kpis_from_totals(stores: Mapping[str, Mapping[str, Decimal]], days: int, currency: str, *,
                     buyers: int | None = None) -> KpiSet:
    """KPIs over ``days`` days from per-store totals (``store_totals``): the arithmetic of
    ``compute_kpis`` once the sums are made, wherever they were made (a table of many stores
    asks this per store: the fields in their order, no helper per field)."""
    t = _sums(stores)
    get = t.get
    gross, refunds = t["gross_gmv"] or _ZERO, t["refunds"] or _ZERO
    net, spend, value = gross - refunds, get("spend"), get("purchase_value")
    ads_net, ads_spend = _ads_net_revenue(stores)
    orders, visitors = int(t["orders"] or 0), get("visitors")
    clicks, impressions, purchases = get("clicks"), get("impressions"), get("purchases")
    settled, commission = get("settled_revenue"), get("commission_cost")
    return _kpi_set(
        currency, days, quantize(gross), quantize(refunds), quantize(net),
        None if settled is None else quantize(settled), orders, int(t["units"] or 0), buyers,
        money_ratio(gross, orders), ratio(refunds, gross),
        None if visitors is None else int(visitors),
        ratio(get("traffic_buyers"), visitors if visitors is not None else get("page_views")),
        None if spend is None else quantize(spend),
        None if impressions is None else int(impressions),
        None if clicks is None else int(clicks), None if purchases is None else int(purchases),
        None if value is None else quantize(value), ratio(clicks, impressions),
        money_ratio(spend, clicks), money_ratio(None if spend is None else spend * 1000,
                                                impressions),
        money_ratio(spend, purchases), ratio(value, spend), ratio(ads_net, ads_spend),
        ratio(net, spend), None if commission is None else quantize(commission),
        ratio(get("paid_gmv"), get("traffic_gmv")),
        None if ads_net is None else quantize(ads_net))


def count_buyers(valid_orders: pd.DataFrame, start_utc: datetime, end_utc: datetime) -> int:
    """Distinct ``(shop_id, buyer_id)`` of sales-valid orders paid in ``[start_utc, end_utc)``.

    Weeks are local to each store: for a tenant, count each store in its own ``week_window``
    and add the counts (buyers are distinct per store).
    """
    paid = valid_orders["paid_time"]
    part = valid_orders[(paid >= start_utc) & (paid < end_utc) & valid_orders["buyer_id"].notna()]
    return int(len(part[["shop_id", "buyer_id"]].drop_duplicates()))


_ADDITIVE: frozenset[str] = frozenset({
    "gross_gmv", "refunds", "net_gmv", "settled_revenue", "spend", "purchase_value",
    "commission_cost", "ads_net_revenue", "orders", "units", "visitors", "impressions", "clicks",
    "purchases"})


@dataclass(frozen=True)
class Baseline:
    """Several past weeks together; ``value`` gives the average week (ratios: over all weeks)."""

    totals: KpiSet
    weeks: int

    def value(self, metric_id: str) -> Decimal | float | None:
        """Average weekly value of an additive metric; the pooled ratio for a rate.

        Distinct buyers do not average over weeks, so ``buyers`` is ``None``.
        """
        total = self.totals.value(metric_id)
        if metric_id == "buyers" or total is None:
            return None
        if metric_id in _ADDITIVE:
            if isinstance(total, Decimal):
                return quantize(total / self.weeks)
            return float(total) / self.weeks
        return total


@dataclass(frozen=True)
class Change:
    """A metric now against a reference value; ``good`` follows the catalog direction."""

    metric: str
    current: Decimal | float | int | None
    reference: Decimal | float | int | None
    delta: float | None  # current - reference
    pct: float | None  # delta / |reference|; None when the reference is 0 or missing
    good: bool | None  # None: no change, neutral metric or not computable


@dataclass(frozen=True)
class TargetProgress:
    """Progress of one KPI against the tenant's target for the period."""

    metric: str
    target: Decimal | float
    actual: Decimal | float | int | None
    progress: float | None  # actual / target
    met: bool | None  # lower_better metrics are met at or below target


def compare(metric_id: str, current: Decimal | float | int | None,
            reference: Decimal | float | int | None) -> Change:
    """The change of ``metric_id`` from ``reference`` to ``current``."""
    if current is None or reference is None:
        return Change(metric_id, current, reference, None, None, None)
    delta = float(current) - float(reference)
    pct = None if reference == 0 else delta / abs(float(reference))
    direction = get_metric(metric_id).direction if metric_id in _CATALOG_IDS else "neutral"
    good = None if delta == 0 or direction == "neutral" else (
        (delta > 0) == (direction == "higher_better"))
    return Change(metric_id, current, reference, delta, pct, good)


def target_progress(kpis: KpiSet, targets: Mapping[str, Decimal | float | int]) -> tuple[
    TargetProgress, ...
]:
    """Each target against the actual value; ``progress`` is ``None`` for a zero target."""
    out = []
    for metric_id, target in targets.items():
        actual = kpis.value(metric_id)
        progress = ratio(actual, target)
        lower = get_metric(metric_id).direction == "lower_better"
        met = None if actual is None else (actual <= target if lower else actual >= target)
        out.append(TargetProgress(metric_id, target, actual, progress, met))
    return tuple(out)


@dataclass(frozen=True)
class KpiReport:
    """One scope's week with its references; ``change`` compares against any of them."""

    scope: str
    week: str
    current: KpiSet
    previous: KpiSet | None
    baseline_4w: Baseline | None
    baseline_52w: Baseline | None
    year_ago: KpiSet | None
    targets: tuple[TargetProgress, ...]

    def change(self, metric_id: str, against: str = "previous") -> Change:
        """Change of a metric against "previous", "4w", "52w" or "year_ago"."""
        ref: Decimal | float | int | None
        if against in ("previous", "year_ago"):
            other = self.previous if against == "previous" else self.year_ago
            ref = None if other is None else other.value(metric_id)
        elif against in ("4w", "52w"):
            base = self.baseline_4w if against == "4w" else self.baseline_52w
            ref = None if base is None else base.value(metric_id)
        else:
            raise ValueError(f"unknown reference {against!r}")
        return compare(metric_id, self.current.value(metric_id), ref)


def _history_start(daily: pd.DataFrame, shop_ids: list[str] | None) -> date | None:
    rows = daily if shop_ids is None else daily[daily["shop_id"].isin(shop_ids)]
    return None if rows.empty else min(rows["day"])


def weekly_report(
    daily: pd.DataFrame, week: WeekWindow, currency: str, fx: FxRates, *,
    shop_ids: Iterable[str] | None = None, scope: str = "all",
    buyers: Mapping[str, int] | None = None,
    targets: Mapping[str, Decimal | float | int] | None = None,
    history_start: date | None = None,
) -> KpiReport:
    """The week's KPIs with previous week, 4- and 52-week baselines and the same week a year ago.

    Only full weeks on or after ``history_start`` (default: the scope's first day with data) count,
    so with one week of history every reference is ``None``. ``buyers`` maps week labels to
    distinct buyer counts (``count_buyers``); ``targets`` are weekly targets by metric id.
    """
    return period_report(daily, period_window(week.tz, week.monday, "weekly"), currency, fx,
                         shop_ids=shop_ids, scope=scope, buyers=buyers, targets=targets,
                         history_start=history_start)


def reports_by_group(
    daily: pd.DataFrame, week: WeekWindow, currency: str, fx: FxRates,
    groups: Mapping[str, str], **kwargs: object,
) -> dict[str, KpiReport]:
    """One ``weekly_report`` per group; ``groups`` maps shop_id to a store, region or tenant."""
    members: dict[str, list[str]] = {}
    for shop, group in groups.items():
        members.setdefault(group, []).append(shop)
    return {
        group: weekly_report(daily, week, currency, fx, shop_ids=shops, scope=group,
                             **kwargs)  # type: ignore[arg-type]
        for group, shops in members.items()
    }


#: Periods before the report's own that the long ("52w") baseline covers: about a year of each
#: cadence (52 weeks, 26 fortnights, 12 months).
YEAR_OF_PERIODS = {"weekly": 52, "biweekly": 26, "monthly": 12}


def period_report(
    daily: pd.DataFrame, period: Period, currency: str, fx: FxRates, *,
    shop_ids: Iterable[str] | None = None, scope: str = "all",
    buyers: Mapping[str, int] | None = None,
    targets: Mapping[str, Decimal | float | int] | None = None,
    history_start: date | None = None,
) -> KpiReport:
    """The period's KPIs with its own cadence's references: the previous period, the average of
    the ``BASELINE_PERIODS`` before it (``baseline_4w``), of about a year of them
    (``baseline_52w``), and the same period a year ago: a month compares with months, a
    fortnight with fortnights. ``weekly_report`` is this for a weekly period.

    Only whole periods on or after ``history_start`` (default: the scope's first day with data)
    count. A baseline's ``value`` is the average period (``Baseline.weeks`` counts periods).
    ``buyers`` maps period labels to distinct buyers; ``targets`` are per period.
    """
    shops = None if shop_ids is None else list(shop_ids)
    start = history_start if history_start is not None else _history_start(daily, shops)
    buyers = buyers or {}

    def kpis(p: Period) -> KpiSet:
        return compute_kpis(daily, p.days, currency, fx, shop_ids=shops, buyers=buyers.get(p.label))

    def usable(p: Period) -> bool:
        return start is not None and p.first >= start

    before = baseline_periods(period, YEAR_OF_PERIODS[period.cadence])
    past = [p for p in before if usable(p)]

    def baseline(n: int) -> Baseline | None:
        chosen = [p for p in past if p.first >= before[n - 1].first]
        if not chosen:
            return None
        days = [d for p in chosen for d in p.days]
        return Baseline(compute_kpis(daily, days, currency, fx, shop_ids=shops), len(chosen))

    current = kpis(period)
    previous = kpis(before[0]) if usable(before[0]) else None
    then = year_ago(period)
    return KpiReport(
        scope=scope, week=period.label, current=current, previous=previous,
        baseline_4w=baseline(BASELINE_PERIODS[period.cadence]),
        baseline_52w=baseline(YEAR_OF_PERIODS[period.cadence]),
        year_ago=kpis(then) if usable(then) else None,
        targets=target_progress(current, targets or {}),
    )
