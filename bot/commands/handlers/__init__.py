"""Command handlers by command id: ``HANDLERS[parsed.command](turn, ctx) -> Reply``."""

from __future__ import annotations

from collections.abc import Callable

from bot.commands.context import BotContext
from bot.commands.handlers import (
    campaigns,
    compare,
    creators,
    digests,
    drivers,
    guide,
    metric,
    metrics,
    profit,
    settings,
    stock,
    summary,
)
from bot.commands.handlers import traffic as traffic_
from bot.commands.handlers.guide import unclear
from bot.commands.middleware import Turn
from bot.commands.reply import Reply

HANDLERS: dict[str, Callable[[Turn, BotContext], Reply]] = {
    "roas": metrics.roas,
    "gmv": metrics.gmv,
    "kpi": metrics.kpi,
    "compare": compare.compare,
    "metric": metric.metric,
    "campaigns": campaigns.campaigns,
    "profit": profit.profit,
    "summary": summary.summary,
    "funnel": traffic_.funnel,
    "traffic": traffic_.traffic,
    "why": drivers.why,
    "top_creators": creators.top_creators,
    "creator": creators.creator,
    "top_videos": creators.top_videos,
    "stock": stock.stock,
    "define": guide.define,
    "help": guide.help_,
    "targets": settings.targets,
    "set_target": settings.set_target,
    "auth_status": settings.auth_status,
    "subscribe": settings.subscribe,
    "unsubscribe": settings.unsubscribe,
    "digest_now": digests.digest_now,
    "digest_preview": digests.digest_preview,
}

__all__ = ["HANDLERS", "unclear"]
