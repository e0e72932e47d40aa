"""The frozen weekly report of a digest, read from ``digest_runs`` here and nowhere else.

``take_snapshot`` freezes a ``WeeklyReport`` into its (tenant, week) run row; everything that
shows those numbers again loads them through this module: the digest pipeline that renders and
fans them out (``load_frozen_report``, ``load_frozen_store``), and the bot's digest preview and
its answers in a digest message's thread (``digest_of_message`` finds which digest a chat
message is). A run without a snapshot (not frozen yet, or held for late data) loads as ``None``.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select

from jobs.report import serialize
from jobs.report.model import StoreReport, WeeklyReport
from jobs.warehouse.schema import deliveries, digest_runs


def _frozen_row(engine: Engine, tenant_id: str, week: str) -> dict[str, Any] | None:
    """(snapshot as plain JSON values, hash, missing) of the run, if its snapshot is frozen."""
    stmt = select(digest_runs.c.snapshot, digest_runs.c.snapshot_hash,
                  digest_runs.c.missing).where(digest_runs.c.tenant_id == tenant_id,
                                               digest_runs.c.window == week)
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None or row["snapshot"] is None:
        return None
    snapshot = row["snapshot"]
    return {**row, "snapshot": json.loads(snapshot) if isinstance(snapshot, str) else snapshot}


def load_frozen_report(engine: Engine, tenant_id: str, week: str) -> (
    tuple[WeeklyReport, str, bool] | None
):
    """(report, snapshot hash, partial) frozen for the tenant's digest of ISO ``week``, or
    ``None`` when it is not frozen; the one way the digest and the bot read a frozen week, so
    a rendered digest and a chat answer about it show the same numbers."""
    row = _frozen_row(engine, tenant_id, week)
    if row is None:
        return None
    report = serialize.from_plain(WeeklyReport, row["snapshot"])
    return report, row["snapshot_hash"], bool(row["missing"])


def load_frozen_store(engine: Engine, tenant_id: str, week: str, shop_id: str) -> (
    tuple[StoreReport, str] | None
):
    """(one store's part of the frozen report, reporting currency), or ``None`` when the week is
    not frozen; parsing only that store keeps a fan-out job fast for a tenant with hundreds of
    stores. ``KeyError`` names a store the snapshot does not hold."""
    row = _frozen_row(engine, tenant_id, week)
    if row is None:
        return None
    snapshot = row["snapshot"]
    plain = next((s for s in snapshot["stores"] if s["shop_id"] == shop_id), None)
    if plain is None:
        raise KeyError(f"shop {shop_id!r} is not in {tenant_id}'s frozen report for {week}")
    return serialize.from_plain(StoreReport, plain), snapshot["reporting_currency"]


def digest_of_message(engine: Engine, platform: str, channel_id: str, message_id: str) -> (
    tuple[str, str] | None
):
    """(tenant id, week) of the digest delivered as message ``message_id`` (Slack ts, Telegram
    message id) in the channel, so a reply in its thread can be answered from that digest."""
    stmt = select(deliveries.c.tenant_id, deliveries.c.window).where(
        deliveries.c.channel_kind == platform, deliveries.c.channel_id == str(channel_id),
        deliveries.c.message_id == str(message_id))
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else (row.tenant_id, row.window)
