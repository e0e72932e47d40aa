"""The platform-free command layer: ``parse`` a question, ``dispatch`` it to a ``Reply``."""

from bot.commands.context import BotContext, Request
from bot.commands.dispatch import dispatch
from bot.commands.grammar import Parsed, parse
from bot.commands.reply import Document, Image, Reply, Table, Text, as_text

__all__ = ["BotContext", "Document", "Image", "Parsed", "Reply", "Request", "Table", "Text",
           "as_text", "dispatch", "parse"]
