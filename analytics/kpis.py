"""``KpiSet``: all KPIs of one scope over one period, and the arithmetic that makes one from
per-store totals (``kpis_from_totals``).

Inputs: per store, the exact total of each metric (``Decimal``, money in the reporting currency;
``analytics.totals`` makes them, from SQL sums or from daily rows), the number of days and the
reporting currency, optionally the distinct buyer count (distinct counts do not add up over days,
see ``analytics.daily_kpis.count_buyers``). Output: a ``KpiSet`` whose field names are catalog
ids. Money is ``Decimal`` rounded once; rates are ratios of sums over the period, ``None`` when
the denominator is 0 or missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal

from analytics.money import money_ratio, quantize, ratio

__all__ = ["KpiSet", "kpis_from_totals"]


#: Metrics that are zero (not "unknown") when a store has no rows: no orders means no sales.
ZERO_WHEN_ABSENT: frozenset[str] = frozenset({"gross_gmv", "refunds", "orders", "units"})
_ZERO = Decimal(0)


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


def _kpi_set(*values: object) -> KpiSet:
    """``KpiSet(*values)`` (values in field order) without a frozen dataclass's
    ``object.__setattr__`` per field: a table of many stores makes one per store. (``KpiSet``
    has no ``__post_init__`` to skip; ``test_exact_totals`` compares the two.)"""
    kpis = object.__new__(KpiSet)
    kpis.__dict__.update(zip(_FIELD_ORDER, values, strict=True))
    return kpis


def _sums(stores: Mapping[str, Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Each metric added up from 0 in store order over the stores that have it (in one pass: a
    table of many stores asks this per store, of one store: each value as adding it to 0 makes
    it, ``+``, rounded to the context); absent: 0 where ``ZERO_WHEN_ABSENT``, else not there."""
    found: dict[str, Decimal] = {}
    if len(stores) == 1:
        found = {metric: +value for totals in stores.values() for metric, value in totals.items()}
    else:
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
