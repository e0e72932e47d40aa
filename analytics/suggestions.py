"""Rule-based suggestions, each with the reason a seller can check.

Inputs: per-campaign ads numbers (``spend`` and ``roas_true``, e.g. from
``campaign_true_roas``), the tenant's target ROAS and break-even ROAS (1 / gross margin), stock
plans (``analytics.stock.stock_plans``), authorization states (subject, kind, status) and a
creator leaderboard (``analytics.creators``). Output: ``Suggestion`` records, most urgent first.

Rules: raise budget where ROAS (on the basis the targets are set on) beats the target by the
headroom (and spend is material); pause where it is below break-even; restock SKUs at or below
their reorder point; re-authorize shops/advertisers whose authorization is not healthy; review
risky creators. ``ads_call`` is the store-level budget call that checks the metrics a move
could contradict: no cut for a gap inside the store's noise band (``noise_band``), no budget
increase while conversion, refunds or true ROAS deteriorate (``deteriorations``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

__all__ = [
    "BUDGET_STEP", "DEFAULT_HEADROOM", "AdsCall", "Suggestion", "ads_call", "budget_suggestions",
    "campaign_true_roas", "deteriorations", "noise_band",
    "creator_suggestions", "rank_suggestions", "reauthorize_suggestions", "restock_suggestions",
]


#: A campaign's true ROAS must beat the target by this share before more budget is suggested.
DEFAULT_HEADROOM = 0.2
#: Suggested budget step for winners.
BUDGET_STEP = 0.2
#: Authorization states that need the seller to act (jobs set them).
ACTION_STATES: dict[str, str] = {
    "expired": "authorization expired", "revoked": "authorization revoked",
    "expiring": "authorization expires soon", "missing_scope": "a needed permission is missing",
    "shop_changed": "the shop changed legal entity", "refresh_failed": "token refresh failed",
}
#: How the budget rules name the ROAS they judge by.
BASIS_WORDS = {"roas_true": "true", "roas_platform": "platform"}
PRIORITY = {"reauthorize": 0, "pause": 1, "restock": 2, "raise_budget": 3, "review_creator": 4}


@dataclass(frozen=True)
class Suggestion:
    """One thing to do, on what, and why."""

    kind: str  # raise_budget | pause | restock | reauthorize | review_creator
    subject: str  # campaign id, sku id, shop/advertiser, creator
    action: str
    reason: str
    money: Decimal | None = None  # spend or value involved, when known


def campaign_true_roas(campaigns: pd.DataFrame, roas_true: float | None,
                       roas_platform: float | None) -> pd.DataFrame:
    """Estimate each campaign's true ROAS by scaling its platform ROAS by the store's ratio.

    The shop attributes GMV to the PAID channel only in total, so a campaign's estimate is
    ``roas_platform(campaign) x roas_true(store) / roas_platform(store)``; ``None`` if unknown.
    """
    scale = None if roas_true is None or not roas_platform else roas_true / roas_platform
    est = [None if scale is None or pd.isna(r) else float(r) * scale
           for r in campaigns["roas_platform"]]
    return campaigns.assign(roas_true=est)


def budget_suggestions(
    campaigns: pd.DataFrame, target_roas: float, break_even_roas: float, *,
    headroom: float = DEFAULT_HEADROOM, min_spend: Decimal = Decimal(0),
    basis: str = "roas_true",
) -> list[Suggestion]:
    """Raise budget above target x (1 + headroom); pause below break-even, judged on the ROAS
    column ``basis`` (the one the targets are set on)."""
    word = BASIS_WORDS.get(basis, basis)
    out = []
    for row in campaigns.itertuples(index=False):
        spend = Decimal(str(row.spend))
        roas = getattr(row, basis)
        if roas is None or pd.isna(roas) or spend < min_spend or spend <= 0:
            continue
        name = str(getattr(row, "campaign_name", None) or row.campaign_id)
        if roas < break_even_roas:
            out.append(Suggestion(
                "pause", str(row.campaign_id), f"pause or fix {name}",
                f"{word} ROAS {roas:.2f} is below break-even {break_even_roas:.2f} on spend "
                f"{spend:,.2f}", spend))
        elif roas >= target_roas * (1 + headroom):
            out.append(Suggestion(
                "raise_budget", str(row.campaign_id),
                f"raise {name}'s budget by {BUDGET_STEP:.0%}",
                f"{word} ROAS {roas:.2f} beats the target {target_roas:.2f} by "
                f"{roas / target_roas - 1:.0%}", spend))
    return out


def restock_suggestions(plans: pd.DataFrame) -> list[Suggestion]:
    """Restock every SKU at or below its reorder point."""
    out = []
    for p in plans[plans["reorder_now"]].itertuples(index=False):
        cover = "no stock left" if not p.stock else f"{p.days_of_cover:.0f} days of cover"
        out.append(Suggestion(
            "restock", str(p.sku_id), f"order {p.suggested_qty} units of {p.sku_id}",
            f"{cover} at {p.daily_forecast:.1f}/day; lead time {p.lead_time_days} days "
            f"(reorder point {p.reorder_point:.0f})"))
    return out


def reauthorize_suggestions(authorizations: pd.DataFrame) -> list[Suggestion]:
    """Re-authorize every shop or advertiser whose authorization needs action."""
    out = []
    for a in authorizations.itertuples(index=False):
        reason = ACTION_STATES.get(str(a.status))
        if reason:
            out.append(Suggestion("reauthorize", str(a.subject),
                                  f"re-authorize {a.kind} {a.subject}", reason))
    return out


def creator_suggestions(board: pd.DataFrame) -> list[Suggestion]:
    """Review creators flagged for fake-engagement risk before paying more commission."""
    return [Suggestion("review_creator", str(c.creator_username),
                       f"review {c.creator_username} before the next collaboration",
                       "; ".join(c.risk_reasons), c.gmv if isinstance(c.gmv, Decimal) else None)
            for c in board[board["risk"]].itertuples(index=False)]


def rank_suggestions(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Most urgent first: authorization, pauses, restocks, budget raises, creator reviews;
    within a kind, the most money first."""
    return sorted(suggestions, key=lambda s: (PRIORITY.get(s.kind, 9), -(s.money or 0)))


#: A ROAS this close below break-even (share of break-even) is inside the week-to-week noise:
#: no "pause" for it. The band widens to the store's own typical weekly ROAS move, up to the cap.
MIN_NOISE_BAND, MAX_NOISE_BAND = 0.05, 0.15
#: Deteriorations that block a budget increase: conversion or true ROAS down by this share
#: against last week or the 4-week average, or the refund rate up by this many points.
CVR_DROP, TRUE_ROAS_DROP, REFUND_RISE_PP = 0.10, 0.10, 0.02


@dataclass(frozen=True)
class AdsCall:
    """What to do with one store's ad budget, on the targets' ROAS basis, and what checked it.

    ``verdict``: scale | cut | hold (a move the rules would make but a cross-check blocks, or a
    gap inside the noise band) | keep (between break-even and the target: nothing to do).
    """

    verdict: str
    roas: float
    target: float | None
    break_even: float | None
    noise: float
    blockers: tuple[str, ...] = ()  # within_noise | cvr_down | refunds_up | true_roas_down


def noise_band(weekly_roas: Iterable[float | None]) -> float:
    """The relative ROAS move a store shows in an ordinary week: the median week-on-week
    change of its recent weekly ROAS, kept within [MIN_NOISE_BAND, MAX_NOISE_BAND]."""
    values = [float(v) for v in weekly_roas if v is not None and v > 0]
    moves = sorted(abs(b / a - 1) for a, b in zip(values, values[1:], strict=False))
    typical = moves[len(moves) // 2] if moves else 0.0
    return min(MAX_NOISE_BAND, max(MIN_NOISE_BAND, typical))


def deteriorations(cvr_change: float | None, refund_change_pp: float | None,
                   true_roas_change: float | None) -> tuple[str, ...]:
    """Which of conversion, refunds and true ROAS got worse enough to stop adding budget."""
    out = []
    if cvr_change is not None and cvr_change <= -CVR_DROP:
        out.append("cvr_down")
    if refund_change_pp is not None and refund_change_pp >= REFUND_RISE_PP:
        out.append("refunds_up")
    if true_roas_change is not None and true_roas_change <= -TRUE_ROAS_DROP:
        out.append("true_roas_down")
    return tuple(out)


def ads_call(roas: float, target: float | None, break_even: float | None, *,
             noise: float = MIN_NOISE_BAND, worse: tuple[str, ...] = (),
             headroom: float = DEFAULT_HEADROOM) -> AdsCall:
    """Scale, cut, hold or keep a store's ads, checking the metrics the move could contradict:
    no cut for a gap inside the noise band; no budget increase while ``worse``
    (``deteriorations``) names conversion, refunds or true ROAS."""
    if break_even is not None and roas < break_even:
        if roas >= break_even * (1 - noise):
            return AdsCall("hold", roas, target, break_even, noise, ("within_noise",))
        return AdsCall("cut", roas, target, break_even, noise)
    if target is not None and roas >= target * (1 + headroom):
        if worse:
            return AdsCall("hold", roas, target, break_even, noise, worse)
        return AdsCall("scale", roas, target, break_even, noise)
    return AdsCall("keep", roas, target, break_even, noise)
