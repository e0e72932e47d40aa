"""Report periods of every cadence: labels, bounds in the store's zone, references."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics.periods import (
    baseline_periods,
    last_complete_period,
    parse_period,
    period_window,
    previous_period,
    year_ago,
)
from analytics.weeks import week_window


def test_a_weekly_period_is_the_iso_week_of_weeks_py():
    period = period_window("Asia/Bangkok", "2026-W47")
    week = week_window("Asia/Bangkok", "2026-W47")
    assert (period.cadence, period.label) == ("weekly", "2026-W47")
    assert (period.start_utc, period.end_utc, period.days) == (week.start_utc, week.end_utc,
                                                                week.days)


def test_a_month_runs_local_midnight_to_local_midnight_across_a_dst_change():
    october = period_window("Europe/London", "2026-10")
    assert october.first == date(2026, 10, 1) and october.last == date(2026, 10, 31)
    assert october.start_utc == datetime(2026, 9, 30, 23, tzinfo=UTC)  # BST midnight
    assert october.end_utc == datetime(2026, 11, 1, 0, tzinfo=UTC)  # GMT midnight
    assert october.hours == 31 * 24 + 1
    assert period_window("Europe/London", date(2026, 2, 14), "monthly").days[-1] == date(2026, 2,
                                                                                          28)


def test_fortnights_are_fixed_pairs_whatever_day_is_asked():
    a = period_window("Asia/Bangkok", date(2026, 11, 16), "biweekly")
    b = period_window("Asia/Bangkok", date(2026, 11, 29), "biweekly")
    c = period_window("Asia/Bangkok", date(2026, 11, 30), "biweekly")
    assert a == b and len(a.days) == 14 and a.first.weekday() == 0
    assert c.first == a.last.replace(day=a.last.day + 1)
    assert period_window("Asia/Bangkok", a.label) == a  # the label names the same pair
    assert parse_period(a.label) == ("biweekly", a.first)


def test_a_fortnight_across_new_year_is_labelled_with_both_years():
    pair = period_window("UTC", date(2027, 1, 4), "biweekly")
    assert pair.label == "2026-W53-2027-W01"
    assert (pair.first, pair.last) == (date(2026, 12, 28), date(2027, 1, 10))
    assert period_window("UTC", pair.label) == pair


def test_previous_baseline_and_year_ago_per_cadence():
    november = period_window("UTC", "2026-11")
    assert previous_period(november).label == "2026-10"
    assert [p.label for p in baseline_periods(november)] == ["2026-10", "2026-09", "2026-08"]
    assert year_ago(november).label == "2025-11"
    week = period_window("UTC", "2026-W47")
    assert [p.label for p in baseline_periods(week)] == ["2026-W46", "2026-W45", "2026-W44",
                                                         "2026-W43"]
    assert year_ago(week).first.weekday() == 0 and (week.first - year_ago(week).first).days == 364
    pair = period_window("UTC", date(2026, 11, 18), "biweekly")
    assert previous_period(pair).last == pair.first.replace(day=pair.first.day - 1)
    assert len(baseline_periods(pair)) == 2


def test_last_complete_period_ends_before_today():
    assert last_complete_period("UTC", "monthly", date(2026, 12, 3)).label == "2026-11"
    assert last_complete_period("UTC", "weekly", date(2026, 12, 3)).label == "2026-W48"
    pair = last_complete_period("UTC", "biweekly", date(2026, 12, 3))
    assert pair.last < date(2026, 12, 3) and len(pair.days) == 14


@pytest.mark.parametrize("label", ["2026-13", "2026-W47-W49", "2026-11-01", "W47", "1999-05",
                                   "2026-W46-W47"])  # W47-W48 is a pair, W46-W47 straddles two
def test_bad_labels_say_what_is_expected(label):
    with pytest.raises(ValueError):
        parse_period(label)


def test_a_label_of_another_cadence_is_refused():
    with pytest.raises(ValueError, match="monthly"):
        period_window("UTC", "2026-11", "weekly")
