"""Exact per-store totals in the reporting currency, the sums every KPI starts from.

Inputs: metric units already summed per store, metric and currency (and per local day for money
in another currency), as ``MetricSum`` rows (the pandas path, ``analytics.daily_kpis``) or as
integers per store and metric (the SQL read path, ``jobs.warehouse.sum_rates``), with ``FxRates``.
Output: per store and metric, one ``Decimal``: money in the reporting currency (each store-day
total converted at that day's rate, summed exactly, not rounded), counts as whole numbers.
``kpis_from_totals`` (``analytics.kpis``) turns them into a ``KpiSet``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Context, Decimal

from analytics.daily import MONEY_METRICS
from analytics.fx import FxRates
from analytics.money import MONEY_SCALE, add_scaled, scaled_rate

__all__ = ["MetricSum", "exact_totals", "store_totals"]

#: Precision of the exact conversions: any sum of units times a rate fits.
_WIDE = Context(prec=80)

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
