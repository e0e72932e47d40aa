"""RQ entry points of the alerts: evaluate after each sync, the daily health check, and the
failure callback that speaks only after a job's last attempt.

Each entry point reads the settings once and wires the warehouse, the chat senders and the
effective tenants. ``enqueue_sync`` is how a scheduler enqueues a sync job with both callbacks:
``on_success`` evaluates the synced subject's tenant (a sync that ends "failed" returns normally),
``on_failure`` fires on every failed attempt, retries included, so it acts only when
``retries_left`` is 0 (or the job has no retries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rq import Callback, Queue
from rq.job import Job
from sqlalchemy import Engine, select

from config.settings import Settings
from config.tenants import Tenant, load_tenants
from jobs.accounts.tenancy import effective_registry
from jobs.alerts.deliver import Sender, SlackSender, TelegramSender
from jobs.alerts.evaluate import AlertSetup, evaluate_tenant
from jobs.alerts.health import probe_authorizations
from jobs.warehouse.schema import advertisers, shops

log = logging.getLogger(__name__)

#: Queue the alert jobs run on (the one the Procfile's workers listen on).
ALERTS_QUEUE = "tikpulse"
#: ``rq cron`` schedules (UTC): probe every authorization once a day; evaluate every hour, so
#: notices held during a tenant's quiet hours go out soon after they end.
HEALTH_CHECK_CRON = "0 1 * * *"
EVALUATE_CRON = "17 * * * *"
#: Seconds an alert callback may run (one tenant's evaluation).
CALLBACK_TIMEOUT_S = 300
#: job.meta keys the failure callback keeps (how often it was called, how often it acted).
META_FAILED_ATTEMPTS = "alerts_failed_attempts"
META_EVALUATIONS = "alerts_evaluations"


def senders_from_settings(settings: Settings) -> dict[str, Sender]:
    """A sender per chat system whose bot token is configured."""
    found: dict[str, Sender] = {}
    if settings.slack_bot_token:
        found["slack"] = SlackSender(settings.secret("slack_bot_token"), settings.slack_api_url)
    if settings.telegram_bot_token:
        found["telegram"] = TelegramSender(settings.secret("telegram_bot_token"),
                                           settings.telegram_api_url)
    return found


def setup_from_settings(settings: Settings, engine: Engine) -> AlertSetup:
    """The evaluation setup of this process."""
    return AlertSetup(engine=engine, senders=senders_from_settings(settings),
                      service_id=settings.tiktok_shop_service_id)


def tenants_of(settings: Settings, engine: Engine) -> tuple[Tenant, ...]:
    """The effective tenants: the tenants file plus what the warehouse registered."""
    return effective_registry(engine, load_tenants(settings.tikpulse_config)).tenants


def evaluate_alerts(tenant_id: str | None = None) -> dict[str, Any]:
    """RQ job: evaluate one tenant's alerts (or every tenant's); returns what was said."""
    from jobs.warehouse.db import make_engine

    settings = Settings()
    engine = make_engine(settings.database_url)
    return _evaluate(setup_from_settings(settings, engine), tenants_of(settings, engine),
                     tenant_id)


def daily_health_check() -> dict[str, Any]:
    """RQ job: probe every authorization, then evaluate every tenant's alerts."""
    from jobs.wiring import connectors_from_settings

    settings = Settings()
    conns = connectors_from_settings(settings)
    probes = probe_authorizations(conns)
    summary = _evaluate(setup_from_settings(settings, conns.engine),
                        tenants_of(settings, conns.engine), None)
    return {"probes": [p.__dict__ for p in probes], **summary}


def tenant_of_subject(engine: Engine, subject_id: str) -> str | None:
    """The tenant owning a shop or advertiser id."""
    with engine.connect() as conn:
        shop = conn.execute(select(shops.c.tenant_id).where(shops.c.shop_id == subject_id)).first()
        if shop:
            return str(shop[0])
        ads = conn.execute(select(advertisers.c.tenant_id)
                           .where(advertisers.c.advertiser_id == subject_id)).first()
    return str(ads[0]) if ads else None


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


def is_last_attempt(job: Job) -> bool:
    """True when a failure of ``job`` now is final (no retry left, or none configured)."""
    return job.retries_left is None or job.retries_left <= 0


def enqueue_sync(queue: Queue, func: Callable[..., Any] | str, subject_id: str,
                 *args: Any, **kwargs: Any) -> Job:
    """Enqueue a sync job for ``subject_id`` with the alert callbacks attached."""
    return queue.enqueue(func, subject_id, *args,  # type: ignore[type-var]
                         on_success=Callback(alerts_after_sync, CALLBACK_TIMEOUT_S),
                         on_failure=Callback(alert_on_final_failure, CALLBACK_TIMEOUT_S),
                         **kwargs)


def _evaluate_subject(job: Job) -> None:
    from jobs.warehouse.db import make_engine

    settings = Settings()
    engine = make_engine(settings.database_url)
    subject_id = str(job.args[0]) if job.args else str(job.kwargs.get("shop_id", ""))
    tenant_id = tenant_of_subject(engine, subject_id)
    if tenant_id is None:
        log.warning("job %s: no tenant owns %r; no alerts evaluated", job.id, subject_id)
        return
    _evaluate(setup_from_settings(settings, engine), tenants_of(settings, engine), tenant_id)


def _evaluate(setup: AlertSetup, tenants: tuple[Tenant, ...],
              tenant_id: str | None) -> dict[str, Any]:
    chosen = [t for t in tenants if tenant_id is None or t.id == tenant_id]
    results = [evaluate_tenant(setup, t) for t in chosen]
    return {"tenants": len(results),
            "failing": sum(len(r.failing) for r in results),
            "sent": [{"tenant": m.tenant_id, "kind": m.kind, "event": m.event}
                     for r in results for m in r.sent],
            "released": sum(r.released for r in results)}
