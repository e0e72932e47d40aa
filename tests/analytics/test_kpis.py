from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from analytics_frames import ads, fx, lines, m, orders, refunds, traffic, ts

from analytics.clean import clean_orders
from analytics.daily import daily_metrics
from analytics.daily_kpis import compute_kpis, count_buyers
from analytics.fx import FxRates, MissingFxRate
from analytics.kpi_report import Baseline, reports_by_group, weekly_report
from analytics.weeks import week_window

TZ = {"s1": "Europe/London"}
W47 = week_window("Europe/London", "2026-W47")


def _rates(start=date(2026, 11, 9), days=14, special=None):
    special = special or {}
    rows = [(start + timedelta(i), "GBP", "USD", special.get(start + timedelta(i), "1.25"))
            for i in range(days)]
    return FxRates.from_frame(fx(*rows))


def _week_frames():
    o = orders(
        {"order_id": "o0", "paid_time": "2026-11-16 10:00", "sub_total": m("20"), "buyer_id": "b1"},
        {"order_id": "o1", "paid_time": "2026-11-17 10:00", "sub_total": m("30"), "buyer_id": "b1"},
        {"order_id": "o2", "paid_time": "2026-11-22 23:30", "sub_total": m("50"), "buyer_id": "b2"},
        {"order_id": "o3", "paid_time": "2026-11-23 00:30", "sub_total": m("100")},
        {"order_id": "o4", "is_sample": True, "sub_total": m("0")},
        {"order_id": "o5", "paid_time": "2026-11-09 12:00", "sub_total": m("40"), "buyer_id": "b3"},
    )
    ln = lines({"order_id": "o0"}, {"order_id": "o0"}, {"order_id": "o1", "quantity": 3},
               {"order_id": "o2"}, {"order_id": "o3"}, {"order_id": "o4"}, {"order_id": "o5"})
    r = refunds({"order_id": "o0", "refund_amount": m("10"), "completed_time": "2026-11-18 10:00"},
                {"order_id": "o5", "refund_amount": m("40"), "completed_time": "2026-11-19 10:00"})
    a = ads(
        {"day": date(2026, 11, 16), "spend": m("10"), "impressions": 1000, "clicks": 20,
         "purchases": 2, "purchase_value": m("40")},
        {"day": date(2026, 11, 17), "spend": m("10"), "impressions": 3000, "clicks": 40},
        {"day": date(2026, 11, 18)},  # every metric "-"
        {"day": date(2026, 11, 16), "level": "ad", "ad_id": "x", "spend": m("999")},
    )
    t = traffic(
        {"day": date(2026, 11, 16), "visitors": 100, "buyers": 2, "gmv": m("20")},
        {"day": date(2026, 11, 16), "channel": "PAID", "visitors": 30, "buyers": 1, "gmv": m("5")},
        {"day": date(2026, 11, 17), "visitors": 300, "buyers": 1, "gmv": m("30")},
        {"day": date(2026, 11, 17), "channel": "PAID", "visitors": 50, "buyers": 0,
         "gmv": m("10")},
        {"day": date(2026, 11, 18), "channel": "VIDEO", "visitors": 50, "buyers": 0, "gmv": 0},
        {"day": date(2026, 11, 18), "channel": "PAID", "visitors": 10, "buyers": 0, "gmv": 0},
    )
    aff = pd.DataFrame({
        "shop_id": ["s1", "s1"], "create_time": [ts("2026-11-16 08:00"), ts("2026-11-17 08:00")],
        "currency": ["GBP", "GBP"], "actual_paid_commission": pd.array([None, m("1")], "Int64"),
        "estimated_paid_commission": pd.array([m("2"), m("1.5")], "Int64"),
    })
    st = pd.DataFrame({"shop_id": ["s1", "s1"], "order_id": ["o0", "o1"],
                       "settled_time": [ts("2026-11-20 08:00"), None], "currency": ["GBP", "GBP"],
                       "settlement_amount": [m("15"), m("20")]})
    return dict(orders=o, order_lines=ln, refunds=r, ad_report_rows=a, traffic=t,
                affiliate_lines=aff, settlements=st)


def _daily(**overrides):
    frames = _week_frames()
    frames.update(overrides)
    return daily_metrics(shop_tz=TZ, advertiser_shop={"a1": "s1"}, **frames)


def test_week_kpis_computed_by_hand():
    frames = _week_frames()
    fxr = _rates(special={date(2026, 11, 18): "1.2", date(2026, 11, 19): "1.2"})
    buyers = count_buyers(clean_orders(frames["orders"]).valid, W47.start_utc, W47.end_utc)
    k = compute_kpis(_daily(), W47.days, "USD", fxr, buyers=buyers)
    assert (k.gross_gmv, k.refunds, k.net_gmv) == (Decimal("125"), Decimal("60"), Decimal("65"))
    assert (k.orders, k.units, k.buyers) == (3, 6, 2)
    assert k.aov == Decimal("41.6667")
    assert k.refund_rate == pytest.approx(0.48)
    assert k.settled_revenue == Decimal("18.75")
    assert k.commission_cost == Decimal("3.75")
    assert (k.spend, k.impressions, k.clicks, k.purchases) == (Decimal("25"), 4000, 60, 2)
    assert k.purchase_value == Decimal("50")
    assert k.ctr == pytest.approx(0.015)
    assert (k.cpc, k.cpm, k.cpa) == (Decimal("0.4167"), Decimal("6.25"), Decimal("12.5"))
    assert k.visitors == 460 and k.cvr == pytest.approx(3 / 460)
    assert k.paid_share == pytest.approx(0.3)
    assert k.ads_net_revenue == Decimal("19.5")
    assert k.roas_platform == pytest.approx(2.0)
    assert k.roas_true == pytest.approx(0.78)
    assert k.roas_blended == pytest.approx(2.6)


def test_rates_are_ratios_of_sums_not_averages_of_daily_rates():
    a = ads({"day": date(2026, 11, 16), "spend": m("1"), "impressions": 100, "clicks": 10},
            {"day": date(2026, 11, 17), "spend": m("1"), "impressions": 900, "clicks": 10})
    k = compute_kpis(_daily(ad_report_rows=a), W47.days, "GBP", _rates())
    assert k.ctr == pytest.approx(20 / 1000)  # the mean of daily CTRs would be 0.0556


def test_no_spend_and_dash_metrics_are_not_computable():
    dashes = ads({"day": date(2026, 11, 16)})
    k = compute_kpis(_daily(ad_report_rows=dashes), W47.days, "GBP", _rates())
    assert k.spend is None and k.impressions is None
    assert (k.roas_platform, k.roas_true, k.roas_blended, k.ctr, k.cpc, k.cpm) == (None,) * 6
    zero = ads({"day": date(2026, 11, 16), "spend": 0, "impressions": 0, "clicks": 0,
                "purchases": 0, "purchase_value": 0})
    k = compute_kpis(_daily(ad_report_rows=zero), W47.days, "GBP", _rates())
    assert k.spend == Decimal("0") and k.impressions == 0
    assert (k.roas_platform, k.roas_blended, k.ctr, k.cpc, k.cpm, k.cpa) == (None,) * 6


def test_zero_traffic_gives_no_cvr_and_true_roas_falls_back_to_platform_revenue():
    t = traffic({"day": date(2026, 11, 16), "visitors": 0, "buyers": 0, "gmv": 0})
    k = compute_kpis(_daily(traffic=t), W47.days, "GBP", _rates())
    assert k.visitors == 0 and k.cvr is None and k.paid_share is None
    # No PAID channel to share GMV by: the platform's claimed revenue with the store's refund
    # share removed (40 x 50/100 = 20) over the spend of 20.
    assert k.ads_net_revenue == Decimal("20") and k.roas_true == pytest.approx(1.0)


def test_true_roas_fallback_never_credits_ads_with_more_than_the_shop_sold():
    o = orders({"order_id": "a", "sub_total": m("30")})
    r = refunds({"order_id": "a", "refund_amount": m("10")})
    a = ads({"day": date(2026, 11, 16), "spend": m("10"), "impressions": 1000, "clicks": 10,
             "purchases": 5, "purchase_value": m("90")})
    t = traffic({"day": date(2026, 11, 16), "visitors": 100, "buyers": 1, "gmv": m("30")})
    k = compute_kpis(_daily(orders=o, refunds=r, ad_report_rows=a, traffic=t), W47.days, "GBP",
                     _rates())
    assert k.roas_platform == pytest.approx(9.0)  # what the platform claims
    assert k.ads_net_revenue == Decimal("20")  # 90 x 20/30 = 60, capped at net GMV 20
    assert k.roas_true == pytest.approx(2.0)


def test_all_orders_refunded():
    o = orders({"order_id": "a", "sub_total": m("10")}, {"order_id": "b", "sub_total": m("30")})
    r = refunds({"order_id": "a", "refund_amount": m("10")},
                {"order_id": "b", "refund_amount": m("30")})
    daily = daily_metrics(shop_tz=TZ, orders=o, refunds=r)
    k = compute_kpis(daily, W47.days, "GBP", _rates())
    assert (k.gross_gmv, k.net_gmv, k.refund_rate) == (Decimal("40"), Decimal("0"), 1.0)
    assert k.spend is None and k.visitors is None and k.units == 0  # no lines given


def test_empty_week_is_zero_sales_and_unknown_ads():
    k = compute_kpis(_daily(), week_window("Europe/London", "2026-W40").days, "GBP", _rates())
    assert (k.gross_gmv, k.orders, k.aov, k.refund_rate) == (Decimal("0"), 0, None, None)
    assert k.spend is None


def test_missing_fx_rate_is_an_error_naming_day_and_currency():
    fxr = FxRates.from_frame(fx(*[(d, "GBP", "USD", "1.25") for d in W47.days
                                  if d != date(2026, 11, 18)]))
    with pytest.raises(MissingFxRate, match="GBP->USD for 2026-11-18"):
        compute_kpis(_daily(), W47.days, "USD", fxr)


def test_dst_week_assigns_orders_by_local_time():
    o = orders({"paid_time": "2026-10-18 23:30", "sub_total": m("1")},  # Mon 19 Oct 00:30 BST
               {"paid_time": "2026-10-25 23:30", "sub_total": m("2")},  # Sun 25 Oct 23:30 GMT
               {"paid_time": "2026-10-26 00:30", "sub_total": m("4")})  # Mon 26 Oct (W44)
    w43 = week_window("Europe/London", "2026-W43")
    rates = FxRates({})
    k = compute_kpis(daily_metrics(shop_tz=TZ, orders=o), w43.days, "GBP", rates)
    assert (k.orders, k.gross_gmv) == (2, Decimal("3"))
    la = {"s1": "America/Los_Angeles"}
    o = orders({"paid_time": "2026-11-02 07:30", "sub_total": m("1")},  # Sun 1 Nov 23:30 PST
               {"paid_time": "2026-10-26 06:30", "sub_total": m("2")})  # Sun 25 Oct 23:30 PDT
    w44 = week_window("America/Los_Angeles", "2026-W44")
    k = compute_kpis(daily_metrics(shop_tz=la, orders=o), w44.days, "GBP", rates)
    assert (k.orders, k.gross_gmv) == (1, Decimal("1"))


def _weekly_orders(weeks: int, last_monday=date(2026, 11, 16), per_week=None):
    rows = []
    for i in range(weeks):
        monday = last_monday - timedelta(7 * i)
        n = per_week(i) if per_week else 2
        for j in range(n):
            rows.append({"order_id": f"w{i}_{j}", "paid_time": f"{monday} 12:00",
                         "sub_total": m("10")})
    return orders(*rows)


def test_single_week_of_history_has_no_references():
    daily = daily_metrics(shop_tz=TZ, orders=_weekly_orders(1))
    report = weekly_report(daily, W47, "GBP", FxRates({}), targets={"gross_gmv": Decimal("40")})
    assert report.current.orders == 2
    assert (report.previous, report.baseline_4w, report.baseline_52w, report.year_ago) == (
        None, None, None, None)
    assert report.change("orders").pct is None
    (progress,) = report.targets
    assert (progress.progress, progress.met) == (0.5, False)


def test_previous_week_and_baselines():
    # this week 6 orders; the 4 weeks before: 2, 4, 6, 8 orders; older weeks: 1 each
    counts = {0: 6, 1: 2, 2: 4, 3: 6, 4: 8}
    history = _weekly_orders(60, per_week=lambda i: counts.get(i, 1))
    daily = daily_metrics(shop_tz=TZ, orders=history)
    report = weekly_report(daily, W47, "GBP", FxRates({}),
                           targets={"refund_rate": 0.05, "orders": 5})
    assert report.previous is not None and report.previous.orders == 2
    assert isinstance(report.baseline_4w, Baseline) and report.baseline_4w.weeks == 4
    assert report.baseline_4w.value("orders") == 5.0
    assert report.baseline_4w.value("gross_gmv") == Decimal("50")
    assert report.baseline_4w.value("aov") == Decimal("10")  # pooled ratio, not divided
    assert report.baseline_4w.value("buyers") is None
    assert report.baseline_52w is not None and report.baseline_52w.weeks == 52
    assert report.baseline_52w.value("orders") == pytest.approx((20 + 48) / 52)
    assert report.year_ago is not None and report.year_ago.orders == 1
    change = report.change("orders", "4w")
    assert (change.delta, change.pct, change.good) == (1.0, 0.2, True)
    assert report.change("orders").pct == 2.0
    met = {t.metric: t.met for t in report.targets}
    assert met == {"refund_rate": True, "orders": True}  # 0 refunds: rate 0.0 <= 0.05 target


def test_history_start_limits_baselines_to_full_weeks():
    daily = daily_metrics(shop_tz=TZ, orders=_weekly_orders(3))
    report = weekly_report(daily, W47, "GBP", FxRates({}), history_start=date(2026, 11, 3))
    assert report.baseline_4w is not None and report.baseline_4w.weeks == 1


def test_sources_without_some_columns_just_lack_those_metrics():
    t = traffic({"day": date(2026, 11, 16), "visitors": 50}).drop(columns=["buyers", "gmv"])
    k = compute_kpis(_daily(traffic=t), W47.days, "USD", _rates())
    assert k.visitors == 50 and k.cvr is None and k.paid_share is None


def test_tenant_and_region_groups_convert_each_store_day():
    o = orders({"order_id": "g1", "sub_total": m("20")},
               {"shop_id": "s2", "order_id": "t1", "currency": "THB", "sub_total": m("350"),
                "paid_time": "2026-11-16 03:00"},
               {"shop_id": "s2", "order_id": "t2", "currency": "THB", "sub_total": m("1"),
                "paid_time": "2026-11-17 03:00"})
    tz = {"s1": "Europe/London", "s2": "Asia/Bangkok"}
    daily = daily_metrics(shop_tz=tz, orders=o)
    rates = FxRates.from_frame(fx(*[(d, "GBP", "USD", "1.25") for d in W47.days],
                                  *[(d, "USD", "THB", "35") for d in W47.days]))
    groups = {"s1": "GB", "s2": "TH"}
    by_region = reports_by_group(daily, W47, "USD", rates, groups)
    assert by_region["GB"].current.gross_gmv == Decimal("25")
    # 350 THB + 1 THB at 35 THB per USD: 10 + 0.0285714... = 10.0286 (rounded once, at the end)
    assert by_region["TH"].current.gross_gmv == Decimal("10.0286")
    tenant = reports_by_group(daily, W47, "USD", rates, {"s1": "t", "s2": "t"})["t"]
    assert tenant.current.gross_gmv == Decimal("35.0286") and tenant.current.orders == 3
    assert tenant.scope == "t" and tenant.week == "2026-W47"
    thb = compute_kpis(daily, W47.days, "THB", rates, shop_ids=["s2"])
    assert thb.gross_gmv == Decimal("351")  # its own currency: no conversion at all


def test_true_roas_sums_each_stores_own_attribution():
    frames = _week_frames()
    a2 = frames["ad_report_rows"].assign(advertiser_id="a2")  # a second store, same ads
    o2 = frames["orders"].assign(shop_id="s2")
    daily = pd.concat([
        _daily(),
        daily_metrics(shop_tz={"s2": "Europe/London"}, orders=o2, ad_report_rows=a2,
                      advertiser_shop={"a2": "s2"}),
    ])
    fxr = _rates(special={date(2026, 11, 18): "1.2", date(2026, 11, 19): "1.2"})
    k = compute_kpis(daily, W47.days, "USD", fxr)
    assert k.spend == Decimal("50")  # both stores' spend
    # s1 by its PAID-channel share (19.5); s2 has no shop traffic, so the platform's claimed
    # 40 GBP (50 USD) counts, with no refunds to remove and well under its net GMV.
    assert k.ads_net_revenue == Decimal("69.5")
    assert k.roas_true == pytest.approx(69.5 / 50)
    assert k.roas_blended == pytest.approx(float(k.net_gmv) / 50)


def test_cvr_uses_product_page_views_where_the_source_reports_no_visitors():
    t = traffic({"day": date(2026, 11, 16), "visitors": None, "page_views": 200, "buyers": 4,
                 "gmv": m("10")},
                {"day": date(2026, 11, 17), "visitors": None, "page_views": 600, "buyers": 4,
                 "gmv": m("10")})
    k = compute_kpis(_daily(traffic=t), W47.days, "GBP", _rates())
    assert k.visitors is None
    assert k.cvr == pytest.approx(8 / 800)  # Σ buyers / Σ page views, not a mean of daily rates
