"""Every RQ entry point: small module-level functions that take ids and dates, wire their parts
through ``jobs.wiring`` and return a small summary (kept as the job's result).

- Sync: ``dispatch_syncs`` (the cron tick: what ``jobs.ingestion.due`` says is due),
  ``sync_shop``, ``sync_advertiser`` (one at a time per subject), ``sync_all`` (every authorized
  shop and advertiser now), ``refresh_tokens``.
- Digest: ``dispatch_due`` (the cron tick), ``prepare_digest`` -> ``render_store_section`` per
  store -> ``send_digest``.
- Alerts: ``evaluate_alerts``, ``daily_health_check``, and the sync jobs' callbacks
  ``alerts_after_sync`` / ``alert_on_final_failure``.
- FX: ``refresh_fx`` (daily reference rates from ``TIKPULSE_FX_URL``).
- TikTok push messages: ``process_tiktok_push`` (enqueued by the web process for each new one)
  and ``sweep_tiktok_pushes`` (the cron tick: any whose job was lost).

Features enqueue these by dotted path (``"jobs.tasks.send_digest"``) and never import this module,
so the dependency arrows point one way: tasks -> wiring -> features.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import redis
from rq import Callback, Queue, Retry
from rq.job import Job

from jobs import wiring
from jobs.accounts import access_tokens
from jobs.alerts.health import probe_authorizations
from jobs.alerts.runner import evaluate_tenants, is_last_attempt, subject_of, tenant_of_subject
from jobs.digest import fanout, schedule
from jobs.ingestion.ads_sync import run_advertiser_sync
from jobs.ingestion.due import due_syncs
from jobs.ingestion.runlog import abandon_dead_runs
from jobs.ingestion.shop_sync import run_shop_sync
from jobs.ingestion.sync import sync_targets
from jobs.resources import QUEUE, SYNC_TIMEOUT_S
from jobs.warehouse.fx_feed import sync_fx
from jobs.web import tiktok_push

log = logging.getLogger(__name__)

#: A failed sync is tried again after these many seconds (then it waits for the next slot).
SYNC_RETRY = Retry(max=3, interval=[60, 300, 900])
#: Seconds past the job timeout after which a run still ``running`` is taken as dead.
DEAD_RUN_GRACE_S = 600
#: Seconds a dispatcher's claim of (subject, slot) lives: longer than any slot.
SYNC_CLAIM_TTL_S = 2 * 24 * 3600
#: Seconds an alert callback may run (one tenant's evaluation).
CALLBACK_TIMEOUT_S = 300
#: Seconds a shop's order-change pushes are gathered before its targeted sync runs: one sync for
#: a burst of changes.
PUSH_SYNC_DEBOUNCE_S = 60
#: job.meta keys the failure callback keeps (how often it was called, how often it acted).
META_FAILED_ATTEMPTS = "alerts_failed_attempts"
META_EVALUATIONS = "alerts_evaluations"


# --- sync ----------------------------------------------------------------------------------------


def sync_shop(shop_id: str, since: str | None = None, full: bool = False) -> dict[str, Any]:
    """Sync one shop (``since`` as ``YYYY-MM-DD`` for a backfill); never two at once per shop."""
    conns = wiring.connectors_from_settings(wiring.task_settings())
    with _subject_lock(conns.redis, "shop", shop_id) as held:
        if not held:
            return {"subject_id": shop_id, "status": "skipped", "error": "already syncing"}
        return run_shop_sync(conns, shop_id, since=_date(since), full=full).__dict__


def sync_advertiser(advertiser_id: str, since: str | None = None) -> dict[str, Any]:
    """Sync one advertiser's daily reports; never two at once per advertiser."""
    conns = wiring.connectors_from_settings(wiring.task_settings())
    with _subject_lock(conns.redis, "advertiser", advertiser_id) as held:
        if not held:
            return {"subject_id": advertiser_id, "status": "skipped", "error": "already syncing"}
        return run_advertiser_sync(conns, advertiser_id, since=_date(since)).__dict__


def dispatch_syncs(now: str | None = None) -> list[str]:
    """The cron tick of syncs: mark dead runs ``abandoned``, then enqueue every due sync once
    (first, hourly, nightly full)."""
    settings = wiring.task_settings()
    engine = wiring.engine_for(settings.database_url)
    conn_redis = redis.Redis.from_url(settings.redis_url)
    stamp = datetime.fromisoformat(now) if now else datetime.now(UTC)
    abandon_dead_runs(engine, stamp, timedelta(seconds=SYNC_TIMEOUT_S + DEAD_RUN_GRACE_S))
    with engine.connect() as conn:
        due = due_syncs(conn, stamp)
    queue = Queue(QUEUE, connection=conn_redis)
    enqueued = []
    for sync in due:
        claim = f"tikpulse:sync:claim:{sync.kind}:{sync.subject_id}:{sync.window}"
        if not conn_redis.set(claim, stamp.isoformat(), nx=True, ex=SYNC_CLAIM_TTL_S):
            continue
        func, extra = ((sync_shop, {"full": sync.full}) if sync.kind == "shop"
                       else (sync_advertiser, {}))
        job = enqueue_sync(queue, func, sync.subject_id, **extra, retry=SYNC_RETRY,
                           job_timeout=SYNC_TIMEOUT_S,
                           job_id=f"sync-{sync.kind}-{sync.subject_id}-{sync.window}")
        log.info("sync of %s %s enqueued (%s)", sync.kind, sync.subject_id, sync.reason)
        enqueued.append(job.id)
    return enqueued


def sync_all() -> list[dict[str, Any]]:
    """Enqueue one job per authorized shop (a full sync) and advertiser, so workers share them."""
    conns = wiring.connectors_from_settings(wiring.task_settings())
    queue = Queue(QUEUE, connection=conns.redis)
    shop_ids, adv_ids = sync_targets(conns.engine)
    jobs = [enqueue_sync(queue, sync_shop, s, full=True, job_timeout=SYNC_TIMEOUT_S)
            for s in shop_ids]
    jobs += [enqueue_sync(queue, sync_advertiser, a, job_timeout=SYNC_TIMEOUT_S)
             for a in adv_ids]
    return [{"job_id": j.id} for j in jobs]


def refresh_tokens() -> dict[int, str]:
    """Refresh shop access tokens that expire within two days."""
    conns = wiring.connectors_from_settings(wiring.task_settings())
    if conns.shop is None:
        log.info("no TikTok Shop app configured (TIKTOK_APP_KEY, TIKTOK_APP_SECRET): no tokens")
        return {}
    return access_tokens.refresh_expiring(conns.engine, conns.redis, conns.shop, conns.cipher)


def enqueue_sync(queue: Queue, func: Callable[..., Any] | str, subject_id: str,
                 *args: Any, delay: timedelta | None = None, **kwargs: Any) -> Job:
    """Enqueue a sync job for ``subject_id`` (after ``delay``) with the alert callbacks attached.

    ``on_success`` evaluates the synced subject's tenant (a sync that ends "failed" returns
    normally); ``on_failure`` fires on every failed attempt, retries included, so it acts only
    on the last one.
    """
    callbacks = {"on_success": Callback(alerts_after_sync, CALLBACK_TIMEOUT_S),
                 "on_failure": Callback(alert_on_final_failure, CALLBACK_TIMEOUT_S)}
    if delay is not None:
        return queue.enqueue_in(delay, func, subject_id, *args,  # type: ignore[arg-type]
                                **callbacks, **kwargs)
    return queue.enqueue(func, subject_id, *args,  # type: ignore[type-var]
                         **callbacks, **kwargs)


# --- digest --------------------------------------------------------------------------------------


def dispatch_due(now: str | None = None) -> list[str]:
    """The cron tick: claim and enqueue every due digest; returns the RQ job ids enqueued."""
    deps = wiring.digest_deps(wiring.task_settings())
    return schedule.dispatch(deps, datetime.fromisoformat(now) if now else datetime.now(UTC))


def prepare_digest(tenant_id: str, week: str, due_at: str | None = None) -> str:
    """Freeze the week's snapshot (or hold it for late data) and fan out the chart jobs."""
    return fanout.prepare(wiring.digest_deps(wiring.task_settings()), tenant_id, week, due_at)


def render_store_section(tenant_id: str, week: str, shop_id: str, lang: str,
                         digest_hash: str) -> int:
    """Draw one store's section charts into the cache; returns the number of images."""
    return fanout.render_store_part(wiring.digest_deps(wiring.task_settings()), tenant_id, week,
                                    shop_id, lang, digest_hash)


def send_digest(tenant_id: str, week: str, resend_in_doubt: bool = False) -> dict[str, str]:
    """Render the frozen snapshot and deliver it; raises when a channel is not confirmed."""
    return fanout.send(wiring.digest_deps(wiring.task_settings()), tenant_id, week,
                       resend_in_doubt=resend_in_doubt)


# --- alerts --------------------------------------------------------------------------------------


def evaluate_alerts(tenant_id: str | None = None) -> dict[str, Any]:
    """Evaluate one tenant's alerts (or every tenant's); returns what was said."""
    settings = wiring.task_settings()
    engine = wiring.engine_for(settings.database_url)
    return evaluate_tenants(wiring.alert_setup(settings, engine),
                            wiring.tenants_of(settings, engine), tenant_id)


def daily_health_check() -> dict[str, Any]:
    """Probe every authorization, then evaluate every tenant's alerts."""
    settings = wiring.task_settings()
    conns = wiring.connectors_from_settings(settings)
    probes = probe_authorizations(conns)
    summary = evaluate_tenants(wiring.alert_setup(settings, conns.engine),
                               wiring.tenants_of(settings, conns.engine), None)
    return {"probes": [p.__dict__ for p in probes], **summary}


def alerts_after_sync(job: Job, connection: Any, result: Any, *args: Any, **kwargs: Any) -> None:
    """RQ ``on_success`` callback of a sync job: evaluate the tenant of the synced subject."""
    _evaluate_subject(job)


def alert_on_final_failure(job: Job, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    """RQ ``on_failure`` callback: evaluate alerts after the job's last attempt only."""
    job.meta[META_FAILED_ATTEMPTS] = job.meta.get(META_FAILED_ATTEMPTS, 0) + 1
    if is_last_attempt(job):
        job.meta[META_EVALUATIONS] = job.meta.get(META_EVALUATIONS, 0) + 1
        job.save_meta()  # type: ignore[no-untyped-call]
        _evaluate_subject(job)
        return
    job.save_meta()  # type: ignore[no-untyped-call]


def _evaluate_subject(job: Job) -> None:
    settings = wiring.task_settings()
    engine = wiring.engine_for(settings.database_url)
    subject_id = subject_of(job)
    tenant_id = tenant_of_subject(engine, subject_id)
    if tenant_id is None:
        log.warning("job %s: no tenant owns %r; no alerts evaluated", job.id, subject_id)
        return
    evaluate_tenants(wiring.alert_setup(settings, engine), wiring.tenants_of(settings, engine),
                     tenant_id)


# --- FX ------------------------------------------------------------------------------------------


def refresh_fx() -> dict[str, Any]:
    """Fetch the day's reference rates (and any days the stored data still lacks)."""
    settings = wiring.task_settings()
    result = sync_fx(wiring.engine_for(settings.database_url), settings.tikpulse_fx_url)
    return {"url": result.url, "days": result.days, "rows": result.rows,
            "latest": result.latest.isoformat() if result.latest else None}


# --- TikTok push messages ------------------------------------------------------------------------


def process_tiktok_push(notification_id: str, now: str | None = None) -> dict[str, Any]:
    """Act on one stored push: a revocation or expiry notice is evaluated as alerts at once; an
    order change asks for a targeted incremental sync of the shop (debounced)."""
    settings = wiring.task_settings()
    engine = wiring.engine_for(settings.database_url)
    stamp = datetime.fromisoformat(now) if now else datetime.now(UTC)
    outcome = tiktok_push.apply(engine, notification_id, stamp)
    said: dict[str, Any] = {}
    if outcome.evaluate_alerts and outcome.tenant_id:
        said = evaluate_tenants(wiring.alert_setup(settings, engine),
                                wiring.tenants_of(settings, engine), outcome.tenant_id)
    if outcome.sync_shop:
        conn_redis = redis.Redis.from_url(settings.redis_url)
        debounce = f"tikpulse:sync:push:{outcome.sync_shop}"
        if conn_redis.set(debounce, stamp.isoformat(), nx=True, ex=PUSH_SYNC_DEBOUNCE_S):
            enqueue_sync(Queue(QUEUE, connection=conn_redis), sync_shop, outcome.sync_shop,
                         delay=timedelta(seconds=PUSH_SYNC_DEBOUNCE_S), retry=SYNC_RETRY,
                         job_timeout=SYNC_TIMEOUT_S)
    return {"notification_id": notification_id, **outcome.__dict__, "alerts": said}


def sweep_tiktok_pushes(now: str | None = None) -> list[str]:
    """The cron tick: act on pushes that were stored but whose job was lost (Redis restarted)."""
    settings = wiring.task_settings()
    engine = wiring.engine_for(settings.database_url)
    stamp = datetime.fromisoformat(now) if now else datetime.now(UTC)
    queue = Queue(QUEUE, connection=redis.Redis.from_url(settings.redis_url))
    swept = tiktok_push.pending(engine, stamp)
    for notification_id in swept:
        queue.enqueue(process_tiktok_push, notification_id,
                      job_id=f"tiktok-push-{notification_id}-sweep")
    return swept


@contextmanager
def _subject_lock(conn_redis: redis.Redis, kind: str, subject_id: str) -> Iterator[bool]:
    """Hold the one sync lock of a shop or advertiser; yields False when another sync has it."""
    lock = conn_redis.lock(f"tikpulse:sync:lock:{kind}:{subject_id}", timeout=SYNC_TIMEOUT_S)
    held = lock.acquire(blocking=False)
    try:
        yield bool(held)
    finally:
        if held:
            lock.release()


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
