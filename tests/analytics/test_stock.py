from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from analytics_frames import lines, orders

from analytics.stock import (
    croston_forecast,
    daily_units,
    is_intermittent,
    plan_sku,
    ses_forecast,
    stock_plans,
)

START = date(2026, 11, 1)
DAYS = [START + timedelta(i) for i in range(14)]


def test_exponential_smoothing():
    assert ses_forecast([10.0] * 14) == pytest.approx(10.0)
    assert ses_forecast([0.0] * 7 + [10.0]) == pytest.approx(2.0)
    assert ses_forecast([]) == 0.0


def test_croston_for_intermittent_demand():
    history = [0, 0, 3, 0, 0, 0, 3]
    assert is_intermittent(history)
    assert croston_forecast(history, sba=False) == pytest.approx(3 / 3.1)
    assert croston_forecast(history) == pytest.approx(3 / 3.1 * 0.95)
    assert croston_forecast([0, 0, 0]) == 0.0
    assert is_intermittent([1, 1, 1, 0]) and not is_intermittent([1, 1, 1, 1, 0])


def test_plan_for_steady_seller():
    plan = plan_sku("s1", "k1", [10.0] * 14, stock=80, lead_time_days=10)
    assert (plan.method, plan.daily_forecast) == ("ses", pytest.approx(10.0))
    assert plan.safety_stock == 0 and plan.reorder_point == pytest.approx(100)
    assert plan.days_of_cover == pytest.approx(8.0)
    assert plan.suggested_qty == 90 and plan.reorder_now  # 100 + 7 days x 10 - 80
    calm = plan_sku("s1", "k1", [10.0] * 14, stock=200, lead_time_days=10)
    assert (calm.suggested_qty, calm.reorder_now, calm.days_of_cover) == (0, False, 20.0)


def test_safety_stock_from_service_level_and_lead_time():
    plan = plan_sku("s1", "k1", [8.0, 12.0] * 7, stock=0, lead_time_days=9, service_level=0.95)
    assert plan.safety_stock == pytest.approx(1.644854 * 2.075498 * 3, rel=1e-5)
    assert plan.method == "ses"
    assert plan.reorder_point == pytest.approx(plan.daily_forecast * 9 + plan.safety_stock)


def test_no_sales_means_no_forecast_and_no_order():
    plan = plan_sku("s1", "k1", [0.0] * 14, stock=5, lead_time_days=7)
    assert (plan.method, plan.daily_forecast, plan.days_of_cover) == ("none", 0.0, None)
    assert (plan.suggested_qty, plan.reorder_now) == (0, False)


def test_stock_out_days_are_not_zero_demand():
    units = pd.DataFrame({"shop_id": "s1", "sku_id": "A", "day": DAYS[:10], "units": 5})
    skus = pd.DataFrame({"shop_id": ["s1", "s1"], "sku_id": ["A", "B"], "stock": [0, 50],
                         "lead_time_days": [None, 3]})
    stock_daily = pd.DataFrame({"shop_id": "s1", "sku_id": "A", "day": DAYS[10:], "stock": 0})
    plans = stock_plans(units, skus, DAYS, stock_daily=stock_daily).set_index("sku_id")
    assert plans.loc["A", "daily_forecast"] == pytest.approx(5.0)
    assert plans.loc["A", "lead_time_days"] == 14  # default lead time
    assert plans.loc["A", "suggested_qty"] == 5 * 14 + 5 * 7
    assert list(plans.index) == ["A", "B"]  # zero cover first; B sells nothing
    uncensored = stock_plans(units, skus, DAYS).set_index("sku_id")
    # 10 selling days out of 14 is intermittent (ADI 1.4): Croston-SBA gives 5 x 0.95
    assert uncensored.loc["A", "daily_forecast"] == pytest.approx(4.75)
    assert uncensored.loc["A", "method"] == "croston"


def test_daily_units_from_sales_valid_orders():
    o = orders({"order_id": "a", "paid_time": "2026-11-16 23:30"},
               {"order_id": "b", "paid_time": "2026-11-16 10:00"},
               {"order_id": "s", "is_sample": True})
    ln = lines({"order_id": "a", "sku_id": "k1", "quantity": 2}, {"order_id": "b", "sku_id": "k1"},
               {"order_id": "b", "sku_id": "k2"}, {"order_id": "s", "sku_id": "k1"})
    units = daily_units(o, ln, {"s1": "Asia/Bangkok"})
    assert units.to_dict("records") == [
        {"shop_id": "s1", "sku_id": "k1", "day": date(2026, 11, 16), "units": 1},
        {"shop_id": "s1", "sku_id": "k1", "day": date(2026, 11, 17), "units": 2},
        {"shop_id": "s1", "sku_id": "k2", "day": date(2026, 11, 16), "units": 1},
    ]
