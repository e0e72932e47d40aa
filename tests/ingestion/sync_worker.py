"""A separate OS process that syncs one shop against a running sandbox (killed by a test).

``python -m tests.ingestion.sync_worker BASE_URL DB_URL REDIS_URL SHOP_ID SINCE NOW QPS``
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from types import SimpleNamespace

from jobs.ingestion.shop_sync import run_shop_sync
from jobs.warehouse.db import make_engine
from sandbox.credentials import DemoCredentials
from sandbox.server import ADS_PREFIX
from tests.ingestion.sandbox_env import connectors


def main(base: str, db_url: str, redis_url: str, shop_id: str, since: str, now: str,
         qps: str) -> None:
    """Sync the shop from ``since`` at the given rate until done (or killed)."""
    endpoints = SimpleNamespace(credentials=DemoCredentials(), shop_auth_url=base,
                                shop_api_url=base, ads_api_url=base + ADS_PREFIX)
    conns = connectors(endpoints, make_engine(db_url), redis_url, qps=float(qps))  # type: ignore[arg-type]
    run_shop_sync(conns, shop_id, since=date.fromisoformat(since),
                  now=datetime.fromisoformat(now))


if __name__ == "__main__":
    main(*sys.argv[1:8])
