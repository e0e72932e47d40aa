"""The digest's fan-out and fan-in over RQ: freeze, one chart job per store, one send job.

``prepare`` freezes the week's snapshot (or holds it for late data) and fans the heavy chart work
out per store; ``render_store_part`` draws one store's charts into a short-lived Redis cache and
the last part to finish enqueues the send; ``send`` renders the tenant digest from the snapshot
and delivers it. The RQ entry points wrapping them are in ``jobs.tasks`` (enqueued here by dotted
path). Job ids are deterministic (``digest-send-acme-2026-W47``), so RQ refuses a duplicate.
"""

from __future__ import annotations

from datetime import datetime

from rq import Queue, Retry
from rq.job import Job

from jobs.digest.deps import DigestDeps
from jobs.digest.pipeline import (
    deliver_package,
    finish_run,
    frozen_report,
    frozen_store,
    render_snapshot,
    take_snapshot,
)
from jobs.digest.render import charted_stores, render_store_report
from jobs.digest.runs import set_state
from jobs.resources import QUEUE

#: The RQ tasks this module enqueues (``jobs.tasks``), by dotted path.
PREPARE_TASK = "jobs.tasks.prepare_digest"
RENDER_STORE_TASK = "jobs.tasks.render_store_section"
SEND_TASK = "jobs.tasks.send_digest"
#: Seconds the per-store chart cache lives (the send job reads it minutes later).
STORE_CACHE_TTL_S = 24 * 3600
#: Retries of a send whose channels failed for a retryable reason (429s, server errors).
SEND_RETRY = Retry(max=3, interval=[30, 120, 600])


class DeliveryIncomplete(RuntimeError):
    """Some channels were not confirmed; raised so RQ retries the send job."""


def job_id(step: str, tenant_id: str, week: str, *extra: str) -> str:
    """A deterministic RQ job id (letters, digits, ``-`` and ``_`` only)."""
    return "-".join(("digest", step, tenant_id, week, *extra)).replace(":", "_")


def _cache_key(tenant_id: str, week: str, digest_hash: str, shop_id: str, lang: str) -> str:
    return f"tikpulse:digest:store:{tenant_id}:{week}:{digest_hash[:16]}:{shop_id}:{lang}"


def prepare(deps: DigestDeps, tenant_id: str, week: str, due_at: str | None = None) -> str:
    """Freeze the snapshot (or hold it) and enqueue the store jobs and the send job."""
    tenant = deps.tenant(tenant_id)
    state = take_snapshot(deps, tenant, week,
                          due_at=datetime.fromisoformat(due_at) if due_at else None)
    if state == "rendering":
        enqueue_render_and_send(deps, tenant_id, week)
    return state


def enqueue_render_and_send(deps: DigestDeps, tenant_id: str, week: str) -> Job | None:
    """One chart job per charted store and language; the last one to finish enqueues the send.

    The fan-in is a Redis set of finished parts (``SADD`` is idempotent, so a retried part
    counts once) plus a ``SET NX`` guard, so exactly one send job is enqueued even when the last
    two parts finish at the same moment on two workers.
    """
    queue = Queue(QUEUE, connection=deps.redis)
    report, digest_hash, _ = frozen_report(deps, tenant_id, week)
    parts = [(s.shop_id, lang) for s in charted_stores(report) for lang in report.languages]
    fan_in = _fan_in_key(tenant_id, week, digest_hash)
    deps.redis.delete(f"{fan_in}:done", f"{fan_in}:sent")
    deps.redis.set(f"{fan_in}:total", len(parts), ex=STORE_CACHE_TTL_S)
    for shop_id, lang in parts:
        queue.enqueue(RENDER_STORE_TASK, tenant_id, week, shop_id, lang, digest_hash,
                      job_id=job_id("store", tenant_id, week, shop_id, lang, digest_hash[:8]))
    return None if parts else _enqueue_send(deps, queue, tenant_id, week, digest_hash)


def _fan_in_key(tenant_id: str, week: str, digest_hash: str) -> str:
    return f"tikpulse:digest:parts:{tenant_id}:{week}:{digest_hash[:16]}"


def _enqueue_send(deps: DigestDeps, queue: Queue, tenant_id: str, week: str,
                  digest_hash: str) -> Job | None:
    guard = f"{_fan_in_key(tenant_id, week, digest_hash)}:sent"
    if not deps.redis.set(guard, 1, nx=True, ex=STORE_CACHE_TTL_S):
        return None
    return queue.enqueue(SEND_TASK, tenant_id, week,
                         job_id=job_id("send", tenant_id, week, digest_hash[:8]),
                         retry=SEND_RETRY)


def render_store_part(deps: DigestDeps, tenant_id: str, week: str, shop_id: str, lang: str,
                      digest_hash: str) -> int:
    """Draw one store's section charts into the cache; returns the number of images."""
    store, _ = frozen_store(deps, tenant_id, week, shop_id)
    images = render_store_report(store, week, lang)
    key = _cache_key(tenant_id, week, digest_hash, shop_id, lang)
    fan_in = _fan_in_key(tenant_id, week, digest_hash)
    with deps.redis.pipeline() as pipe:
        pipe.delete(key).rpush(key, *images).expire(key, STORE_CACHE_TTL_S)
        pipe.sadd(f"{fan_in}:done", f"{shop_id}:{lang}").expire(f"{fan_in}:done",
                                                                STORE_CACHE_TTL_S)
        pipe.execute()
    total = int(deps.redis.get(f"{fan_in}:total") or 0)
    if deps.redis.scard(f"{fan_in}:done") >= total:
        _enqueue_send(deps, Queue(QUEUE, connection=deps.redis), tenant_id, week, digest_hash)
    return len(images)


def send(deps: DigestDeps, tenant_id: str, week: str,
         resend_in_doubt: bool = False) -> dict[str, str]:
    """Render the frozen snapshot and deliver it; raises when a channel is not confirmed."""
    outcomes = run_send(deps, tenant_id, week, resend_in_doubt=resend_in_doubt)
    failed = {k: v for k, v in outcomes.items() if v not in ("sent", "corrected", "already_sent")}
    if failed:
        raise DeliveryIncomplete(f"{tenant_id} {week}: not delivered to {failed}")
    return outcomes


def run_send(deps: DigestDeps, tenant_id: str, week: str, *,
             resend_in_doubt: bool = False) -> dict[str, str]:
    """Render and deliver the frozen snapshot now; channel -> outcome."""
    tenant = deps.tenant(tenant_id)
    report, digest_hash, partial = frozen_report(deps, tenant_id, week)
    images = {}
    for store in report.stores:
        for lang in report.languages:
            cached = deps.redis.lrange(_cache_key(tenant_id, week, digest_hash, store.shop_id,
                                                  lang), 0, -1)
            if cached:
                images[(store.shop_id, lang)] = tuple(cached)
    rendered = render_snapshot(deps, tenant, report, digest_hash, partial, images)
    set_state(deps.engine, tenant_id, week, "sending")
    outcomes = deliver_package(deps, tenant, rendered.package, resend_in_doubt=resend_in_doubt)
    finish_run(deps, tenant_id, week, outcomes, partial)
    return {o.channel: o.outcome for o in outcomes}
