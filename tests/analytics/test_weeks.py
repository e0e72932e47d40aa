from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from analytics.weeks import iso_week_label, local_days, parse_iso_week, previous_weeks, week_window


def test_labels_round_trip():
    assert iso_week_label(date(2026, 11, 22)) == "2026-W47"
    assert parse_iso_week("2026-W47") == date(2026, 11, 16)
    assert iso_week_label(date(2027, 1, 1)) == "2026-W53"  # ISO year differs from calendar year
    with pytest.raises(ValueError):
        parse_iso_week("2026-47")
    with pytest.raises(ValueError):
        parse_iso_week("2025-W53")  # 2025 has 52 ISO weeks


def test_ordinary_week_in_london_is_utc_aligned_in_winter():
    w = week_window("Europe/London", date(2026, 11, 18))
    assert w.label == "2026-W47"
    assert w.start_utc == datetime(2026, 11, 16, tzinfo=UTC)
    assert w.end_utc == datetime(2026, 11, 23, tzinfo=UTC)
    assert w.days[0] == date(2026, 11, 16) and w.days[-1] == date(2026, 11, 22)
    assert w.hours == 168


def test_london_dst_end_week_has_169_hours():
    w = week_window("Europe/London", "2026-W43")  # clocks go back on Sunday 25 October 2026
    assert w.start_utc == datetime(2026, 10, 18, 23, tzinfo=UTC)  # BST midnight
    assert w.end_utc == datetime(2026, 10, 26, 0, tzinfo=UTC)  # GMT midnight
    assert w.hours == 169


def test_los_angeles_dst_end_week_has_169_hours_and_spring_week_167():
    fall = week_window("America/Los_Angeles", date(2026, 11, 1))  # Sunday of the change
    assert fall.label == "2026-W44"
    assert fall.start_utc == datetime(2026, 10, 26, 7, tzinfo=UTC)
    assert fall.end_utc == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert fall.hours == 169
    spring = week_window("America/Los_Angeles", date(2026, 3, 8))
    assert spring.hours == 167


def test_contains_is_half_open():
    w = week_window("Asia/Bangkok", "2026-W47")
    assert w.contains(datetime(2026, 11, 15, 17, tzinfo=UTC))  # Monday 00:00 local
    assert not w.contains(datetime(2026, 11, 22, 17, tzinfo=UTC))  # next Monday 00:00


def test_previous_weeks_most_recent_first_across_dst():
    w = week_window("Europe/London", "2026-W44")
    prev = previous_weeks(w, 2)
    assert [p.label for p in prev] == ["2026-W43", "2026-W42"]
    assert prev[0].end_utc == w.start_utc


def test_local_days_per_shop_zone():
    times = pd.Series(pd.to_datetime(
        ["2026-10-25 23:30", "2026-10-25 23:30", "2026-10-24 23:30", None], utc=True))
    shops = pd.Series(["gb", "th", "gb", "gb"])
    days = local_days(times, shops, {"gb": "Europe/London", "th": "Asia/Bangkok"})
    # 23:30 UTC on 24 Oct is 00:30 BST on the 25th; on the 25th (after the change) it is 23:30 GMT
    assert days.tolist() == [date(2026, 10, 25), date(2026, 10, 26), date(2026, 10, 25), None]
    with pytest.raises(KeyError, match="xx"):
        local_days(times, pd.Series(["xx"] * 4), {})
