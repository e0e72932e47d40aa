"""The state of orders and refund records as seen at a moment ("as of"), computed column-wise.

The generator stores when each event happens; this module answers what the API shows at a time:
the order status, its ``update_time`` (latest event so far) and each return/cancellation status.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sandbox.aftersales import CANCEL, PARTIAL_AMOUNT, REJECTED
from sandbox.orders import NO_TIME

COLLECTION_BEFORE_SHIP = 6 * 3600
ON_HOLD_AFTER_PAYMENT = 3600
SHIP_BACK_AFTER = 86_400  # a buyer ships a return back a day after asking


def happened(times: np.ndarray, as_of: np.ndarray | int) -> np.ndarray:
    """True where an event exists and has happened by ``as_of``."""
    return (times != NO_TIME) & (times <= as_of)


def order_status(orders: pd.DataFrame, as_of: np.ndarray | int) -> np.ndarray:
    """Order status values (strings) at ``as_of`` (a scalar or one value per order)."""
    paid = orders["paid_time"].to_numpy()
    ship = orders["ship_time"].to_numpy()
    conditions = [
        happened(orders["cancel_time"].to_numpy(), as_of),
        happened(orders["complete_time"].to_numpy(), as_of),
        happened(orders["delivery_time"].to_numpy(), as_of),
        happened(ship, as_of),
        happened(ship - COLLECTION_BEFORE_SHIP, as_of) & (ship != NO_TIME),
        happened(paid + ON_HOLD_AFTER_PAYMENT, as_of) & (paid != NO_TIME),
        happened(paid, as_of),
    ]
    choices = [
        "CANCELLED",
        "COMPLETED",
        "DELIVERED",
        "IN_TRANSIT",
        "AWAITING_COLLECTION",
        "AWAITING_SHIPMENT",
        "ON_HOLD",
    ]
    return np.select(conditions, choices, "UNPAID")


def order_update_time(
    orders: pd.DataFrame, refund_last: Sequence[np.ndarray], as_of: np.ndarray | int
) -> np.ndarray:
    """Latest event at or before ``as_of`` per order (``refund_last``: refund record events)."""
    latest = orders["create_time"].to_numpy().copy()
    for col in ("paid_time", "ship_time", "delivery_time", "complete_time", "cancel_time"):
        t = orders[col].to_numpy()
        latest = np.where(happened(t, as_of), np.maximum(latest, t), latest)
    for t in refund_last:
        latest = np.where(happened(t, as_of), np.maximum(latest, t), latest)
    return latest


def refund_status(refunds: pd.DataFrame, as_of: np.ndarray | int) -> np.ndarray:
    """Status of each cancellation or return record at ``as_of`` ("" if not requested yet).

    Returns with goods go AWAITING_BUYER_SHIP -> BUYER_SHIPPED_ITEM -> COMPLETE (or REJECT);
    refund-only agreements are RETURN_OR_REFUND_REQUEST_PENDING until they complete.
    """
    kind = refunds["kind"].to_numpy()
    done = happened(refunds["complete_time"].to_numpy(), as_of)
    asked = happened(refunds["request_time"].to_numpy(), as_of)
    shape = refunds["shape"].to_numpy()
    shipped = happened(refunds["request_time"].to_numpy() + SHIP_BACK_AFTER, as_of)
    conditions = [
        (kind == CANCEL) & done,
        (kind == CANCEL) & asked,
        done & (shape == REJECTED),
        done,
        asked & (shape == PARTIAL_AMOUNT),
        asked & shipped,
        asked,
    ]
    choices = [
        "CANCELLATION_REQUEST_COMPLETE",
        "CANCELLATION_REQUEST_PENDING",
        "REFUND_OR_RETURN_REQUEST_REJECT",
        "RETURN_OR_REFUND_REQUEST_COMPLETE",
        "RETURN_OR_REFUND_REQUEST_PENDING",
        "BUYER_SHIPPED_ITEM",
        "AWAITING_BUYER_SHIP",
    ]
    return np.select(conditions, choices, "")


def refund_update_time(refunds: pd.DataFrame, as_of: np.ndarray | int) -> np.ndarray:
    """Latest event of each refund record at ``as_of`` (completion time once completed)."""
    request = refunds["request_time"].to_numpy()
    complete = refunds["complete_time"].to_numpy()
    shipped = request + SHIP_BACK_AFTER
    goods = (refunds["kind"].to_numpy() != CANCEL) & (refunds["shape"].to_numpy() != PARTIAL_AMOUNT)
    latest = np.where(happened(shipped, as_of) & goods, shipped, request)
    return np.where(happened(complete, as_of), complete, latest)
