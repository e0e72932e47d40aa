"""Parity: Slack, Telegram, the HTML page, the PDF and the PPTX deck carry the same summary,
headline numbers, changes, sections and suggestions, line for line, in both languages (the
seeded two-store Acme digest, rendered as the digest job renders it)."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from typing import Any

from pptx import Presentation
from test_pdf_text import editions, page_lines, pdf_text, squeeze  # noqa: F401

from jobs.digest.chat_format import slack_blocks, telegram_messages
from jobs.digest.render import RenderedEdition


def _slack(e: RenderedEdition) -> str:
    def texts(block: dict[str, Any]) -> list[str]:
        inner = [block.get("text") or {}, *block.get("fields", ()), *block.get("elements", ())]
        return [t.get("text", "") for t in inner if isinstance(t, dict)]

    return "\n".join(t for b in slack_blocks(e.text, e.zone) for t in texts(b)).replace("*", "")


def _telegram(e: RenderedEdition) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", "\n".join(telegram_messages(e.text, e.zone))))


def _deck(e: RenderedEdition) -> str:
    assert e.deck is not None
    deck = Presentation(io.BytesIO(e.deck.data))
    return "\n".join(sh.text_frame.text for s in deck.slides for sh in s.shapes
                     if sh.has_text_frame)


def test_every_format_carries_every_line(editions, tmp_path) -> None:  # noqa: F811
    for e in editions:
        t = e.text
        formats = {"slack": _slack(e), "telegram": _telegram(e),
                   "html": "\n".join(page_lines(e.html)), "pdf": pdf_text(e.pdf.data, tmp_path),
                   "pptx": _deck(e)}
        lines = [*t.summary, *t.changes, *t.suggestions, *(c.value for c in t.headline),
                 *(title for title, _ in t.sections),
                 *(line for _, section in t.sections for line in section),
                 *(name for name, _ in t.stores)]
        assert len(t.sections) >= 5 and len(lines) > 40
        for name, text in formats.items():
            have = squeeze(text)
            missing = [line for line in lines if squeeze(line) not in have]
            assert missing == [], (t.lang, name, missing[:3])


def test_long_sections_continue_in_slack_and_telegram_never_cut(editions) -> None:  # noqa: F811
    e = editions[1]
    long = replace(e.text, sections=tuple(
        (f"Section {i}", tuple(f"{i}.{j} {'word ' * 60}" for j in range(15))) for i in range(4)))
    blocks = slack_blocks(long, e.zone)
    assert len(blocks) <= 50  # Slack's limit per message
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if "text" in b)
    for text in (_slack(replace(e, text=long)), _telegram(replace(e, text=long))):
        for title, lines in long.sections:
            assert text.count(title) == 1 and all(text.count(f"• {x}") == 1 for x in lines)
