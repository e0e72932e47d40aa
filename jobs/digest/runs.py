"""The digest run log: one ``digest_runs`` row per (tenant, week) with its state and history.

States: scheduled -> waiting (for late data) -> rendering -> sending -> sent | partial | failed,
or ``no_chat`` when the tenant has no chat bound (nothing was sent, and the run says so).
Every change appends ``{at, status, note}`` to ``history``; per-channel outcomes are appended as
``{at, channel, outcome, detail}``. The row also keeps the frozen snapshot the digest (and the
bot's thread answers) are made from, its hash and what data was missing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.exc import IntegrityError

from jobs.warehouse.schema import digest_runs

STATES = ("scheduled", "waiting", "rendering", "sending", "sent", "partial", "failed", "no_chat")
FINAL = frozenset({"sent", "partial", "no_chat"})


def _where(tenant_id: str, week: str) -> Any:
    return and_(digest_runs.c.tenant_id == tenant_id, digest_runs.c.window == week)


def _entry(now: datetime, **fields: Any) -> dict[str, Any]:
    return {"at": now.isoformat(timespec="seconds"), **fields}


def claim_run(engine: Engine, tenant_id: str, week: str, note: str = "",
              now: datetime | None = None) -> bool:
    """Insert the run as ``scheduled``; False if the (tenant, week) run already exists."""
    now = now or datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(digest_runs.insert().values(
                tenant_id=tenant_id, window=week, status="scheduled",
                history=[_entry(now, status="scheduled", note=note)], created_at=now,
                updated_at=now))
    except IntegrityError:
        return False
    return True


def load_run(engine: Engine, tenant_id: str, week: str) -> dict[str, Any] | None:
    """The run row as a dict (status, snapshot, snapshot_hash, missing, history), if any."""
    with engine.connect() as conn:
        row = conn.execute(select(digest_runs).where(_where(tenant_id, week))).mappings().first()
    return None if row is None else dict(row)


def set_state(engine: Engine, tenant_id: str, week: str, status: str, note: str = "", *,
              now: datetime | None = None, **fields: Any) -> None:
    """Move the run to ``status`` (creating it if needed) and log it; ``fields`` are stored too."""
    if status not in STATES:
        raise ValueError(f"unknown digest run state {status!r}; one of {', '.join(STATES)}")
    now = now or datetime.now(UTC)
    claim_run(engine, tenant_id, week, "created by a direct run", now)
    _append(engine, tenant_id, week, _entry(now, status=status, note=note), now,
            status=status, **fields)


def log_channel(engine: Engine, tenant_id: str, week: str, channel: str, outcome: str,
                detail: str = "", now: datetime | None = None) -> None:
    """Append one channel's delivery outcome to the run's history."""
    now = now or datetime.now(UTC)
    _append(engine, tenant_id, week,
            _entry(now, channel=channel, outcome=outcome, detail=detail[:500]), now)


def _append(engine: Engine, tenant_id: str, week: str, entry: dict[str, Any], now: datetime,
            **fields: Any) -> None:
    with engine.begin() as conn:
        history = conn.execute(
            select(digest_runs.c.history).where(_where(tenant_id, week)).with_for_update()
        ).scalar_one()
        conn.execute(update(digest_runs).where(_where(tenant_id, week)).values(
            history=[*(history or []), entry], updated_at=now, **fields))


def channel_outcomes(run: dict[str, Any]) -> dict[str, str]:
    """The latest outcome per channel from a run's history."""
    out: dict[str, str] = {}
    for entry in run.get("history") or []:
        if "channel" in entry:
            out[entry["channel"]] = entry["outcome"]
    return out
