"""A tenant's targets: the tenants file's ``targets`` with the ones changed from chat on top.

``set_target`` stores one override (an admin's ``target roas 3.0``); ``effective_targets`` gives
the digest, the alerts and the bot the same merged ``Targets``. Targets are keyed by the field
names of ``config.tenants.Targets``; ``TARGET_METRICS`` maps each to the catalog metric it tracks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, select

from config.tenants import Targets, Tenant
from jobs.warehouse.schema import target_overrides
from jobs.warehouse.upsert import upsert

#: The ROAS the ``roas`` and ``break_even_roas`` targets are set on: the platform's own
#: (Ads Manager's attributed revenue / spend). ``targets``, the digest's advice and the alerts all
#: compare this ROAS with them; true ROAS is shown beside it as a cross-check, never judged
#: against a platform target.
ROAS_TARGET_BASIS = "roas_platform"
#: Target name -> the catalog metric it is compared with (weekly values).
TARGET_METRICS: dict[str, str] = {
    "roas": ROAS_TARGET_BASIS,
    "break_even_roas": ROAS_TARGET_BASIS,
    "cvr": "cvr",
    "cpa": "cpa",
    "weekly_gmv": "gross_gmv",
}
#: Catalog metric -> the target a chat command sets for it.
METRIC_TARGETS: dict[str, str] = {"roas_platform": "roas", "cvr": "cvr", "cpa": "cpa",
                                  "gross_gmv": "weekly_gmv"}


class BadTarget(ValueError):
    """A target value the tenants file would also refuse; the message says the allowed range."""


def check_target(name: str, value: Decimal) -> Decimal:
    """``value`` validated like the tenants file validates it (cvr as a ratio below 1)."""
    if name not in TARGET_METRICS:
        raise BadTarget(f"unknown target {name!r}; targets are {', '.join(TARGET_METRICS)}")
    if value <= 0:
        raise BadTarget(f"target {name} must be above 0")
    if name == "cvr" and value >= 1:
        raise BadTarget("target cvr is a ratio below 1, e.g. 0.025 for 2.5%")
    return value


def set_target(conn: Connection, tenant_id: str, name: str, value: Decimal, set_by: str,
               *, now: datetime | None = None) -> None:
    """Store ``name = value`` for the tenant (replacing an earlier override)."""
    check_target(name, value)
    upsert(conn, target_overrides, [{
        "tenant_id": tenant_id, "target": name, "value": value, "set_by": set_by,
        "updated_at": now or datetime.now(UTC),
    }])


def overrides(conn: Connection, tenant_id: str) -> dict[str, tuple[Decimal, str, datetime]]:
    """Target name -> (value, set by, when) of the tenant's chat overrides."""
    rows = conn.execute(select(target_overrides).where(
        target_overrides.c.tenant_id == tenant_id)).all()
    return {r.target: (r.value, r.set_by, r.updated_at) for r in rows}


def effective_targets(conn: Connection, tenant: Tenant) -> Targets:
    """The tenants file's targets with chat overrides applied."""
    changed = {name: value for name, (value, _, _) in overrides(conn, tenant.id).items()
               if name in Targets.model_fields}
    return tenant.targets.model_copy(update=changed)
