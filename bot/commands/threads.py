"""Digest threads: which digest a chat message belongs to, and its frozen numbers.

A digest delivery remembers its message id (Slack ``ts``, Telegram message id) in
``deliveries``; the numbers it showed are the ``WeeklyReport`` snapshot in ``digest_runs``. A
question asked in that thread is answered from the snapshot, so the thread never contradicts the
digest, and only when the delivery belongs to the channel's own tenant.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.commands.context import BotContext
from jobs.report.model import WeeklyReport
from jobs.warehouse.schema import deliveries, digest_runs


def digest_window(ctx: BotContext, platform: str, channel_id: str, thread_id: str) -> (
    tuple[str, str] | None
):
    """(tenant id, week) of the digest posted as message ``thread_id`` in the channel."""
    stmt = select(deliveries.c.tenant_id, deliveries.c.window).where(
        deliveries.c.channel_kind == platform, deliveries.c.channel_id == str(channel_id),
        deliveries.c.message_id == str(thread_id))
    with ctx.engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else (row.tenant_id, row.window)


def is_digest_thread(ctx: BotContext, platform: str, channel_id: str, thread_id: str) -> bool:
    """Whether ``thread_id`` is a digest message in this channel."""
    return digest_window(ctx, platform, channel_id, thread_id) is not None


def thread_report(ctx: BotContext, tenant_id: str, platform: str, channel_id: str,
                  thread_id: str) -> WeeklyReport | None:
    """The frozen report of the digest this thread hangs off, if it is ``tenant_id``'s."""
    found = digest_window(ctx, platform, channel_id, thread_id)
    if found is None or found[0] != tenant_id:
        return None
    with ctx.engine.connect() as conn:
        snapshot = conn.execute(select(digest_runs.c.snapshot).where(
            digest_runs.c.tenant_id == tenant_id, digest_runs.c.window == found[1])).scalar()
    if snapshot is None:
        return None
    text = snapshot if isinstance(snapshot, str) else json.dumps(snapshot)
    return WeeklyReport.from_json(text)
