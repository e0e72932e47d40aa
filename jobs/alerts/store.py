"""``alert_states`` rows in and out, with compare-and-swap so two workers never both announce.

``claim`` writes the state ``advance`` chose only if the row is still what this worker read:
an insert that finds the row already there, or an update whose guard no longer matches, returns
``False`` and the worker drops its notice (the other worker owns it). ``release`` undoes the claim
of a notice that could not be delivered, so the next evaluation tries again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from jobs.alerts.state import AlertState
from jobs.warehouse.schema import alert_states

Key = tuple[str, str, str]


def load_state(conn: Connection, key: Key) -> AlertState | None:
    """The stored state for ``(tenant_id, kind, subject_id)``, if any."""
    row = conn.execute(select(alert_states).where(_is(key))).first()
    if row is None:
        return None
    return AlertState(row.state, row.since, row.last_notified_at, row.incident,
                      dict(row.details or {}))


def load_states(conn: Connection, tenant_id: str) -> dict[Key, AlertState]:
    """Every stored state of one tenant, by key."""
    rows = conn.execute(select(alert_states).where(alert_states.c.tenant_id == tenant_id))
    return {(r.tenant_id, r.kind, r.subject_id):
            AlertState(r.state, r.since, r.last_notified_at, r.incident, dict(r.details or {}))
            for r in rows}


def claim(conn: Connection, key: Key, prev: AlertState | None, new: AlertState) -> bool:
    """Store ``new`` if the row still equals ``prev``; ``False`` if another worker got there."""
    values = _values(new)
    if prev is None:
        tenant_id, kind, subject_id = key
        dialect_insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
        stmt = dialect_insert[conn.dialect.name](alert_states).values(
            tenant_id=tenant_id, kind=kind, subject_id=subject_id, **values)
        inserted = stmt.on_conflict_do_nothing().returning(  # type: ignore[attr-defined]
            alert_states.c.kind)
        return conn.execute(inserted).first() is not None
    result = conn.execute(update(alert_states).where(_is(key), _unchanged(prev)).values(**values))
    return result.rowcount == 1


def release(
    conn: Connection, key: Key, claimed: AlertState, before: AlertState | None, event: str,
) -> bool:
    """Undo the claim of a notice nobody received, so the next evaluation sends it again."""
    in_incident = before is not None and before.state != "ok"
    announced = before.announced if before is not None and in_incident else None
    recovered = event == "recovered" and before is not None
    restored = AlertState(
        "recovering" if recovered else claimed.state,
        before.since if recovered and before is not None else claimed.since,
        before.last_notified_at if before is not None else None,
        claimed.incident,
        {**claimed.details, "announced": announced},
    )
    return claim(conn, key, claimed, restored)


def _values(state: AlertState) -> dict[str, Any]:
    return {"state": state.state, "since": state.since,
            "last_notified_at": state.last_notified_at, "incident": state.incident,
            "details": state.details}


def _is(key: Key) -> ColumnElement[bool]:
    tenant_id, kind, subject_id = key
    c = alert_states.c
    return and_(c.tenant_id == tenant_id, c.kind == kind, c.subject_id == subject_id)


def _unchanged(prev: AlertState) -> ColumnElement[bool]:
    c = alert_states.c
    last = (c.last_notified_at.is_(None) if prev.last_notified_at is None
            else c.last_notified_at == prev.last_notified_at)
    return and_(c.state == prev.state, c.incident == prev.incident, last)
