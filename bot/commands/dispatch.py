"""``dispatch(request, ctx) -> Reply``: the one entry every adapter calls.

The middleware chain (``bot.commands.middleware.MIDDLEWARE``) runs first; the handler of the
parsed command runs last. Handlers live in ``bot.commands.handlers`` and are looked up by command
id, so a platform adapter never needs to know which commands exist.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.commands.context import BotContext, Request
from bot.commands.middleware import MIDDLEWARE, Middleware, Turn, guess_language
from bot.commands.reply import Reply, Text
from bot.commands.texts import say
from bot.commands.understood import reading

Handler = Callable[[Turn, BotContext], Reply]


def dispatch(request: Request, ctx: BotContext) -> Reply:
    """Answer one question: middleware (log, rate limit, tenant, parse, role), then handler.

    Only the first ``MAX_QUESTION_CHARS`` of the text are read, whoever built the request.
    """
    turn = Turn(request.bounded())
    guess_language(turn)
    return _chain(MIDDLEWARE, ctx)(turn)


def _chain(middleware: tuple[Middleware, ...], ctx: BotContext) -> Callable[[Turn], Reply]:
    def run(index: int, turn: Turn) -> Reply:
        if index == len(middleware):
            return answer(turn, ctx)
        return middleware[index](turn, ctx, lambda t: run(index + 1, t))

    return lambda turn: run(0, turn)


def answer(turn: Turn, ctx: BotContext) -> Reply:
    """Run the handler for the parsed command (or explain what was not understood)."""
    from bot.commands.handlers import HANDLERS, unclear
    from bot.commands.handlers.snapshot import from_snapshot

    parsed = turn.parsed
    assert parsed is not None and turn.tenant is not None, "middleware parses and binds first"
    if parsed.command is None:
        return unclear(turn, ctx)
    answered = from_snapshot(turn, ctx) if turn.request.thread_id is not None else None
    if answered is None:
        answered = HANDLERS[parsed.command](turn, ctx)
    if parsed.typos or (not parsed.literal and answered.kind == "answer"):
        note = Text(say("read_as", turn.lang,
                        reading=reading(parsed, turn.tenant, ctx.now(), turn.lang)), "note")
        answered = Reply((*answered.blocks, note), answered.kind, answered.data)
    return answered
