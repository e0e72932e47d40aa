"""Rates moving daily: ``read_period`` (a table of stores) still sums each store's days together,
each row's money multiplied by its day's rate in the statement (``owner_sums.day_rated``), and
gives the pandas path's KPIs to the last digit on both backends. What it cannot multiply exactly
is read per rate as before, with the same numbers or the same error: more rates than
``MAX_DAY_RATES``, a product or a sum out of SQLite's 64 bits (PostgreSQL multiplies NUMERIC), a
missing rate. On SQLite a rate too long to bind (an inverted or crossed one) is multiplied per
day in Python over a week's money read per day (``day_pivot.pivoted_rows``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics.fx import MissingFxRate
from jobs.warehouse import day_pivot, owner_sums
from jobs.warehouse.owner_sums import read_period
from jobs.warehouse.queries import store_advertisers, stores_kpis
from jobs.warehouse.schema import ad_daily, fx_rates, shop_daily
from jobs.warehouse.upsert import upsert
from tests.report import three_shops as globex
from tests.warehouse.test_sum_paths import SHOPS, W46_ONLY, assert_same


@pytest.fixture
def daily_engine(engine):
    """Globex with GBP->USD and THB->USD stored for every day, each day its own rate."""
    globex.seed(engine)
    globex.add_rates(engine)
    return engine


def _read(engine, quote: str):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return read_period(conn, SHOPS, store_advertisers(conn, SHOPS), *W46_ONLY, quote)


def _per_store(engine, quote: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the first week in ``quote`` was read as one row per store and part."""
    keys = [(kind, owner) for kind, owner, *_ in _read(engine, quote).rows]
    return len(keys) == len(set(keys))


def _set_gmv(engine, shop: str, amounts: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    """The shop's gross GMV on ``globex.DAYS[i]`` for each ``i`` of ``amounts``."""
    with engine.begin() as conn:
        for i, amount in amounts.items():
            conn.execute(shop_daily.update().where(
                shop_daily.c.shop_id == shop, shop_daily.c.day == globex.DAYS[i]).values(
                gross_gmv=Decimal(amount)))


def test_rates_moving_daily_are_multiplied_in_the_statement(daily_engine, monkeypatch):
    read = _read(daily_engine, "USD")
    assert _per_store(daily_engine, "USD")
    # each currency's money at the most digits of its rates (GBP 1.2531: 4, THB 0.02807: 5)
    assert {(kind, currency): rate for kind, _, _, currency, rate, *_ in read.rows} == {
        (kind, currency): rate for kind in ("shop", "ads", "traffic")
        for currency, rate in (("GBP", Decimal("1E-4")), ("THB", Decimal("1E-5")),
                               ("USD", None))}
    # USD->GBP is GBP->USD inverted, THB->GBP crossed: 28 digits, too long for SQLite's 64
    # bits; PostgreSQL multiplies them as NUMERIC in the statement, SQLite sums each day's
    # money apart and Python multiplies (``day_pivoted``): still one row per store
    assert _per_store(daily_engine, "GBP")
    monkeypatch.setattr(owner_sums, "MAX_DAY_RATES", 20)  # three currencies, seven days
    assert not _per_store(daily_engine, "USD")
    monkeypatch.undo()
    assert_same(daily_engine)


def test_rates_too_long_for_sqlite_are_multiplied_per_day_in_python(sqlite_engine,
                                                                    monkeypatch):
    """Into GBP (USD's rate inverted, THB's crossed: 28 significant digits) SQLite reads a
    week's money in one column per day, and each day's sum is multiplied by its rate's
    coefficient in Python at the currency's digits: the pandas path's numbers. A range longer
    than ``PIVOT_DAYS`` is read per rate, with the same numbers. (PostgreSQL multiplies them
    as NUMERIC in the statement: the first test.)"""
    globex.seed(sqlite_engine)
    globex.add_rates(sqlite_engine)
    rates = {(kind, currency): rate for kind, _, _, currency, rate, *_ in
             _read(sqlite_engine, "GBP").rows}
    assert rates == {(kind, currency): rate for kind in ("shop", "ads", "traffic")
                     for currency, rate in (("GBP", None), ("THB", Decimal("1E-29")),
                                            ("USD", Decimal("1E-28")))}
    assert _per_store(sqlite_engine, "GBP")
    assert_same(sqlite_engine, quotes=("GBP",))
    monkeypatch.setattr(day_pivot, "PIVOT_DAYS", 6)
    assert not _per_store(sqlite_engine, "GBP")
    assert_same(sqlite_engine, quotes=("GBP",))


def test_days_without_their_own_rate_take_load_fxs(daily_engine):
    """GBP's rate missing mid-week is carried forward (``load_fx``), still in the statement."""
    with daily_engine.begin() as conn:
        conn.execute(fx_rates.delete().where(fx_rates.c.base == "GBP",
                                             fx_rates.c.day.in_(globex.DAYS[3:5])))
    assert _per_store(daily_engine, "USD")
    assert_same(daily_engine, quotes=("USD",))


def test_money_out_of_64_bits_is_read_per_rate_on_sqlite(daily_engine):
    """Nine hundred trillion units (GBP 90 billion) on a day: times GBP's coefficient (12531) it
    is out of SQLite's 64 bits, and SQLite makes the product a float; half of it on two days
    each fits, their sum does not, and SQLite stops with an error. Both are then read per rate;
    PostgreSQL multiplies NUMERIC and needs neither."""
    multiplied = daily_engine.dialect.name == "postgresql"
    _set_gmv(daily_engine, globex.UK, {1: "90000000000"})
    assert _per_store(daily_engine, "USD") is multiplied
    assert_same(daily_engine, quotes=("USD",))
    _set_gmv(daily_engine, globex.UK, {1: "50000000000", 2: "50000000000"})
    assert _per_store(daily_engine, "USD") is multiplied
    assert_same(daily_engine, quotes=("USD",))


def test_a_campaign_without_money_needs_no_rate(daily_engine):
    """Globex UK's ad account also runs a campaign billed in EUR (no EUR rate stored) that
    reports no money: the account is read per rate (two currencies), its counts add up and no
    rate is asked for, as on the pandas path."""
    advertiser = globex.SHOPS[globex.UK][4]
    with daily_engine.begin() as conn:
        upsert(conn, ad_daily, [
            {"advertiser_id": advertiser, "day": d, "campaign_id": "eur1", "campaign_name": "e",
             "currency": "EUR", "spend": None, "impressions": 100, "clicks": 4,
             "conversions": None, "purchases": None, "purchase_value": None,
             "video_views": None} for d in globex.DAYS])
    assert not _per_store(daily_engine, "USD")
    assert_same(daily_engine, quotes=("USD",))


def test_a_missing_rate_is_named_as_before(daily_engine):
    with daily_engine.begin() as conn:
        conn.execute(fx_rates.delete().where(fx_rates.c.base == "THB"))
    with daily_engine.connect() as conn, pytest.raises(MissingFxRate) as missing:
        stores_kpis(conn, SHOPS, *W46_ONLY, "USD")
    assert (missing.value.currency, missing.value.quote) == ("THB", "USD")
