"""The scheduler: each tenant's cron in its own zone (Shanghai, London across the end of BST),
one claim per window even with two ticking processes, and catch-up after downtime, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis
from conftest import make_env
from digest_seed import tenant_entry, write_tenants
from freezegun import freeze_time
from rq import Queue

from analytics.weeks import week_window
from config.tenants import Tenant
from jobs.digest.runs import load_run
from jobs.digest.schedule import due_windows
from jobs.resources import QUEUE
from jobs.tasks import dispatch_due


def london(**changes: object) -> Tenant:
    entry = tenant_entry()
    entry["digest"] = {"cron": "0 9 * * MON", "timezone": "Europe/London", "hold_hours": 6}
    return Tenant.model_validate({**entry, **changes})


def test_shanghai_monday_nine_is_one_am_utc() -> None:
    tenant = Tenant.model_validate(tenant_entry())
    [due] = due_windows(tenant, datetime(2026, 11, 22, 0, 0, tzinfo=UTC),
                        datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert due.fire_at.astimezone(UTC) == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert due.week == "2026-W47"


def test_london_keeps_nine_local_across_the_end_of_summer_time() -> None:
    fires = due_windows(london(), datetime(2026, 10, 12, tzinfo=UTC),
                        datetime(2026, 11, 3, tzinfo=UTC))
    assert [f.fire_at.astimezone(UTC).hour for f in fires] == [8, 8, 9, 9]  # BST x2, GMT x2
    assert [f.fire_at.hour for f in fires] == [9, 9, 9, 9]
    assert [f.week for f in fires] == ["2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    assert week_window("Europe/London", fires[2].week).hours == 169  # clocks went back 25 Oct


@pytest.fixture
def two_tenants(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch):
    env = make_env(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch)
    uk = tenant_entry()
    uk.update(id="brit", name="Brit Goods", stores=[], chats={"slack": [], "telegram": []},
              digest={"cron": "0 9 * * MON", "timezone": "Europe/London", "hold_hours": 6})
    write_tenants(tmp_path, tenant_entry(), uk)
    return env


def queued(redis_url: str) -> list[str]:
    return Queue(QUEUE, connection=redis.Redis.from_url(redis_url)).job_ids


def test_each_tenant_fires_at_its_own_local_nine(two_tenants) -> None:
    with freeze_time("2026-11-23 00:55:00"):  # 08:55 Shanghai
        assert dispatch_due() == []
    with freeze_time("2026-11-23 01:00:00"):  # 09:00 Shanghai, 01:00 London
        assert dispatch_due() == ["digest-prepare-acme-2026-W47"]
    with freeze_time("2026-11-23 01:05:00"):
        assert dispatch_due() == []
    with freeze_time("2026-11-23 09:00:00"):  # 09:00 London (GMT)
        assert dispatch_due() == ["digest-prepare-brit-2026-W47"]
    assert queued(two_tenants.redis_url) == ["digest-prepare-acme-2026-W47",
                                             "digest-prepare-brit-2026-W47"]
    run = load_run(two_tenants.engine, "brit", "2026-W47")
    assert run["status"] == "scheduled" and "Europe/London" in run["history"][0]["note"]


def test_london_fires_at_eight_utc_in_summer_time_and_nine_after(two_tenants) -> None:
    with freeze_time("2026-10-19 07:55:00"):
        dispatch_due()
    with freeze_time("2026-10-19 08:00:00"):  # 09:00 BST
        assert "digest-prepare-brit-2026-W42" in dispatch_due()
    with freeze_time("2026-10-26 08:00:00"):  # 08:00 GMT: clocks went back on the 25th
        assert not [j for j in dispatch_due() if "brit" in j]
    with freeze_time("2026-10-26 09:00:00"):  # 09:00 GMT
        assert [j for j in dispatch_due() if "brit" in j] == ["digest-prepare-brit-2026-W43"]


def test_two_cron_processes_claim_each_window_once(two_tenants) -> None:
    with freeze_time("2026-11-23 00:55:00"):
        dispatch_due()
    with freeze_time("2026-11-23 01:00:00"):
        first = dispatch_due()
    two_tenants.monkeypatch.delenv("REDIS_URL")  # a second process: same Redis, same database
    two_tenants.monkeypatch.setenv("REDIS_URL", two_tenants.redis_url)
    redis.Redis.from_url(two_tenants.redis_url).delete("tikpulse:schedule:last_tick")
    with freeze_time("2026-11-23 01:00:30"):
        second = dispatch_due()
    assert first == ["digest-prepare-acme-2026-W47"] and second == []
    assert queued(two_tenants.redis_url) == ["digest-prepare-acme-2026-W47"]


def test_a_window_missed_while_down_is_caught_up_once(two_tenants) -> None:
    with freeze_time("2026-11-22 23:00:00"):
        dispatch_due()  # last tick before the outage
    with freeze_time("2026-11-23 14:00:00"):  # back 13 hours later: both 09:00s were missed
        assert sorted(dispatch_due()) == ["digest-prepare-acme-2026-W47",
                                          "digest-prepare-brit-2026-W47"]
    with freeze_time("2026-11-23 14:05:00"):
        assert dispatch_due() == []


def test_windows_older_than_the_catch_up_limit_are_not_sent_late(two_tenants) -> None:
    with freeze_time("2026-11-16 00:00:00"):
        dispatch_due()
    with freeze_time("2026-11-25 12:00:00"):  # a week and a half later
        assert dispatch_due() == []  # 23 Nov is more than two days back


def with_reports(*reports: dict[str, str], zone: str = "Asia/Shanghai") -> dict[str, object]:
    entry = tenant_entry()
    entry["digest"] = {"timezone": zone, "hold_hours": 6, "reports": list(reports)}
    return entry


def test_a_month_is_due_on_the_first_in_the_tenants_zone_once() -> None:
    tenant = Tenant.model_validate(with_reports({"cadence": "weekly"},
                                                {"cadence": "monthly", "cron": "0 9 1 * *"}))
    fires = due_windows(tenant, datetime(2026, 11, 25, tzinfo=UTC),
                        datetime(2027, 1, 2, tzinfo=UTC))
    monthly = [f for f in fires if f.cadence == "monthly"]
    assert [(f.fire_at.date().isoformat(), f.fire_at.hour, f.week) for f in monthly] == [
        ("2026-12-01", 9, "2026-11"), ("2027-01-01", 9, "2026-12")]
    assert monthly[0].fire_at.astimezone(UTC) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    weekly = [f.week for f in fires if f.cadence == "weekly"]
    assert weekly == ["2026-W48", "2026-W49", "2026-W50", "2026-W51", "2026-W52"]


def test_a_fortnight_is_due_every_other_monday() -> None:
    tenant = Tenant.model_validate(with_reports({"cadence": "biweekly"}))
    fires = due_windows(tenant, datetime(2026, 11, 1, tzinfo=UTC),
                        datetime(2027, 1, 12, tzinfo=UTC))
    assert [f.week for f in fires] == ["2026-W43-W44", "2026-W45-W46", "2026-W47-W48",
                                       "2026-W49-W50", "2026-W51-W52", "2026-W53-2027-W01"]
    days = [f.fire_at.date() for f in fires]
    assert all(d.weekday() == 0 for d in days)
    assert {(b - a).days for a, b in zip(days, days[1:], strict=False)} == {14}


def test_a_tenants_file_without_reports_keeps_its_weekly_cron() -> None:
    tenant = london()
    (only,) = tenant.digest.schedules
    assert (only.cadence, only.when) == ("weekly", "0 9 * * MON")
    assert Tenant.model_validate(with_reports({"cadence": "monthly"})).digest.schedules[0].when \
        == "0 9 1 * *"


@pytest.mark.parametrize(("reports", "says"), [
    ([{"cadence": "monthly"}, {"cadence": "monthly"}], "may be listed once"),
    ([{"cadence": "monthly", "cron": "every month"}], "invalid cron expression 'every month'"),
    ([{"cadence": "quarterly"}], "weekly"),
])
def test_bad_report_schedules_are_refused_with_the_fix(reports, says) -> None:
    with pytest.raises(ValueError, match=says):
        Tenant.model_validate(with_reports(*reports))


@pytest.fixture
def monthly_tenants(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch):
    env = make_env(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch)
    uk = with_reports({"cadence": "monthly"}, zone="Europe/London")
    uk.update(id="brit", name="Brit Goods", stores=[], chats={"slack": [], "telegram": []})
    write_tenants(tmp_path, with_reports({"cadence": "weekly"}, {"cadence": "monthly"},
                                         {"cadence": "biweekly"}), uk)
    return env


def test_dispatch_sends_each_cadence_once_keyed_by_its_period(monthly_tenants) -> None:
    with freeze_time("2027-01-31 23:00:00"):
        assert dispatch_due() == []
    with freeze_time("2027-02-01 01:00:00"):  # Monday 1 Feb, 09:00 Shanghai: month and week
        assert sorted(dispatch_due()) == ["digest-prepare-acme-2027-01",  # (W02-W03 went out
                                          "digest-prepare-acme-2027-W04"]  # a week ago)
    redis.Redis.from_url(monthly_tenants.redis_url).delete("tikpulse:schedule:last_tick")
    with freeze_time("2027-02-01 01:00:30"):  # a second process ticking the same minute
        assert dispatch_due() == []
    with freeze_time("2027-02-01 09:00:00"):  # 09:00 in London: brit's month only
        assert dispatch_due() == ["digest-prepare-brit-2027-01"]
    with freeze_time("2027-02-08 01:00:00"):  # the next Monday: the week and the fortnight
        assert sorted(dispatch_due()) == ["digest-prepare-acme-2027-W04-W05",
                                          "digest-prepare-acme-2027-W05"]
    with freeze_time("2027-02-15 01:00:00"):  # and the Monday after: the week alone
        assert dispatch_due() == ["digest-prepare-acme-2027-W06"]
    for window in ("2027-01", "2027-W04-W05", "2027-W04", "2027-W05"):
        assert load_run(monthly_tenants.engine, "acme", window)["status"] == "scheduled"
