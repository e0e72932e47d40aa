from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from analytics.stock import plan_sku
from analytics.suggestions import (
    budget_suggestions,
    campaign_true_roas,
    creator_suggestions,
    rank_suggestions,
    reauthorize_suggestions,
    restock_suggestions,
)


def _campaigns():
    return pd.DataFrame({"campaign_id": ["win", "ok", "lose", "tiny", "nodata"],
                         "campaign_name": ["Winner", "Fine", "Loser", "Tiny", "No data"],
                         "spend": [Decimal("500"), Decimal("400"), Decimal("300"),
                                   Decimal("5"), Decimal("100")],
                         "roas_platform": [8.0, 4.4, 2.0, 0.5, None]})


def test_true_roas_per_campaign_scaled_from_the_store():
    est = campaign_true_roas(_campaigns(), roas_true=1.5, roas_platform=3.0)
    assert list(est["roas_true"][:4]) == [4.0, 2.2, 1.0, 0.25]
    assert pd.isna(est["roas_true"].iloc[4])
    assert campaign_true_roas(_campaigns(), None, 3.0)["roas_true"].isna().all()


def test_budget_rules_raise_pause_and_leave_alone():
    est = campaign_true_roas(_campaigns(), roas_true=1.5, roas_platform=3.0)
    found = budget_suggestions(est, target_roas=2.0, break_even_roas=1.25,
                               min_spend=Decimal("50"))
    assert [(s.kind, s.subject) for s in found] == [("raise_budget", "win"), ("pause", "lose")]
    raise_, pause = found
    assert raise_.reason == "true ROAS 4.00 beats the target 2.00 by 100%"
    assert raise_.action == "raise Winner's budget by 20%"
    assert pause.reason == "true ROAS 1.00 is below break-even 1.25 on spend 300.00"
    assert pause.money == Decimal("300")
    # "ok" (2.2) beats the target but not by the 20% headroom; "tiny" is below min spend


def test_no_spend_gives_no_budget_suggestion():
    frame = pd.DataFrame({"campaign_id": ["c"], "spend": [Decimal("0")], "roas_true": [None]})
    assert budget_suggestions(frame, 2.0, 1.0) == []


def test_restock_and_reauthorize_and_creators_ranked():
    plans = pd.DataFrame([plan_sku("s1", "k1", [10.0] * 14, 80, 10).__dict__,
                          plan_sku("s1", "k2", [10.0] * 14, 500, 10).__dict__,
                          plan_sku("s1", "k3", [2.0] * 14, 0, 5).__dict__])
    restock = restock_suggestions(plans)
    assert [(s.subject, s.action) for s in restock] == [
        ("k1", "order 90 units of k1"), ("k3", "order 24 units of k3")]
    assert restock[0].reason == "8 days of cover at 10.0/day; lead time 10 days (reorder point 100)"
    assert restock[1].reason.startswith("no stock left")
    auths = pd.DataFrame({"kind": ["shop", "ads", "shop"], "subject": ["GB shop", "adv1", "US"],
                          "status": ["healthy", "expired", "missing_scope"]})
    reauth = reauthorize_suggestions(auths)
    assert [(s.subject, s.reason) for s in reauth] == [
        ("adv1", "authorization expired"), ("US", "a needed permission is missing")]
    board = pd.DataFrame({"creator_username": ["bob", "amy"], "risk": [True, False],
                          "risk_reasons": [("a", "b"), ()], "gmv": [Decimal("30"), Decimal("9")]})
    creators = creator_suggestions(board)
    assert [(s.subject, s.reason) for s in creators] == [("bob", "a; b")]
    ranked = rank_suggestions(creators + restock + reauth)
    assert [s.kind for s in ranked] == ["reauthorize", "reauthorize", "restock", "restock",
                                        "review_creator"]
    assert pytest.approx(float(ranked[-1].money)) == 30.0
