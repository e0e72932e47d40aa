"""A ``Reply`` as Telegram messages: HTML text split under the 4096-character limit, tables in
``<pre>``, images as photos (captions cut to 1024) or a media group of 2-10, files as documents.

Telegram refuses a whole message whose HTML does not parse, so a split never falls inside a tag
or an entity (``&amp;``, ``&#123;``): ``split_html`` cuts after a newline where it can, closes
the tags still open at the end of a piece and reopens them at the start of the next. Lengths are
counted in UTF-16 code units, as Telegram counts them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.commands.reply import Image, Reply, Table, Text, table_lines

#: Characters of one text message.
MESSAGE_LIMIT = 4096
#: Characters of a photo or document caption.
CAPTION_LIMIT = 1024
#: Photos in one media group.
MEDIA_GROUP_MAX = 10

#: A tag, an entity, a newline, a run of other text, or a lone "<" / "&" (kept as text).
_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});"
                    r"|\n|[^<&\n]+|[<&]")


@dataclass(frozen=True)
class Photos:
    """Images to send together (one photo, or a media group of 2-10)."""

    images: tuple[Image, ...]


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _html(block: Text | Table) -> str:
    """The HTML of one block (of any length: ``split_html`` cuts it)."""
    if isinstance(block, Table):
        head = f"<b>{html.escape(block.title)}</b>\n" if block.title else ""
        lines = "\n".join(html.escape(line) for line in table_lines(block))
        return f"{head}<pre>{lines}</pre>"
    text = html.escape(block.text)
    if block.style == "heading":
        return f"<b>{text}</b>"
    if block.style == "note":
        return f"<i>{text}</i>"
    return text


def text_messages(answer: Reply) -> list[str]:
    """The text and tables of ``answer`` as HTML messages of at most ``MESSAGE_LIMIT``."""
    messages: list[str] = []
    current = ""
    for block in answer.blocks:
        if not isinstance(block, Text | Table):
            continue
        for piece in split_html(_html(block), MESSAGE_LIMIT):
            joined = f"{current}\n\n{piece}" if current else piece
            if units(joined) <= MESSAGE_LIMIT:
                current = joined
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` (Telegram HTML) as pieces of at most ``limit`` units, each valid HTML on its own.

    Pieces end after a newline where one fits, else between two characters, tags or entities;
    whitespace-only pieces (Telegram refuses them) are left out. ``limit`` must leave room for
    the nesting of tags at a cut (a few dozen units).
    """
    if units(text) <= limit:
        return [text] if _visible(text).strip() else []
    cutter = _Cutter(limit)
    for line in re.findall(r"[^\n]*\n|[^\n]+", text):
        cutter.add_line(line)
    return cutter.finish()


class _Cutter:
    """Fills one piece at a time, keeping the stack of tags open at its end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[str] = []
        self.tokens: list[str] = []
        self.size = 0
        self.stack: list[tuple[str, str]] = []  # (tag name, opening tag) still open
        self.has_text = False  # visible non-whitespace text since the piece began

    def add_line(self, line: str) -> None:
        tokens = [m.group(0) for m in _TOKEN.finditer(line)]
        if not self._fits(tokens) and self.has_text:
            self._flush()
        if self._fits(tokens):
            for token in tokens:
                self._append(token)
            return
        for token in tokens:
            for atom in _atoms(token):
                self._add_atom(atom)

    def finish(self) -> list[str]:
        self._flush()
        return self.pieces

    def _add_atom(self, atom: str) -> None:
        if self._fits([atom]):
            self._append(atom)
        elif self.has_text:
            self._flush()
            self._append(atom)
        elif _visible(atom).strip() or atom.startswith("<"):
            # only tags and whitespace so far: the whitespace goes (Telegram trims it anyway)
            self.tokens = [t for t in self.tokens if t.startswith("<") or _visible(t).strip()]
            self.size = sum(units(t) for t in self.tokens)
            self._append(atom)
        # else: whitespace that cannot start a piece is dropped

    def _fits(self, tokens: list[str]) -> bool:
        stack = _after(self.stack, tokens)
        added = sum(units(t) for t in tokens)
        return self.size + added + sum(len(name) + 3 for name, _ in stack) <= self.limit

    def _append(self, token: str) -> None:
        self.tokens.append(token)
        self.size += units(token)
        self.stack = _after(self.stack, [token])
        if not token.startswith("<") and _visible(token).strip():
            self.has_text = True

    def _flush(self) -> None:
        carried: list[str] = []
        while self.tokens and _TOKEN.fullmatch(self.tokens[-1]) and _opening(self.tokens[-1]):
            carried.insert(0, self.tokens.pop())  # tags opened after the last text move on
            self.stack.pop()
        closing = "".join(f"</{name}>" for name, _ in reversed(self.stack))
        piece = "".join(self.tokens) + closing
        if _visible(piece).strip():
            self.pieces.append(piece)
        self.tokens = [tag for _, tag in self.stack]
        self.size = sum(units(t) for t in self.tokens)
        self.has_text = False
        for tag in carried:
            self._append(tag)


def _atoms(token: str) -> list[str]:
    """A token as the smallest parts a cut may fall between (a text run: its characters)."""
    return [token] if token[0] in "<&\n" else list(token)


def _opening(token: str) -> str | None:
    match = _TOKEN.fullmatch(token)
    return match.group(2).lower() if match and match.group(2) and not match.group(1) else None


def _after(stack: list[tuple[str, str]], tokens: list[str]) -> list[tuple[str, str]]:
    """The open tags after ``tokens`` (a closing tag closes up to its opening one)."""
    out = list(stack)
    for token in tokens:
        match = _TOKEN.fullmatch(token) if token.startswith("<") else None
        if match is None or not match.group(2):
            continue
        name = match.group(2).lower()
        if not match.group(1):
            out.append((name, token))
        elif any(n == name for n, _ in out):
            while out and out.pop()[0] != name:
                pass
    return out


def _visible(text: str) -> str:
    """The text a reader sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^<>]*>", "", text))


def photo_batches(answer: Reply) -> list[Photos]:
    """The images grouped for sending: groups of up to 10 (a lone image goes alone)."""
    images = answer.images
    return [Photos(tuple(images[i:i + MEDIA_GROUP_MAX]))
            for i in range(0, len(images), MEDIA_GROUP_MAX)]


def caption(text: str) -> str:
    """``text`` cut to the caption limit (with an ellipsis when cut)."""
    return text if len(text) <= CAPTION_LIMIT else text[: CAPTION_LIMIT - 1] + "…"
