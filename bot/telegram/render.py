"""A ``Reply`` as Telegram messages: HTML text split under the 4096-character limit, tables in
``<pre>``, images as photos (captions cut to 1024) or a media group of 2-10, files as documents.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.commands.reply import Image, Reply, Table, Text, table_lines

#: Characters of one text message.
MESSAGE_LIMIT = 4096
#: Characters of a photo or document caption.
CAPTION_LIMIT = 1024
#: Photos in one media group.
MEDIA_GROUP_MAX = 10


@dataclass(frozen=True)
class Photos:
    """Images to send together (one photo, or a media group of 2-10)."""

    images: tuple[Image, ...]


def _html(block: Text | Table) -> list[str]:
    """HTML pieces of one block, each short enough for a message."""
    if isinstance(block, Table):
        pieces: list[str] = []
        chunk: list[str] = []
        head = f"<b>{html.escape(block.title)}</b>\n" if block.title else ""
        for line in table_lines(block):
            if sum(len(c) + 1 for c in chunk) + len(line) + len(head) + 20 > MESSAGE_LIMIT:
                pieces.append(head + "<pre>" + "\n".join(chunk) + "</pre>")
                chunk, head = [], ""
            chunk.append(html.escape(line))
        return pieces + [head + "<pre>" + "\n".join(chunk) + "</pre>"]
    text = html.escape(block.text)
    if block.style == "heading":
        text = f"<b>{text}</b>"
    elif block.style == "note":
        text = f"<i>{text}</i>"
    return [text[i:i + MESSAGE_LIMIT] for i in range(0, len(text), MESSAGE_LIMIT)] or [""]


def text_messages(answer: Reply) -> list[str]:
    """The text and tables of ``answer`` as HTML messages of at most ``MESSAGE_LIMIT``."""
    messages: list[str] = []
    current = ""
    for block in answer.blocks:
        if not isinstance(block, Text | Table):
            continue
        for piece in _html(block):
            joined = f"{current}\n\n{piece}" if current else piece
            if len(joined) <= MESSAGE_LIMIT:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def photo_batches(answer: Reply) -> list[Photos]:
    """The images grouped for sending: groups of up to 10 (a lone image goes alone)."""
    images = answer.images
    return [Photos(tuple(images[i:i + MEDIA_GROUP_MAX]))
            for i in range(0, len(images), MEDIA_GROUP_MAX)]


def caption(text: str) -> str:
    """``text`` cut to the caption limit (with an ellipsis when cut)."""
    return text if len(text) <= CAPTION_LIMIT else text[: CAPTION_LIMIT - 1] + "…"
