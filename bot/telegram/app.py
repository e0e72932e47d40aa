"""The Telegram adapter: a python-telegram-bot 22 ``Application`` over the command layer.

``/roas``, ``/top``, ``/why`` ... and plain questions in bound chats become a ``Request``
(cut to ``MAX_QUESTION_CHARS``); the (synchronous) command layer, parsing included, runs in a
worker thread so the event loop keeps serving. Only chats bound in the tenants file are answered;
in any other chat ``/start`` and ``/help`` explain how to bind it, everything else is ignored
(and never parsed). A reply to a digest message answers from the digest's frozen numbers. Sends
go through PTB's rate limiter (Telegram's ~30 messages/s overall and 20/min per group), which
also waits out a 429's ``retry_after``. Async stays inside this module.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InputMediaPhoto, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.commands import BotContext, Reply, Request, dispatch
from bot.commands.middleware import asks_the_bot, is_bound
from bot.telegram.render import caption, photo_batches, text_messages

log = logging.getLogger("tikpulse.bot.telegram")

#: Telegram commands (menu names) -> the words the grammar reads.
COMMANDS: dict[str, str] = {
    "roas": "roas", "gmv": "gmv", "kpi": "kpi", "funnel": "funnel", "traffic": "traffic",
    "top": "top creators", "top_creators": "top creators", "top_videos": "top videos",
    "creator": "creator", "stock": "stock", "why": "why", "compare": "compare",
    "define": "define", "targets": "targets", "target": "target", "auth": "auth status",
    "digest": "digest preview", "digest_now": "digest now", "subscribe": "subscribe",
    "unsubscribe": "unsubscribe", "help": "help", "start": "help",
}
#: Times a send is retried after Telegram's "retry after" (flood control), waiting as told.
FLOOD_RETRIES = 3
#: Commands answered in chats that are not bound (with setup instructions only).
SETUP_COMMANDS = frozenset({"start", "help"})


def build_application(ctx: BotContext, token: str, base_url: str) -> Application:  # type: ignore[type-arg]
    """The PTB application with the bot's handlers (``base_url`` without a trailing slash)."""
    app = (ApplicationBuilder().token(token).base_url(base_url.rstrip("/"))
           .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
           .post_init(_register_menu).build())
    app.bot_data["tikpulse"] = ctx
    app.add_handler(CommandHandler(list(COMMANDS), on_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    return app


#: The command menu Telegram shows in the chat's "/" list.
MENU: tuple[tuple[str, str], ...] = (
    ("roas", "ROAS: /roas UK last week"), ("gmv", "GMV: /gmv all this week"),
    ("kpi", "All KPIs: /kpi 2026-W47"), ("top", "Top creators: /top 5 by roi"),
    ("why", "What moved a metric: /why gmv UK"), ("stock", "Stock at risk: /stock at risk"),
    ("compare", "Two stores: /compare UK US"), ("define", "Metric definition: /define roas"),
    ("help", "Every command"),
)


async def _register_menu(app: Application) -> None:  # type: ignore[type-arg]
    """Publish the command menu when the bot starts."""
    await app.bot.set_my_commands(list(MENU))


def request_of(update: Update, text: str) -> Request:
    """The platform-free request of a Telegram message (its text bounded before anything else)."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    reply_to = message.reply_to_message
    return Request("telegram", str(update.effective_chat.id),
                   str(update.effective_user.id if update.effective_user else ""), text,
                   is_direct=update.effective_chat.type == "private",
                   thread_id=str(reply_to.message_id) if reply_to else None).bounded()


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/roas UK last week``: translate the command name, then answer."""
    message = update.effective_message
    if message is None or not message.text:
        return
    name = message.text.split()[0].lstrip("/").split("@")[0].lower()
    words = COMMANDS.get(name, name)
    text = " ".join([words, *message.text.split()[1:]])
    await _answer(update, context, text, setup_allowed=name in SETUP_COMMANDS)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain question: answered in bound chats when it reads as a command (or in a DM)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    direct = update.effective_chat is not None and update.effective_chat.type == "private"
    await _answer(update, context, message.text, setup_allowed=False, only_commands=not direct)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *,
                  setup_allowed: bool, only_commands: bool = False) -> None:
    ctx: BotContext = context.application.bot_data["tikpulse"]
    reply = await asyncio.to_thread(respond, request_of(update, text), ctx,
                                    setup_allowed=setup_allowed, only_commands=only_commands)
    if reply is None:
        return
    await send_reply(context, update.effective_chat.id, reply,  # type: ignore[union-attr]
                     reply_to=update.effective_message.message_id)  # type: ignore[union-attr]


def respond(request: Request, ctx: BotContext, *, setup_allowed: bool,
            only_commands: bool = False) -> Reply | None:
    """The reply to send, or ``None`` (run in a worker thread: it reads, parses and answers).

    Unbound chats get setup help for ``/start`` and ``/help`` only, and are never parsed;
    ``only_commands`` leaves group chatter that is not a command alone.
    """
    if not setup_allowed and not is_bound(request, ctx):
        return None  # only configured chats are answered
    if only_commands and not asks_the_bot(request, ctx):
        return None  # ordinary group chatter
    reply = dispatch(request, ctx)
    return None if reply.kind == "setup" and not setup_allowed else reply


async def send_reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, *,
                     reply_to: int | None = None) -> None:
    """Send the reply's text (split at 4096), its photos and its documents."""
    bot = context.bot
    for text in text_messages(reply):
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                               reply_to_message_id=reply_to)
    for batch in photo_batches(reply):
        if len(batch.images) == 1:
            image = batch.images[0]
            await bot.send_photo(chat_id, image.png, caption=caption(image.title),
                                 filename=image.filename)
        else:
            await bot.send_media_group(chat_id, [
                InputMediaPhoto(img.png, caption=caption(img.title), filename=img.filename)
                for img in batch.images])
    for doc in reply.documents:
        await bot.send_document(chat_id, doc.data, filename=doc.filename,
                                caption=caption(doc.title))
