"""The rollups computed in SQL equal, to the unit, the ones pandas computed before.

A seeded random sample of three stores (London and Los Angeles across their autumn DST changes,
Bangkok) holds what the cleaning rules tell apart: samples, replacements, test orders found by
message (mixed case, a marker only Python's case folding finds, a Vietnamese tenant marker) and by
recipient name (padded with Unicode spaces), unpaid and cancelled orders, orders without lines or
buyer, times on both sides of local midnights, refunds in every status (of missing orders, of
test orders, late ones), settlements, affiliate lines of every kind. ``refresh_rollups`` and
``pandas_rollups.refresh_with_pandas`` (the replaced code) must write the same rows for the same
days: all of them, and a scattered set (spans, gaps, lone days) with the default rules.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Connection, Engine, select

from analytics.clean import CleaningRules
from jobs.warehouse import schema as s
from jobs.warehouse.rollups import refresh_rollups
from tests.warehouse.pandas_rollups import refresh_with_pandas

STORES = {"uk": ("GBP", "Europe/London"), "us": ("USD", "America/Los_Angeles"),
          "th": ("THB", "Asia/Bangkok")}
ROLLUPS = (s.shop_daily, s.shop_daily_exclusions, s.affiliate_daily, s.shop_week_buyers)
FIRST = datetime(2026, 10, 12, tzinfo=UTC)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
RULES = CleaningRules(test_message_markers=("TEST ORDER", "ĐƠN THỬ"))
MESSAGES = (None, None, None, "", "please wrap it", "pls ignore, Test Order", "teſt order",
            "đơn thử nhé", "TESTORDER", "100%_off")
NAMES = (None, "Somchai", "Somchai", " TEST ", "TEST\u00a0", "test", "TESTER", "", " ")
REFUND_STATUSES = ("COMPLETED", "completed", "RETURN_OR_REFUND_REQUEST_COMPLETE",
                   "cancellation_request_complete", "PROCESSING", "REJECTED")
LINE_STATUSES = ("COMPLETED", "CANCELLED", "cancelled", None, "IN_TRANSIT")


def _money(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(0, 500_000)) / 100


def _when(rng: random.Random) -> datetime:
    """A time in the six weeks from ``FIRST``, often within two hours of a local midnight."""
    day = FIRST + timedelta(days=rng.randint(0, 41))
    if rng.random() < 0.4:
        return day + timedelta(hours=rng.choice((-8, 0, 5, 7)), seconds=rng.randint(-7200, 7200))
    return day + timedelta(seconds=rng.randint(0, 86399))


def _seed(conn: Connection, rng: random.Random) -> None:
    conn.execute(s.tenants.insert().values(tenant_id="t", name="T", reporting_currency="USD",
                                           language="en", created_at=T0, updated_at=T0))
    for shop, (ccy, zone) in STORES.items():
        conn.execute(s.shops.insert().values(shop_id=shop, tenant_id="t", name=shop,
                                             region="XX", currency=ccy, timezone=zone,
                                             source="api", created_at=T0, updated_at=T0))
        order_ids = [f"{shop}-o{i}" for i in range(300)]
        made = [_order(rng, shop, ccy, oid) for oid in order_ids]
        conn.execute(s.orders.insert(), [order for order, _ in made])
        conn.execute(s.order_lines.insert(), [line for _, lines in made for line in lines])
        refunded = rng.sample(order_ids, 90) + [f"{shop}-missing{i}" for i in range(6)]
        conn.execute(s.refunds.insert(), [{
            "shop_id": shop, "refund_id": f"r-{oid}", "kind": "refund", "order_id": oid,
            "status": rng.choice(REFUND_STATUSES), "create_time": T0, "update_time": T0,
            "completed_time": None if rng.random() < 0.1 else _when(rng), "currency": ccy,
            "refund_amount": _money(rng), "line_ids": []} for oid in refunded])
        conn.execute(s.order_settlements.insert(), [{
            "shop_id": shop, "order_id": oid, "currency": ccy,
            "settled_time": None if rng.random() < 0.1 else _when(rng),
            "settlement_amount": _money(rng)} for oid in rng.sample(order_ids, 120)])
        conn.execute(s.affiliate_order_lines.insert(), [_affiliate_line(rng, shop, ccy, oid, k)
                                                        for oid in rng.sample(order_ids, 80)
                                                        for k in range(rng.randint(1, 2))])


def _order(rng: random.Random, shop: str, ccy: str, oid: str) -> tuple[dict, list[dict]]:
    """An order row and its 0-3 lines."""
    created = _when(rng)
    paid = None if rng.random() < 0.15 else created + timedelta(seconds=rng.randint(0, 7200))
    cancelled = created + timedelta(hours=1) if paid is None and rng.random() < 0.5 else None
    order = dict(
        shop_id=shop, order_id=oid, status="X", create_time=created, update_time=created,
        paid_time=paid, cancel_time=cancelled,
        buyer_id=None if rng.random() < 0.1 else f"b{rng.randint(1, 60)}",
        is_sample=rng.random() < 0.05, is_replacement=rng.random() < 0.05,
        is_exchange=False, buyer_message=rng.choice(MESSAGES), recipient_name=rng.choice(NAMES),
        currency=ccy, sub_total=_money(rng), total_amount=0, source="api", ingested_at=T0)
    return order, [
        {"shop_id": shop, "order_id": oid, "line_id": f"{oid}-{i}", "quantity": rng.randint(1, 3),
         "currency": ccy, "original_price": 1, "sale_price": 1, "is_gift": False}
        for i in range(rng.choice((0, 1, 1, 2, 3)))]


def _affiliate_line(rng: random.Random, shop: str, ccy: str, oid: str, k: int) -> dict:
    quantity = rng.randint(1, 3)
    return {"shop_id": shop, "order_id": oid, "sku_id": f"sku{k}",
            "creator_username": rng.choice(("ann", "bo")), "status": rng.choice(LINE_STATUSES),
            "create_time": _when(rng), "content_type": rng.choice(("VIDEO", "LIVE", None)),
            "quantity": quantity, "currency": ccy, "price": _money(rng),
            "estimated_paid_commission": rng.choice((None, _money(rng))),
            "actual_paid_commission": rng.choice((None, Decimal(0), _money(rng))),
            "refunded_quantity": rng.randint(0, quantity)}


def _rollups(conn: Connection) -> dict[str, list[tuple]]:
    return {t.name: sorted(tuple(str(v) for k, v in r._mapping.items() if k != "refreshed_at")
                           for r in conn.execute(select(t))) for t in ROLLUPS}


def _both(conn: Connection, days: list[date], rules: CleaningRules) -> dict[str, int]:
    """Each shop refreshed by pandas, then by SQL, over ``days``: the same rows and counts.
    Returns the rows per rollup table over all shops."""
    found = dict.fromkeys((t.name for t in ROLLUPS), 0)
    for shop in STORES:
        for table in ROLLUPS:
            conn.execute(table.delete())
        expected = refresh_with_pandas(conn, shop, days, rules=rules)
        before = _rollups(conn)
        for table in ROLLUPS:
            conn.execute(table.delete())
        assert refresh_rollups(conn, shop, days, rules=rules) == expected
        assert _rollups(conn) == before, shop
        for name, rows in before.items():
            found[name] += len(rows)
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_rollups_equal_the_pandas_ones(engine: Engine, seed: int) -> None:
    every_day = [date(2026, 10, 10) + timedelta(i) for i in range(48)]
    scattered = [date(2026, 10, 12), date(2026, 10, 25), date(2026, 10, 26), date(2026, 11, 1),
                 date(2026, 11, 2), date(2026, 11, 20)]
    with engine.begin() as conn:
        _seed(conn, random.Random(seed))
        written = _both(conn, every_day, RULES)
        assert all(written.values()), written
        assert all(_both(conn, scattered, CleaningRules()).values())


def test_sql_rollups_of_days_without_data_are_zeros(engine: Engine) -> None:
    with engine.begin() as conn:
        _seed(conn, random.Random(3))
        written = _both(conn, [date(2027, 3, 1), date(2027, 3, 3)], RULES)
    assert written == {"shop_daily": 6, "shop_daily_exclusions": 0, "affiliate_daily": 0,
                       "shop_week_buyers": 3}
