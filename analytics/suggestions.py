"""Rule-based suggestions, each with the reason a seller can check.

Inputs: per-campaign ads numbers (``spend`` and ``roas_true``, e.g. from
``campaign_true_roas``), the tenant's target ROAS and break-even ROAS (1 / gross margin), stock
plans (``analytics.stock.stock_plans``), authorization states (subject, kind, status) and a
creator leaderboard (``analytics.creators``). Output: ``Suggestion`` records, most urgent first.

Rules: raise budget where true ROAS beats the target by the headroom (and spend is material);
pause where true ROAS is below break-even; restock SKUs at or below their reorder point;
re-authorize shops/advertisers whose authorization is not healthy; review risky creators.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

__all__ = [
    "BUDGET_STEP", "DEFAULT_HEADROOM", "Suggestion", "budget_suggestions", "campaign_true_roas",
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
) -> list[Suggestion]:
    """Raise budget above target x (1 + headroom); pause below break-even (true ROAS)."""
    out = []
    for row in campaigns.itertuples(index=False):
        spend = Decimal(str(row.spend))
        roas = row.roas_true
        if roas is None or pd.isna(roas) or spend < min_spend or spend <= 0:
            continue
        name = str(getattr(row, "campaign_name", None) or row.campaign_id)
        if roas < break_even_roas:
            out.append(Suggestion(
                "pause", str(row.campaign_id), f"pause or fix {name}",
                f"true ROAS {roas:.2f} is below break-even {break_even_roas:.2f} on spend "
                f"{spend:,.2f}", spend))
        elif roas >= target_roas * (1 + headroom):
            out.append(Suggestion(
                "raise_budget", str(row.campaign_id),
                f"raise {name}'s budget by {BUDGET_STEP:.0%}",
                f"true ROAS {roas:.2f} beats the target {target_roas:.2f} by "
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
