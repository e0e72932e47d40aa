from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from analytics_frames import m

from analytics.anomalies import detect_anomalies, merge_flags
from analytics.anomaly_types import WEEKLY, AnomalyConfig
from analytics.series import campaign_series, creator_weekly_series, store_series

START = date(2026, 10, 5)  # a Monday


def _daily(n: int, last: float | None = None, *, weekday: float = 100, weekend: float = 150,
           volume: float = 50, key: str = "s1") -> pd.DataFrame:
    days = [START + timedelta(i) for i in range(n)]
    values = [weekend if d.weekday() >= 5 else weekday for d in days]
    if last is not None:
        values[-1] = last
    return pd.DataFrame({"key": key, "day": days, "value": values, "volume": volume,
                         "money_per_unit": 1.0, "currency": "GBP"})


def test_drop_on_a_weekday_is_flagged_with_money_and_severity():
    series = _daily(29, last=40)  # day 29 is a Monday: expected 100, weekends are not the norm
    (flag,) = detect_anomalies(series, "gross_gmv")
    assert flag.period == START + timedelta(28) and flag.key == "s1"
    assert flag.expected == pytest.approx(100)
    assert flag.robust_z == pytest.approx(-12)  # scale floored at 5% of 100
    assert flag.change_pct == pytest.approx(-0.6)
    assert flag.money_at_stake == Decimal("60") and flag.currency == "GBP"
    assert (flag.severity, flag.direction) == ("high", "down")


def test_weekday_profile_makes_a_normal_weekend_unremarkable():
    series = _daily(34, last=150)  # the 34th day is a Saturday
    assert (START + timedelta(33)).weekday() == 5
    assert detect_anomalies(series, "gross_gmv", evaluate=[START + timedelta(33)]) == []
    low_weekend = _daily(34, last=100)  # 100 on a Saturday is a third below its usual 150
    (flag,) = detect_anomalies(low_weekend, "gross_gmv", evaluate=[START + timedelta(33)])
    assert flag.expected == pytest.approx(150)
    assert flag.robust_z == pytest.approx(-50 / 7.5)
    assert flag.severity == "medium"


def test_volume_and_money_gates():
    series = _daily(29, last=40, volume=5)
    assert detect_anomalies(series, "gmv", AnomalyConfig(min_volume=10)) == []
    assert len(detect_anomalies(series, "gmv", AnomalyConfig(min_volume=5))) == 1
    series = _daily(29, last=40)
    assert detect_anomalies(series, "gmv", AnomalyConfig(min_money={"GBP": 61})) == []
    assert len(detect_anomalies(series, "gmv", AnomalyConfig(min_money={"*": 60}))) == 1
    no_money = series.drop(columns=["money_per_unit"])
    assert detect_anomalies(no_money, "cvr", AnomalyConfig(min_money={"*": 1})) == []


def test_short_history_gives_no_verdict():
    assert detect_anomalies(_daily(14, last=1), "gmv") == []  # 13 points < 14
    assert len(detect_anomalies(_daily(15, last=1), "gmv")) == 1


def test_counts_use_poisson_noise_floor():
    series = _daily(29, last=0, weekday=4, weekend=4)
    assert detect_anomalies(series, "orders", AnomalyConfig(count=True)) == []  # z = -2
    assert len(detect_anomalies(series, "orders")) == 1  # without the floor: z = -20


def test_each_series_is_judged_against_its_own_history():
    quiet_big = _daily(29, weekday=10_000, weekend=10_000, key="big")
    small = _daily(29, weekday=10, weekend=10, key="small")
    assert detect_anomalies(pd.concat([quiet_big, small]), "gmv") == []


def test_sparse_weekly_counts_use_the_mean_and_poisson_noise():
    weeks = [START + timedelta(7 * i) for i in range(9)]
    config = AnomalyConfig(grain="week", history=8, min_history=4, threshold=3.5, count=True)
    usual = [0.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0]  # median 0, trimmed mean 2/7
    for last, flagged in ((4.0, False), (6.0, True)):
        frame = pd.DataFrame({"key": "amy", "day": weeks, "value": usual + [last],
                              "money_per_unit": 20.0, "currency": "GBP"})
        found = detect_anomalies(frame, "creator_units", config)
        # noise: week-over-week diffs MAD 1 x 1.4826 / sqrt 2, inflated x 1.18 = 1.24
        assert bool(found) is flagged  # z = 3.0 for 4 units, 4.6 for 6
        if found:
            assert found[0].expected == pytest.approx(2 / 7)
            assert found[0].money_at_stake == Decimal(str(round((6 - 2 / 7) * 20, 2)))


def test_weekly_series_and_single_week_of_history():
    weeks = [START + timedelta(7 * i) for i in range(7)]
    frame = pd.DataFrame({"key": "alice", "day": weeks, "value": [100.0] * 6 + [800.0],
                          "money_per_unit": 1.0, "currency": "GBP"})
    (flag,) = detect_anomalies(frame, "creator_gmv", WEEKLY)
    assert (flag.period, flag.grain, flag.direction) == (weeks[-1], "week", "up")
    assert flag.money_at_stake == Decimal("700")
    assert detect_anomalies(frame.tail(1), "creator_gmv", WEEKLY) == []


def test_store_series_from_daily_rows():
    d = date(2026, 11, 16)
    daily = pd.DataFrame([
        ("s1", d, "gross_gmv", "GBP", m("200")), ("s1", d, "orders", "", 4),
        ("s1", d, "visitors", "", 100), ("s1", d, "spend", "GBP", m("30")),
        ("s1", d, "impressions", "", 6000), ("s1", d, "clicks", "", 60),
        ("s1", d, "purchase_value", "GBP", m("90")),
        ("s1", d + timedelta(1), "visitors", "", 80),  # a day without orders
    ], columns=["shop_id", "day", "metric", "currency", "value"])
    series = store_series(daily)
    cvr = series["cvr"].set_index("day")
    assert cvr.loc[d, "value"] == pytest.approx(0.04)
    assert cvr.loc[d, "money_per_unit"] == pytest.approx(100 * 50)  # visitors x AOV
    assert cvr.loc[d + timedelta(1), "value"] == 0.0
    cpm = series["cpm"].iloc[0]
    assert (cpm["value"], cpm["money_per_unit"]) == (pytest.approx(5.0), pytest.approx(6.0))
    assert series["ctr"].iloc[0]["money_per_unit"] == pytest.approx(6000 * 0.5)
    assert series["roas_platform"].iloc[0]["value"] == pytest.approx(3.0)
    assert set(series["gross_gmv"]["currency"]) == {"GBP"}


def test_campaign_and_creator_series():
    d = date(2026, 11, 16)
    ads = pd.DataFrame({"advertiser_id": "a1", "level": ["campaign", "campaign", "ad"],
                        "campaign_id": "c1", "day": [d, d + timedelta(1), d],
                        "currency": "GBP", "spend": pd.array([m("10"), None, m("5")], "Int64"),
                        "impressions": pd.array([2000, 100, 1], "Int64"),
                        "clicks": pd.array([20, 1, 1], "Int64")})
    cpm = campaign_series(ads)["cpm"]
    assert list(cpm["value"]) == [pytest.approx(5.0)]  # the "-" spend day has no CPM
    lines = pd.DataFrame({"creator_username": "bob", "day": [d, d + timedelta(15)],
                          "price": [m("10"), m("5")], "quantity": [2, 1], "currency": "GBP"})
    weekly = creator_weekly_series(lines)
    assert list(weekly["value"]) == [2.0, 0.0, 1.0]  # units
    assert list(weekly["day"]) == [d, d + timedelta(7), d + timedelta(14)]
    assert weekly["money_per_unit"].iloc[0] == 10.0 and pd.isna(weekly["money_per_unit"].iloc[1])


def test_merge_flags_keeps_one_flag_per_subject_and_day():
    gmv = detect_anomalies(_daily(29, last=40), "gross_gmv")
    orders = detect_anomalies(_daily(29, last=10), "orders")
    other = detect_anomalies(_daily(29, last=10, key="s2"), "orders")
    merged = merge_flags(gmv, orders, other)
    assert [(a.key, a.metric) for a in merged] == [("s1", "orders"), ("s2", "orders")]


def test_min_run_needs_a_confirmed_shift():
    single = _daily(30, weekday=100, weekend=100)
    single.loc[28, "value"] = 40  # one bad day, then back to normal
    two = _daily(30, weekday=100, weekend=100)
    two.loc[28:29, "value"] = 40  # a shift that lasts
    config = AnomalyConfig(min_run=2)
    assert len(detect_anomalies(single, "cpm")) == 1
    assert detect_anomalies(single, "cpm", config) == []
    (flag,) = detect_anomalies(two, "cpm", config)
    assert flag.period == START + timedelta(29)


def _scores(series):
    from analytics.anomaly_detection import _score

    days = list(series["day"])
    values = series["value"].to_numpy(dtype=float)
    return [_score(i, days, values, timedelta(1), AnomalyConfig()) for i in range(len(days))]


def test_sustained_shift_is_flagged_when_no_single_day_is():
    base = list(100.0 + np.random.default_rng(3).normal(0, 8, 28))  # ordinary noise
    series = pd.DataFrame({"key": "s1", "day": [START + timedelta(i) for i in range(31)],
                           "value": base + [75.0, 75.0, 75.0], "currency": "GBP"})
    zs = [p.z for p in _scores(series)[-3:]]
    assert all(-4 < z < -1 for z in zs)  # no single day is unusual enough on its own
    assert detect_anomalies(series, "orders") == []
    (flag,) = detect_anomalies(series, "orders", AnomalyConfig(sustain=3))
    assert flag.period == START + timedelta(30)
    assert flag.robust_z < -4  # the three days together


def test_weekday_profile_is_ignored_when_it_does_not_stand_out():
    rng = [5, -5, 4, -4, 6, -6, 3, -3, 5, -5, 4, -4, 6, -6, 3, -3, 5, -5, 4, -4, 6, -6, 3, -3,
           5, -5, 4, -4]
    days = [START + timedelta(i) for i in range(28)]
    values = np.array([100.0 + r for r in rng])
    from analytics.anomaly_baseline import expected_value
    expected, _ = expected_value(days, values, START + timedelta(28), AnomalyConfig())
    assert expected == pytest.approx(float(np.median(values)))  # no weekday factor applied
    weekly = np.array([100.0 if d.weekday() < 5 else 200.0 for d in days])
    expected, _ = expected_value(days, weekly, START + timedelta(33), AnomalyConfig())
    assert expected == pytest.approx(200.0)  # a strong weekend is kept


def test_confirmed_run_may_skip_a_missing_day():
    series = _daily(31, weekday=100, weekend=100)
    series = series[series["day"] != START + timedelta(29)].copy()  # no report that day
    series.loc[series["day"] >= START + timedelta(28), "value"] = 40
    (flag,) = detect_anomalies(series, "cpm", AnomalyConfig(min_run=2))
    assert flag.period == START + timedelta(30)
