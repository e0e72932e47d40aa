from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from analytics.stock import plan_sku
from analytics.suggestions import (
    MAX_NOISE_BAND,
    MIN_NOISE_BAND,
    ads_call,
    budget_suggestions,
    campaign_true_roas,
    creator_suggestions,
    deteriorations,
    noise_band,
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


def test_budget_rules_judge_the_basis_they_are_given():
    found = budget_suggestions(_campaigns(), target_roas=4.0, break_even_roas=2.5,
                               min_spend=Decimal("50"), basis="roas_platform")
    assert [(s.kind, s.subject) for s in found] == [("raise_budget", "win"), ("pause", "lose")]
    assert found[1].reason.startswith("platform ROAS 2.00 is below break-even 2.50")


def test_ads_call_scales_only_while_nothing_deteriorates():
    assert ads_call(4.0, 3.0, 1.8).verdict == "scale"
    for worse in (("cvr_down",), ("refunds_up",), ("true_roas_down",)):
        call = ads_call(4.0, 3.0, 1.8, worse=worse)
        assert (call.verdict, call.blockers) == ("hold", worse)
    assert ads_call(3.3, 3.0, 1.8).verdict == "keep"  # above target, not by the headroom


def test_ads_call_does_not_cut_inside_the_noise_band():
    call = ads_call(1.57, 3.0, 1.60, noise=0.05)  # 0.03 below break-even: 1.9%
    assert (call.verdict, call.blockers) == ("hold", ("within_noise",))
    assert ads_call(1.45, 3.0, 1.60, noise=0.05).verdict == "cut"  # 9% below
    assert ads_call(1.45, 3.0, 1.60, noise=0.10).verdict == "hold"  # a noisier store
    assert ads_call(1.2, None, 1.6).verdict == "cut" and ads_call(5.0, None, 1.6).verdict == "keep"


def test_noise_band_follows_the_stores_own_weekly_moves():
    assert noise_band([2.0, 2.0, 2.0]) == MIN_NOISE_BAND
    assert noise_band([2.0, 2.2, 2.0, 2.2, 2.0]) == pytest.approx(0.1, abs=0.01)
    assert noise_band([1.0, 3.0, 1.0, 3.0]) == MAX_NOISE_BAND
    assert noise_band([None, 0.0]) == MIN_NOISE_BAND


def test_deteriorations_name_each_metric_that_got_worse():
    assert deteriorations(-0.47, 0.0, 0.05) == ("cvr_down",)
    assert deteriorations(-0.05, 0.03, -0.2) == ("refunds_up", "true_roas_down")
    assert deteriorations(None, None, None) == () and deteriorations(0.1, -0.01, 0.0) == ()
