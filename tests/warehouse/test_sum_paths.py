"""Every way the SQL sums read gives the pandas path's KPIs, to the last digit, on both backends.

``rated_rows`` joins the rate stored for each row's day and sums per rate: the days sharing one
(all of them when it is fixed) come as one row, multiplied once; a day without a stored rate of
its own comes alone, with its day, and converts at ``load_fx``'s rate (carried forward, inverted,
crossed through a pivot). ``read_period`` (a table of stores) sums per store alone when every
rate is fixed over the range (and when rates move daily: ``test_rates_day_sums``). Globex's
three stores (GBP, USD, THB) are asked in each currency, alone and together, with rates fixed,
fixed on all days but one, written otherwise, moving daily, published on weekdays only against
EUR (the ECB's way: every USD rate crossed), none at all, with ads billed in another currency,
and with traffic by channel (read once with the PAID channel's GMV: days without channel ALL,
PAID billed in another currency).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from analytics.daily_kpis import compute_kpis
from analytics.fx import missing_rates
from analytics.kpis import KpiSet, kpis_from_totals
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.owner_sums import read_period
from jobs.warehouse.queries import (
    daily_rows,
    period_kpis,
    read_rated,
    store_advertisers,
    stores_kpis,
)
from jobs.warehouse.schema import ad_daily, fx_rates, shop_traffic_daily
from jobs.warehouse.upsert import upsert
from tests.report import three_shops as globex

SHOPS = list(globex.SHOPS)
FIXED = {"GBP": Decimal("1.27"), "THB": Decimal("0.0285")}
W46_ONLY = (globex.W46, globex.W46 + timedelta(6))


def pandas_kpis(conn, ids, first, last, quote) -> KpiSet:  # type: ignore[no-untyped-def]
    rows = daily_rows(conn, ids, first, last, advertiser_shop=store_advertisers(conn, ids))
    fx = load_fx(conn, set(rows["currency"]) - {""}, quote, first, last)
    return compute_kpis(rows, [first + timedelta(i) for i in range((last - first).days + 1)],
                        quote, fx)


def store_rates(engine, rates: dict[tuple[date, str], str], quote: str = "USD") -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        upsert(conn, fx_rates, [{"day": d, "base": c, "quote": quote, "rate": Decimal(r),
                                 "source": "test"} for (d, c), r in rates.items()])


def _fixed(engine) -> None:  # type: ignore[no-untyped-def]
    store_rates(engine, {(d, c): str(r) for d in globex.DAYS for c, r in FIXED.items()})


def _periods() -> list[tuple[date, date]]:
    w46 = globex.W46
    return [W46_ONLY, (w46 + timedelta(7), w46 + timedelta(13)),
            (w46, w46 + timedelta(13)), (w46 + timedelta(2), w46 + timedelta(4))]


def assert_same(engine, quotes=("USD", "GBP", "THB")) -> None:  # type: ignore[no-untyped-def]
    """Every store's KPIs and all stores' together, in each of ``quotes`` over each period, are
    the pandas path's."""
    with engine.connect() as conn:
        ad_map = store_advertisers(conn, SHOPS)
        for first, last in _periods():
            for quote in quotes:
                each = stores_kpis(conn, SHOPS, first, last, quote, advertiser_shop=ad_map)
                for shop in SHOPS:
                    expected = repr(pandas_kpis(conn, [shop], first, last, quote))
                    assert repr(each[shop]) == expected, (shop, first, last, quote)
                    assert repr(period_kpis(conn, [shop], first, last, quote)) == expected
                assert repr(period_kpis(conn, SHOPS, first, last, quote)) == repr(
                    pandas_kpis(conn, SHOPS, first, last, quote)), (first, last, quote)


def _groups(engine, ids: list[str], quote: str, period=W46_ONLY) -> (  # type: ignore[no-untyped-def]
    dict[tuple[str, str], list[tuple[str | None, date | None]]]
):
    """Per part and currency of the money read for ``period`` in ``quote``: the rate and the day
    (a day without a stored rate of its own) of each row, sorted."""
    with engine.connect() as conn:
        read = read_rated(conn, ids, store_advertisers(conn, ids), [period], [quote])
    out: dict[tuple[str, str], list[tuple[str | None, date | None]]] = {}
    for kind, _, _, currency, rate, _, fx_day, *_ in read.rows:
        day = date.fromisoformat(fx_day) if isinstance(fx_day, str) else fx_day
        out.setdefault((kind, currency), []).append(
            (None if rate is None else str(Decimal(rate)), day))
    return {k: sorted(v, key=str) for k, v in out.items()}


@pytest.fixture
def globex_engine(engine):
    globex.seed(engine)
    return engine


def test_fixed_rates_come_as_one_row_per_store_and_part(globex_engine):
    _fixed(globex_engine)
    rows = _groups(globex_engine, SHOPS, "USD")
    assert rows[("shop", "GBP")] == [("1.27", None)] and rows[("ads", "THB")] == [
        ("0.0285", None)]
    assert rows[("shop", "USD")] == [(None, None)]  # the quote's own money: no rate
    with globex_engine.connect() as conn:  # a table of stores: summed per store alone
        read = read_period(conn, SHOPS, store_advertisers(conn, SHOPS), *W46_ONLY, "USD")
    assert sorted((kind, owner) for kind, owner, *_ in read.rows) == sorted(
        {(kind, owner) for kind, owner, *_ in read.rows})
    assert_same(globex_engine)


def test_a_rate_moved_on_one_day_comes_apart(globex_engine):
    _fixed(globex_engine)
    store_rates(globex_engine, {(globex.DAYS[3], "GBP"): "1.28"})
    assert _groups(globex_engine, [globex.UK], "USD")[("shop", "GBP")] == [
        ("1.27", None), ("1.28", None)]
    assert_same(globex_engine)


def test_the_same_rate_written_otherwise_gives_the_same_numbers(globex_engine):
    _fixed(globex_engine)
    store_rates(globex_engine, {(globex.DAYS[1], "GBP"): "1.270"})
    assert len(_groups(globex_engine, [globex.UK], "USD")[("shop", "GBP")]) == 2
    assert_same(globex_engine)


def test_rates_moving_every_day_come_a_row_a_day(globex_engine):
    globex.add_rates(globex_engine)
    rows = _groups(globex_engine, [globex.TH], "USD")[("shop", "THB")]
    assert rows == sorted(((str(globex.rate("THB", d)), None) for d in globex.DAYS[:7]), key=str)
    assert_same(globex_engine)


def test_weekday_rates_against_eur_are_carried_and_crossed_as_load_fx_does(globex_engine):
    """The ECB's feed: EUR->X on weekdays only. No day has a stored rate into USD (or into GBP
    or THB from another currency), so every such row comes with its day and ``load_fx``'s rate:
    Friday's carried over the weekend, crossed through EUR."""
    eur = {"GBP": "0.8712", "THB": "38.07", "USD": "1.0851"}
    with globex_engine.begin() as conn:
        upsert(conn, fx_rates, [
            {"day": d, "base": "EUR", "quote": c,
             "rate": Decimal(r) + Decimal(d.toordinal() % 5) / 1000, "source": "test"}
            for d in globex.DAYS if d.weekday() < 5 for c, r in eur.items()])
    days = {day for _, day in _groups(globex_engine, [globex.UK], "USD")[("shop", "GBP")]}
    assert days == set(globex.DAYS[:7])
    with globex_engine.connect() as conn:
        read = read_rated(conn, SHOPS, store_advertisers(conn, SHOPS), [W46_ONLY], ["USD"])
    assert read.gaps("USD") == () and read.lacking["USD"]
    assert_same(globex_engine)


def test_without_rates_the_gaps_are_the_pandas_paths(globex_engine):
    store_rates(globex_engine, {(d, "GBP"): "1.27" for d in globex.DAYS[2:5]})
    last = globex.W47 + timedelta(6)
    with globex_engine.connect() as conn:
        ads = store_advertisers(conn, SHOPS)
        rows = daily_rows(conn, SHOPS, globex.W46, last, advertiser_shop=ads)
        read = read_rated(conn, SHOPS, ads, [(globex.W47, last), W46_ONLY], ["USD", "GBP"])
        for quote in ("USD", "GBP"):
            fx = load_fx(conn, set(rows["currency"]) - {""}, quote, globex.W46, last)
            assert read.gaps(quote) == missing_rates(rows, quote, fx, days=globex.DAYS)
    # GBP: stored on three days, carried a week forward; THB: never stored
    assert [(g.currency, g.days) for g in read.gaps("USD")] == [("GBP", 4), ("THB", 14)]


def test_ads_billed_in_another_currency_convert_at_the_inverse_rate(globex_engine):
    """Globex UK's ad account is registered in GBP but one campaign bills in USD: asked in GBP,
    only GBP->USD is stored, so its rows come per day and take ``load_fx``'s inverse."""
    _fixed(globex_engine)
    advertiser = globex.SHOPS[globex.UK][4]
    with globex_engine.begin() as conn:
        upsert(conn, ad_daily, [
            {"advertiser_id": advertiser, "day": d, "campaign_id": "usd1", "campaign_name": "u",
             "currency": "USD", "spend": Decimal("3.3333") + i, "impressions": 100, "clicks": 4,
             "conversions": 1, "purchases": 1, "purchase_value": Decimal("12.5"),
             "video_views": 0} for i, d in enumerate(globex.DAYS)])
    assert {day for _, day in _groups(globex_engine, [globex.UK], "GBP")[("ads", "USD")]} == set(
        globex.DAYS[:7])
    assert_same(globex_engine)


def _channels(engine, shop: str, paid_currency: str, without_all: list[date]) -> None:  # type: ignore[no-untyped-def]
    """PAID (billed in ``paid_currency``) and VIDEO traffic of ``shop`` every day, and no
    channel ALL on the days ``without_all`` (their channels add up)."""
    with engine.begin() as conn:
        upsert(conn, shop_traffic_daily, [
            {"shop_id": shop, "day": d, "channel": channel, "impressions": 900 + i,
             "page_views": 300 + 7 * i, "visitors": None if channel == "VIDEO" and i % 3 else
             100 + i, "add_to_cart": 9, "orders": 3, "units": 4, "buyers": i % 4,
             "currency": paid_currency if channel == "PAID" else globex.SHOPS[shop][2],
             "gmv": Decimal("321.1234") + i * (2 if channel == "PAID" else 3)}
            for i, d in enumerate(globex.DAYS) for channel in ("PAID", "VIDEO")])
        conn.execute(shop_traffic_daily.delete().where(
            shop_traffic_daily.c.shop_id == shop, shop_traffic_daily.c.channel == "ALL",
            shop_traffic_daily.c.day.in_(without_all)))


def _answers_same(engine) -> None:  # type: ignore[no-untyped-def]
    """Both weeks in two quotes from one statement, as the chat reads them, are the pandas
    path's."""
    w46, w47 = W46_ONLY, (globex.W47, globex.W47 + timedelta(6))
    with engine.connect() as conn:
        ads = store_advertisers(conn, SHOPS)
        read = read_rated(conn, SHOPS, ads, [w47, w46], ["GBP", "USD"], answer=True,
                          all_ids=SHOPS, mondays=[globex.W47, globex.W46])
        found = read.totals(["GBP", "USD"])
        for quote in ("GBP", "USD"):
            for n, (first, last) in enumerate((w47, w46)):
                assert repr(kpis_from_totals(found[quote][n], 7, quote)) == repr(
                    pandas_kpis(conn, SHOPS, first, last, quote)), (quote, first)


def test_traffic_and_paid_gmv_read_together_give_the_pandas_numbers(globex_engine):
    _fixed(globex_engine)
    _channels(globex_engine, globex.UK, "GBP", [globex.DAYS[2], globex.DAYS[9]])
    with globex_engine.connect() as conn:  # one row per store and part, still summed alone
        read = read_period(conn, SHOPS, store_advertisers(conn, SHOPS), *W46_ONLY, "USD")
    # traffic: each store's ALL and PAID rows, and the UK's channels of its day without ALL
    assert sorted(owner for kind, owner, *_ in read.rows if kind == "traffic") == sorted(
        [*SHOPS, globex.UK])
    assert not [kind for kind, *_ in read.rows if kind not in ("shop", "commission", "ads",
                                                               "traffic")]
    assert_same(globex_engine)
    _answers_same(globex_engine)
    _channels(globex_engine, globex.TH, "USD", [globex.DAYS[0]])  # PAID billed in dollars
    assert_same(globex_engine)
    globex.add_rates(globex_engine)  # and rates moving every day
    assert_same(globex_engine)
    _answers_same(globex_engine)
