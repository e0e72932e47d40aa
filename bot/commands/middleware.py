"""What happens around every handler: log, rate-limit, bind to a tenant, parse, check the role.

Each middleware is ``process(turn, ctx, next_) -> Reply`` (as in slack-bolt): it may answer on its
own (an unbound channel, a user asking too fast, a non-admin running an admin command) or call
``next_(turn)``. The tenant is decided here and only here, from the channel binding, so handlers
can never be asked about another tenant's data.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.commands.context import MAX_QUESTION_CHARS, BotContext, Request
from bot.commands.grammar import Parsed, parse
from bot.commands.reply import Reply, Text, reply
from bot.commands.texts import command_name, say
from bot.commands.vocab import COMMANDS_BY_ID
from config.tenant_registry import TenantRegistry
from config.tenants import Tenant

log = logging.getLogger("tikpulse.bot")

#: Seconds in one rate-limit window.
RATE_WINDOW_S = 60
#: The note under an answer to a message longer than ``MAX_QUESTION_CHARS``.
TRUNCATED_NOTE = {
    "en": "Your message was long, so I read only its first {limit} characters.",
    "zh": "消息过长，只读取了前 {limit} 个字符。",
}


@dataclass
class Turn:
    """One question on its way through the middleware to a handler."""

    request: Request
    tenant: Tenant | None = None
    is_admin: bool = False
    parsed: Parsed | None = None
    lang: str = "en"
    started: float = field(default_factory=time.perf_counter)


Next = Callable[[Turn], Reply]
Middleware = Callable[[Turn, BotContext, Next], Reply]


def log_request(turn: Turn, ctx: BotContext, next_: Next) -> Reply:
    """Log every question with its tenant, command, outcome and latency; hide crashes."""
    try:
        answer = next_(turn)
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("bot request failed ref=%s text=%r", ref, turn.request.text)
        answer = reply(say("internal_error", turn.lang, ref=ref), kind="error")
    req = turn.request
    log.info(
        "bot request platform=%s channel=%s user=%s tenant=%s command=%s kind=%s latency_ms=%.1f",
        req.platform, req.channel_id, req.user_id, turn.tenant.id if turn.tenant else "-",
        turn.parsed.command if turn.parsed else "-", answer.kind,
        (time.perf_counter() - turn.started) * 1000,
    )
    return answer


def rate_limit(turn: Turn, ctx: BotContext, next_: Next) -> Reply:
    """At most ``ctx.rate_per_minute`` questions per user and minute (Redis counter)."""
    req = turn.request
    if ctx.redis is None or req.platform == "terminal":
        return next_(turn)
    now = ctx.now().timestamp()
    window = int(now // RATE_WINDOW_S)
    key = f"tikpulse:bot:rate:{req.platform}:{req.user_id}:{window}"
    pipe = ctx.redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, RATE_WINDOW_S * 2)
    count = int(pipe.execute()[0])
    if count > ctx.rate_per_minute:
        wait = RATE_WINDOW_S - int(now % RATE_WINDOW_S)
        text = say("rate_limited", turn.lang, count=count, limit=ctx.rate_per_minute, wait=wait)
        return reply(text, kind="limited")
    return next_(turn)


def bind_tenant(turn: Turn, ctx: BotContext, next_: Next) -> Reply:
    """Find the one tenant this channel/chat belongs to; unbound places get setup help only."""
    req = turn.request
    registry = ctx.tenants()
    if req.platform == "terminal":
        ids = [t.id for t in registry.tenants]
        tenant = registry.tenant(req.tenant_id) if req.tenant_id else (
            registry.tenants[0] if len(ids) == 1 else None)
        if tenant is None:
            return reply(say("no_tenant_terminal", turn.lang, tenants=", ".join(ids) or "none"),
                         kind="setup")
        turn.tenant, turn.is_admin = tenant, True
        return next_(turn)
    tenant, admins = channel_tenant(req, registry)
    if tenant is None:
        key = "dm_refused" if req.is_direct else f"setup_{req.platform}"
        return reply(say(key, turn.lang, channel=req.channel_id), kind="setup")
    turn.tenant, turn.is_admin = tenant, req.user_id in admins
    return next_(turn)


def channel_tenant(req: Request, registry: TenantRegistry) -> tuple[Tenant | None, tuple[str, ...]]:
    """The tenant a Slack channel, Telegram or Feishu chat is bound to, and that binding's
    admins."""
    if req.platform == "feishu":
        tenant = registry.tenant_of_feishu_chat(req.channel_id)
        fs = next((b for b in tenant.chats.feishu if b.chat == req.channel_id),
                  None) if tenant else None
        return tenant, tuple(fs.admins) if fs else ()
    if req.platform == "slack":
        tenant = registry.tenant_of_slack_channel(req.channel_id)
        binding = next((b for b in tenant.chats.slack if b.channel == req.channel_id),
                       None) if tenant else None
        return tenant, tuple(binding.admins) if binding else ()
    try:
        chat = int(req.channel_id)
    except ValueError:
        return None, ()
    tenant = registry.tenant_of_telegram_chat(chat)
    tg = next((b for b in tenant.chats.telegram if b.chat == chat), None) if tenant else None
    return tenant, tuple(str(a) for a in tg.admins) if tg else ()


def is_bound(req: Request, ctx: BotContext) -> bool:
    """Whether the request comes from a place bound to a tenant (the terminal always is).

    Adapters ask this before parsing anything, so an unbound channel costs no parsing.
    """
    return req.platform == "terminal" or channel_tenant(req, ctx.tenants())[0] is not None


def asks_the_bot(req: Request, ctx: BotContext) -> bool:
    """Whether chatter in a bound place (a group, a digest thread) reads as a command."""
    return is_bound(req, ctx) and parse(req.bounded().text).command is not None


def read_question(turn: Turn, ctx: BotContext, next_: Next) -> Reply:
    """Parse the text, answering in the language it was written in (else the tenant's).

    The text is already bounded (``dispatch``); when it was cut, the answer says so.
    """
    hint = turn.request.lang_hint or (turn.tenant.language[0] if turn.tenant else "en")
    turn.parsed = parse(turn.request.text, hint, turn.tenant.stores if turn.tenant else ())
    turn.lang = turn.parsed.lang
    answer = next_(turn)
    if not turn.request.truncated:
        return answer
    note = Text(TRUNCATED_NOTE.get(turn.lang, TRUNCATED_NOTE["en"]).format(
        limit=MAX_QUESTION_CHARS), "note")
    return Reply((*answer.blocks, note), answer.kind, answer.data)


def check_role(turn: Turn, ctx: BotContext, next_: Next) -> Reply:
    """Admin-only commands (targets, digest now) are refused for everybody else."""
    command = turn.parsed.command if turn.parsed else None
    if command and COMMANDS_BY_ID[command].admin and not turn.is_admin:
        text = say("admin_only", turn.lang, command=command_name(command, turn.lang),
                   user=turn.request.user_id)
        return reply(text, kind="refused")
    return next_(turn)


def guess_language(turn: Turn) -> None:
    """Set ``turn.lang`` from the raw text before parsing (for early refusals)."""
    text = turn.request.text
    turn.lang = "zh" if any("\u3400" <= ch <= "\u9fff" for ch in text) else (
        turn.request.lang_hint or "en")


MIDDLEWARE: tuple[Middleware, ...] = (log_request, rate_limit, bind_tenant, read_question,
                                      check_role)
