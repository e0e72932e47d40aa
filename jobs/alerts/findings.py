"""What a rule reports about one thing it checked: broken or fine, why, and since when.

A rule returns a ``Finding`` for every subject it looked at, healthy ones included, so the state
machine can tell a recovery from silence. ``facts`` carries what the message needs (shop names,
the day data stops, the missing scope) as plain JSON values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jobs.alerts.kinds import Severity


@dataclass(frozen=True)
class Finding:
    """The outcome of one check of one subject (an authorization, a shop, a source...)."""

    tenant_id: str
    kind: str
    subject_id: str
    failing: bool
    #: Short machine word for what is wrong (``revoked``, ``late``...); a change is news.
    reason: str = ""
    severity: Severity = "high"
    #: When the problem started, if the source knows (e.g. ``status_changed_at``).
    started_at: datetime | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """The ``alert_states`` primary key this finding updates."""
        return (self.tenant_id, self.kind, self.subject_id)


def healthy(tenant_id: str, kind: str, subject_id: str, /, **facts: Any) -> Finding:
    """A finding that says the subject is fine."""
    return Finding(tenant_id, kind, subject_id, failing=False, facts=dict(facts))
