"""A period's KPIs from the daily metric rows of ``analytics.daily`` (the pandas path).

Inputs: the daily metric rows (``shop_id, day, metric, currency, value``), the local days of the
period, the reporting currency and ``FxRates``; for ``count_buyers``, the sales-valid orders of
``analytics.clean``. Outputs: a ``KpiSet`` (``compute_kpis``: the rows summed per store, made
exact by ``analytics.totals.store_totals``, then ``analytics.kpis.kpis_from_totals``, the same
arithmetic as the SQL read path) and the distinct buyer count of a period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from analytics.daily import MONEY_METRICS
from analytics.fx import FxRates
from analytics.kpis import KpiSet, kpis_from_totals
from analytics.totals import MetricSum, store_totals

__all__ = ["compute_kpis", "count_buyers"]


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


def count_buyers(valid_orders: pd.DataFrame, start_utc: datetime, end_utc: datetime) -> int:
    """Distinct ``(shop_id, buyer_id)`` of sales-valid orders paid in ``[start_utc, end_utc)``.

    Weeks are local to each store: for a tenant, count each store in its own ``week_window``
    and add the counts (buyers are distinct per store).
    """
    paid = valid_orders["paid_time"]
    part = valid_orders[(paid >= start_utc) & (paid < end_utc) & valid_orders["buyer_id"].notna()]
    return int(len(part[["shop_id", "buyer_id"]].drop_duplicates()))
