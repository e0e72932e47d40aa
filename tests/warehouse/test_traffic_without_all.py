"""Migration 0010: triggers keep ``traffic_days_without_all`` (the store-days whose traffic has
rows but no channel ALL) as every write of ``shop_traffic_daily`` changes it, on both backends;
the migration fills it from the rows a warehouse holds; and a day the table holds although it
has an ALL row again is read by its ALL row, not as its channels added up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select, update

from jobs.ingestion.writers import write_traffic
from jobs.sources.tiktok.records.performance import ShopDayPerformance
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import upgrade
from jobs.warehouse.queries import period_kpis, store_advertisers
from jobs.warehouse.schema import shop_traffic_daily, traffic_days_without_all
from jobs.warehouse.upsert import upsert

SHOP, OTHER = "s1", "s2"
MON = date(2026, 11, 16)


def _row(day: date, channel: str, gmv: str = "10", shop: str = SHOP) -> dict[str, object]:
    return {"shop_id": shop, "day": day, "channel": channel, "page_views": 50, "visitors": 20,
            "buyers": 2, "currency": "GBP", "gmv": Decimal(gmv)}


def _kept(conn) -> set[tuple[str, date]]:  # type: ignore[no-untyped-def]
    return {(s, d) for s, d in conn.execute(select(traffic_days_without_all))}


def test_each_write_of_the_traffic_keeps_the_days_without_all(engine):
    day, next_day = MON, MON + timedelta(1)
    with engine.begin() as conn:
        upsert(conn, shop_traffic_daily, [_row(day, "VIDEO"), _row(day, "LIVE"),
                                          _row(next_day, "ALL"), _row(next_day, "VIDEO"),
                                          _row(day, "VIDEO", shop=OTHER)])
        assert _kept(conn) == {(SHOP, day), (OTHER, day)}
        upsert(conn, shop_traffic_daily, [_row(day, "LIVE", "12")])  # a changed value only
        assert _kept(conn) == {(SHOP, day), (OTHER, day)}
        upsert(conn, shop_traffic_daily, [_row(day, "ALL", "30")])  # its total arrives
        assert _kept(conn) == {(OTHER, day)}
        conn.execute(delete(shop_traffic_daily).where(  # and goes again
            shop_traffic_daily.c.shop_id == SHOP, shop_traffic_daily.c.day == day,
            shop_traffic_daily.c.channel == "ALL"))
        assert _kept(conn) == {(SHOP, day), (OTHER, day)}
        conn.execute(update(shop_traffic_daily).where(  # a channel renamed to ALL
            shop_traffic_daily.c.shop_id == SHOP, shop_traffic_daily.c.day == day,
            shop_traffic_daily.c.channel == "LIVE").values(channel="ALL"))
        assert _kept(conn) == {(OTHER, day)}
        conn.execute(update(shop_traffic_daily).where(  # a day's rows moved to another day
            shop_traffic_daily.c.shop_id == OTHER).values(day=next_day))
        assert _kept(conn) == {(OTHER, next_day)}
        conn.execute(delete(shop_traffic_daily).where(shop_traffic_daily.c.shop_id == OTHER))
        assert _kept(conn) == set()  # no rows: nothing to add up


def test_the_api_writer_always_writes_all_so_no_day_is_kept(engine):
    days = [ShopDayPerformance(day=MON + timedelta(i), gmv=Decimal("99.5"), orders=3,
                               units_sold=4, buyers=2, product_page_views=40, currency="GBP",
                               refunds=None,
                               breakdowns={"LIVE": {"gmv": Decimal("50"), "page_views": 10}})
            for i in range(7)]
    with engine.begin() as conn:
        assert write_traffic(conn, SHOP, "GBP", days) == 14
        assert _kept(conn) == set()


def test_the_migration_fills_the_table_from_the_rows_there_are(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    upgrade(eng, "0009")
    with eng.begin() as conn:
        conn.execute(shop_traffic_daily.insert(), [
            _row(MON, "VIDEO"), _row(MON, "PAID"), _row(MON + timedelta(1), "ALL"),
            _row(MON + timedelta(1), "LIVE"), _row(MON, "LIVE", shop=OTHER)])
    upgrade(eng)
    with eng.begin() as conn:
        assert _kept(conn) == {(SHOP, MON), (OTHER, MON)}
        upsert(conn, shop_traffic_daily, [_row(MON, "ALL")])  # and the triggers keep it
        assert _kept(conn) == {(OTHER, MON)}
    eng.dispose()


def test_a_day_kept_although_it_has_all_again_is_read_by_its_all_row(engine):
    """The table may hold a day that has an ALL row (a truncated traffic table, two writers at
    once): the read checks, so that day's GMV is its ALL row's, not its channels added up."""
    from tests.report import three_shops as globex
    from tests.warehouse.test_sum_paths import pandas_kpis

    globex.seed(engine)
    globex.add_rates(engine)
    first, last = globex.W46, globex.W46 + timedelta(6)
    with engine.begin() as conn:
        conn.execute(traffic_days_without_all.insert(), [
            {"shop_id": shop, "day": first + timedelta(i)} for shop in globex.SHOPS
            for i in range(7)])
    with engine.connect() as conn:
        ours = period_kpis(conn, list(globex.SHOPS), first, last, "USD",
                           advertiser_shop=store_advertisers(conn, list(globex.SHOPS)))
        expected = pandas_kpis(conn, list(globex.SHOPS), first, last, "USD")
    assert ours.visitors == expected.visitors and ours.cvr == expected.cvr
    assert repr(ours) == repr(expected)
