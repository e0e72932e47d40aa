"""Exactly-once delivery of a digest package into one channel.

``deliver(engine, redis, package, key, notifier)`` claims the (tenant, week, channel) row, takes a
short Redis lock so two workers never post the same channel at once, then walks the package's
steps: done steps are skipped, a step left pending by a crash is first looked up on the platform
(found: recorded, not re-posted), every other step is posted and recorded right away. A sent
delivery with the same snapshot hash is not touched again; a new hash edits/corrects instead.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import redis
from redis.exceptions import LockError
from redis.lock import Lock

from jobs.digest.deliveries import (
    DeliveryKey,
    DeliveryState,
    claim_delivery,
    fail_delivery,
    finish_delivery,
    save_progress,
)
from jobs.digest.package import DigestPackage, Step
from jobs.notify.errors import CannotVerify, InDoubt, NotifyError, Refused

log = logging.getLogger(__name__)

#: Lifetime of a channel's delivery lock, renewed before every step: a worker that dies frees
#: the channel this long after its last step (longer than any one step with its 429 waits).
DELIVERY_LOCK_S = 180


class Notifier(Protocol):
    """A chat platform adapter (jobs.notify.slack / jobs.notify.telegram)."""

    kind: str

    def post(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any]:
        """Post one step (or edit it in a correction round); returns the platform ids."""
        ...

    def find(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any] | None:
        """Look for a step whose post is in doubt; ``CannotVerify`` if the platform can't tell."""
        ...


@dataclass(frozen=True)
class ChannelOutcome:
    """How one channel's delivery ended."""

    channel: str
    outcome: str  # sent | corrected | already_sent | busy | failed | in_doubt
    detail: str = ""
    retryable: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in ("sent", "corrected", "already_sent")


def deliver(engine: Any, conn: redis.Redis, package: DigestPackage, key: DeliveryKey,
            notifier: Notifier, *, resend_in_doubt: bool = False,
            now: datetime | None = None) -> ChannelOutcome:
    """Post ``package`` to ``key``'s channel exactly once (or correct the earlier post)."""
    lock = conn.lock(f"tikpulse:deliver:{key.tenant_id}:{key.week}:{key}",
                     timeout=DELIVERY_LOCK_S, blocking=False)
    if not lock.acquire():
        return ChannelOutcome(str(key), "busy", "another worker is delivering this channel "
                              "(or died less than a lock lifetime ago)", retryable=True)
    try:
        state = claim_delivery(engine, key, package.snapshot_hash, now)
        if state is None:
            return ChannelOutcome(str(key), "already_sent")
        if resend_in_doubt:
            state.pending = None
        return _walk_steps(engine, package, key, notifier, state, lock)
    finally:
        with contextlib.suppress(LockError):  # expired while a step waited: nothing to free
            lock.release()


def _walk_steps(engine: Any, package: DigestPackage, key: DeliveryKey, notifier: Notifier,
                state: DeliveryState, lock: Lock) -> ChannelOutcome:
    try:
        for step in package.steps():
            if step.name in state.done:
                continue
            if not _keep(lock):
                fail_delivery(engine, key, state, "lock lost to another worker")
                return ChannelOutcome(str(key), "busy", "another worker took over this channel",
                                      retryable=True)
            _run_step(engine, package, key, notifier, state, step)
    except CannotVerify as exc:
        fail_delivery(engine, key, state, str(exc))
        return ChannelOutcome(str(key), "in_doubt", str(exc), retryable=False)
    except NotifyError as exc:
        fail_delivery(engine, key, state, f"{type(exc).__name__}: {exc}")
        log.warning("digest %s %s to %s failed: %s", key.tenant_id, key.week, key, exc)
        return ChannelOutcome(str(key), "failed", str(exc),
                              retryable=isinstance(exc, Refused | InDoubt))
    finish_delivery(engine, key, state)
    return ChannelOutcome(str(key), "corrected" if state.is_correction else "sent")


def _keep(lock: Lock) -> bool:
    """Renew the channel lock; if it expired, take it again unless another worker has it."""
    try:
        lock.reacquire()
        return True
    except LockError:
        return bool(lock.acquire(blocking=False))


def _run_step(engine: Any, package: DigestPackage, key: DeliveryKey, notifier: Notifier,
              state: DeliveryState, step: Step) -> None:
    if state.pending == step.name:
        found = notifier.find(step, key.channel_id, state, package)
        if found is not None:
            _record(engine, key, state, step, found)
            return
    state.pending = step.name
    save_progress(engine, key, state)
    try:
        ids = notifier.post(step, key.channel_id, state, package)
    except Refused:
        state.pending = None  # the platform said no: nothing was posted
        raise
    _record(engine, key, state, step, ids)


def _record(engine: Any, key: DeliveryKey, state: DeliveryState, step: Step,
            ids: dict[str, Any]) -> None:
    state.ids[step.name] = ids
    state.done.append(step.name)
    state.pending = None
    save_progress(engine, key, state)
