"""A ``Reply`` as a Feishu card (JSON 2.0): paragraphs as markdown, tables as aligned monospace
blocks, images as ``img`` elements (uploaded first), notes small; files follow as file messages.

Text from data (store names, what the asker typed) is shown as is: ``<`` and ``>`` are escaped,
so nothing in an answer can become an ``<at>`` mention or a ``<font>`` tag. A card stays under
Feishu's 30 KB: blocks that do not fit are left out and the last line says so.
"""

from __future__ import annotations

import json
from typing import Any

from bot.commands.reply import Document, Image, Reply, Table, Text, table_lines
from jobs.notify.clients import card_escape, card_markdown

#: Bytes of card JSON Feishu takes (30 KB), less room for the "cut" note.
CARD_BUDGET = 29 * 1024
#: Feishu file types by extension (anything else is a ``stream``).
FILE_TYPES = {"pdf": "pdf", "doc": "doc", "docx": "doc", "xls": "xls", "xlsx": "xls",
              "ppt": "ppt", "pptx": "ppt", "mp4": "mp4", "opus": "opus"}
CUT_NOTE = {"zh": "（内容过长，其余部分已省略）", "en": "(the rest was too long for one card)"}


def reply_card(answer: Reply, image_keys: list[str], lang: str = "zh") -> dict[str, Any]:
    """The card of ``answer``; ``image_keys`` are its images' uploaded keys, in order."""
    keys = iter(image_keys)
    elements: list[dict[str, Any]] = []
    for block in answer.blocks:
        element = _element(block, keys)
        if element is None:
            continue
        if _size([*elements, element]) > CARD_BUDGET:
            elements.append(card_markdown(CUT_NOTE.get(lang, CUT_NOTE["en"]), notation=True))
            break
        elements.append(element)
    if not elements:
        elements.append(card_markdown(" "))
    return {"schema": "2.0", "config": {"update_multi": True, "width_mode": "fill",
                                        "summary": {"content": _preview(answer)}},
            "body": {"elements": elements}}


def _preview(answer: Reply) -> str:
    """The chat list's preview of the card: the first line of the answer."""
    lines = answer.headline.strip().splitlines()
    return (lines[0] if lines else "TikPulse")[:100]


def file_type(document: Document) -> str:
    """Feishu's ``file_type`` for an attachment."""
    return FILE_TYPES.get(document.filename.rsplit(".", 1)[-1].lower(), "stream")


def _element(block: Text | Table | Image | Document, keys: Any) -> dict[str, Any] | None:
    if isinstance(block, Text):
        text = card_escape(block.text)
        if block.style == "heading":
            return card_markdown(f"**{text}**")
        return card_markdown(text, notation=block.style == "note")
    if isinstance(block, Table):
        lines = "\n".join(line.replace("`", "'") for line in table_lines(block))
        head = f"**{card_escape(block.title)}**\n" if block.title else ""
        return card_markdown(f"{head}```\n{lines}\n```")
    if isinstance(block, Image):
        key = next(keys, None)
        if key is None:
            return None
        return {"tag": "img", "img_key": key, "scale_type": "fit_horizontal",
                "alt": {"tag": "plain_text", "content": block.alt or block.title}}
    return None  # documents are sent as file messages


def _size(elements: list[dict[str, Any]]) -> int:
    return len(json.dumps(elements, ensure_ascii=False).encode("utf-8"))
