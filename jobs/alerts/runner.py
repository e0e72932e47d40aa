"""Running the alerts for the RQ tasks: which tenant a synced subject belongs to, whether a failed
attempt was the last one, and one evaluation over several tenants.

The RQ entry points (``evaluate_alerts``, ``daily_health_check`` and the sync jobs' callbacks)
are in ``jobs.tasks``; they wire the setup in ``jobs.wiring`` and call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rq.job import Job
from sqlalchemy import Engine, select

from config.tenants import Tenant
from jobs.alerts.evaluate import AlertSetup, evaluate_tenant
from jobs.warehouse.schema import advertisers, shops


def tenant_of_subject(engine: Engine, subject_id: str) -> str | None:
    """The tenant owning a shop or advertiser id."""
    with engine.connect() as conn:
        shop = conn.execute(select(shops.c.tenant_id).where(shops.c.shop_id == subject_id)).first()
        if shop:
            return str(shop[0])
        ads = conn.execute(select(advertisers.c.tenant_id)
                           .where(advertisers.c.advertiser_id == subject_id)).first()
    return str(ads[0]) if ads else None


def subject_of(job: Job) -> str:
    """The shop or advertiser id a sync job was enqueued for (its first argument)."""
    return str(job.args[0]) if job.args else str(job.kwargs.get("shop_id", ""))


def is_last_attempt(job: Job) -> bool:
    """True when a failure of ``job`` now is final (no retry left, or none configured)."""
    return job.retries_left is None or job.retries_left <= 0


def evaluate_tenants(setup: AlertSetup, tenants: Sequence[Tenant],
                     tenant_id: str | None) -> dict[str, Any]:
    """Evaluate one tenant's alerts (or every tenant's); a summary of what was said."""
    chosen = [t for t in tenants if tenant_id is None or t.id == tenant_id]
    results = [evaluate_tenant(setup, t) for t in chosen]
    return {"tenants": len(results),
            "failing": sum(len(r.failing) for r in results),
            "sent": [{"tenant": m.tenant_id, "kind": m.kind, "event": m.event}
                     for r in results for m in r.sent],
            "released": sum(r.released for r in results)}
