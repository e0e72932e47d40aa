"""The alert state machine: when a finding becomes a message, and when it stays quiet.

States: ``ok`` -> ``failing`` (an incident) -> ``recovering`` (fixed, the all-clear not yet sent)
-> ``ok``. A message goes out when an incident opens, when its reason changes, every
``repeat_after`` while it stays broken, and once when it is fixed. Nothing opens or repeats within
``cooldown`` of the previous message about the same subject (a flapping check stays quiet), and a
non-urgent kind says nothing during quiet hours: the notice waits for the first evaluation allowed
to send it. An incident that was never announced recovers silently. ``advance`` is pure;
``jobs.alerts.store`` persists its result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from jobs.alerts.findings import Finding
from jobs.alerts.kinds import AlertKind

State = Literal["ok", "failing", "recovering"]
Event = Literal["opened", "changed", "repeat", "recovered"]


@dataclass(frozen=True)
class AlertState:
    """One row of ``alert_states``; ``details["announced"]`` is the reason already announced in
    the current incident (``None`` while nobody has been told)."""

    state: State
    since: datetime
    last_notified_at: datetime | None = None
    incident: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def announced(self) -> str | None:
        """The reason the current incident was announced with, if it was."""
        value = self.details.get("announced")
        return None if value is None else str(value)


@dataclass(frozen=True)
class Notice:
    """A message that is due: what happened to which subject, within which incident."""

    finding: Finding
    event: Event
    incident: int
    since: datetime
    at: datetime


def advance(
    prev: AlertState | None, finding: Finding, kind: AlertKind, now: datetime, *, quiet: bool,
) -> tuple[AlertState | None, Notice | None]:
    """The next state for ``finding`` and the notice to send now, if any.

    ``quiet`` is true during the tenant's quiet hours. Returns ``(prev, None)`` unchanged when a
    subject that is not in an incident is still fine (nothing to store).
    """
    may_speak = kind.urgent or not quiet
    if finding.failing:
        return _while_failing(prev, finding, kind, now, may_speak)
    if prev is None or prev.state == "ok":
        return prev, None
    if prev.announced is None or not kind.announce_recovery:  # nobody waits for an all-clear
        return _ok(prev, finding, now, prev.last_notified_at), None
    if not may_speak:
        return replace(prev, state="recovering", details=_details(prev, finding)), None
    notice = Notice(finding, "recovered", prev.incident, prev.since, now)
    return _ok(prev, finding, now, now), notice


def _while_failing(
    prev: AlertState | None, finding: Finding, kind: AlertKind, now: datetime, may_speak: bool,
) -> tuple[AlertState, Notice | None]:
    if prev is None or prev.state == "ok":
        state = AlertState("failing", finding.started_at or now,
                           prev.last_notified_at if prev else None,
                           (prev.incident if prev else 0) + 1,
                           {**_details(prev, finding), "announced": None})
    else:  # still failing, or a flap back from recovering: the same incident goes on
        state = replace(prev, state="failing", details=_details(prev, finding))
    event = _due_event(state, finding, kind, now)
    if event is None or not may_speak or _cooling_down(state, kind, now, event):
        return state, None
    sent = replace(state, last_notified_at=now,
                   details={**state.details, "announced": finding.reason})
    return sent, Notice(finding, event, state.incident, state.since, now)


def _due_event(state: AlertState, finding: Finding, kind: AlertKind, now: datetime) -> Event | None:
    if state.announced is None:
        return "opened"
    if finding.reason != state.announced:
        return "changed"
    if state.last_notified_at is None or now - state.last_notified_at >= kind.repeat_after:
        return "repeat"
    return None


def _cooling_down(state: AlertState, kind: AlertKind, now: datetime, event: Event) -> bool:
    last = state.last_notified_at
    return event != "changed" and last is not None and now - last < kind.cooldown


def _ok(prev: AlertState, finding: Finding, now: datetime, notified: datetime | None) -> AlertState:
    return AlertState("ok", now, notified, prev.incident,
                      {**_details(prev, finding), "announced": None})


def _details(prev: AlertState | None, finding: Finding) -> dict[str, Any]:
    announced = prev.details.get("announced") if prev else None
    return {"announced": announced, "reason": finding.reason, "severity": finding.severity,
            "facts": finding.facts}
