"""The ``deliveries`` rows: one per (tenant, week, channel), what makes sends exactly-once.

A delivery is claimed before anything is posted. Each step (``summary:zh``, ``charts:zh``, ...) is
marked *pending* (committed) before its call and *done* with the platform ids right after, so a
retry after a crash skips what is done and looks up a step left pending. A claim for a new
snapshot hash on a delivery already sent starts a correction round that keeps the earlier ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update

from jobs.warehouse.schema import deliveries


@dataclass(frozen=True)
class DeliveryKey:
    """Which delivery: a tenant's week into one channel."""

    tenant_id: str
    week: str
    channel_kind: str  # slack | telegram
    channel_id: str

    def __str__(self) -> str:
        return f"{self.channel_kind}:{self.channel_id}"

    def where(self) -> Any:
        c = deliveries.c
        return and_(c.tenant_id == self.tenant_id, c.window == self.week,
                    c.channel_kind == self.channel_kind, c.channel_id == self.channel_id)


@dataclass
class DeliveryState:
    """Where a delivery stands: done steps, the step in doubt, ids of what was posted."""

    status: str
    snapshot_hash: str
    round: int = 1
    done: list[str] = field(default_factory=list)
    pending: str | None = None
    ids: dict[str, Any] = field(default_factory=dict)
    claimed_at: datetime | None = None

    @property
    def is_correction(self) -> bool:
        """True when this round replaces content already posted with other numbers."""
        return self.round > 1

    def extra(self) -> dict[str, Any]:
        return {"round": self.round, "done": self.done, "pending": self.pending, "ids": self.ids}


def load_delivery(engine: Engine, key: DeliveryKey) -> DeliveryState | None:
    """The recorded state of one delivery, if it was ever claimed."""
    with engine.connect() as conn:
        return _load(conn, key)


def _load(conn: Connection, key: DeliveryKey) -> DeliveryState | None:
    row = conn.execute(select(deliveries).where(key.where())).mappings().first()
    if row is None:
        return None
    extra = row["extra_ids"] or {}
    return DeliveryState(row["status"], row["snapshot_hash"] or "", extra.get("round", 1),
                         list(extra.get("done", [])), extra.get("pending"),
                         dict(extra.get("ids", {})), row["claimed_at"])


def claim_delivery(engine: Engine, key: DeliveryKey, snapshot_hash: str,
                   now: datetime | None = None) -> DeliveryState | None:
    """Claim ``key`` for ``snapshot_hash``; ``None`` when exactly this was already delivered.

    A new key is inserted; an unfinished one is resumed; a sent one with another hash starts a
    correction round (done steps reset, ids kept so the earlier messages can be edited).
    """
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        state = _load(conn, key)
        if state is None:
            state = DeliveryState("claimed", snapshot_hash, claimed_at=now)
            conn.execute(deliveries.insert().values(
                tenant_id=key.tenant_id, window=key.week, channel_kind=key.channel_kind,
                channel_id=key.channel_id, status="claimed", snapshot_hash=snapshot_hash,
                extra_ids=state.extra(), attempts=1, claimed_at=now))
            return state
        if state.status == "sent" and state.snapshot_hash == snapshot_hash:
            return None
        if state.snapshot_hash != snapshot_hash and (state.status == "sent" or state.ids):
            state.round, state.done = state.round + 1, []
        state.status, state.snapshot_hash, state.claimed_at = "claimed", snapshot_hash, now
        conn.execute(update(deliveries).where(key.where()).values(
            status="claimed", snapshot_hash=snapshot_hash, extra_ids=state.extra(),
            attempts=deliveries.c.attempts + 1, claimed_at=now, error=None))
        return state


def save_progress(engine: Engine, key: DeliveryKey, state: DeliveryState) -> None:
    """Commit the steps done, the step pending and the ids (the first summary id as message_id)."""
    first = next((v for k, v in state.ids.items() if k.startswith("summary:")), None)
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(key.where()).values(
            extra_ids=state.extra(),
            message_id=str(first["id"]) if isinstance(first, dict) else None))


def finish_delivery(engine: Engine, key: DeliveryKey, state: DeliveryState,
                    now: datetime | None = None) -> None:
    """Mark the delivery sent (every step of this round done)."""
    state.status = "sent"
    save_progress(engine, key, state)
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(key.where()).values(
            status="sent", sent_at=now or datetime.now(UTC), error=None))


def fail_delivery(engine: Engine, key: DeliveryKey, state: DeliveryState, error: str) -> None:
    """Mark the delivery failed with a message saying what to do; progress is kept."""
    state.status = "failed"
    save_progress(engine, key, state)
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(key.where()).values(status="failed",
                                                                   error=error[:2000]))
