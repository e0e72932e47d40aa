"""FX rates: CSV import with clear errors, the demo set, cross rates through USD, missing rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from analytics.fx import MissingFxRate
from jobs.warehouse.fx_rates import (
    DEMO_USD_PER_UNIT,
    FxFileError,
    demo_rate,
    import_fx_csv,
    load_fx,
    seed_demo_rates,
)
from jobs.warehouse.schema import fx_rates

NOV16 = date(2026, 11, 16)


def test_csv_import_is_idempotent_and_later_files_correct_rates(engine, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("day,base,quote,rate\n2026-11-16,GBP,USD,1.2734\n2026-11-16,usd,CNY,7.1\n")
    with engine.begin() as conn:
        assert import_fx_csv(conn, path) == 2
        import_fx_csv(conn, path)
        path.write_text("day,base,quote,rate\n2026-11-16,GBP,USD,1.2800\n")
        import_fx_csv(conn, path)
        count = conn.execute(select(func.count()).select_from(fx_rates)).scalar_one()
        fx = load_fx(conn, {"GBP", "CNY"}, "USD", NOV16, NOV16)
    assert count == 2
    assert fx.rate(NOV16, "GBP", "USD") == Decimal("1.2800")
    assert fx.rate(NOV16, "CNY", "USD") == Decimal(1) / Decimal("7.1")  # the inverse pair


GOOD = "day,base,quote,rate\n2026-11-15,GBP,USD,1.27\n"


@pytest.mark.parametrize(("body", "message"), [
    ("date,from,to,rate\n", "the first line must be the header day,base,quote,rate"),
    (GOOD + "16/11/2026,GBP,USD,1.27\n", "line 3: day '16/11/2026' is not a date"),
    (GOOD + "2026-11-16,POUND,USD,1.27\n", "line 3: base 'POUND' is not a currency code"),
    (GOOD + "2026-11-16,GBP,USD,-1\n", "line 3: rate '-1' must be a positive number"),
])
def test_bad_csv_lines_are_named_and_nothing_is_written(sqlite_engine, tmp_path, body, message):
    path = tmp_path / "rates.csv"
    path.write_text(body)
    with sqlite_engine.begin() as conn, pytest.raises(FxFileError, match=message):
        import_fx_csv(conn, path)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(fx_rates)).scalar_one() == 0


def test_demo_rates_cover_the_sandbox_currencies_and_move_daily(engine):
    with engine.begin() as conn:
        written = seed_demo_rates(conn, NOV16, NOV16 + timedelta(days=6))
        fx = load_fx(conn, {"THB", "VND", "IDR", "MYR", "CNY", "USD"}, "GBP", NOV16,
                     NOV16 + timedelta(days=6))
    assert written == 7 * len(DEMO_USD_PER_UNIT)
    assert set(DEMO_USD_PER_UNIT) == {"GBP", "THB", "MYR", "VND", "IDR", "CNY"}
    rates = {demo_rate("THB", NOV16 + timedelta(days=i)) for i in range(7)}
    assert len(rates) > 1  # not one constant: the order's own day matters
    assert all(abs(r / DEMO_USD_PER_UNIT["THB"] - 1) <= Decimal("0.01") for r in rates)
    # THB -> GBP is derived through USD, exactly.
    assert fx.rate(NOV16, "THB", "GBP") == demo_rate("THB", NOV16) / demo_rate("GBP", NOV16)
    assert fx.rate(NOV16, "USD", "GBP") == 1 / demo_rate("GBP", NOV16)


def test_a_day_without_rates_raises_naming_day_and_currency(sqlite_engine):
    # Rates are carried forward at most MAX_CARRY_FORWARD_DAYS (7): before the first rate and
    # eight days after it there is none.
    with sqlite_engine.begin() as conn:
        seed_demo_rates(conn, NOV16, NOV16)
        fx = load_fx(conn, {"THB"}, "USD", NOV16 - timedelta(days=1), NOV16 + timedelta(days=8))
    assert fx.rate(NOV16 + timedelta(days=7), "THB", "USD") == demo_rate("THB", NOV16)
    with pytest.raises(MissingFxRate, match="missing FX rate THB->USD for 2026-11-15"):
        fx.rate(NOV16 - timedelta(days=1), "THB", "USD")
    with pytest.raises(MissingFxRate, match="missing FX rate THB->USD for 2026-11-24"):
        fx.rate(NOV16 + timedelta(days=8), "THB", "USD")
