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
    frame = _empty_weeks(shops, midnights.shape[1] - 1, start)
    frame = frame.add(_sales(orders, midnights, start, clock), fill_value=0)
    frame = frame.add(_refunds(orders, refunds, midnights, start, clock), fill_value=0)
    frame = frame.add(_ads(ad_rows, start), fill_value=0)
    return _to_truth(frame.fillna(0).astype(np.int64), shops, start)


def _empty_weeks(shops: pd.DataFrame, n_days: int, start: date) -> pd.DataFrame:
    first = -((start.weekday()) % 7)
    mondays = np.arange(first, n_days, 7)
    index = pd.MultiIndex.from_product([np.arange(len(shops)), mondays], names=["shop_idx", "week"])
    return pd.DataFrame(
        0, index=index, columns=["gross", "orders", "lines", "refunds", "spend", "value"]
    )


def _sales(
    orders: pd.DataFrame, midnights: np.ndarray, start: date, clock: np.ndarray
) -> pd.DataFrame:
    shop = orders["shop_idx"].to_numpy()
    paid = orders["paid_time"].to_numpy()
    valid = (orders["kind"].to_numpy() == KIND_NORMAL) & happened(paid, clock[shop])
    week = week_index(paid[valid], shop[valid], midnights, start)
    sales = pd.DataFrame(
        {
            "shop_idx": shop[valid],
            "week": week,
            "gross": orders["sub_total"].to_numpy()[valid],
            "orders": 1,
            "lines": orders["n_lines"].to_numpy()[valid].astype(np.int64),
        }
    )
    return sales.groupby(["shop_idx", "week"]).sum()


def _refunds(
    orders: pd.DataFrame,
    refunds: pd.DataFrame,
    midnights: np.ndarray,
    start: date,
    clock: np.ndarray,
) -> pd.DataFrame:
    row = refunds["order_row"].to_numpy()
    shop = refunds["shop_idx"].to_numpy()
    done = refunds["complete_time"].to_numpy()
    counted = (orders["kind"].to_numpy()[row] == KIND_NORMAL) & happened(done, clock[shop])
    counted &= (refunds["kind"].to_numpy() == CANCEL) | (refunds["shape"].to_numpy() != REJECTED)
    week = week_index(done[counted], shop[counted], midnights, start)
    frame = pd.DataFrame(
        {"shop_idx": shop[counted], "week": week, "refunds": refunds["amount"].to_numpy()[counted]}
    )
    return frame.groupby(["shop_idx", "week"]).sum()


def _ads(ad_rows: pd.DataFrame, start: date) -> pd.DataFrame:
    day = ad_rows["day_idx"].to_numpy().astype(np.int64)
    frame = pd.DataFrame(
        {
            "shop_idx": ad_rows["shop_idx"].to_numpy(),
            "week": day - (day + start.weekday()) % 7,
            "spend": ad_rows["spend"].to_numpy(),
            "value": ad_rows["value_served"].to_numpy(),
        }
    )
    return frame.groupby(["shop_idx", "week"]).sum()


def _to_truth(
    frame: pd.DataFrame, shops: pd.DataFrame, start: date
) -> dict[tuple[str, date], ShopWeekTruth]:
    out: dict[tuple[str, date], ShopWeekTruth] = {}
    for (shop, week), row in zip(frame.index, frame.itertuples(index=False), strict=True):
        exp, cur = int(shops["exponent"][shop]), str(shops["currency"][shop])
        gross = to_decimal(row.gross, exp)
        refunds = to_decimal(row.refunds, exp)
        out[(str(shops["shop_id"][shop]), start + timedelta(days=int(week)))] = ShopWeekTruth(
            gross_gmv=gross,
            net_gmv=gross - refunds,
            orders=int(row.orders),
            lines=int(row.lines),
            refunds=refunds,
            spend=to_decimal(row.spend, exp),
            attributed_revenue=to_decimal(row.value, exp),
            currency=cur,
        )
    return out
