from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from analytics_frames import m, ts

from analytics.creator_verdicts import verdict_of
from analytics.creators import (
    VERDICT_REASONS,
    CreatorSplit,
    creator_leaderboard,
    creator_verdicts,
    new_vs_repeat,
    risk_reasons,
)
from analytics.weeks import week_window

W47 = week_window("Europe/London", "2026-W47")
TZ = {"s1": "Europe/London"}


def _lines():
    rows = [  # creator, order, time, unit price, qty, estimated, actual, refunded
        ("alice", "A0", "2026-11-02 10:00", "8", 1, "1", None, 0),
        ("alice", "A1", "2026-11-16 10:00", "10", 2, "2", None, 1),
        ("alice", "A2", "2026-11-17 10:00", "5", 1, "0.4", "0.5", 0),
        ("bob", "B1", "2026-11-18 10:00", "30", 1, "6", None, 0),
        ("carol", "C1", "2026-11-09 10:00", "99", 1, "9", None, 0),
    ]
    return pd.DataFrame({
        "shop_id": "s1", "creator_username": [r[0] for r in rows], "order_id": [r[1] for r in rows],
        "sku_id": "k1", "create_time": [ts(r[2]) for r in rows], "currency": "GBP",
        "price": [m(r[3]) for r in rows], "quantity": [r[4] for r in rows],
        "estimated_paid_commission": pd.array([m(r[5]) for r in rows], "Int64"),
        "actual_paid_commission": pd.array([None if r[6] is None else m(r[6]) for r in rows],
                                           "Int64"),
        "refunded_quantity": [r[7] for r in rows], "returned_quantity": 0,
    })


def _context():
    creators = pd.DataFrame({"creator_username": ["alice", "bob"],
                             "follower_count": [50_000, 500_000]})
    snapshots = pd.DataFrame({
        "creator_username": ["alice", "alice", "bob", "bob"],
        "day": [date(2026, 11, 15), date(2026, 11, 16)] * 2,
        "follower_count": [50_000, 50_100, 400_000, 500_000]})
    content = pd.DataFrame({
        "shop_id": "s1", "content_id": ["c1", "c2"], "creator_username": ["alice", "bob"],
        "day": [date(2026, 11, 16)] * 2, "views": [10_000, 1_000], "likes": [500, 5_000],
        "comments": [50, 0], "shares": [50, 0], "product_clicks": [200, 10], "orders": [4, 1]})
    return dict(creators=creators, snapshots=snapshots, content_daily=content)


def test_leaderboard_by_gmv_and_efficiency():
    board = creator_leaderboard(_lines(), W47.days, TZ, "GBP", **_context()).set_index(
        "creator_username")
    assert list(board.index) == ["bob", "alice"]  # carol sold only before the week
    assert board.loc["alice", "gmv"] == Decimal("25")
    assert board.loc["alice", "commission"] == Decimal("2.5")
    assert board.loc["alice", "gmv_per_commission"] == pytest.approx(10.0)
    assert board.loc["alice", "refund_rate"] == pytest.approx(1 / 3)
    assert (board.loc["alice", "orders"], board.loc["alice", "units"]) == (2, 3)
    assert board.loc["alice", "engagement_rate"] == pytest.approx(0.06)
    assert board.loc["alice", "cvr"] == pytest.approx(0.02)
    assert (board.loc["bob", "rank_gmv"], board.loc["bob", "rank_efficiency"]) == (1, 2)
    assert (board.loc["alice", "rank_gmv"], board.loc["alice", "rank_efficiency"]) == (2, 1)
    assert not board.loc["alice", "is_new"] and board.loc["bob", "is_new"]
    assert new_vs_repeat(board.reset_index()) == CreatorSplit(1, 1, Decimal("30"), Decimal("25"))


def test_fake_engagement_flag_lists_every_reason():
    board = creator_leaderboard(_lines(), W47.days, TZ, "GBP", **_context()).set_index(
        "creator_username")
    assert not board.loc["alice", "risk"] and board.loc["alice", "risk_reasons"] == ()
    reasons = board.loc["bob", "risk_reasons"]
    assert board.loc["bob", "risk"]
    assert reasons == (
        "engagement 500.0% outside 0.5%-12.0% for 500,000 followers",
        "1,000 views per post for 500,000 followers",
        "follower spike +100,000 in a day (+25%)",
        "5,000 likes with no comments",
    )


def test_risk_rules_one_at_a_time():
    ok = {"followers": 20_000.0, "views": 10_000.0, "posts": 1, "likes": 800.0,
          "comments": 40.0, "shares": 10.0, "max_daily_gain": 100.0, "gain_base": 20_000.0}
    assert risk_reasons(**ok) == ()
    assert len(risk_reasons(**{**ok, "likes": 8.0, "comments": 0.0, "shares": 0.0})) == 1  # low
    assert risk_reasons(**{**ok, "views": 150.0, "likes": 5.0, "comments": 1.0, "shares": 0.0}) == (
        "150 views per post for 20,000 followers",)
    assert risk_reasons(**{**ok, "max_daily_gain": 4_999.0, "gain_base": 1_000.0}) == ()
    assert len(risk_reasons(**{**ok, "likes": 1_200.0, "comments": 5.0})) == 1  # 240 per comment


def test_leaderboard_without_content_or_creator_data():
    board = creator_leaderboard(_lines(), W47.days, TZ, "GBP")
    assert list(board["creator_username"]) == ["bob", "alice"]
    assert board["engagement_rate"].isna().all() and not board["risk"].any()


def test_no_creator_sales_in_the_period():
    board = creator_leaderboard(_lines(), week_window("Europe/London", "2026-W40").days, TZ, "GBP")
    assert board.empty
    assert new_vs_repeat(board) == CreatorSplit(0, 0, Decimal(0), Decimal(0))


def test_verdicts_rebook_watch_stop_with_reasons():
    board = creator_verdicts(creator_leaderboard(_lines(), W47.days, TZ, "GBP",
                                                 **_context())).set_index("creator_username")
    # bob: GMV/commission 5 (middling), four authenticity rules, one order; CVR 10% is fine
    assert board.loc["bob", "verdict"] == "stop"
    assert board.loc["bob", "verdict_reasons"] == (
        "engagement_looks_bought", "middling_return", "few_orders")
    # alice: GMV/commission 10, but a third of units came back and only two orders
    assert board.loc["alice", "verdict"] == "stop"
    assert board.loc["alice", "verdict_reasons"][0] == "high_refunds"
    assert set(VERDICT_REASONS) >= {r for rs in board["verdict_reasons"] for r in rs}


def test_verdict_rules_one_at_a_time():
    good = {"gmv_per_commission": 8.0, "refund_rate": 0.02, "orders": 12, "cvr": 0.03,
            "engagement_rate": 0.05, "risk_reasons": ()}
    assert verdict_of(**good) == ("rebook", ("pays_back",))
    assert verdict_of(**{**good, "gmv_per_commission": 2.9}) == ("stop", ("commission_eats_gmv",))
    assert verdict_of(**{**good, "gmv_per_commission": 4.0}) == ("watch", ("middling_return",))
    assert verdict_of(**{**good, "refund_rate": 0.15}) == ("watch", ("elevated_refunds",))
    assert verdict_of(**{**good, "refund_rate": 0.25}) == ("stop", ("high_refunds",))
    assert verdict_of(**{**good, "cvr": 0.005}) == ("watch", ("low_cvr",))
    assert verdict_of(**{**good, "engagement_rate": 0.004}) == ("watch", ("low_engagement",))
    assert verdict_of(**{**good, "risk_reasons": ("x",)}) == ("watch", ("engagement_doubtful",))
    assert verdict_of(**{**good, "risk_reasons": ("x", "y")})[0] == "stop"
    assert verdict_of(**{**good, "orders": 2}) == ("watch", ("few_orders",))
    assert verdict_of(**{**good, "gmv_per_commission": None}) == ("watch", ("no_commission_data",))
    # CVR and engagement are judged only where measured
    assert verdict_of(**{**good, "cvr": None, "engagement_rate": None})[0] == "rebook"


def test_verdict_words_in_both_languages():
    for code, (en, zh) in VERDICT_REASONS.items():
        assert en and zh and "_" not in en + zh, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code


def test_verdicts_of_an_empty_board():
    board = creator_leaderboard(_lines(), week_window("Europe/London", "2026-W40").days, TZ, "GBP")
    out = creator_verdicts(board)
    assert out.empty and {"verdict", "verdict_reasons"} <= set(out.columns)
