"""A ``Reply`` as Slack Block Kit: header, mrkdwn sections, tables as code blocks, notes as
context; images and files are uploaded separately (``files_upload_v2``).

Slack's limits: 50 blocks per message, 3000 characters per section, 150 per header, ~4000 for
the notification text. Longer tables are split over several sections, longer text by
``split_mrkdwn``, which never cuts inside an entity (``&amp;``), a link (``<url|text>``) or a
formatting span (``*bold*``, ``_italic_``, ``~strike~``, `` `code` ``): a span open at a cut is
closed before it and reopened after it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.commands.reply import Reply, Table, Text, table_lines

#: Characters of one section block's text.
SECTION_LIMIT = 3000
#: Characters of a header block.
HEADER_LIMIT = 150
#: Blocks per message.
BLOCK_LIMIT = 50
#: Characters of the fallback ``text`` (shown in notifications).
TEXT_LIMIT = 3900


def escape(text: str) -> str:
    """Slack's three control characters, escaped (so "<" in a name is not a link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_mrkdwn(text: str, limit: int = SECTION_LIMIT, *, spans: bool = True) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut after a newline or at a space
    where one fits; the space at a cut and whitespace-only pieces (Slack refuses an empty
    section) are dropped. ``spans=False`` for code, where markers are plain characters.
    """
    pieces: list[str] = []
    reopen = ""
    while len(reopen) + len(text) > limit:
        room = limit - len(reopen) - (len(_SPAN_MARKERS) if spans else 0)
        cut, skip = _cut(text, room)
        start = text.rfind("\n", 0, cut) + 1  # spans end with their line
        markers = _open_spans((reopen if start == 0 else "") + text[start:cut]) if spans else ""
        if text[:cut].strip():
            pieces.append(reopen + text[:cut].rstrip(" ") + markers[::-1])
        text, reopen = text[cut + skip:], markers
    if (reopen + text).strip():
        pieces.append(reopen + text)
    return pieces


#: Span markers, in the order they are reopened (code first: nothing opens inside it).
_SPAN_MARKERS = "`*_~"


def _cut(text: str, room: int) -> tuple[int, int]:
    """Where to cut ``text`` within ``room`` characters, and how many characters to drop there."""
    newline = text.rfind("\n", 0, room)
    if newline > 0:
        return newline + 1, 0
    space = text.rfind(" ", 0, room + 1)
    if space > 0 and _safe(text, space) == space:
        return space, 1
    cut = _safe(text, room)
    while cut > 1 and (text[cut - 1] in _SPAN_MARKERS or text[cut] in _SPAN_MARKERS):
        cut = _safe(text, cut - 1)  # a marker stays with the text it opens or closes
    return (cut, 0) if cut > 1 else (max(_safe(text, room), 1), 0)


def _safe(text: str, cut: int) -> int:
    """``cut`` moved back to before an entity or link it would fall inside."""
    head = text[:cut]
    entity = re.search(r"&[#\w]{0,8}$", head)
    if entity and entity.start() > 0:
        cut = entity.start()
    link = head.rfind("<")
    if link > head.rfind(">") and 0 < link < cut:
        cut = link
    return cut


def _open_spans(line: str) -> str:
    """The span markers still open at the end of ``line`` (a line before a cut), in order."""
    opened: list[str] = []
    for i, ch in enumerate(line):
        if ch not in _SPAN_MARKERS or (opened[-1:] == ["`"] and ch != "`"):
            continue
        before = line[i - 1] if i else " "
        after = line[i + 1] if i + 1 < len(line) else " "
        if ch in opened and (ch == "`" or not before.isspace()):
            del opened[opened.index(ch):]
        elif ch not in opened and (ch == "`" or not (before.isalnum() or after.isspace())):
            opened.append(ch)
    return "".join(opened)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _table_sections(table: Table) -> list[dict[str, Any]]:
    """Code-block sections of the table (its title in the first), cut between lines."""
    out: list[dict[str, Any]] = []
    title = f"*{escape(table.title)}*\n" if table.title else ""
    room = SECTION_LIMIT - len("``````")
    chunk: list[str] = []
    size = len(title)
    for line in table_lines(table):
        for part in split_mrkdwn(escape(line), room - len(title), spans=False) or [""]:
            if chunk and size + len(part) + 1 > room:
                out.append(_section(title + "```" + "\n".join(chunk) + "```"))
                chunk, size, title = [], 0, ""
            chunk.append(part)
            size += len(part) + 1
    if chunk:
        out.append(_section(title + "```" + "\n".join(chunk) + "```"))
    return out


def _text_blocks(block: Text) -> list[dict[str, Any]]:
    if block.style == "heading":
        return [{"type": "header",
                 "text": {"type": "plain_text", "text": block.text[:HEADER_LIMIT], "emoji": True}}]
    pieces = split_mrkdwn(escape(block.text), SECTION_LIMIT)
    if block.style == "note":
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": piece}]}
                for piece in pieces]
    return [_section(piece) for piece in pieces]


def to_blocks(answer: Reply) -> list[dict[str, Any]]:
    """Block Kit blocks of the text and tables of ``answer`` (at most ``BLOCK_LIMIT``)."""
    blocks: list[dict[str, Any]] = []
    for block in answer.blocks:
        if isinstance(block, Text):
            blocks += _text_blocks(block)
        elif isinstance(block, Table):
            blocks += _table_sections(block)
    return blocks[:BLOCK_LIMIT]


def fallback_text(answer: Reply) -> str:
    """The notification text: the headline, or the first paragraph."""
    return next(iter(split_mrkdwn(escape(answer.headline), TEXT_LIMIT)), "") or "TikPulse"
