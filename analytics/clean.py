"""Cleaning rules: which orders are sales and which refunds reduce net GMV.

Inputs: ``orders`` and ``refunds`` frames with warehouse columns (money as int64 units, times as
aware UTC). Outputs: ``CleanOrders`` (the sales-valid orders, the excluded ones tagged with the rule
that excluded them, and an ``Exclusion`` count/money per rule for the digest's data-quality line)
and ``CleanRefunds`` likewise.

Rules, applied in this order (an order is counted under the first rule it breaks):
``cancelled_before_payment`` (no paid_time, has cancel_time), ``unpaid`` (no paid_time),
``sample`` (is_sample), ``replacement`` (is_replacement), ``test`` (buyer_message contains a
marker, case-insensitive, or recipient_name equals a marker name). Orders cancelled after payment
stay sales; their refund reduces net GMV when it completes.
A refund counts when its status is a completed status (or ends in ``_COMPLETE``), it has a
completed_time, and its order is sales-valid (refunds of samples, tests and replacements are
excluded as ``order_excluded``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from analytics.money import units_to_decimal

__all__ = [
    "CleanOrders", "CleanRefunds", "CleaningRules", "DEFAULT_RULES", "Exclusion", "ORDER_RULES",
    "REFUND_RULES", "affiliate_commission", "clean_orders", "clean_refunds",
    "is_cancelled_line_status", "is_completed_refund_status", "is_test_order",
    "order_exclusion_reason",
]


#: Default test-order markers (configurable per tenant).
DEFAULT_TEST_MESSAGE_MARKERS: tuple[str, ...] = ("TEST ORDER",)
DEFAULT_TEST_RECIPIENT_NAMES: tuple[str, ...] = ("TEST",)
#: Refund statuses that mean "money went back" (compared upper-case).
DEFAULT_COMPLETED_REFUND_STATUSES: frozenset[str] = frozenset(
    {"COMPLETED", "COMPLETE", "RETURN_OR_REFUND_REQUEST_COMPLETE", "CANCELLATION_REQUEST_COMPLETE"}
)
ORDER_RULES: tuple[str, ...] = (
    "cancelled_before_payment", "unpaid", "sample", "replacement", "test",
)


@dataclass(frozen=True)
class CleaningRules:
    """The configurable parts of the cleaning rules."""

    test_message_markers: tuple[str, ...] = DEFAULT_TEST_MESSAGE_MARKERS
    test_recipient_names: tuple[str, ...] = DEFAULT_TEST_RECIPIENT_NAMES
    completed_refund_statuses: frozenset[str] = DEFAULT_COMPLETED_REFUND_STATUSES
    completed_refund_suffix: str = "_COMPLETE"  # e.g. RETURN_OR_REFUND_REQUEST_COMPLETE


DEFAULT_RULES = CleaningRules()


@dataclass(frozen=True)
class Exclusion:
    """What one rule excluded: row count and money per currency (Decimal)."""

    rule: str
    rows: int
    money: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CleanOrders:
    """Sales-valid orders, the excluded orders (column ``excluded_by``) and a count per rule."""

    valid: pd.DataFrame
    excluded: pd.DataFrame
    exclusions: tuple[Exclusion, ...]


@dataclass(frozen=True)
class CleanRefunds:
    """Refunds that reduce net GMV, the others (column ``excluded_by``) and a count per rule."""

    valid: pd.DataFrame
    excluded: pd.DataFrame
    exclusions: tuple[Exclusion, ...]


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].fillna(False).astype(bool)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].fillna("").astype("str")


def is_test_order(orders: pd.DataFrame, rules: CleaningRules = DEFAULT_RULES) -> pd.Series:
    """True where an order is a test order under ``rules``."""
    message = _text(orders, "buyer_message").str.upper()
    mask = pd.Series(False, index=orders.index)
    for marker in rules.test_message_markers:
        mask |= message.str.contains(marker.upper(), regex=False)
    name = _text(orders, "recipient_name").str.strip()
    return mask | name.isin(list(rules.test_recipient_names))


def order_exclusion_reason(orders: pd.DataFrame, rules: CleaningRules = DEFAULT_RULES) -> pd.Series:
    """The first rule each order breaks, or missing for sales-valid orders."""
    unpaid = orders["paid_time"].isna()
    cancelled = unpaid & orders.get("cancel_time", pd.Series(None, orders.index)).notna()
    masks = {
        "cancelled_before_payment": cancelled,
        "unpaid": unpaid,
        "sample": _flag(orders, "is_sample"),
        "replacement": _flag(orders, "is_replacement"),
        "test": is_test_order(orders, rules),
    }
    reason = pd.Series(None, index=orders.index, dtype=object)
    for rule in reversed(ORDER_RULES):  # earlier rules overwrite later ones
        reason = reason.mask(masks[rule], rule)
    return reason


def _exclusions(
    excluded: pd.DataFrame, rules: tuple[str, ...], money: str
) -> tuple[Exclusion, ...]:
    out = []
    for rule in rules:
        part = excluded[excluded["excluded_by"] == rule]
        sums = part.groupby("currency")[money].sum() if len(part) else pd.Series(dtype="int64")
        amounts = {str(c): units_to_decimal(v) for c, v in sums.items()}
        out.append(Exclusion(rule, len(part), amounts))
    return tuple(out)


def clean_orders(orders: pd.DataFrame, rules: CleaningRules = DEFAULT_RULES) -> CleanOrders:
    """Split orders into sales-valid and excluded (money counted as ``sub_total``)."""
    reason = order_exclusion_reason(orders, rules)
    valid = orders.loc[reason.isna()]
    excluded = orders.loc[reason.notna()].assign(excluded_by=reason[reason.notna()])
    return CleanOrders(valid, excluded, _exclusions(excluded, ORDER_RULES, "sub_total"))


REFUND_RULES: tuple[str, ...] = ("not_completed", "order_not_found", "order_excluded")


def is_completed_refund_status(status: pd.Series, rules: CleaningRules = DEFAULT_RULES) -> (
    pd.Series
):
    """True where a refund status means the money went back (compared upper-case)."""
    upper = status.fillna("").astype("str").str.upper()
    done = upper.isin(list(rules.completed_refund_statuses))
    if rules.completed_refund_suffix:
        done |= upper.str.endswith(rules.completed_refund_suffix.upper())
    return done


def clean_refunds(
    refunds: pd.DataFrame, orders: CleanOrders, rules: CleaningRules = DEFAULT_RULES
) -> CleanRefunds:
    """Refunds that reduce net GMV: completed, with a completion time, of a sales-valid order.

    ``order_not_found`` covers refunds of orders not in the frame (e.g. outside the loaded range);
    load orders back far enough (by paid time) to cover the refunds' orders.
    """
    done = is_completed_refund_status(refunds["status"], rules)
    done &= refunds["completed_time"].notna()
    key = ["shop_id", "order_id"]
    valid_keys = pd.MultiIndex.from_frame(orders.valid[key].astype("str"))
    excluded_keys = pd.MultiIndex.from_frame(orders.excluded[key].astype("str"))
    refund_keys = pd.MultiIndex.from_frame(refunds[key].astype("str"))
    in_valid = pd.Series(refund_keys.isin(valid_keys), index=refunds.index)
    in_excluded = pd.Series(refund_keys.isin(excluded_keys), index=refunds.index)
    reason = pd.Series(None, index=refunds.index, dtype=object)
    reason = reason.mask(~in_valid & ~in_excluded, "order_not_found")
    reason = reason.mask(in_excluded, "order_excluded")
    reason = reason.mask(~done, "not_completed")
    valid = refunds.loc[reason.isna()]
    excluded = refunds.loc[reason.notna()].assign(excluded_by=reason[reason.notna()])
    return CleanRefunds(valid, excluded, _exclusions(excluded, REFUND_RULES, "refund_amount"))


def is_cancelled_line_status(status: pd.Series) -> pd.Series:
    """True where an affiliate line's status says it was cancelled (it earns no commission)."""
    return status.fillna("").astype("str").str.upper() == "CANCELLED"


def affiliate_commission(lines: pd.DataFrame) -> pd.Series:
    """Commission each affiliate line costs (money units): the actual paid commission once paid.

    Until a line is paid the API reports ``actual_paid_commission`` as 0, so the estimate counts;
    a cancelled or fully refunded line earns none (commission is paid on what the buyer kept).
    """
    actual = lines["actual_paid_commission"]
    estimated = lines["estimated_paid_commission"]
    paid = actual.notna() & (actual != 0)
    earns_none = pd.Series(False, index=lines.index)
    if "status" in lines:
        earns_none |= is_cancelled_line_status(lines["status"])
    if "refunded_quantity" in lines:
        earns_none |= lines["refunded_quantity"].fillna(0) >= lines["quantity"]
    return estimated.where(~paid, actual).where(~earns_none, 0)
