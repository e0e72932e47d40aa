from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from analytics_frames import m

from analytics.anomalies import detect_anomalies
from analytics.drivers import contribution_table, decompose_gmv, decompose_roas
from analytics.explain import explain_campaign_anomaly, explain_store_anomaly, factor_z
from analytics.series import campaign_series, store_series


def _parts(dec):
    return {p.factor: p.contribution for p in dec.parts}


def test_gmv_drop_from_conversion():
    dec = decompose_gmv((1000, 20, 1000.0), (1000, 10, 500.0))
    assert dec.change == -500 and dec.method == "lmdi" and dec.driver == "cvr"
    assert _parts(dec) == {"traffic": 0.0, "cvr": pytest.approx(-500), "aov": 0.0}


def test_gmv_contributions_add_up_exactly():
    dec = decompose_gmv((1000, 20, 1000.0), (1200, 18, 1080.0))
    parts = _parts(dec)
    assert sum(parts.values()) == pytest.approx(80)
    weight = 80 / math.log(1.08)
    assert parts["traffic"] == pytest.approx(weight * math.log(1.2))
    assert parts["cvr"] == pytest.approx(weight * math.log(0.75))
    assert parts["aov"] == pytest.approx(parts["traffic"])
    assert dec.driver == "traffic"
    assert dec.describe().startswith("gmv +80.00: cvr -")


def test_gmv_with_zero_sales_or_zero_traffic_falls_back_to_substitution():
    to_zero = decompose_gmv((1000, 20, 1000.0), (1100, 0, 0.0))
    assert to_zero.method == "sequential" and to_zero.driver == "cvr"
    assert _parts(to_zero) == {"traffic": pytest.approx(100), "cvr": pytest.approx(-1100),
                               "aov": 0.0}
    from_zero = decompose_gmv((None, 0, 0.0), (None, 5, 250.0))
    assert _parts(from_zero) == {"orders": 250.0, "aov": 0.0} and from_zero.driver == "orders"
    no_traffic = decompose_gmv((0, 0, 0.0), (0, 0, 0.0))
    assert no_traffic.change == 0 and no_traffic.driver is None


def test_roas_drop_from_cpm():
    dec = decompose_roas((100, 20_000, 200, 10, 300), (100, 8_000, 80, 4, 120))
    assert (dec.previous, dec.current) == (3.0, 1.2)
    assert dec.driver == "cpm"
    parts = {p.factor: p for p in dec.parts}
    assert parts["cpm"].contribution == pytest.approx(-1.8)
    assert (parts["cpm"].previous, parts["cpm"].current) == (5.0, 12.5)
    assert parts["ctr"].contribution == pytest.approx(0) and parts["aov"].contribution == 0


def test_roas_with_no_spend_before():
    dec = decompose_roas((0, 0, 0, 0, 0), (100, 10_000, 100, 5, 250))
    assert dec.previous == 0 and dec.current == 2.5 and dec.method == "sequential"
    assert sum(_parts(dec).values()) == pytest.approx(2.5)


def test_contribution_table_orders_by_direction_of_change():
    cur = pd.Series({"a": 100, "b": 50, "c": 0})
    prev = pd.Series({"a": 80, "b": 100, "d": 20})
    table = contribution_table(cur, prev)
    assert list(table["key"]) == ["b", "d", "c", "a"]
    assert list(table["delta"]) == [-50, -20, 0, 20]
    assert list(table["share"]) == [1.0, 0.4, -0.0, -0.4]


def _daily_rows(days: int, last_orders: int, visitors: bool = True) -> pd.DataFrame:
    start = date(2026, 10, 5)
    rows = []
    for i in range(days):
        d = start + timedelta(i)
        orders = last_orders if i == days - 1 else 20
        rows += [("s1", d, "orders", "", orders), ("s1", d, "gross_gmv", "GBP", m("50") * orders)]
        if visitors:
            rows.append(("s1", d, "visitors", "", 1000))
    return pd.DataFrame(rows, columns=["shop_id", "day", "metric", "currency", "value"])


def test_store_anomaly_explained_by_conversion_or_orders():
    daily = _daily_rows(29, last_orders=9)
    (flag,) = detect_anomalies(store_series(daily)["gross_gmv"], "gross_gmv")
    explained = explain_store_anomaly(flag, daily)
    assert explained.driver == "cvr"
    assert explained.explanation == (
        "gmv -550.00: cvr -550.00, traffic +0.00, aov +0.00 (unusual: cvr z=16.0)")
    daily = _daily_rows(29, last_orders=9, visitors=False)
    (flag,) = detect_anomalies(store_series(daily)["gross_gmv"], "gross_gmv")
    assert explain_store_anomaly(flag, daily).driver == "orders"


def test_campaign_cpm_jump_explained_by_cpm():
    start = date(2026, 10, 5)
    rows = []
    for i in range(29):
        jump = i == 28
        rows.append({"advertiser_id": "a1", "level": "campaign", "campaign_id": "c1",
                     "day": start + timedelta(i), "currency": "GBP", "spend": m("100"),
                     "impressions": 8_000 if jump else 20_000, "clicks": 80 if jump else 200,
                     "purchases": 4 if jump else 10, "purchase_value": m("120" if jump else "300")})
    ads = pd.DataFrame(rows)
    (flag,) = detect_anomalies(campaign_series(ads)["cpm"], "cpm")
    assert (flag.key, flag.direction, flag.value) == ("c1", "up", pytest.approx(12.5))
    explained = explain_campaign_anomaly(flag, ads)
    assert explained.driver == "cpm"
    assert explained.explanation == (
        "roas -1.80: cpm -1.80, ctr +0.00, cvr +0.00, aov +0.00 (unusual: cpm z=18.3)")


def test_driver_is_the_most_unusual_factor_not_the_biggest_swing():
    start = date(2026, 10, 5)
    rows = []
    for i in range(29):
        noisy_cvr = [10, 4, 16, 6, 12][i % 5]  # purchases swing a lot on ordinary days
        jump = i == 28
        rows.append({"advertiser_id": "a1", "level": "campaign", "campaign_id": "c1",
                     "day": start + timedelta(i), "currency": "GBP", "spend": m("100"),
                     "impressions": 12_000 if jump else 20_000, "clicks": 120 if jump else 200,
                     "purchases": 3 if jump else noisy_cvr,
                     "purchase_value": m("30") * (3 if jump else noisy_cvr)})
    ads = pd.DataFrame(rows)
    (flag,) = detect_anomalies(campaign_series(ads)["cpm"], "cpm")
    explained = explain_campaign_anomaly(flag, ads)
    # CVR fell 70% and CPM rose 67%, but CVR swings like that all the time; CPM never moves
    parts = {p.split(" ")[0]: float(p.split(" ")[1]) for p in
             explained.explanation.split(": ", 1)[1].split(" (")[0].split(", ")}
    assert parts["cvr"] < parts["cpm"] < 0  # CVR contributed more to the ROAS drop ...
    assert explained.driver == "cpm"  # ... but the CPM move is the unusual one


def test_factor_z():
    hist = pd.Series([10.0, 11.0, 9.0, 10.0, 10.5])
    assert factor_z(hist, 10.0) == pytest.approx(0.0)
    # log deviations from ln 10: 0, .095, .105, 0, .049 -> MAD = ln 1.05
    assert factor_z(hist, 20.0) == pytest.approx(math.log(2) / (math.log(1.05) * 1.4826))
    assert factor_z(hist, 0.0) is None and factor_z(hist.head(2), 5.0) is None


def test_money_contributions_by_product_with_fx():
    from analytics.drivers import money_contributions
    from analytics.fx import FxRates

    d0, d1 = date(2026, 11, 9), date(2026, 11, 16)
    frame = pd.DataFrame({"product_id": ["p1", "p1", "p2", "p2", "p3"],
                          "day": [d0, d1, d0, d1, d1], "currency": "GBP",
                          "gmv": [m("100"), m("40"), m("10"), m("30"), m("5")]})
    rates = FxRates({(d0, "GBP", "USD"): Decimal("1.2"),
                     (d1, "GBP", "USD"): Decimal("1.25")})
    table = money_contributions(frame, "product_id", "gmv", [d1], [d0], "USD", rates)
    assert list(table["key"]) == ["p1", "p3", "p2"]  # total fell: biggest fall first
    assert table.set_index("key")["delta"].to_dict() == {
        "p1": pytest.approx(50 - 120), "p3": pytest.approx(6.25), "p2": pytest.approx(37.5 - 12)}
