"""The weekly report from rollups: KPIs per store (its own currency, the reporting one beside) and
tenant, FX per day, DST weeks, JSON."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from warehouse_rows import add_ad_day, add_order, add_rates, add_refund, seed_stores

from analytics.fx import MissingRates
from config.tenants import Store, Targets, Tenant
from jobs.report.build import build_weekly_report
from jobs.report.model import WeeklyReport
from jobs.warehouse.queries import store_kpis
from jobs.warehouse.rollups import rebuild_rollups, refresh_ad_rollups
from jobs.warehouse.schema import fx_rates

TENANT = Tenant(
    id="acme", name="Acme", reporting_currency="USD",
    stores=(Store(shop_id="uk1", region="GB", advertiser_ids=("adv-uk1",)),
            Store(shop_id="us1", region="US")),
    targets=Targets(weekly_gmv=Decimal("200"), roas=Decimal("3")),
)
W46, W47 = date(2026, 11, 9), date(2026, 11, 16)


def _days(first: date, n: int) -> list[date]:
    return [first + timedelta(i) for i in range(n)]


def _seed(conn, rates=None):
    seed_stores(conn)
    add_order(conn, "uk1", "a1", "2026-11-10 12:00", "40.00", buyer="b1")  # W46
    add_order(conn, "uk1", "a2", "2026-11-16 12:00", "50.00", buyer="b1", lines=2)
    add_order(conn, "uk1", "a3", "2026-11-18 12:00", "30.00", buyer="b2")
    add_order(conn, "uk1", "a4", "2026-11-18 13:00", "30.00", buyer="b1")
    add_order(conn, "us1", "u1", "2026-11-17 05:00", "100.00", buyer="x")  # LA: 16 Nov
    add_order(conn, "us1", "u2", "2026-11-23 07:00", "999.00", buyer="y")  # LA: 22 Nov 23:00
    add_order(conn, "us1", "u3", "2026-11-24 09:00", "5.00", buyer="y")  # W48
    add_refund(conn, "uk1", "r1", "a1", "2026-11-19 09:00", "40.00")  # W46 order, W47 refund
    add_ad_day(conn, "uk1", W47, "10.00", 2000, 40, 3, "60.00")
    add_ad_day(conn, "uk1", W47 + timedelta(1), "10.00", 2000, 20, 1, "20.00")
    add_ad_day(conn, "uk1", W46, "5.00", 500, 5, 1, "10.00")
    for shop in ("uk1", "us1"):
        rebuild_rollups(conn, shop)
    refresh_ad_rollups(conn, "adv-uk1", _days(W46, 14))
    add_rates(conn, _days(date(2026, 11, 1), 30), rates or {"GBP": "1.25"})


def test_store_and_tenant_kpis_for_the_week(engine):
    with engine.begin() as conn:
        _seed(conn)
    report = build_weekly_report(engine, TENANT, "2026-W47", insights=False)
    own = report.store("uk1").kpis  # in GBP, as Seller Center shows it
    assert (own.current.currency, own.current.gross_gmv, own.current.net_gmv) == (
        "GBP", Decimal("110.0000"), Decimal("70.0000"))
    assert own.current.spend == Decimal("20.0000") and own.previous.gross_gmv == Decimal("40.0000")
    assert report.store("uk1").history[-1].kpis == own.current
    uk, us = report.store("uk1").reporting, report.store("us1").kpis  # both in USD
    assert report.store("us1").reporting is None  # a USD store needs nothing beside
    assert (uk.current.gross_gmv, uk.current.orders, uk.current.units) == (
        Decimal("137.5000"), 3, 4)  # 110 GBP at 1.25
    assert uk.current.refunds == Decimal("50.0000")  # the W46 order's refund lands in W47
    assert uk.current.net_gmv == Decimal("87.5000")
    assert uk.current.buyers == 2
    assert (uk.current.spend, uk.current.clicks, uk.current.roas_platform) == (
        Decimal("25.0000"), 60, 4.0)
    assert uk.previous.gross_gmv == Decimal("50.0000") and uk.previous.spend == Decimal("6.2500")
    assert (us.current.gross_gmv, us.current.orders, us.current.spend) == (
        Decimal("1099.0000"), 2, None)
    total = report.total.current
    assert total.gross_gmv == Decimal("1236.5000") and total.orders == 5 and total.buyers == 4
    assert total.roas_blended == pytest.approx(float(Decimal("1186.5") / Decimal("25")))
    progress = {t.metric: t for t in report.total.targets}
    assert progress["gross_gmv"].met is True and progress["roas_platform"].met is True
    assert [w.week for w in report.total_history][-2:] == ["2026-W46", "2026-W47"]
    assert report.total_history[-1].kpis == total


def test_each_day_is_converted_at_its_own_rate(engine):
    with engine.begin() as conn:
        _seed(conn)
        conn.execute(update(fx_rates).where(fx_rates.c.day == date(2026, 11, 18))
                     .values(rate=Decimal("2")))
    report = build_weekly_report(engine, TENANT, "2026-W47", insights=False)
    uk = report.store("uk1").reporting.current
    assert uk.gross_gmv == Decimal("182.5000")  # 50 x 1.25 + 60 x 2
    assert report.store("uk1").kpis.current.gross_gmv == Decimal("110.0000")  # GBP, no rate


def test_a_missing_rate_names_the_day_and_currency(engine):
    with engine.begin() as conn:
        seed_stores(conn)
        add_order(conn, "uk1", "a1", "2026-11-18 12:00", "30.00")
        rebuild_rollups(conn, "uk1")
        add_rates(conn, [date(2026, 11, 19)], {"GBP": "1.25"})  # only after the order's day
    report = build_weekly_report(engine, TENANT, "2026-W47")  # no MissingFxRate: a partial report
    assert report.total is None and report.total_history == ()
    assert report.missing_fx == (MissingRates("GBP", "USD", date(2026, 11, 18),
                                              date(2026, 11, 18), 1),)
    uk = report.store("uk1")
    assert uk.kpis.current.gross_gmv == Decimal("30.0000") and uk.reporting is None


def test_dst_week_counts_local_monday_to_monday(engine):
    # London leaves summer time on Sunday 25 Oct 2026: week 43 lasts 169 hours.
    with engine.begin() as conn:
        seed_stores(conn)
        add_order(conn, "uk1", "before", "2026-10-18 22:30", "1.00")  # 23:30 BST Sun: W42
        add_order(conn, "uk1", "first", "2026-10-18 23:30", "2.00")  # 00:30 BST Mon: W43
        add_order(conn, "uk1", "last", "2026-10-25 23:30", "4.00")  # 23:30 GMT Sun: W43
        add_order(conn, "uk1", "after", "2026-10-26 00:30", "8.00")  # 00:30 GMT Mon: W44
        rebuild_rollups(conn, "uk1")
        add_rates(conn, _days(date(2026, 10, 10), 30), {"GBP": "1"})
    uk = build_weekly_report(engine, TENANT, "2026-W43", insights=False).store("uk1")
    assert (uk.first_day, uk.last_day) == (date(2026, 10, 19), date(2026, 10, 25))
    assert uk.kpis.current.gross_gmv == Decimal("6.0000") and uk.kpis.current.orders == 2
    assert uk.history[-2].week == "2026-W42"
    assert uk.history[-2].kpis.gross_gmv == Decimal("1.0000")
    kpis = store_kpis(engine, "uk1", date(2026, 10, 26), date(2026, 11, 1))
    assert kpis.gross_gmv == Decimal("8.0000") and kpis.currency == "GBP"


def test_store_kpis_answers_from_rollups_in_any_currency(engine):
    with engine.begin() as conn:
        _seed(conn)
    local = store_kpis(engine, "uk1", W47, W47 + timedelta(6), advertiser_ids=("adv-uk1",))
    usd = store_kpis(engine, "uk1", W47, W47 + timedelta(6), currency="USD")
    assert (local.gross_gmv, local.refunds, local.buyers, local.cpc) == (
        Decimal("110.0000"), Decimal("40.0000"), 2, Decimal("0.3333"))
    assert usd.gross_gmv == Decimal("137.5000") and usd.spend == Decimal("25.0000")
    three_days = store_kpis(engine, "uk1", W47 + timedelta(1), W47 + timedelta(3))
    assert (three_days.orders, three_days.buyers) == (2, 2)


def test_report_json_round_trips_exactly(engine):
    with engine.begin() as conn:
        _seed(conn, rates={"GBP": "1.2734"})
    report = build_weekly_report(engine, TENANT, "2026-W47")
    text = report.to_json()
    again = WeeklyReport.from_json(text)
    assert again == report
    assert again.to_json() == text
    assert '"gross_gmv":"140.0740"' in text  # 110 GBP x 1.2734; Decimals travel as strings
    assert isinstance(again.store("uk1").kpis.current.net_gmv, Decimal)
    with pytest.raises(KeyError, match="nope"):
        again.store("nope")


def test_a_report_reads_one_snapshot_while_a_sync_writes(engine):
    from sqlalchemy import func, select

    from jobs.report.build import snapshot_connection
    from jobs.warehouse.schema import orders

    with engine.begin() as conn:
        seed_stores(conn)
        add_order(conn, "uk1", "a1", "2026-11-16 12:00", "1.00")
    count = select(func.count()).select_from(orders)
    with snapshot_connection(engine) as reader:
        assert reader.execute(count).scalar_one() == 1
        with engine.begin() as writer:  # a sync page commits mid-report
            add_order(writer, "uk1", "a2", "2026-11-16 13:00", "1.00")
        assert reader.execute(count).scalar_one() == 1
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == 2
