"""One root cause, one alert: a failing sync and the lateness it causes speak once between them."""

from __future__ import annotations

from datetime import UTC, datetime

from jobs.alerts.findings import Finding
from jobs.alerts.folding import fold_sync_into_lateness
from jobs.alerts.state import AlertState

T = datetime(2026, 11, 20, tzinfo=UTC)
LATE = Finding("acme", "source_late", "s1", True, "late", facts={"through": "2026-11-17"})
SYNC = Finding("acme", "sync_failing", "sync_shop:s1", True, "failing",
               facts={"last_error": "HTTP 503"})
OTHER = Finding("acme", "sync_failing", "sync_shop:s2", True, "failing")


def speaking(findings):
    return {(f.kind, f.subject_id) for f in findings if f.failing}


def announced(finding: Finding) -> AlertState:
    return AlertState("failing", T, T, 1, {"announced": finding.reason})


def test_neither_announced_yet_lateness_speaks_with_the_sync_error():
    out = fold_sync_into_lateness([LATE, SYNC, OTHER], {})
    assert speaking(out) == {("source_late", "s1"), ("sync_failing", "sync_shop:s2")}
    assert next(f for f in out if f.kind == "source_late").facts["last_error"] == "HTTP 503"


def test_a_sync_alert_already_out_keeps_the_floor():
    out = fold_sync_into_lateness([LATE, SYNC], {SYNC.key: announced(SYNC)})
    assert speaking(out) == {("sync_failing", "sync_shop:s1")}
    assert next(f for f in out if f.kind == "sync_failing").facts["late_through"] == "2026-11-17"


def test_both_already_announced_both_carry_on():
    states = {SYNC.key: announced(SYNC), LATE.key: announced(LATE)}
    assert speaking(fold_sync_into_lateness([LATE, SYNC], states)) == {
        ("source_late", "s1"), ("sync_failing", "sync_shop:s1")}
