"""Job targets the RQ worker in ``test_rq_callbacks`` runs (importable module-level functions)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from sqlalchemy import update

from jobs.warehouse.db import make_engine
from jobs.warehouse.schema import authorizations, shops

#: Environment variable naming the warehouse the targets write to (set by the test).
DATABASE_ENV = "DATABASE_URL"


def sync_that_revokes_then_crashes(shop_id: str) -> None:
    """A sync attempt that finds the shop's authorization revoked and then crashes."""
    _set_status(shop_id, "revoked")
    raise RuntimeError(f"sync of {shop_id} crashed")


def sync_that_finds_it_revoked(shop_id: str) -> dict[str, str]:
    """A sync that ends normally after recording a revoked authorization."""
    _set_status(shop_id, "revoked")
    return {"status": "failed"}


def _set_status(shop_id: str, status: str) -> None:
    engine = make_engine(os.environ[DATABASE_ENV])
    now = datetime.now(UTC)
    with engine.begin() as conn:
        auth_id = conn.execute(shops.select().where(shops.c.shop_id == shop_id)).one().auth_id
        conn.execute(update(authorizations).where(authorizations.c.auth_id == auth_id)
                     .values(status=status, status_changed_at=now, updated_at=now))
    engine.dispose()
