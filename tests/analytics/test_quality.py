from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from analytics.clean import Exclusion
from analytics.quality import coverage_table, exclusion_table, reconcile

D = [date(2026, 11, 16) + timedelta(i) for i in range(7)]


def test_coverage_and_freshness_per_source():
    present = pd.DataFrame(
        [("orders", "s1", d) for d in D] + [("ads", "a1", d) for d in D if d != D[3]]
        + [("affiliate", "s1", d) for d in D[:5]],
        columns=["source", "subject_id", "day"])
    table = coverage_table(present, D, today=date(2026, 11, 23)).set_index("source")
    assert table.loc["orders", "coverage"] == 1.0 and table.loc["orders", "fresh"]
    assert table.loc["ads", "missing_days"] == (D[3],)
    assert table.loc["ads", "coverage"] == pytest.approx(6 / 7)
    assert (table.loc["affiliate", "lag_days"], table.loc["affiliate", "fresh"]) == (3, True)
    stale = coverage_table(present, D, today=date(2026, 11, 25)).set_index("source")
    assert not stale.loc["orders", "fresh"] and not stale.loc["affiliate", "fresh"]


def test_exclusions_summed_over_stores():
    table = exclusion_table([
        Exclusion("sample", 2, {"GBP": Decimal("0")}), Exclusion("test", 1, {"GBP": Decimal("5")}),
        Exclusion("test", 3, {"GBP": Decimal("1"), "THB": Decimal("100")}),
    ]).set_index("rule")
    assert table.loc["test", "rows"] == 4
    assert table.loc["test", "money"] == {"GBP": Decimal("6"), "THB": Decimal("100")}
    assert table.loc["sample", "rows"] == 2


def test_reconciliation_within_tolerance():
    ours = {"gross_gmv": Decimal("1000"), "spend": Decimal("50.00"), "orders": Decimal("9")}
    platform = {"gross_gmv": Decimal("1009"), "spend": Decimal("50.01"), "orders": Decimal("10")}
    result = {r.metric: r for r in reconcile(ours, platform)}
    assert result["gross_gmv"].ok and result["gross_gmv"].difference == Decimal("-9")
    assert result["spend"].ok  # within the absolute tolerance
    assert not result["orders"].ok and result["orders"].difference_pct == pytest.approx(-0.1)
    assert reconcile({"x": Decimal(0)}, {"x": Decimal(0)})[0].ok
