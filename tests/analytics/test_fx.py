from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from analytics_frames import fx

from analytics.fx import FxRates, MissingFxRate

D1, D2 = date(2026, 11, 16), date(2026, 11, 17)


def test_rate_of_the_amounts_own_day_and_inverse():
    rates = FxRates.from_frame(fx((D1, "GBP", "USD", "1.25"), (D2, "GBP", "USD", "1.30"),
                                 (D1, "USD", "THB", "35")))
    assert rates.convert(Decimal("10"), "GBP", D1, "USD") == Decimal("12.5000")
    assert rates.convert(Decimal("10"), "GBP", D2, "USD") == Decimal("13.0000")
    assert rates.convert(Decimal("12.5"), "USD", D1, "GBP") == Decimal("10.0000")
    assert rates.convert(Decimal("35"), "THB", D1, "USD") == Decimal("1.0000")
    assert rates.convert(Decimal("7"), "GBP", D1, "GBP") == Decimal("7")


def test_missing_rate_names_day_and_currency():
    rates = FxRates.from_frame(fx((D1, "GBP", "USD", "1.25")))
    with pytest.raises(MissingFxRate, match=r"GBP->USD for 2026-11-17") as err:
        rates.convert(Decimal("1"), "GBP", D2, "USD")
    assert (err.value.day, err.value.currency) == (D2, "GBP")
    assert [str(e) for e in rates.check([(D1, "GBP"), (D2, "GBP"), (D2, "USD")], "USD")] == [
        "missing FX rate GBP->USD for 2026-11-17"]


def test_float_rates_are_refused():
    with pytest.raises(TypeError):
        FxRates.from_frame(fx((D1, "GBP", "USD", 1.25)))  # type: ignore[arg-type]
