"""End to end: sandbox -> sync -> rollups -> KPIs and the weekly report equal the sandbox truth.

A smaller data set than the demo (same generator, same definitions) keeps this test quick; every
shop-week of the truth is compared exactly (gross/net GMV, orders, lines as units, refunds, spend).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from analytics.weeks import iso_week_label
from config.tenants import Tenant
from jobs.ingestion.ads_sync import run_advertiser_sync
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.report.build import build_weekly_report
from jobs.warehouse.fx_rates import seed_demo_rates
from jobs.warehouse.queries import store_kpis
from jobs.warehouse.rollups import cleaning_rules, rebuild_ad_rollups, rebuild_rollups
from sandbox.config import GeneratorConfig
from sandbox.server import Sandbox
from tests.ingestion.sandbox_env import connect_all, connectors, registry

SMALL = GeneratorConfig(seed=11, shops=3, weeks=3, end=date(2026, 11, 23), daily_orders=25.0,
                        creators_per_shop=5)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    sandbox = Sandbox.start(config=SMALL, port=0)
    yield sandbox
    sandbox.stop()


def _synced(sb: Sandbox, engine: Engine, redis_url: str) -> list[Tenant]:
    conns = connectors(sb, engine, redis_url)
    shop_ids, adv_ids = connect_all(sb, conns)
    runs = ([run_shop_sync(conns, s, since=SMALL.start) for s in shop_ids]
            + [run_advertiser_sync(conns, a, since=SMALL.start) for a in adv_ids])
    assert [r.status for r in runs] == ["ok"] * len(runs), [r.error for r in runs]
    tenants = list(registry(sb).tenants)
    with engine.begin() as conn:  # the sync kept the rollups up to date page by page
        seed_demo_rates(conn, SMALL.start - timedelta(days=7), SMALL.end)
    return tenants


def _rollup_rows(engine: Engine) -> dict[str, list[tuple]]:
    from jobs.warehouse.schema import ad_daily, affiliate_daily, shop_daily, shop_week_buyers

    def facts(table):  # everything but when the row was computed
        return [c for c in table.c if c.name != "refreshed_at"]

    with engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(*facts(t))))
                for t in (shop_daily, shop_week_buyers, affiliate_daily, ad_daily)}


def test_rollups_kept_by_the_sync_equal_a_full_rebuild(sb: Sandbox, engine: Engine,
                                                       redis_url: str) -> None:
    tenants = _synced(sb, engine, redis_url)
    incremental = _rollup_rows(engine)
    with engine.begin() as conn:
        for tenant in tenants:
            for store in tenant.stores:
                rebuild_rollups(conn, store.shop_id, rules=cleaning_rules(tenant))
                for advertiser_id in store.advertiser_ids:
                    rebuild_ad_rollups(conn, advertiser_id)
    rebuilt = _rollup_rows(engine)
    assert all(incremental[name] for name in ("shop_daily", "ad_daily"))
    for name in rebuilt:
        assert set(incremental[name]) ^ set(rebuilt[name]) == set(), name


def test_kpis_and_weekly_report_equal_the_sandbox_truth(sb: Sandbox, engine: Engine,
                                                        redis_url: str) -> None:
    tenants = _synced(sb, engine, redis_url)  # one sync serves both checks (keeps this quick)
    _check_store_kpis(sb, engine, tenants)
    _check_weekly_reports(sb, engine, tenants)


def _check_store_kpis(sb: Sandbox, engine: Engine, tenants: list[Tenant]) -> None:
    stores = {s.shop_id: (t, s) for t in tenants for s in t.stores}
    problems, checked = [], 0
    for (shop_id, monday), truth in sorted(sb.truth.items()):
        tenant, store = stores[shop_id]
        kpis = store_kpis(engine, shop_id, monday, monday + timedelta(days=6),
                          advertiser_ids=store.advertiser_ids)
        got = (kpis.gross_gmv, kpis.net_gmv, kpis.orders, kpis.units, kpis.refunds,
               kpis.spend or 0, kpis.purchase_value or 0, kpis.currency)
        want = (truth.gross_gmv, truth.net_gmv, truth.orders, truth.lines, truth.refunds,
                truth.spend, truth.attributed_revenue, truth.currency)
        if got != want:
            problems.append(f"{shop_id} {monday}: got {got}, truth {want}")
        checked += 1
    assert problems == []
    assert checked == 3 * 3 and any(t.refunds > 0 for t in sb.truth.values())


def _check_weekly_reports(sb: Sandbox, engine: Engine, tenants: list[Tenant]) -> None:
    last_monday = SMALL.end - timedelta(days=7)
    week = iso_week_label(last_monday)
    for tenant in tenants:
        for store in tenant.stores:
            # Reporting in the store's own currency makes the comparison exact (no FX).
            single = tenant.model_copy(update={
                "stores": (store,), "reporting_currency": store.resolved_currency})
            report = build_weekly_report(engine, single, week)
            truth = sb.truth[(store.shop_id, last_monday)]
            previous = sb.truth[(store.shop_id, last_monday - timedelta(days=7))]
            current = report.store(store.shop_id).kpis
            assert (current.current.gross_gmv, current.current.net_gmv,
                    current.current.orders, current.current.refunds) == (
                truth.gross_gmv, truth.net_gmv, truth.orders, truth.refunds)
            assert current.previous.gross_gmv == previous.gross_gmv
            assert report.total.current.gross_gmv == truth.gross_gmv
            assert report.store(store.shop_id).quality.freshness  # sync cursors are reported
        full = build_weekly_report(engine, tenant, week)  # reporting currency USD, demo FX
        assert full.total.current.orders == sum(
            sb.truth[(s.shop_id, last_monday)].orders for s in tenant.stores)


class _Killed(BaseException):
    """Stands for the worker being killed: not an Exception, so nothing catches it on the way."""


def test_days_left_stale_by_killed_runs_are_refreshed_and_equal_a_rebuild(
        sb: Sandbox, engine: Engine, redis_url: str) -> None:
    from jobs.warehouse.schema import rollup_dirty_days

    conns = connectors(sb, engine, redis_url)
    shop_ids, _ = connect_all(sb, conns)
    pages = []

    def kill_after_three_pages(source: str, rows: int, total: int | None) -> None:
        pages.append(source)
        if len(pages) == 3:
            raise _Killed

    # A mark left by an earlier run that was killed hard (SIGKILL: not even `finally` ran).
    with engine.begin() as conn:
        conn.execute(rollup_dirty_days.insert(), [{"shop_id": shop_ids[0], "day": SMALL.start}])
    with pytest.raises(_Killed):
        run_shop_sync(conns, shop_ids[0], since=SMALL.start, progress=kill_after_three_pages)
    with engine.connect() as conn:
        assert conn.execute(select(rollup_dirty_days)).all() == []  # refreshed on the way out

    run_shop_sync(conns, shop_ids[0], since=SMALL.start)
    incremental = _rollup_rows(engine)["shop_daily"]
    with engine.begin() as conn:
        rebuild_rollups(conn, shop_ids[0])
    assert incremental == _rollup_rows(engine)["shop_daily"]
