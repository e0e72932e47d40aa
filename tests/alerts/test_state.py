"""The alert state machine on its own: which findings become messages, and which stay quiet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.alerts.findings import Finding
from jobs.alerts.kinds import KINDS
from jobs.alerts.state import AlertState, advance

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
AUTH = KINDS["auth_broken"]  # urgent, repeats every 24 h, 1 h cooldown
LATE = KINDS["source_late"]  # not urgent


def broken(reason: str = "revoked", started: datetime | None = None) -> Finding:
    return Finding("acme", "auth_broken", "1", True, reason, started_at=started)


def fine() -> Finding:
    return Finding("acme", "auth_broken", "1", False)


def run(steps, kind=AUTH, quiet=False):
    """Feed (minutes after T0, finding) pairs; returns the final state and the events sent."""
    state, events = None, []
    for minutes, finding in steps:
        state, notice = advance(state, finding, kind, T0 + timedelta(minutes=minutes), quiet=quiet)
        if notice:
            events.append((minutes, notice.event, notice.incident))
    return state, events


def test_a_healthy_subject_stores_nothing():
    assert advance(None, fine(), AUTH, T0, quiet=False) == (None, None)


def test_ok_to_failing_announces_once_then_stays_quiet_within_the_repeat_interval():
    state, events = run([(0, broken()), (10, broken()), (60 * 23, broken())])
    assert events == [(0, "opened", 1)]
    assert state.state == "failing" and state.last_notified_at == T0


def test_repeat_after_the_interval_and_one_recovery():
    state, events = run([(0, broken()), (60 * 24, broken()), (60 * 25, fine()), (60 * 26, fine())])
    assert events == [(0, "opened", 1), (60 * 24, "repeat", 1), (60 * 25, "recovered", 1)]
    assert state.state == "ok" and state.incident == 1


def test_since_comes_from_the_source_when_known():
    started = T0 - timedelta(hours=5)
    state, _ = run([(0, broken(started=started))])
    assert state.since == started


def test_a_different_problem_is_news_even_inside_the_cooldown():
    steps = [(0, broken("revoked")), (5, broken("shop_changed")), (6, broken("shop_changed"))]
    _, events = run(steps)
    assert [e[1] for e in events] == ["opened", "changed"]


def test_a_flap_inside_the_cooldown_stays_quiet_and_its_recovery_too():
    _, events = run([(0, broken()), (10, fine()), (20, broken()), (30, fine())])
    assert events == [(0, "opened", 1), (10, "recovered", 1)]


def test_a_new_incident_after_the_cooldown_gets_a_new_number():
    state, events = run([(0, broken()), (10, fine()), (180, broken())])
    assert events[-1] == (180, "opened", 2) and state.incident == 2


def test_quiet_hours_hold_a_non_urgent_alert_until_they_end():
    late = Finding("acme", "source_late", "orders:1", True, "late")
    state, notice = advance(None, late, LATE, T0, quiet=True)
    assert notice is None and state.state == "failing" and state.announced is None
    state, notice = advance(state, late, LATE, T0 + timedelta(hours=8), quiet=False)
    assert notice is not None and notice.event == "opened" and notice.since == T0


def test_urgent_kinds_ignore_quiet_hours():
    _, notice = advance(None, broken(), AUTH, T0, quiet=True)
    assert notice is not None and notice.event == "opened"


def test_a_recovery_during_quiet_hours_waits_and_is_sent_once():
    late = Finding("acme", "source_late", "orders:1", True, "late")
    ok = Finding("acme", "source_late", "orders:1", False)
    state, _ = advance(None, late, LATE, T0, quiet=False)
    state, notice = advance(state, ok, LATE, T0 + timedelta(hours=2), quiet=True)
    assert notice is None and state.state == "recovering"
    state, notice = advance(state, ok, LATE, T0 + timedelta(hours=9), quiet=False)
    assert notice.event == "recovered" and state.state == "ok"
    assert advance(state, ok, LATE, T0 + timedelta(hours=10), quiet=False) == (state, None)


def test_an_incident_nobody_was_told_about_recovers_silently():
    late = Finding("acme", "source_late", "orders:1", True, "late")
    ok = Finding("acme", "source_late", "orders:1", False)
    state, _ = advance(None, late, LATE, T0, quiet=True)
    state, notice = advance(state, ok, LATE, T0 + timedelta(hours=1), quiet=False)
    assert notice is None and state.state == "ok"


def test_failing_again_while_the_recovery_waits_continues_the_same_incident():
    late = Finding("acme", "source_late", "orders:1", True, "late")
    ok = Finding("acme", "source_late", "orders:1", False)
    state, _ = advance(None, late, LATE, T0, quiet=False)
    state, _ = advance(state, ok, LATE, T0 + timedelta(hours=2), quiet=True)
    state, notice = advance(state, late, LATE, T0 + timedelta(hours=3), quiet=True)
    assert notice is None and state.state == "failing" and state.incident == 1
    assert isinstance(state, AlertState) and state.announced == "late"
