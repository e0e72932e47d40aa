"""Settlement HTTP calls per 1,000 orders on the demo's sandbox data: statements vs one per order.

After: the demo's full sync of every shop (no ``--since``, like ``tikpulse demo``), counting the
sandbox's answers on ``/finance/`` paths: the statement list and each statement's transactions
paged by ``page_token``. Before: the per-order pattern the sync used until the 202501 endpoints,
replayed against the same sandbox: the same statement list, then one
``/finance/202309/orders/{id}/statement_transactions`` lookup per completed order changed in the
35 days before the newest statement; each settled answer is checked against the stored row.

    .venv/bin/python bench/settlement_calls.py
    TIKPULSE_BENCH_REDIS=redis://127.0.0.1:6379/10 .venv/bin/python bench/settlement_calls.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jobs.accounts.access_tokens import shop_access  # noqa: E402
from jobs.ingestion.shop_sync import run_shop_sync  # noqa: E402
from jobs.resources import Connectors  # noqa: E402
from jobs.warehouse import schema as s  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from sandbox import GeneratorConfig, Sandbox  # noqa: E402
from sandbox.config import last_monday  # noqa: E402
from tests.ingestion.sandbox_env import connect_all, connectors  # noqa: E402

REDIS_URL = os.environ.get("TIKPULSE_BENCH_REDIS", "redis://127.0.0.1:6379/12")
#: The per-order pattern asked about completed orders changed this long before the newest
#: statement (its ``SETTLEMENT_WINDOW``).
PER_ORDER_WINDOW = timedelta(days=35)
MONEY = ("revenue_amount", "fee_and_tax_amount", "shipping_cost_amount", "settlement_amount",
         "platform_commission_amount", "affiliate_commission_amount")


def finance_calls(sb: Sandbox) -> int:
    """Requests the sandbox answered on Finance paths so far."""
    return sum(n for path, n in sb.state.requests.items() if path.startswith("/finance/"))


def statement_list_calls(sb: Sandbox) -> int:
    return sum(n for path, n in sb.state.requests.items() if path.endswith("/statements"))


def per_order_replay(conns: Connectors, engine: Engine, shop_id: str) -> int:
    """One per-order lookup per order the old step asked about; returns mismatches found."""
    assert conns.shop is not None
    access = shop_access(engine, conns.redis, conns.shop, conns.cipher, shop_id)
    o, st = s.orders, s.order_settlements
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(s.statements.c.statement_time))
                              .where(s.statements.c.shop_id == shop_id)).scalar_one()
        asked = conn.execute(select(o.c.order_id).where(
            o.c.shop_id == shop_id, o.c.status == "COMPLETED",
            o.c.update_time >= newest - PER_ORDER_WINDOW,
            o.c.update_time < newest + timedelta(days=1))).scalars().all()
        kept = {x.order_id: x for x in conn.execute(select(st).where(st.c.shop_id == shop_id))}
    wrong = 0
    for order_id in asked:
        old = conns.shop.settled_order(access, order_id)
        if old is None:
            continue
        row = kept.get(order_id)
        wrong += row is None or any(getattr(old, k) != getattr(row, k) for k in MONEY)
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--end", type=date.fromisoformat, default=last_monday(),
                        help="exclusive end of the demo data (default: this Monday, as the demo)")
    args = parser.parse_args()
    config = GeneratorConfig(seed=7, shops=3, weeks=10, end=args.end)
    with Sandbox.start(config=config, port=0) as sb, tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/warehouse.db")
        upgrade(engine)
        conns = connectors(sb, engine, REDIS_URL)
        shop_ids = connect_all(sb, conns)[0]
        started = time.perf_counter()
        for shop_id in shop_ids:
            summary = run_shop_sync(conns, shop_id, full=True)
            assert summary.status == "ok", summary
        took = time.perf_counter() - started
        after, listing = finance_calls(sb), statement_list_calls(sb)
        with engine.connect() as conn:
            orders = conn.execute(select(func.count()).select_from(s.orders)).scalar_one()
            settled = conn.execute(select(func.count()).select_from(s.order_settlements)
                                   ).scalar_one()
        replay_started = time.perf_counter()
        wrong = sum(per_order_replay(conns, engine, shop_id) for shop_id in shop_ids)
        before = listing + finance_calls(sb) - after
        replay_took = time.perf_counter() - replay_started

    def per_k(calls: int) -> float:
        return 1000 * calls / orders

    print(f"demo data: 3 shops x 10 weeks to {args.end}; {orders:,} orders synced, "
          f"{settled:,} settled orders stored (full sync {took:.1f} s)")
    print(f"before (one lookup per order): {before:,} settlement calls = "
          f"{per_k(before):.1f} per 1,000 orders ({replay_took:.1f} s of lookups)")
    print(f"after (statements, paged):     {after:,} settlement calls = "
          f"{per_k(after):.1f} per 1,000 orders")
    print(f"{before / after:.1f}x fewer; per-order answers differing from the stored row: {wrong}")


if __name__ == "__main__":
    main()
