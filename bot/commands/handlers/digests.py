"""``digest now`` (admins) and ``digest preview``: enqueue the digest jobs, answer at once.

The bot never renders a digest itself: it enqueues the digest job by import path on the RQ queue
and says so; the job posts the result to the chat when it is done.
"""

from __future__ import annotations

from rq import Queue

from bot.commands.context import BotContext
from bot.commands.handlers.common import refusals
from bot.commands.middleware import Turn
from bot.commands.reply import Reply, reply

#: RQ job that renders and sends a tenant's digest now: (tenant_id, requested_by).
DIGEST_NOW_JOB = "jobs.digest.jobs.send_digest_now"
#: RQ job that renders the digest into one chat only: (tenant_id, channel_kind, channel_id).
DIGEST_PREVIEW_JOB = "jobs.digest.jobs.preview_digest"


def _queue(ctx: BotContext) -> Queue | None:
    return None if ctx.redis is None else Queue(ctx.queue_name, connection=ctx.redis)


@refusals
def digest_now(turn: Turn, ctx: BotContext) -> Reply:
    """Send this week's digest to every channel of the tenant now (admins)."""
    assert turn.tenant is not None
    queue = _queue(ctx)
    zh = turn.lang == "zh"
    if queue is None:
        return reply("Run `tikpulse digest send --tenant " + turn.tenant.id + "` instead.",
                     kind="unclear")
    who = f"{turn.request.platform}:{turn.request.user_id}"
    job = queue.enqueue(DIGEST_NOW_JOB, turn.tenant.id, who)
    return reply(f"周报已排队发送（任务 {job.id}），完成后会出现在绑定的频道。" if zh else
                 f"The digest is queued (job {job.id}); it appears in the tenant's channels "
                 "when sent.", kind="queued")


@refusals
def digest_preview(turn: Turn, ctx: BotContext) -> Reply:
    """Render the digest into this chat only."""
    assert turn.tenant is not None
    queue = _queue(ctx)
    zh = turn.lang == "zh"
    req = turn.request
    if queue is None:
        return reply("Run `tikpulse digest preview --tenant " + turn.tenant.id + "` instead.",
                     kind="unclear")
    job = queue.enqueue(DIGEST_PREVIEW_JOB, turn.tenant.id, req.platform, req.channel_id)
    return reply(f"正在生成周报预览（任务 {job.id}）。" if zh else
                 f"Rendering a digest preview for this chat (job {job.id}).", kind="queued")
