"""What happens to an order after it is placed: shipping, delivery, cancellation, return,
settlement.

Every event is an int64 unix time (``NO_TIME`` when it never happens), generated for the whole life
of the order even beyond the data set's end; the API reveals only events at or before its clock.
One cancellation or return record at most per order. Refund amounts are merchandise amounts (the
same basis as ``sub_total``): a full refund is the order's ``sub_total``, a partial one the
``sale_price`` of one returned line, or part of it for a "refund only" agreement. Shipping fee and
tax are never refunded in the sandbox, so ``refund_total == refund_subtotal``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.orders import KIND_NORMAL, KIND_TEST, KIND_UNPAID, NO_TIME

DAY = 86_400
CANCEL_RATE, RETURN_RATE = 0.04, 0.07
UNPAID_CANCEL_AFTER = DAY
COMPLETE_AFTER_DELIVERY = 7 * DAY
REFUND_ID_BASE = 4_035_000_000_000_000_000
CANCEL, RETURN = 0, 1
RETURN_TYPES = ("RETURN_AND_REFUND", "RETURN_AND_REFUND", "REFUND_ONLY", "RETURN_AND_REFUND")
PARTIAL_ALL, PARTIAL_LINE, PARTIAL_AMOUNT, REJECTED = range(4)
RETURN_SHAPE_P = np.array([0.5, 0.2, 0.2, 0.1])
CANCEL_INITIATORS = ("BUYER", "SELLER", "SYSTEM")
CANCEL_REASONS = ("Buyer changed mind", "Out of stock", "Payment risk", "Test order")


def add_fulfilment(orders: pd.DataFrame, rng: np.random.Generator) -> None:
    """Shipping, delivery and completion times of paid orders; auto-cancel time of unpaid ones."""
    n = len(orders)
    paid = orders["paid_time"].to_numpy()
    ship = paid + rng.uniform(0.3, 3.0, n) * DAY
    delivery = ship + rng.uniform(2.0, 8.0, n) * DAY
    unpaid = paid == NO_TIME
    orders["ship_time"] = np.where(unpaid, NO_TIME, ship).astype(np.int64)
    orders["delivery_time"] = np.where(unpaid, NO_TIME, delivery).astype(np.int64)
    orders["complete_time"] = np.where(unpaid, NO_TIME, delivery + COMPLETE_AFTER_DELIVERY).astype(
        np.int64
    )
    cancel = np.where(unpaid, orders["create_time"].to_numpy() + UNPAID_CANCEL_AFTER, NO_TIME)
    orders["cancel_time"] = cancel.astype(np.int64)
    orders["cancel_initiator"] = np.where(unpaid, 2, -1).astype(np.int8)
    orders["cancel_reason"] = np.where(unpaid, 2, -1).astype(np.int8)


def build_refunds(
    orders: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Cancellation and return records, and their effect on the orders' event times."""
    cancels = _cancellations(orders, rng)
    returns = _returns(orders, lines, rng, exclude=cancels["order_row"].to_numpy())
    refunds = pd.concat([cancels, returns], ignore_index=True).sort_values(
        "order_row", kind="stable"
    )
    refunds = refunds.reset_index(drop=True)
    refunds.insert(0, "record_id", REFUND_ID_BASE + np.arange(len(refunds), dtype=np.int64) * 11)
    refunds["shop_idx"] = orders["shop_idx"].to_numpy()[refunds["order_row"].to_numpy()]
    return refunds


def _cancellations(orders: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Post-payment cancellations (before shipping): 4% of orders and every test order."""
    kind = orders["kind"].to_numpy()
    pick = ((kind == KIND_NORMAL) & (rng.random(len(orders)) < CANCEL_RATE)) | (kind == KIND_TEST)
    rows = np.flatnonzero(pick)
    request = orders["paid_time"].to_numpy()[rows] + rng.integers(600, int(0.8 * DAY), rows.size)
    complete = request + rng.integers(60, DAY // 2, rows.size)
    is_test = kind[rows] == KIND_TEST
    initiator = np.where(is_test, 1, rng.choice(3, rows.size, p=[0.7, 0.2, 0.1]))
    for col in ("ship_time", "delivery_time", "complete_time"):
        _set_rows(orders, col, rows, NO_TIME)
    _set_rows(orders, "cancel_time", rows, complete)
    _set_rows(orders, "cancel_initiator", rows, initiator)
    _set_rows(orders, "cancel_reason", rows, np.where(is_test, 3, rng.choice(2, rows.size)))
    return pd.DataFrame(
        {
            "kind": CANCEL,
            "order_row": rows,
            "request_time": request,
            "complete_time": complete,
            "shape": PARTIAL_ALL,
            "line_pos": -1,
            "amount": orders["sub_total"].to_numpy()[rows],
            "initiator": initiator,
        }
    )


def _set_rows(frame: pd.DataFrame, col: str, rows: np.ndarray, values: object) -> None:
    """Overwrite some rows of one column, keeping its dtype."""
    data = frame[col].to_numpy().copy()
    data[rows] = values
    frame[col] = data


def _returns(
    orders: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator, exclude: np.ndarray
) -> pd.DataFrame:
    """Returns and refunds after delivery: full, one line, part of one line, or rejected."""
    eligible = (orders["kind"].to_numpy() == KIND_NORMAL) & (rng.random(len(orders)) < RETURN_RATE)
    eligible[exclude] = False
    rows = np.flatnonzero(eligible)
    request = orders["delivery_time"].to_numpy()[rows] + (
        rng.uniform(0.5, 10, rows.size) * DAY
    ).astype(np.int64)
    complete = request + (rng.uniform(1, 8, rows.size) * DAY).astype(np.int64)
    n_lines = orders["n_lines"].to_numpy()[rows]
    shape = rng.choice(4, rows.size, p=RETURN_SHAPE_P)
    shape[(shape == PARTIAL_LINE) & (n_lines == 1)] = PARTIAL_ALL
    line_pos = np.where(
        shape == PARTIAL_ALL, -1, (rng.random(rows.size) * n_lines).astype(np.int64)
    )
    line_pos[shape == REJECTED] = -1
    line_price = lines["sale_price"].to_numpy()[
        orders["line_start"].to_numpy()[rows] + np.maximum(line_pos, 0)
    ]
    amount = np.select(
        [shape == PARTIAL_ALL, shape == PARTIAL_LINE, shape == PARTIAL_AMOUNT],
        [
            orders["sub_total"].to_numpy()[rows],
            line_price,
            (line_price * rng.uniform(0.2, 0.6, rows.size)).astype(np.int64),
        ],
        0,
    )
    return pd.DataFrame(
        {
            "kind": RETURN,
            "order_row": rows,
            "request_time": request,
            "complete_time": complete,
            "shape": shape,
            "line_pos": line_pos,
            "amount": amount.astype(np.int64),
            "initiator": 0,
        }
    )


def add_settlement(orders: pd.DataFrame, refunds: pd.DataFrame, rng: np.random.Generator) -> None:
    """Settlement time: after completion and any refund, with a lag of one to three days."""
    settle = orders["complete_time"].to_numpy().copy()
    rows = refunds["order_row"].to_numpy()
    np.maximum.at(
        settle,
        rows,
        np.where(settle[rows] == NO_TIME, NO_TIME, refunds["complete_time"].to_numpy()),
    )
    lag = rng.integers(DAY, 3 * DAY, len(orders))
    unpaid = orders["kind"].to_numpy() == KIND_UNPAID
    orders["settle_time"] = np.where((settle == NO_TIME) | unpaid, NO_TIME, settle + lag)
