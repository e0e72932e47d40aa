"""Rebook / watch / stop: one verdict per creator on the leaderboard, with the reasons behind it.

Input: a ``creator_leaderboard`` frame (gmv_per_commission, refund_rate, orders, and where the
content data has them cvr and engagement_rate; risk_reasons from the authenticity rules).
Output: the same frame with ``verdict`` ("rebook" | "watch" | "stop") and ``verdict_reasons``
(a tuple of reason codes, worst first). ``VERDICT_REASONS`` gives each code in words, (English,
中文), so neither language shows a code.

Rules (named thresholds below): a creator is *stopped* when commission eats the GMV (GMV per
commission below ``STOP_BELOW_GMV_PER_COMMISSION``), refunds are high, or two or more
authenticity rules fire; *watched* when returns are middling, refunds elevated, conversion or
engagement weak where measured, one authenticity rule fires, or too few orders to judge;
*rebooked* otherwise, which needs GMV per commission at or above ``REBOOK_MIN_GMV_PER_COMMISSION``.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["VERDICTS", "VERDICT_REASONS", "creator_verdicts", "verdict_of"]

#: GMV per unit of commission at or above which a creator pays back well enough to rebook.
REBOOK_MIN_GMV_PER_COMMISSION = 6.0
#: GMV per unit of commission below which commission eats the sale (over a third of GMV).
STOP_BELOW_GMV_PER_COMMISSION = 3.0
#: Refunded/returned share of units above which a creator is watched, and stopped.
WATCH_REFUND_RATE = 0.10
STOP_REFUND_RATE = 0.20
#: Orders per product click below which the creator's traffic does not convert (where measured).
WATCH_BELOW_CVR = 0.01
#: (likes + comments + shares) / views below which the audience is not responding (where measured).
WATCH_BELOW_ENGAGEMENT = 0.01
#: Fewer orders than this in the period are too few to judge: at best "watch".
MIN_ORDERS_TO_JUDGE = 3
#: This many authenticity rules firing at once stops a creator; one puts them on watch.
STOP_RISK_REASONS = 2

VERDICTS = ("rebook", "watch", "stop")

#: Reason code -> (English, 中文).
VERDICT_REASONS: dict[str, tuple[str, str]] = {
    "commission_eats_gmv": (
        f"GMV per commission below {STOP_BELOW_GMV_PER_COMMISSION:g}×",
        f"佣金产出比低于 {STOP_BELOW_GMV_PER_COMMISSION:g} 倍"),
    "high_refunds": (f"refunds above {STOP_REFUND_RATE:.0%} of units",
                     f"退款超过件数的 {STOP_REFUND_RATE:.0%}"),
    "engagement_looks_bought": ("several signs of bought engagement", "多项迹象显示互动疑似刷量"),
    "middling_return": (
        f"GMV per commission below {REBOOK_MIN_GMV_PER_COMMISSION:g}×",
        f"佣金产出比低于 {REBOOK_MIN_GMV_PER_COMMISSION:g} 倍"),
    "elevated_refunds": (f"refunds above {WATCH_REFUND_RATE:.0%} of units",
                         f"退款超过件数的 {WATCH_REFUND_RATE:.0%}"),
    "low_cvr": (f"conversion below {WATCH_BELOW_CVR:.0%} of product clicks",
                f"商品点击转化率低于 {WATCH_BELOW_CVR:.0%}"),
    "low_engagement": (f"engagement below {WATCH_BELOW_ENGAGEMENT:.0%} of views",
                       f"互动率低于 {WATCH_BELOW_ENGAGEMENT:.0%}"),
    "engagement_doubtful": ("one sign of bought engagement", "一项迹象显示互动可能刷量"),
    "few_orders": (f"fewer than {MIN_ORDERS_TO_JUDGE} orders, too few to judge",
                   f"订单少于 {MIN_ORDERS_TO_JUDGE} 单，样本不足"),
    "no_commission_data": ("no commission recorded, return unknown", "无佣金记录，产出比未知"),
    "pays_back": (
        f"GMV per commission {REBOOK_MIN_GMV_PER_COMMISSION:g}× or more",
        f"佣金产出比不低于 {REBOOK_MIN_GMV_PER_COMMISSION:g} 倍"),
}

_STOP = ("commission_eats_gmv", "high_refunds", "engagement_looks_bought")


def _num(value: object) -> float | None:
    """A float, or None for a missing value (None, NaN, pd.NA)."""
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def verdict_of(gmv_per_commission: float | None, refund_rate: float | None, orders: int,
               cvr: float | None = None, engagement_rate: float | None = None,
               risk_reasons: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """One creator's verdict and reason codes (stop reasons first) from the leaderboard figures."""
    reasons: list[str] = []
    if gmv_per_commission is not None and gmv_per_commission < STOP_BELOW_GMV_PER_COMMISSION:
        reasons.append("commission_eats_gmv")
    if refund_rate is not None and refund_rate > STOP_REFUND_RATE:
        reasons.append("high_refunds")
    if len(risk_reasons) >= STOP_RISK_REASONS:
        reasons.append("engagement_looks_bought")
    if gmv_per_commission is None:
        reasons.append("no_commission_data")
    elif STOP_BELOW_GMV_PER_COMMISSION <= gmv_per_commission < REBOOK_MIN_GMV_PER_COMMISSION:
        reasons.append("middling_return")
    if refund_rate is not None and WATCH_REFUND_RATE < refund_rate <= STOP_REFUND_RATE:
        reasons.append("elevated_refunds")
    if cvr is not None and cvr < WATCH_BELOW_CVR:
        reasons.append("low_cvr")
    if engagement_rate is not None and engagement_rate < WATCH_BELOW_ENGAGEMENT:
        reasons.append("low_engagement")
    if len(risk_reasons) == 1:
        reasons.append("engagement_doubtful")
    if orders < MIN_ORDERS_TO_JUDGE:
        reasons.append("few_orders")
    if any(r in _STOP for r in reasons):
        return "stop", tuple(reasons)
    if reasons:
        return "watch", tuple(reasons)
    return "rebook", ("pays_back",)


def creator_verdicts(board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard with ``verdict`` and ``verdict_reasons`` columns (rebook / watch / stop).

    Why: GMV alone rewards creators whose commission, refunds or bought engagement cost more
    than they bring; the verdict weighs return on commission against those before rebooking.
    """
    out = board.copy()
    pairs = [
        verdict_of(_num(row.get("gmv_per_commission")), _num(row.get("refund_rate")),
                   int(_num(row.get("orders")) or 0), _num(row.get("cvr")),
                   _num(row.get("engagement_rate")), tuple(row.get("risk_reasons") or ()))
        for row in board.to_dict("records")]
    out["verdict"] = pd.Series([p[0] for p in pairs], index=board.index, dtype=object)
    out["verdict_reasons"] = pd.Series([p[1] for p in pairs], index=board.index, dtype=object)
    return out
