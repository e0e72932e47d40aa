"""One root cause, one alert: a sync that keeps failing and the data it leaves late are the same
incident, so only one of the two findings speaks.

Whichever of the pair was announced first keeps the floor; when neither was, the lateness (what
the seller loses) speaks and carries the sync's last error. The quiet one is reported as fine,
which the state machine turns into a silent close since it was never announced. If both were
already announced (before they met), both carry on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from jobs.alerts.findings import Finding
from jobs.alerts.state import AlertState

Key = tuple[str, str, str]


def fold_sync_into_lateness(findings: list[Finding],
                            states: Mapping[Key, AlertState]) -> list[Finding]:
    """``findings`` with each (sync_failing, source_late) pair of one subject speaking once."""
    late = {f.subject_id: f for f in findings if f.kind == "source_late" and f.failing}
    out = []
    replaced: dict[Key, Finding] = {}
    for finding in findings:
        if finding.kind != "sync_failing" or not finding.failing:
            continue
        subject_id = finding.subject_id.split(":", 1)[-1]
        lateness = late.get(subject_id)
        if lateness is None:
            continue
        if _announced(states, finding.key) and not _announced(states, lateness.key):
            replaced[lateness.key] = replace(lateness, failing=False)
            replaced[finding.key] = _with(finding, late_through=lateness.facts.get("through"))
        elif not _announced(states, finding.key):
            replaced[finding.key] = replace(finding, failing=False)
            replaced[lateness.key] = _with(lateness, last_error=finding.facts.get("last_error"))
    for finding in findings:
        out.append(replaced.get(finding.key, finding))
    return out


def _announced(states: Mapping[Key, AlertState], key: Key) -> bool:
    state = states.get(key)
    return state is not None and state.state != "ok" and state.announced is not None


def _with(finding: Finding, **facts: object) -> Finding:
    return replace(finding, facts={**finding.facts, **facts})
