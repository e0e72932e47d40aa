"""A KPI answer read through the SQL sums gives the numbers of the pandas path, on both backends.

``scope_answer`` reads both periods, every currency it shows and both weeks' buyers at once
(``numbers._answers``); ``scope_kpis`` computes the same from ``daily_rows`` with
``compute_kpis``. They must agree to the last digit for one store in its own currency with the
reporting currency beside it (a rate fixed over the fortnight; rates moving daily), several
stores, a range that is not a week and a week cut short; and without rates the answer gives each
store in its own currency and names the missing pairs.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.commands.numbers import ScopeNumbers, scope_answer, scope_kpis
from bot.commands.periods import Period, cut_short
from config.tenants import load_tenants
from jobs.warehouse.schema import shop_week_buyers
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
