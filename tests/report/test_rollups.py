"""Daily rollups: cleaning rules per day, local days, late refunds, only touched days recomputed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from warehouse_rows import add_ad_day, add_order, add_refund, seed_stores

from jobs.warehouse.rollups import (
    rebuild_rollups,
    refresh_ad_rollups,
    refresh_rollups,
)
from jobs.warehouse.schema import (
    ad_daily,
    orders,
    shop_daily,
    shop_daily_exclusions,
    shop_week_buyers,
)
from jobs.warehouse.touched import touched_days

NOV16 = date(2026, 11, 16)


def _daily(conn, shop_id="uk1"):
    rows = conn.execute(select(shop_daily).where(shop_daily.c.shop_id == shop_id)
                        .order_by(shop_daily.c.day)).mappings().all()
    return {r["day"]: {k: v for k, v in r.items() if k != "refreshed_at"} for r in rows}


def _seed_week(conn):
    seed_stores(conn)
    add_order(conn, "uk1", "o1", "2026-11-16 10:00", "30.00", buyer="b1", lines=3)
    add_order(conn, "uk1", "o2", "2026-11-16 23:30", "20.00", buyer="b1")
    add_order(conn, "uk1", "o3", "2026-11-17 09:00", "15.50", buyer="b2", lines=2)
    add_order(conn, "uk1", "s1", "2026-11-17 09:00", "0", sample=True)
    add_order(conn, "uk1", "r1", "2026-11-17 09:00", "0", replacement=True)
    add_order(conn, "uk1", "t1", "2026-11-17 09:30", "99.00", message="pls ignore, Test Order")
    add_order(conn, "uk1", "u1", None, "12.00", created="2026-11-18 08:00",
              cancelled="2026-11-19 08:00")
    add_refund(conn, "uk1", "rf1", "o1", "2026-11-19 12:00", "10.00")
    add_refund(conn, "uk1", "rf2", "t1", "2026-11-19 12:00", "99.00")  # a test order's refund
    add_refund(conn, "uk1", "rf3", "o3", None, "15.50", status="PROCESSING")


def test_daily_rows_follow_the_cleaning_rules(engine):
    with engine.begin() as conn:
        _seed_week(conn)
        written = refresh_rollups(conn, "uk1", [NOV16 + timedelta(i) for i in range(7)])
        daily = _daily(conn)
        excluded = {(r.day, r.rule): (r.rows, r.amount)
                    for r in conn.execute(select(shop_daily_exclusions))}
        buyers = conn.execute(select(shop_week_buyers.c.buyers)).scalar_one()
    assert written >= 7
    assert sorted(daily) == [NOV16 + timedelta(i) for i in range(7)]
    mon, tue = daily[NOV16], daily[NOV16 + timedelta(1)]
    assert (mon["orders"], mon["units"], mon["buyers"], mon["gross_gmv"]) == (
        2, 4, 1, Decimal("50.0000"))
    assert (tue["orders"], tue["units"], tue["gross_gmv"]) == (1, 2, Decimal("15.5000"))
    thu = daily[date(2026, 11, 19)]
    assert (thu["refunds"], thu["refund_amount"]) == (1, Decimal("10.0000"))
    assert daily[date(2026, 11, 22)]["orders"] == 0
    assert buyers == 2
    assert excluded == {
        (date(2026, 11, 17), "sample"): (1, Decimal(0)),
        (date(2026, 11, 17), "replacement"): (1, Decimal(0)),
        (date(2026, 11, 17), "test"): (1, Decimal("99.0000")),
        (date(2026, 11, 18), "cancelled_before_payment"): (1, Decimal("12.0000")),
        (date(2026, 11, 19), "refund_order_excluded"): (1, Decimal("99.0000")),
    }


def test_orders_fall_on_the_stores_local_day(engine):
    with engine.begin() as conn:
        seed_stores(conn)
        # 05:00 UTC on the 17th is 21:00 on the 16th in Los Angeles.
        add_order(conn, "us1", "o1", "2026-11-17 05:00", "40.00")
        refresh_rollups(conn, "us1", [NOV16, NOV16 + timedelta(1)])
        daily = _daily(conn, "us1")
    assert daily[NOV16]["gross_gmv"] == Decimal("40.0000")
    assert daily[NOV16 + timedelta(1)]["orders"] == 0


def test_late_refund_moves_net_gmv_on_its_own_day_only(engine):
    with engine.begin() as conn:
        _seed_week(conn)
        rebuild_rollups(conn, "uk1")
        before = _daily(conn)
        add_refund(conn, "uk1", "late", "o2", "2026-12-02 15:00", "20.00")
        days = touched_days(conn, "uk1", refund_ids=["late"])
        refresh_rollups(conn, "uk1", days)
        after = _daily(conn)
    assert days == {date(2026, 12, 2)}
    assert after[date(2026, 12, 2)]["refund_amount"] == Decimal("20.0000")
    assert {d: v for d, v in after.items() if d != date(2026, 12, 2)} == {
        d: v for d, v in before.items() if d != date(2026, 12, 2)}
    assert after[NOV16]["gross_gmv"] == Decimal("50.0000")  # the order's own day is unchanged


def test_refreshing_touched_days_equals_a_full_recompute(engine):
    with engine.begin() as conn:
        _seed_week(conn)
        rebuild_rollups(conn, "uk1")
        add_order(conn, "uk1", "o9", "2026-11-20 11:00", "7.25", buyer="b9")
        conn.execute(update(orders).where(orders.c.order_id == "o3").values(is_sample=True))
        add_refund(conn, "uk1", "rf9", "o2", "2026-11-21 10:00", "5.00")
        days = touched_days(conn, "uk1", order_ids=["o9", "o3"], refund_ids=["rf9"])
        refresh_rollups(conn, "uk1", days)
        incremental = _daily(conn)
        weeks = conn.execute(select(shop_week_buyers)).all()
        conn.execute(shop_daily.delete())
        conn.execute(shop_week_buyers.delete())
        rebuild_rollups(conn, "uk1")
        assert _daily(conn) == incremental
        assert conn.execute(select(shop_week_buyers)).all() == weeks
    assert days == {date(2026, 11, 17), date(2026, 11, 20), date(2026, 11, 21)}
    assert incremental[date(2026, 11, 17)]["orders"] == 0


def test_refresh_is_idempotent_and_leaves_other_days_alone(engine):
    with engine.begin() as conn:
        _seed_week(conn)
        rebuild_rollups(conn, "uk1")
        conn.execute(update(shop_daily).where(shop_daily.c.day == NOV16).values(orders=999))
        refresh_rollups(conn, "uk1", [NOV16 + timedelta(1)])
        refresh_rollups(conn, "uk1", [NOV16 + timedelta(1)])
        daily = _daily(conn)
    assert daily[NOV16]["orders"] == 999  # not a touched day: left as it was
    assert daily[NOV16 + timedelta(1)]["orders"] == 1


def test_ad_rollup_keeps_no_data_apart_from_zero(engine):
    with engine.begin() as conn:
        seed_stores(conn)
        add_ad_day(conn, "uk1", NOV16, "12.50", 1000, 20, 2, "40.00")
        add_ad_day(conn, "uk1", NOV16 + timedelta(1), None, 0, 0, 0, "0")
        refresh_ad_rollups(conn, "adv-uk1", [NOV16, NOV16 + timedelta(1)])
        rows = {r.day: r for r in conn.execute(select(ad_daily))}
    assert rows[NOV16].spend == Decimal("12.5000") and rows[NOV16].clicks == 20
    assert rows[NOV16 + timedelta(1)].spend is None


def test_affiliate_commission_is_the_paid_amount_else_the_estimate():
    import pandas as pd

    from analytics.clean import affiliate_commission

    lines = pd.DataFrame({
        "status": ["COMPLETED", "IN_TRANSIT", "CANCELLED", "COMPLETED", None],
        "quantity": [1, 1, 1, 2, 1],
        "refunded_quantity": [0, 0, 1, 2, 0],
        "actual_paid_commission": pd.array([50_000, 0, 0, 0, None], "Int64"),
        "estimated_paid_commission": pd.array([60_000, 60_000, 60_000, 60_000, 60_000], "Int64"),
    })
    # paid; not yet paid (the API says 0); cancelled; fully refunded; no actual reported
    assert affiliate_commission(lines).tolist() == [50_000, 60_000, 0, 0, 60_000]
