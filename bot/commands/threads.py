"""Digest threads: which digest a chat message belongs to, and its frozen numbers.

A digest delivery remembers its message id (Slack ``ts``, Telegram message id) in
``deliveries``; the numbers it showed are the frozen ``WeeklyReport`` of its run, loaded through
``jobs.report.frozen`` exactly as the digest itself loads them. A question asked in that thread
is answered from the snapshot, so the thread never contradicts the digest, and only when the
delivery belongs to the channel's own tenant.
"""

from __future__ import annotations

from bot.commands.context import BotContext
from jobs.report.frozen import digest_of_message, load_frozen_report
from jobs.report.model import WeeklyReport


def digest_window(ctx: BotContext, platform: str, channel_id: str, thread_id: str) -> (
    tuple[str, str] | None
):
    """(tenant id, week) of the digest posted as message ``thread_id`` in the channel."""
    return digest_of_message(ctx.engine, platform, channel_id, thread_id)


def is_digest_thread(ctx: BotContext, platform: str, channel_id: str, thread_id: str) -> bool:
    """Whether ``thread_id`` is a digest message in this channel."""
    return digest_window(ctx, platform, channel_id, thread_id) is not None


def thread_report(ctx: BotContext, tenant_id: str, platform: str, channel_id: str,
                  thread_id: str) -> WeeklyReport | None:
    """The frozen report of the digest this thread hangs off, if it is ``tenant_id``'s."""
    found = digest_window(ctx, platform, channel_id, thread_id)
    if found is None or found[0] != tenant_id:
        return None
    frozen = load_frozen_report(ctx.engine, tenant_id, found[1])
    return None if frozen is None else frozen[0]
