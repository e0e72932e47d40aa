"""Business and coverage rules on rollup rows: a CVR collapse, a spend spike, ROAS under target for
two days, a hole in the ads report; each judged against the store's own history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from config.tenants import Targets
from jobs.alerts.business_rules import check_business
from jobs.alerts.coverage_rules import check_ad_coverage
from jobs.alerts.evaluate import evaluate_tenant
from jobs.alerts.subjects import tenant_subjects
from jobs.warehouse.schema import ad_daily, shop_daily, shop_traffic_daily, sync_cursors
from tests.alerts.conftest import (
    ADVERTISER_ID,
    SHOP_ID,
    SLACK_CHANNEL,
    alert_setup,
    make_tenant,
    seed_tenant,
)

LAST = date(2026, 11, 20)
DAYS = [LAST - timedelta(days=i) for i in range(35, -1, -1)]
STAMP = datetime(2026, 11, 21, tzinfo=UTC)


def store_days(engine, last_orders: int = 100, visitors: int = 5000) -> None:
    """35 ordinary days of 100 orders x GBP 20 from 5,000 visitors, then the last day."""
    rows, traffic = [], []
    for day in DAYS:
        n = last_orders if day == LAST else 100
        rows.append({"shop_id": SHOP_ID, "day": day, "currency": "GBP", "orders": n, "units": n,
                     "buyers": n, "gross_gmv": Decimal(20 * n), "refunds": 0,
                     "refund_amount": Decimal(0), "settled_orders": 0,
                     "settled_revenue": Decimal(0), "refreshed_at": STAMP})
        traffic.append({"shop_id": SHOP_ID, "day": day, "channel": "ALL", "visitors": visitors,
                        "page_views": visitors, "currency": "GBP"})
    with engine.begin() as conn:
        conn.execute(shop_daily.insert(), rows)
        conn.execute(shop_traffic_daily.insert(), traffic)


def ad_days(engine, spend: dict[date, int], value_per_spend: float = 4.0,
            skip: date | None = None) -> None:
    rows = [{"advertiser_id": ADVERTISER_ID, "day": day, "campaign_id": "c1",
             "campaign_name": "Always on", "currency": "GBP", "spend": Decimal(s),
             "impressions": s * 200, "clicks": s * 2, "purchases": s // 10,
             "purchase_value": Decimal(str(round(s * value_per_spend, 2)))}
            for day, s in spend.items() if day != skip]
    with engine.begin() as conn:
        conn.execute(ad_daily.insert(), rows)


def business(engine, tenant=None) -> dict[str, object]:
    tenant = tenant or make_tenant()
    with engine.connect() as conn:
        return {(f.kind, f.subject_id): f for f in check_business(conn, tenant, STAMP)}


def test_a_gmv_drop_driven_by_conversion_is_a_cvr_collapse(engine, senders, slack):
    seed_tenant(engine)
    store_days(engine, last_orders=40)
    found = business(engine)
    collapse = found[("cvr_collapse", SHOP_ID)]
    assert collapse.failing and collapse.severity == "high"
    assert not found[("gmv_drop", SHOP_ID)].failing  # one anomaly, one kind
    evaluate_tenant(alert_setup(engine, senders), make_tenant(), now=STAMP)
    [message] = slack.top_level(SLACK_CHANNEL)
    assert message.text.startswith("🔴 Conversion rate collapsed")
    assert "Gross GMV of Acme UK on 2026-11-20: 800.00, usually 2,000.00 (-60%)" in message.text


def test_an_ordinary_day_raises_nothing(engine):
    seed_tenant(engine)
    store_days(engine)
    ad_days(engine, {d: 100 for d in DAYS})
    assert [key for key, f in business(engine).items() if f.failing] == []


def test_spend_spike_and_roas_below_target_for_two_days(engine):
    seed_tenant(engine)
    store_days(engine)
    spend = {d: 100 for d in DAYS}
    spend[LAST] = 400
    ad_days(engine, spend, value_per_spend=2.0)
    tenant = make_tenant(targets=Targets(roas=Decimal("3"), break_even_roas=Decimal("2.5")))
    found = business(engine, tenant)
    assert found[("spend_spike", SHOP_ID)].failing
    roas = found[("roas_below_target", SHOP_ID)]
    assert roas.failing and roas.severity == "high"  # under break-even: ads lose money
    assert "below the target 3 for 2 days" in roas.facts["description_en"]


def test_business_alerts_below_the_tenants_severity_stay_quiet(engine, senders, slack):
    seed_tenant(engine)
    store_days(engine)
    ad_days(engine, {d: 100 for d in DAYS}, value_per_spend=2.8)  # under 3, above break-even
    targets = Targets(roas=Decimal("3"), break_even_roas=Decimal("2.5"))
    evaluate_tenant(alert_setup(engine, senders),
                    make_tenant(targets=targets, alert_min_severity="high"), now=STAMP)
    assert slack.top_level(SLACK_CHANNEL) == []
    evaluate_tenant(alert_setup(engine, senders), make_tenant(targets=targets), now=STAMP)
    assert slack.top_level(SLACK_CHANNEL)[0].text.startswith("🔴 ROAS below target")


def test_a_hole_in_the_ads_report_but_not_a_pause(engine):
    seed_tenant(engine)
    with engine.begin() as conn:  # the ads sync says every day through LAST is complete
        conn.execute(sync_cursors.insert().values(source="ads_campaign", subject_id=ADVERTISER_ID,
                                                  latest_complete_day=LAST, updated_at=STAMP))
    hole = LAST - timedelta(days=1)
    ad_days(engine, {d: 100 for d in DAYS}, skip=hole)
    with engine.connect() as conn:
        [found] = check_ad_coverage(conn, "acme", tenant_subjects(conn, "acme"))
    assert found.failing and found.facts["empty_days"] == [hole.isoformat()]
    with engine.begin() as conn:
        conn.execute(ad_daily.delete().where(ad_daily.c.day == LAST))  # paused since: no hole
    with engine.connect() as conn:
        [found] = check_ad_coverage(conn, "acme", tenant_subjects(conn, "acme"))
    assert not found.failing
