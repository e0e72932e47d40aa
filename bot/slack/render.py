"""A ``Reply`` as Slack Block Kit: header, mrkdwn sections, tables as code blocks, notes as
context; images and files are uploaded separately (``files_upload_v2``).

Slack's limits: 50 blocks per message, 3000 characters per section, 150 per header, ~4000 for
the notification text. Longer tables are split over several sections.
"""

from __future__ import annotations

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


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _table_sections(table: Table) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    chunk: list[str] = []
    title = [f"*{escape(table.title)}*"] if table.title else []
    for line in table_lines(table):
        if sum(len(c) + 1 for c in chunk) + len(line) + 8 > SECTION_LIMIT:
            out.append(_section("```" + "\n".join(chunk) + "```"))
            chunk = []
        chunk.append(escape(line))
    if chunk:
        out.append(_section("\n".join(title) + ("\n" if title else "")
                            + "```" + "\n".join(chunk) + "```"))
    return out


def _text_blocks(block: Text) -> list[dict[str, Any]]:
    if block.style == "heading":
        return [{"type": "header",
                 "text": {"type": "plain_text", "text": block.text[:HEADER_LIMIT], "emoji": True}}]
    text = escape(block.text)
    if block.style == "note":
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}]
    return [_section(text[i:i + SECTION_LIMIT]) for i in range(0, len(text), SECTION_LIMIT)]


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
    return escape(answer.headline)[:TEXT_LIMIT] or "TikPulse"
