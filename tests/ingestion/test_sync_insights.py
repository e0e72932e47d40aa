"""Full syncs pull videos/LIVEs, creator profiles and statement settlements exactly as the
simulator serves them, equal to its ground truth, politely (a second run asks for nothing new)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import Engine, select

from jobs.ingestion.cursors import load_cursor
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.sources.ratelimit import RateLimit
from jobs.warehouse import schema as s
from sandbox.finance import order_settlement
from sandbox.regions import money_str
from sandbox.server import Sandbox
from sandbox.shop_analytics import content_gmv
from tests.ingestion.sandbox_env import connect_all, connectors
from tests.report.test_sandbox_report import SMALL

PROFILE = "/affiliate_seller/202406/marketplace_creators/"
TRANSACTIONS = "/statement_transactions"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(config=SMALL, port=0)
    yield sandbox
    sandbox.stop()


def calls(sb: Sandbox, part: str) -> int:
    """Requests the simulator answered on paths containing ``part``."""
    return sum(n for path, n in sb.state.requests.items() if part in path)


def money(minor: int, shop: object) -> Decimal:
    return Decimal(money_str(int(minor), int(shop["exponent"])))  # type: ignore[index]


def test_full_sync_stores_contents_creators_and_settlements_as_the_sandbox_serves_them(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    conns = connectors(sb, engine, redis_url)
    shop_id = connect_all(sb, conns)[0][0]
    now = datetime.fromtimestamp(sb.state.as_of(sb.dataset.shop_row(shop_id)) + 1, UTC)
    summary = run_shop_sync(conns, shop_id, since=SMALL.start, full=True, now=now)
    assert summary.status == "ok"
    check_contents(sb, engine, shop_id, now)
    check_creators(sb, engine, shop_id)
    check_settlements(sb, engine, shop_id)
    with engine.connect() as conn:  # the run log counts every new source
        details = conn.execute(select(s.job_runs.c.details)
                               .where(s.job_runs.c.run_id == summary.run_id)).scalar_one()
    assert {"videos", "lives", "creators", "settlements"} <= set(details["sources"])
    lookups = calls(sb, PROFILE), calls(sb, TRANSACTIONS)
    assert run_shop_sync(conns, shop_id, full=True, now=now).status == "ok"
    # creators are looked up at most once a day; statements' orders only for a new statement
    assert (calls(sb, PROFILE), calls(sb, TRANSACTIONS)) == lookups


def check_contents(sb: Sandbox, engine: Engine, shop_id: str, now: datetime) -> None:
    """Every video and LIVE the shop's creators posted, with features and sales to date."""
    ds, idx = sb.dataset, sb.dataset.shop_row(shop_id)
    c = ds.content
    mine = (ds.creators["shop_idx"].to_numpy()[c["creator_row"].to_numpy()] == idx)
    mine &= c["publish_time"].to_numpy() >= ds.midnights[idx][0]
    mine &= c["publish_time"].to_numpy() < ds.midnights[idx][sb.state.clock_day()]
    sales = content_gmv(sb.state)
    with engine.connect() as conn:
        stored = {r.content_id: r for r in conn.execute(select(s.contents, s.content_daily).join(
            s.content_daily, (s.contents.c.content_id == s.content_daily.c.content_id)))}
    assert set(stored) == {str(x) for x in c["content_id"][mine]}
    shop = ds.shops.iloc[idx]
    for row in np.flatnonzero(mine):
        got, want = stored[str(c["content_id"].iat[row])], c.iloc[row]
        assert got.content_type == ("LIVE" if want["is_live"] else "VIDEO")
        assert got.creator_username == ds.creators["username"].iat[int(want["creator_row"])]
        assert got.posted_at == datetime.fromtimestamp(int(want["publish_time"]), UTC)
        assert (got.duration_s, got.views, got.likes) == (
            want["duration_seconds"], want["views"], want["likes"])
        assert got.music == ("trending" if want["trending_music"] else None)
        if not want["is_live"]:
            assert abs(got.hook_s - want["hook_seconds"]) <= 0.5
        gmv = int(sales["gmv"].get(row, 0))
        assert got.gmv == money(gmv, shop) and got.orders == int(sales["orders"].get(row, 0))
    yesterday = now.astimezone(ZoneInfo(str(shop["timezone"]))).date() - timedelta(days=1)
    for source in ("videos", "lives"):
        assert load_cursor(engine, source, shop_id).latest_complete_day == yesterday


def check_creators(sb: Sandbox, engine: Engine, shop_id: str) -> None:
    """A profile and today's follower count for every creator of the affiliate orders."""
    followers = dict(zip(sb.dataset.creators["username"], sb.dataset.creators["followers"],
                         strict=True))
    with engine.connect() as conn:
        seen = set(conn.execute(select(s.affiliate_order_lines.c.creator_username)).scalars())
        creators = {r.creator_username: r for r in conn.execute(select(s.creators))}
        snaps = conn.execute(select(s.creator_snapshots)).all()
    assert seen and set(creators) == seen
    assert all(creators[n].follower_count == followers[n] for n in seen)
    assert {(x.creator_username, x.follower_count) for x in snaps} == {
        (n, followers[n]) for n in seen}
    cursor = load_cursor(engine, "creators", shop_id)
    assert cursor.latest_complete_day is not None and cursor.resume is None


def test_a_used_up_marketplace_quota_stops_lookups_cleanly_for_the_day(
    sb: Sandbox, sqlite_engine: Engine, redis_url: str
) -> None:
    engine = sqlite_engine  # the quota lives in Redis: one backend is enough
    conns = connectors(sb, engine, redis_url)
    conns.creator_quota = RateLimit(qps=100.0, daily_quota=3)  # search + profile, then one more
    shop_id = connect_all(sb, conns)[0][2]
    before = calls(sb, PROFILE)
    summary = run_shop_sync(conns, shop_id, since=SMALL.start, full=True)
    assert summary.status == "ok"
    assert calls(sb, PROFILE) - before == 3  # exactly the quota: never more
    with engine.connect() as conn:
        assert len(conn.execute(select(s.creators)).all()) == 1
        settled = conn.execute(select(s.order_settlements)).all()
    assert settled  # the steps after the creators still ran
    assert load_cursor(engine, "creators", shop_id).resume["quota_until"] > datetime.now(
        UTC).timestamp()
    again = calls(sb, PROFILE)
    assert run_shop_sync(conns, shop_id, full=True).status == "ok"
    assert calls(sb, PROFILE) == again  # nothing asked until the quota resets


def check_settlements(sb: Sandbox, engine: Engine, shop_id: str) -> None:
    """Every settled order as the sandbox settled it; each statement is the sum of its orders."""
    ds, idx = sb.dataset, sb.dataset.shop_row(shop_id)
    span = ds.shop_orders(idx)
    rows = np.arange(span.start, span.stop)
    settle = ds.orders["settle_time"].to_numpy()[rows]
    rows = rows[(settle >= 0) & (settle <= sb.state.as_of(idx))]
    truth = order_settlement(ds, rows).set_index(ds.orders["order_id"].to_numpy()[rows].astype(str))
    shop = ds.shops.iloc[idx]
    with engine.connect() as conn:
        stored = {r.order_id: r for r in conn.execute(select(s.order_settlements))}
        statements = {r.statement_id: r.settlement_amount
                      for r in conn.execute(select(s.statements))}
    assert set(stored) == set(truth.index)
    for order_id, got in stored.items():
        want = truth.loc[order_id]
        assert got.revenue_amount == money(want["revenue"], shop)
        assert got.platform_commission_amount == money(want["platform_fee"], shop)
        assert got.affiliate_commission_amount == money(want["affiliate_fee"], shop)
        assert got.settlement_amount == money(want["settlement"], shop)
    per_statement: dict[str, Decimal] = {}
    for got in stored.values():
        per_statement[got.statement_id] = per_statement.get(got.statement_id, Decimal(0)) + (
            got.settlement_amount)
    assert per_statement == statements
    newest = max(r.statement_time for r in statements_rows(engine))
    zone = ZoneInfo(str(shop["timezone"]))
    assert load_cursor(engine, "settlements", shop_id).latest_complete_day == (
        newest.astimezone(zone).date())


def statements_rows(engine: Engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return list(conn.execute(select(s.statements)))


def test_incremental_full_sync_after_ten_days_catches_later_sales_and_new_settlements(
    sb: Sandbox, engine: Engine, redis_url: str
) -> None:
    """Content keeps selling and orders keep settling after a sync: the look-back and new
    statements bring the warehouse back to exactly what the sandbox serves."""
    conns = connectors(sb, engine, redis_url)
    shop_id = connect_all(sb, conns)[0][1]
    idx = sb.dataset.shop_row(shop_id)

    def clock() -> datetime:
        return datetime.fromtimestamp(sb.state.as_of(idx) + 1, UTC)

    try:
        sb.set_clock(days_back=10)
        assert run_shop_sync(conns, shop_id, since=SMALL.start, full=True,
                             now=clock()).status == "ok"
        with engine.connect() as conn:
            first = len(conn.execute(select(s.order_settlements)).all())
    finally:
        sb.set_clock(days_back=0)
    summary = run_shop_sync(conns, shop_id, full=True, now=clock())
    assert summary.status == "ok"
    check_contents(sb, engine, shop_id, clock())
    check_creators(sb, engine, shop_id)
    check_settlements(sb, engine, shop_id)
    with engine.connect() as conn:
        assert len(conn.execute(select(s.order_settlements)).all()) > first
