"""A KPI answer read through the SQL sums gives the numbers of the pandas path, on both backends.

``scope_answer`` reads both periods, every currency it shows, both weeks' buyers and the stores'
currencies in one statement (``numbers._answers``); ``scope_kpis`` computes the same from
``daily_rows`` with ``compute_kpis``. They must agree to the last digit for one store in its own
currency with the reporting currency beside it (a rate fixed over the fortnight; rates moving
daily; weekday rates against EUR, carried and crossed), several stores, a range that is not a
week and a week cut short, and a store the warehouse registers in another currency than the
tenants file implies; without rates the answer gives each store in its own currency and names
the missing pairs. An answer is one statement (two when rates must be carried or crossed).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.commands.numbers import ScopeNumbers, scope_answer, scope_kpis
from bot.commands.periods import Period, cut_short
from config.tenant_registry import load_tenants
from jobs.warehouse.schema import fx_rates, shop_week_buyers
from jobs.warehouse.upsert import upsert
from tests.bot import seed as acme
from tests.report import three_shops as globex

W47 = Period(date(2026, 11, 16), date(2026, 11, 22), "2026-W47")
MIDWEEK = Period(date(2026, 11, 17), date(2026, 11, 20), "2026-11-17..2026-11-20")


def _same(got: ScopeNumbers | None, expected: ScopeNumbers) -> None:
    assert got is not None
    assert repr((got.current, got.previous)) == repr((expected.current, expected.previous))


def _stores(tmp_path, module, tenant_id: str):  # type: ignore[no-untyped-def]
    tenant = load_tenants(module.write_tenants(tmp_path)).tenant(tenant_id)
    assert tenant is not None
    return list(tenant.stores)


def _check(engine, stores, period: Period) -> None:  # type: ignore[no-untyped-def]
    """The answer about ``stores`` against ``scope_kpis`` in its currency and the one beside."""
    with engine.connect() as conn:
        answer = scope_answer(conn, stores, period, "USD")
        assert answer.numbers is not None and answer.missing == ()
        currency = answer.numbers.current.currency
        _same(answer.numbers, scope_kpis(conn, stores, period, currency))
        if currency != "USD":
            _same(answer.numbers.reporting, scope_kpis(conn, stores, period, "USD"))
        else:
            assert answer.numbers.reporting is None


@pytest.mark.parametrize("period", [W47, MIDWEEK, cut_short(W47, date(2026, 11, 19))],
                         ids=["week", "range", "cut-short"])
def test_acme_at_a_fixed_rate(engine, tmp_path, period):
    acme.seed(engine)
    uk, us = _stores(tmp_path, acme, "acme")
    with engine.begin() as conn:  # distinct buyers of both weeks (the week's answer shows them)
        upsert(conn, shop_week_buyers, [
            {"shop_id": s.shop_id, "week_start": monday, "buyers": n}
            for s, monday, n in ((uk, W47.start, 17), (us, W47.start, 19),
                                 (uk, W47.start - timedelta(7), 11),
                                 (us, W47.start - timedelta(7), 13))])
    for stores in ([uk], [us], [uk, us]):
        _check(engine, stores, period)
    with engine.connect() as conn:
        numbers = scope_answer(conn, [uk, us], period, "USD").numbers
    assert numbers is not None and numbers.previous is not None
    assert (numbers.current.buyers, numbers.previous.buyers) == (  # weeks by their label
        36 if "-W" in period.label else None, 24 if "-W" in period.previous().label else None)


def test_globex_at_rates_moving_daily(engine, tmp_path):
    globex.seed(engine)
    globex.add_rates(engine)
    stores = _stores(tmp_path, globex, globex.TENANT)
    assert W47.start == globex.W47
    for group in ([s] for s in stores):
        _check(engine, group, W47)
    _check(engine, stores, W47)


def test_without_rates_each_store_in_its_own_currency(engine, tmp_path):
    globex.seed(engine)
    stores = _stores(tmp_path, globex, globex.TENANT)
    with engine.connect() as conn:
        answer = scope_answer(conn, stores, W47, "USD")
        assert answer.numbers is None
        assert [(m.currency, m.quote, m.days) for m in answer.missing] == [
            ("GBP", "USD", 14), ("THB", "USD", 14)]
        assert [s.shop_id for s, _ in answer.stores] == [s.shop_id for s in stores]
        for store, numbers in answer.stores:
            _same(numbers, scope_kpis(conn, [store], W47, globex.SHOPS[store.shop_id][2]))


def _eur_weekdays(engine) -> None:  # type: ignore[no-untyped-def]
    """The ECB's way: EUR->GBP, EUR->THB and EUR->USD on weekdays only, moving daily."""
    with engine.begin() as conn:
        upsert(conn, fx_rates, [
            {"day": d, "base": "EUR", "quote": c,
             "rate": Decimal(r) + Decimal(d.toordinal() % 5) / 1000, "source": "test"}
            for d in globex.DAYS if d.weekday() < 5
            for c, r in (("GBP", "0.8712"), ("THB", "38.07"), ("USD", "1.0851"))])


def test_globex_at_weekday_rates_crossed_through_eur(engine, tmp_path):
    globex.seed(engine)
    _eur_weekdays(engine)
    stores = _stores(tmp_path, globex, globex.TENANT)
    for group in ([s] for s in stores):
        _check(engine, group, W47)
    _check(engine, stores, W47)


def test_a_store_registered_in_another_currency_answers_in_it(engine, tmp_path):
    """The tenants file implies EUR (the answer's first read is in EUR); the warehouse has the
    store in GBP, which wins, as ``store_currencies`` says."""
    globex.seed(engine)
    globex.add_rates(engine)
    uk = _stores(tmp_path, globex, globex.TENANT)[0]
    said = uk.model_copy(update={"currency": "EUR"})
    with engine.connect() as conn:
        answer = scope_answer(conn, [said], W47, "USD")
        assert answer.numbers is not None and answer.numbers.current.currency == "GBP"
        _same(answer.numbers, scope_kpis(conn, [uk], W47, "GBP"))
        _same(answer.numbers.reporting, scope_kpis(conn, [uk], W47, "USD"))


def test_a_store_without_configured_ad_accounts_gets_its_linked_ones_only(engine, tmp_path):
    globex.seed(engine)
    globex.add_rates(engine)
    uk, *_ = _stores(tmp_path, globex, globex.TENANT)
    bare = uk.model_copy(update={"advertiser_ids": ()})
    _check(engine, [bare], W47)
    with engine.connect() as conn:
        numbers = scope_answer(conn, [bare], W47, "USD").numbers
    assert numbers is not None and numbers.current.spend == sum(  # UK's campaign, no other
        (globex.gmv(uk.shop_id, d) / 10 for d in globex.DAYS[7:]), Decimal(0))


def _statements(engine, stores, period: Period) -> int:  # type: ignore[no-untyped-def]
    """How many statements ``scope_answer`` runs (SQLite's own trace of the connection)."""
    seen: list[str] = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.set_trace_callback(seen.append)
        try:
            scope_answer(conn, stores, period, "USD")
        finally:
            raw.set_trace_callback(None)
    return len(seen)


def test_an_answer_is_one_statement(sqlite_engine, tmp_path):
    globex.seed(sqlite_engine)
    stores = _stores(tmp_path, globex, globex.TENANT)
    globex.add_rates(sqlite_engine)  # every day's rate stored: joined in the statement
    assert [_statements(sqlite_engine, g, W47) for g in ([stores[0]], stores)] == [1, 1]
    with sqlite_engine.begin() as conn:
        conn.execute(fx_rates.delete())
    _eur_weekdays(sqlite_engine)  # carried and crossed by load_fx: one more statement
    assert [_statements(sqlite_engine, g, W47) for g in ([stores[0]], stores)] == [2, 2]
