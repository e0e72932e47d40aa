"""What the bot answers, before any platform touches it: text, tables, images and files.

A ``Reply`` is a list of blocks plus, for scripts, the structured ``data`` behind it. Adapters
render it (Block Kit, Telegram HTML, the terminal); ``as_text`` is the plain rendering every
adapter can fall back on, with tables aligned for CJK (double-width) characters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["answer", "help", "unclear", "unknown_store", "setup", "refused", "limited",
               "queued", "error"]


@dataclass(frozen=True)
class Text:
    """A paragraph; ``heading`` renders bold/large, ``note`` small and grey where possible."""

    text: str
    style: Literal["plain", "heading", "note"] = "plain"


@dataclass(frozen=True)
class Table:
    """Rows of already formatted cells under column headings."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str | None = None


@dataclass(frozen=True)
class Image:
    """A PNG chart."""

    filename: str
    png: bytes
    title: str
    alt: str = ""


@dataclass(frozen=True)
class Document:
    """A file to attach (CSV, HTML, PDF)."""

    filename: str
    data: bytes
    mime: str
    title: str


Block = Text | Table | Image | Document


@dataclass(frozen=True)
class Reply:
    """An answer: ``blocks`` to show, ``kind`` for adapters and logs, ``data`` for ``--json``."""

    blocks: tuple[Block, ...]
    kind: Kind = "answer"
    data: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def images(self) -> list[Image]:
        """The image blocks, in order."""
        return [b for b in self.blocks if isinstance(b, Image)]

    @property
    def documents(self) -> list[Document]:
        """The file blocks, in order."""
        return [b for b in self.blocks if isinstance(b, Document)]

    @property
    def headline(self) -> str:
        """The first text block (used as notification text and image captions)."""
        return next((b.text for b in self.blocks if isinstance(b, Text)), "")


def reply(*blocks: Block | str, kind: Kind = "answer", data: dict[str, Any] | None = None) -> Reply:
    """A ``Reply`` from blocks; bare strings become plain text blocks."""
    built = tuple(Text(b) if isinstance(b, str) else b for b in blocks)
    return Reply(built, kind, data)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font (CJK characters take two)."""
    if text.isascii():  # most cells: numbers, codes, English
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def table_lines(table: Table) -> list[str]:
    """The table as aligned monospace lines (first column left, the others right-aligned)."""
    grid = [table.columns, *table.rows]
    widths = [max(display_width(row[i]) for row in grid) for i in range(len(table.columns))]
    lines = []
    for n, row in enumerate(grid):
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            cells.append(cell + pad if i == 0 else pad + cell)
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def as_text(answer: Reply) -> str:
    """Plain text of a reply: paragraphs, aligned tables, and a line per image or file."""
    parts: list[str] = []
    for block in answer.blocks:
        if isinstance(block, Text):
            parts.append(block.text)
        elif isinstance(block, Table):
            head = [block.title] if block.title else []
            parts.append("\n".join(head + table_lines(block)))
        elif isinstance(block, Image):
            parts.append(f"[chart: {block.title}]")
        else:
            parts.append(f"[file: {block.filename}]")
    return "\n\n".join(parts)
