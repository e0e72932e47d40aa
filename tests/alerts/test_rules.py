"""The data rules on warehouse rows: empty days, reconciliation, failing syncs, late sources,
expiring authorizations; and quiet hours end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from jobs.alerts.auth_rules import check_authorizations
from jobs.alerts.evaluate import evaluate_tenant
from jobs.alerts.freshness_rules import check_freshness, check_sync_runs
from jobs.alerts.order_rules import check_orders
from jobs.alerts.subjects import tenant_subjects
from jobs.warehouse.schema import job_runs, orders, shop_traffic_daily, sync_cursors
from tests.alerts.conftest import SHOP_ID, SLACK_CHANNEL, alert_setup, make_tenant, seed_tenant

LONDON = ZoneInfo("Europe/London")
LAST = date(2026, 11, 22)  # last complete local day
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def add_orders(engine, per_day: dict[date, int]) -> None:
    rows, n = [], 0
    for day, count in per_day.items():
        for i in range(count):
            n += 1
            paid = datetime.combine(day, time(10, i % 60), LONDON)
            rows.append({"shop_id": SHOP_ID, "order_id": f"o{n}", "status": "COMPLETED",
                         "create_time": paid, "update_time": paid, "paid_time": paid,
                         "currency": "GBP", "sub_total": Decimal("10"),
                         "total_amount": Decimal("10"), "ingested_at": paid})
    with engine.begin() as conn:
        if rows:
            conn.execute(orders.insert(), rows)


def set_cursor(engine, source: str, through: date, subject: str = SHOP_ID) -> None:
    with engine.begin() as conn:
        conn.execute(sync_cursors.insert().values(source=source, subject_id=subject,
                                                  latest_complete_day=through, updated_at=NOW))


def findings(engine, rule, *args):
    with engine.connect() as conn:
        return {f.kind: f for f in rule(conn, "acme", tenant_subjects(conn, "acme"), *args)}


def month(last_count: int, before: int = 8) -> dict[date, int]:
    days = {LAST - timedelta(days=i): before for i in range(1, 30)}
    return {**days, LAST: last_count}


def test_a_day_without_orders_in_a_shop_that_always_has_some(engine):
    seed_tenant(engine)
    add_orders(engine, month(last_count=0))
    set_cursor(engine, "orders", LAST)
    found = findings(engine, check_orders)["no_orders"]
    assert found.failing and found.facts["empty_days"] == ["2026-11-22"]
    assert found.facts["usual_daily_orders"] == 8


def test_an_empty_day_is_normal_for_a_shop_that_often_has_none(engine):
    seed_tenant(engine)
    sparse = {d: (0 if i % 3 == 0 else 4) for i, d in enumerate(month(0))}
    add_orders(engine, sparse)
    set_cursor(engine, "orders", LAST)
    assert not findings(engine, check_orders)["no_orders"].failing


def test_orders_that_do_not_reconcile_with_shop_analytics(engine):
    seed_tenant(engine)
    add_orders(engine, month(last_count=8))
    set_cursor(engine, "orders", LAST)
    with engine.begin() as conn:
        conn.execute(shop_traffic_daily.insert(), [
            {"shop_id": SHOP_ID, "day": LAST - timedelta(days=i), "channel": "ALL",
             "orders": reported, "currency": "GBP"} for i, reported in enumerate([8] * 6 + [20])])
    gap = findings(engine, check_orders)["reconciliation_gap"]
    assert gap.failing and gap.facts["orders_stored"] == 56 and gap.facts["orders_reported"] == 68
    with engine.begin() as conn:
        conn.execute(shop_traffic_daily.update().where(shop_traffic_daily.c.orders == 20)
                     .values(orders=9))
    assert not findings(engine, check_orders)["reconciliation_gap"].failing  # within tolerance


def test_three_failed_runs_in_a_row_make_a_failing_sync(engine):
    seed_tenant(engine)
    start = NOW - timedelta(hours=10)
    with engine.begin() as conn:
        for i, status in enumerate(["ok", "failed", "failed", "failed"]):
            conn.execute(job_runs.insert().values(
                kind="sync_shop", subject_id=SHOP_ID, started_at=start + timedelta(hours=i),
                status=status, error="HTTP 503" if status == "failed" else None))
    found = findings(engine, check_sync_runs)["sync_failing"]
    assert found.failing and found.subject_id == f"sync_shop:{SHOP_ID}"
    assert found.facts["last_error"] == "HTTP 503"
    with engine.begin() as conn:
        conn.execute(job_runs.insert().values(kind="sync_shop", subject_id=SHOP_ID,
                                              started_at=NOW, status="ok"))
    assert not findings(engine, check_sync_runs)["sync_failing"].failing


def test_a_source_is_late_only_beyond_its_normal_lag(engine):
    seed_tenant(engine)
    set_cursor(engine, "orders", LAST - timedelta(days=1))  # 2 days old: normal lag + grace
    set_cursor(engine, "affiliate", LAST - timedelta(days=3))  # affiliate data lags 3 days
    assert not findings(engine, check_freshness, NOW)["source_late"].failing
    with engine.begin() as conn:
        conn.execute(sync_cursors.update().where(sync_cursors.c.source == "orders")
                     .values(latest_complete_day=LAST - timedelta(days=2)))
    late = findings(engine, check_freshness, NOW)["source_late"]
    assert late.failing and late.facts["source"] == "orders" and late.facts["age_days"] == 3


def test_a_refresh_token_close_to_expiry_warns_ahead(engine):
    seed_tenant(engine, refresh_expires_at=NOW + timedelta(days=10))
    with engine.connect() as conn:
        kinds = {f.kind: f for f in check_authorizations(conn, "acme", NOW)}
    assert not kinds["auth_expiring"].failing
    with engine.connect() as conn:
        kinds = {f.kind: f for f in check_authorizations(conn, "acme", NOW + timedelta(days=4))}
    assert kinds["auth_expiring"].failing and kinds["auth_expiring"].facts["days_left"] == 6
    with engine.connect() as conn:
        kinds = {f.kind: f for f in check_authorizations(conn, "acme", NOW + timedelta(days=11))}
    assert kinds["auth_broken"].failing and kinds["auth_broken"].reason == "expired"
    assert not kinds["auth_expiring"].failing  # one problem, one alert


def test_quiet_hours_in_the_tenants_zone_hold_non_urgent_alerts(engine, senders, slack):
    seed_tenant(engine)
    set_cursor(engine, "orders", LAST - timedelta(days=5))
    tenant = make_tenant(quiet_hours=(22, 8))  # Asia/Shanghai
    setup = alert_setup(engine, senders)
    evaluate_tenant(setup, tenant, now=datetime(2026, 11, 23, 15, 30, tzinfo=UTC))  # 23:30 local
    evaluate_tenant(setup, tenant, now=datetime(2026, 11, 23, 23, 50, tzinfo=UTC))  # 07:50 local
    assert slack.top_level(SLACK_CHANNEL) == []
    evaluate_tenant(setup, tenant, now=datetime(2026, 11, 24, 0, 5, tzinfo=UTC))  # 08:05 local
    [message] = slack.top_level(SLACK_CHANNEL)
    assert message.text.startswith("🔴 Data is late")
    # complete through 17 Nov, lag 1 + grace 1: late from 20 Nov 00:00 London = 08:00 Shanghai
    assert "Since: 2026-11-20 08:00 (Asia/Shanghai), 96 h ago" in message.text
