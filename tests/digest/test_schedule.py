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
