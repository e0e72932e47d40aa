"""Every way the SQL sums read gives the pandas path's KPIs, to the last digit, on both backends.

``owner_sums`` sums a store's days together when all its money converts without them (the
answer's currency, or a rate fixed over the range: the same stored rate on every day), else per
day; rows in another currency than the one a store is registered in send it back to days;
``sums_fx`` converts at the fixed rates, else at each day's stored rate, else at ``load_fx``'s.
Globex's three stores (GBP, USD, THB) are asked in each currency, alone and together, with rates
fixed, fixed on all days but one, moving daily, and with ads billed in another currency.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from analytics.kpis import KpiSet, compute_kpis
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.queries import (
    daily_rows,
    owner_sums,
    period_kpis,
    range_rates,
    store_advertisers,
    stores_kpis,
    sums_fx,
)
from jobs.warehouse.schema import ad_daily, fx_rates
from jobs.warehouse.upsert import upsert
from tests.report import three_shops as globex

SHOPS = list(globex.SHOPS)
FIXED = {"GBP": Decimal("1.27"), "THB": Decimal("0.0285")}


def _pandas(conn, ids, first, last, quote) -> KpiSet:  # type: ignore[no-untyped-def]
    rows = daily_rows(conn, ids, first, last, advertiser_shop=store_advertisers(conn, ids))
    fx = load_fx(conn, set(rows["currency"]) - {""}, quote, first, last)
    return compute_kpis(rows, [first + timedelta(i) for i in range((last - first).days + 1)],
                        quote, fx)


def _rates(engine, rates: dict[tuple[date, str], str]) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        upsert(conn, fx_rates, [{"day": d, "base": c, "quote": "USD", "rate": Decimal(r),
                                 "source": "test"} for (d, c), r in rates.items()])


def _fixed(engine) -> None:  # type: ignore[no-untyped-def]
    _rates(engine, {(d, c): str(r) for d in globex.DAYS for c, r in FIXED.items()})


def _periods() -> list[tuple[date, date]]:
    w46 = globex.W46
    return [(w46, w46 + timedelta(6)), (w46 + timedelta(7), w46 + timedelta(13)),
            (w46, w46 + timedelta(13)), (w46 + timedelta(2), w46 + timedelta(4))]


def _assert_same(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        ad_map = store_advertisers(conn, SHOPS)
        for first, last in _periods():
            for quote in ("USD", "GBP", "THB"):
                each = stores_kpis(conn, SHOPS, first, last, quote, advertiser_shop=ad_map)
                for shop in SHOPS:
                    expected = repr(_pandas(conn, [shop], first, last, quote))
                    assert repr(each[shop]) == expected, (shop, first, last, quote)
                    assert repr(period_kpis(conn, [shop], first, last, quote)) == expected
                assert repr(period_kpis(conn, SHOPS, first, last, quote)) == repr(
                    _pandas(conn, SHOPS, first, last, quote)), (first, last, quote)


def _days_of(engine, ids: list[str], first: date, last: date, quotes: list[str]) -> (  # type: ignore[no-untyped-def]
    dict[str, set[date | None]]
):
    """Per currency, the days ``owner_sums`` kept apart (None: days summed together)."""
    with engine.connect() as conn:
        ads = store_advertisers(conn, ids)
        rates = range_rates(conn, ids, ads, first, last, quotes)
        out: dict[str, set[date | None]] = {}
        for _, _, currency, day, _ in owner_sums(conn, ids, ads, first, last, rates, quotes):
            out.setdefault(currency, set()).add(day)
        return out


@pytest.fixture
def globex_engine(engine):
    globex.seed(engine)
    return engine


def test_fixed_rates_sum_the_days_together_and_give_the_same_kpis(globex_engine):
    _fixed(globex_engine)
    first, last = globex.W46, globex.W46 + timedelta(13)
    assert _days_of(globex_engine, SHOPS, first, last, ["USD"]) == {
        "": {None}, "GBP": {None}, "USD": {None}, "THB": {None}}
    assert _days_of(globex_engine, SHOPS, first, last, ["USD", "GBP"])["THB"] == set(
        globex.DAYS)  # THB->GBP is not a stored rate: THB converts into GBP day by day
    _assert_same(globex_engine)


def test_a_rate_fixed_on_all_days_but_one_converts_day_by_day(globex_engine):
    _fixed(globex_engine)
    _rates(globex_engine, {(globex.DAYS[3], "GBP"): "1.28"})
    first, last = globex.W46, globex.W46 + timedelta(6)
    days = _days_of(globex_engine, SHOPS, first, last, ["USD"])
    assert days["GBP"] == set(globex.DAYS[:7]) and days["THB"] == {None}
    _assert_same(globex_engine)


def test_the_same_rate_written_otherwise_is_not_taken_for_fixed(globex_engine):
    _fixed(globex_engine)
    _rates(globex_engine, {(globex.DAYS[1], "GBP"): "1.270"})
    with globex_engine.connect() as conn:
        rates = range_rates(conn, SHOPS, store_advertisers(conn, SHOPS), globex.W46,
                            globex.W46 + timedelta(6), ["USD"])
    assert rates.fixed == {("THB", "USD"): FIXED["THB"]}
    _assert_same(globex_engine)


def test_rates_moving_every_day_read_as_stored_same_as_load_fx(globex_engine):
    globex.add_rates(globex_engine)
    first, last = globex.W46, globex.W46 + timedelta(13)
    with globex_engine.connect() as conn:
        ads = store_advertisers(conn, SHOPS)
        rates = range_rates(conn, SHOPS, ads, first, last, ["USD"])
        sums = owner_sums(conn, SHOPS, ads, first, last, rates, ["USD"])
        stored, loaded = sums_fx(conn, sums, "USD"), load_fx(conn, {"GBP", "THB"}, "USD",
                                                              first, last)
        needed = {(day, c) for _, _, c, day, _ in sums if day is not None}
    assert rates.fixed == {} and {c for _, c in needed} == {"GBP", "THB"}
    assert {(d, c): stored.rate(d, c, "USD") for d, c in needed} == {
        (d, c): loaded.rate(d, c, "USD") for d, c in needed}
    _assert_same(globex_engine)


def test_ads_billed_in_another_currency_send_the_store_back_to_days(globex_engine):
    """Globex UK's ad account is registered in GBP but one campaign bills in USD: asked in GBP
    alone (nothing fixed into GBP), its rows cannot be summed per store, so they come per day."""
    _fixed(globex_engine)
    uk, advertiser = globex.UK, globex.SHOPS[globex.UK][4]
    with globex_engine.begin() as conn:
        upsert(conn, ad_daily, [
            {"advertiser_id": advertiser, "day": d, "campaign_id": "usd1", "campaign_name": "u",
             "currency": "USD", "spend": Decimal("3.3333") + i, "impressions": 100, "clicks": 4,
             "conversions": 1, "purchases": 1, "purchase_value": Decimal("12.5"),
             "video_views": 0} for i, d in enumerate(globex.DAYS)])
    first, last = globex.W46, globex.W46 + timedelta(6)
    assert _days_of(globex_engine, [uk], first, last, ["GBP"])["USD"] == set(globex.DAYS[:7])
    _assert_same(globex_engine)
