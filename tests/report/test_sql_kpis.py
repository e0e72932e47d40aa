"""The SQL read path gives the KPIs the pandas path gives, to the last digit, on both backends.

``queries.period_kpis`` sums the rollups in one ``GROUP BY``; ``compute_kpis`` over
``daily_rows`` is the reference. Both run on the seeded warehouses of the bot and report tests
(SQLite and PostgreSQL), for one store and several, each week and the fortnight, in the stores'
own currencies and the reporting one, with a rate missing, and with the rows the cleaning rules
treat specially (a day without traffic channel ALL, an ads value not reported, settlements).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import three_shops as globex

from analytics.daily_kpis import compute_kpis
from analytics.fx import missing_rates
from analytics.kpis import KpiSet
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.queries import (
    _store_kpis_pandas,
    daily_rows,
    missing_sums_rates,
    period_kpis,
    period_sums,
    store_advertisers,
    store_kpis,
    stores_kpis,
    sums_fx,
)
from jobs.warehouse.schema import ad_daily, shop_daily, shop_traffic_daily
from jobs.warehouse.upsert import upsert
from tests.bot import seed as acme

W48 = date(2026, 11, 23)


def _exact(kpis: KpiSet) -> str:
    """Every field with its exact representation (Decimal('1.50') is not Decimal('1.5'))."""
    return repr(kpis)


def _pandas(conn, ids, first, last, quote, ad_map) -> KpiSet:  # type: ignore[no-untyped-def]
    rows = daily_rows(conn, ids, first, last, advertiser_shop=ad_map)
    fx = load_fx(conn, set(rows["currency"]) - {""}, quote, first, last)
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    return compute_kpis(rows, days, quote, fx)


def _edge_rows(engine, shop: str, advertiser: str, currency: str) -> None:  # type: ignore[no-untyped-def]
    """A week of rows the rules treat specially: traffic without channel ALL (the sum of the
    channels counts), spend not reported ("-") on some days, settlements on some days."""
    days = [W48 + timedelta(i) for i in range(7)]
    with engine.begin() as conn:
        upsert(conn, shop_daily, [
            {"shop_id": shop, "day": d, "currency": currency, "orders": i, "units": 2 * i,
             "buyers": i, "gross_gmv": Decimal("12.3456") * i, "refunds": i % 2,
             "refund_amount": Decimal("1.0001") * (i % 2), "settled_orders": i % 3,
             "settled_revenue": Decimal("7.77") * (i % 3), "refreshed_at": acme.NOW}
            for i, d in enumerate(days)])
        upsert(conn, shop_traffic_daily, [
            {"shop_id": shop, "day": d, "channel": channel, "impressions": 100 * i,
             "page_views": 10 * i, "visitors": None if channel == "LIVE" else 5 * i,
             "add_to_cart": i, "orders": i, "units": i, "buyers": i % 2, "currency": currency,
             "gmv": Decimal("3.3333") * i}
            for i, d in enumerate(days) for channel in ("PAID", "LIVE")])
        upsert(conn, ad_daily, [
            {"advertiser_id": advertiser, "day": d, "campaign_id": "cmp9", "campaign_name": "x",
             "currency": currency, "spend": None if i % 2 else Decimal("4.4444"),
             "impressions": 0, "clicks": None, "conversions": 1, "purchases": 1,
             "purchase_value": Decimal("9.99"), "video_views": 0}
            for i, d in enumerate(days)])


@pytest.fixture
def acme_engine(engine):
    acme.seed(engine)
    _edge_rows(engine, acme.UK, "7300000000000000001", "GBP")
    return engine


@pytest.fixture
def globex_engine(engine):
    globex.seed(engine)
    globex.add_rates(engine)
    return engine


def _periods(monday: date) -> list[tuple[date, date]]:
    return [(monday, monday + timedelta(6)), (monday + timedelta(7), monday + timedelta(13)),
            (monday, monday + timedelta(13)), (monday + timedelta(2), monday + timedelta(4))]


def _assert_same(engine, stores, monday, currencies) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        for ids in stores:
            ad_map = store_advertisers(conn, ids)
            for first, last in _periods(monday):
                for quote in currencies:
                    expected = _pandas(conn, ids, first, last, quote, ad_map)
                    got = period_kpis(conn, ids, first, last, quote, advertiser_shop=ad_map)
                    assert _exact(got) == _exact(expected), (ids, first, last, quote)


def test_acme_stores_weeks_and_currencies(acme_engine):
    stores = [[acme.UK], [acme.US], [acme.UK, acme.US]]
    _assert_same(acme_engine, stores, acme.W46[0], ("USD", "GBP"))
    _assert_same(acme_engine, [[acme.UK]], acme.W47[0], ("GBP", "USD"))  # with the edge week


def test_rival_alone_in_its_own_currency(acme_engine):
    _assert_same(acme_engine, [[acme.RIVAL]], acme.W46[0], ("THB",))


def test_globex_every_day_its_own_rate(globex_engine):
    shops = list(globex.SHOPS)
    stores = [[s] for s in shops] + [shops]
    _assert_same(globex_engine, stores, globex.W46, ("USD", "GBP", "THB"))


def test_a_missing_rate_is_named_alike_and_raises_alike(engine):
    globex.seed(engine)  # no rates at all
    shops = list(globex.SHOPS)
    first, last = globex.W47, globex.W47 + timedelta(6)
    days = [first + timedelta(i) for i in range(7)]
    with engine.connect() as conn:
        ad_map = store_advertisers(conn, shops)
        rows = daily_rows(conn, shops, first, last, advertiser_shop=ad_map)
        fx = load_fx(conn, set(rows["currency"]) - {""}, "USD", first, last)
        sums = period_sums(conn, shops, first, last, "USD", advertiser_shop=ad_map)
        assert missing_sums_rates(sums, "USD", sums_fx(conn, sums, "USD")) == missing_rates(
            rows, "USD", fx, days=days)
        for shop in shops:  # each store alone, in its own currency, needs no rate
            own = globex.SHOPS[shop][2]
            alone = [s for s in sums if s[0] == shop]
            assert missing_sums_rates(alone, own, sums_fx(conn, alone, own)) == ()
            assert _exact(period_kpis(conn, [shop], first, last, own)) == _exact(
                _pandas(conn, [shop], first, last, own, store_advertisers(conn, [shop])))
    from analytics.fx import MissingFxRate

    with pytest.raises(MissingFxRate), engine.connect() as conn:
        period_kpis(conn, shops, first, last, "USD")


def test_store_kpis_same_as_before(globex_engine):
    for shop in globex.SHOPS:
        for first, last in _periods(globex.W46):
            for quote in (None, "USD"):
                assert _exact(store_kpis(globex_engine, shop, first, last, currency=quote)) == (
                    _exact(_store_kpis_pandas(globex_engine, shop, first, last, currency=quote)))


def _assert_each_store(engine, shops, monday, currencies) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        ad_map = store_advertisers(conn, shops)
        for first, last in _periods(monday):
            for quote in currencies:
                got = stores_kpis(conn, shops, first, last, quote, advertiser_shop=ad_map)
                assert list(got) == shops
                for shop in shops:
                    mine = {a: s for a, s in ad_map.items() if s == shop}
                    assert _exact(got[shop]) == _exact(
                        _pandas(conn, [shop], first, last, quote, mine)), (shop, quote)


def test_every_store_from_one_statement_same_as_each_alone(globex_engine):
    """``stores_kpis`` (one GROUP BY for all stores, rates applied to the summed rows once)
    gives each store the KPIs the pandas path gives it alone, in every currency."""
    _assert_each_store(globex_engine, list(globex.SHOPS), globex.W46, ("USD", "GBP", "THB"))


def test_every_store_with_the_edge_rows(acme_engine):
    _assert_each_store(acme_engine, [acme.UK, acme.US], acme.W47[0], ("USD", "GBP"))
