"""Ground truth per shop and local week, computed from the generated data with the shared
definitions.

- A week runs Monday 00:00 to Monday 00:00 in the shop's own time zone (DST-safe); keys are
  ``(shop_id, week_start)`` with ``week_start`` the local Monday date.
- Sales-valid order: has ``paid_time``, is not a sample, replacement or test order.
- ``gross_gmv``: sum of ``payment.sub_total`` of sales-valid orders paid in the week; ``orders``:
  their count; ``lines``: their line items (one unit each).
- ``refunds``: sum of the refund amounts (``refund_amount.refund_total``, equal to
  ``refund_subtotal`` here) of completed returns/refunds and post-payment cancellations of
  sales-valid orders, in the week the refund completed (the record's ``update_time`` once its
  status is ``*_COMPLETE``). ``net_gmv = gross_gmv - refunds``.
- ``spend`` and ``attributed_revenue`` (``total_onsite_shopping_value``): sums of the shop's
  advertisers' report rows whose ``stat_time_day`` is in the week, as served at the data set's end.
Everything is measured at the API clock of the data set's end (the last second before ``end``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from sandbox.aftersales import CANCEL, REJECTED
from sandbox.lifecycle import happened
from sandbox.orders import KIND_NORMAL
from sandbox.regions import to_decimal


@dataclass(frozen=True)
class ShopWeekTruth:
    """What the pipeline must report for one shop and one local week (money as exact Decimals)."""

    gross_gmv: Decimal
    net_gmv: Decimal
    orders: int
    lines: int
    refunds: Decimal
    spend: Decimal
    attributed_revenue: Decimal
    currency: str


def week_index(
    times: np.ndarray, shop_idx: np.ndarray, midnights: np.ndarray, start: date
) -> np.ndarray:
    """Local Monday of each timestamp, as a day offset from ``start`` (may be negative)."""
    day = local_day_index(times, shop_idx, midnights)
    return day - (day + start.weekday()) % 7


def local_day_index(times: np.ndarray, shop_idx: np.ndarray, midnights: np.ndarray) -> np.ndarray:
    """Index of the local day (of each row's shop) that contains each timestamp."""
    width = midnights.shape[1]
    keys = (np.arange(midnights.shape[0], dtype=np.int64)[:, None] << 33) + midnights
    probe = (shop_idx.astype(np.int64) << 33) + times
    return (
        np.searchsorted(keys.ravel(), probe, side="right") - 1 - shop_idx.astype(np.int64) * width
    )


def compute_truth(
    shops: pd.DataFrame,
    orders: pd.DataFrame,
    refunds: pd.DataFrame,
    ad_rows: pd.DataFrame,
    midnights: np.ndarray,
    start: date,
    clock: np.ndarray,
) -> dict[tuple[str, date], ShopWeekTruth]:
    """Ground truth for every shop and every local week of the data set."""
    grid = WeekGrid(len(shops), midnights.shape[1] - 1, start)
    measures = {
        **_sales(grid, orders, midnights, clock),
        "refunds": _refunds(grid, orders, refunds, midnights, clock),
        **_ads(grid, ad_rows),
    }
    return _to_truth(grid, measures, shops)


class WeekGrid:
    """Dense shops x local weeks accumulator (from the local Monday on or before ``start``)."""

    def __init__(self, n_shops: int, n_days: int, start: date) -> None:
        self.start = start
        self.first = -(start.weekday() % 7)  # day offset of the first Monday
        self.n_weeks = (n_days - self.first + 6) // 7
        self.n_shops = n_shops

    def total(self, shop: np.ndarray, week_day: np.ndarray, values: np.ndarray | int) -> np.ndarray:
        """Sum of ``values`` per (shop, week) as exact int64 (``week_day``: day of its Monday)."""
        cell = shop.astype(np.int64) * self.n_weeks + (week_day - self.first) // 7
        weights = np.broadcast_to(np.asarray(values, dtype=np.float64), cell.shape)
        sums = np.bincount(cell, weights=weights, minlength=self.n_shops * self.n_weeks)
        return np.rint(sums).astype(np.int64)  # exact: every partial sum is far below 2**53

    def monday(self, week: int) -> date:
        """Local Monday of a week number."""
        return self.start + timedelta(days=self.first + 7 * week)


def _sales(
    grid: WeekGrid, orders: pd.DataFrame, midnights: np.ndarray, clock: np.ndarray
) -> dict[str, np.ndarray]:
    shop = orders["shop_idx"].to_numpy()
    paid = orders["paid_time"].to_numpy()
    valid = (orders["kind"].to_numpy() == KIND_NORMAL) & happened(paid, clock[shop])
    shop = shop[valid]
    week = week_index(paid[valid], shop, midnights, grid.start)
    return {
        "gross": grid.total(shop, week, orders["sub_total"].to_numpy()[valid]),
        "orders": grid.total(shop, week, 1),
        "lines": grid.total(shop, week, orders["n_lines"].to_numpy()[valid]),
    }


def _refunds(
    grid: WeekGrid,
    orders: pd.DataFrame,
    refunds: pd.DataFrame,
    midnights: np.ndarray,
    clock: np.ndarray,
) -> np.ndarray:
    row = refunds["order_row"].to_numpy()
    shop = refunds["shop_idx"].to_numpy()
    done = refunds["complete_time"].to_numpy()
    counted = (orders["kind"].to_numpy()[row] == KIND_NORMAL) & happened(done, clock[shop])
    counted &= (refunds["kind"].to_numpy() == CANCEL) | (refunds["shape"].to_numpy() != REJECTED)
    week = week_index(done[counted], shop[counted], midnights, grid.start)
    return grid.total(shop[counted], week, refunds["amount"].to_numpy()[counted])


def _ads(grid: WeekGrid, ad_rows: pd.DataFrame) -> dict[str, np.ndarray]:
    day = ad_rows["day_idx"].to_numpy().astype(np.int64)
    week = day - (day + grid.start.weekday()) % 7
    shop = ad_rows["shop_idx"].to_numpy()
    return {
        "spend": grid.total(shop, week, ad_rows["spend"].to_numpy()),
        "value": grid.total(shop, week, ad_rows["value_served"].to_numpy()),
    }


def _to_truth(
    grid: WeekGrid, measures: dict[str, np.ndarray], shops: pd.DataFrame
) -> dict[tuple[str, date], ShopWeekTruth]:
    out: dict[tuple[str, date], ShopWeekTruth] = {}
    for shop in range(grid.n_shops):
        exp, cur = int(shops["exponent"][shop]), str(shops["currency"][shop])
        shop_id = str(shops["shop_id"][shop])
        for week in range(grid.n_weeks):
            at = {k: int(v[shop * grid.n_weeks + week]) for k, v in measures.items()}
            gross, refunds = to_decimal(at["gross"], exp), to_decimal(at["refunds"], exp)
            out[(shop_id, grid.monday(week))] = ShopWeekTruth(
                gross_gmv=gross,
                net_gmv=gross - refunds,
                orders=at["orders"],
                lines=at["lines"],
                refunds=refunds,
                spend=to_decimal(at["spend"], exp),
                attributed_revenue=to_decimal(at["value"], exp),
                currency=cur,
            )
    return out
