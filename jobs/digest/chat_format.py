"""One language's digest text as a Slack Block Kit message and as Telegram HTML.

Slack: a header, the period and time zone, the partial warning, the three-line summary, headline
KPIs as two-column fields, what changed, the sections, suggestions, the stores and the
data-quality line; a section longer than Slack's 3000 characters per block continues in the next
block. Telegram: the same
lines as HTML in priority order (summary, headline, what changed, suggestions, Slack's per-store
lines, then the sections as far as 4096 characters allow); the sections that do not fit follow
in continuation messages of at most 4096 characters each, so Telegram carries everything Slack
does. Messages are cut only at line breaks (each line closes its own tags, so a cut never breaks
the markup).
"""

from __future__ import annotations

import html
from typing import Any

from jobs.digest.sentences import Cell, DigestText
from jobs.digest.words import CADENCE_PHRASES

#: Slack limits: characters per section text, fields per section, stores listed.
SECTION_CHARS, FIELDS_PER_SECTION, MAX_STORES = 2900, 10, 10
TELEGRAM_TEXT_LIMIT = 4096
HEADINGS = {"summary": ("本周结论", "This week in three lines"),
            "headline": ("本周核心指标", "This week's headline"),
            "changes": ("变化与原因", "What changed and why"),
            "suggestions": ("建议", "Suggestions"), "stores": ("各店铺", "Stores"),
            "quality": ("数据质量", "Data quality"),
            "continued": ("其余板块见下一条消息。", "More sections in the next message."),
            "continuation": ("（续）", "(continued)")}


def heading(key: str, lang: str, cadence: str = "weekly") -> str:
    """A section heading in ``lang``; the summary and headline name the report's period."""
    zh, en = CADENCE_PHRASES.get(key, {}).get(cadence, HEADINGS[key])
    return zh if lang == "zh" else en


def _section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_CHARS:
        text = text[: SECTION_CHARS - 1].rsplit("\n", 1)[0] + "\n…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _headed(title: str, lines: tuple[str, ...]) -> list[dict[str, Any]]:
    """A headed bullet list as section blocks: as many as it takes to stay under Slack's limit
    per block (a long section continues in the next block, nothing is cut)."""
    chunks: list[list[str]] = [[f"*{title}*"]]
    for line in (f"• {x}" for x in lines):
        if len("\n".join([*chunks[-1], line])) > SECTION_CHARS:
            chunks.append([])
        chunks[-1].append(line)
    return [_section("\n".join(chunk)) for chunk in chunks]


def _field(c: Cell) -> dict[str, str]:
    target = f"\n{c.target}" if c.target else ""
    return {"type": "mrkdwn", "text": f"*{c.name}*\n{c.value}  {c.change}{target}"}


def slack_blocks(t: DigestText, zone: str) -> list[dict[str, Any]]:
    """The Block Kit summary message."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t.title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{t.period} · {zone}"}]},
    ]
    if t.partial:
        blocks.append(_section(f"*{t.partial}*"))
    if t.summary:
        blocks.append(_section(f"*{heading('summary', t.lang, t.cadence)}*\n"
                               + _bullets(t.summary)))
    blocks.append(_section(f"*{heading('headline', t.lang, t.cadence)}*"
                           + (f"\n{t.headline_note}" if t.headline_note else "")))
    fields = [_field(c) for c in t.headline]
    for i in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[i:i + FIELDS_PER_SECTION]})
    blocks.append({"type": "divider"})
    for title, lines in [(heading("changes", t.lang), t.changes), *t.sections,
                         (heading("suggestions", t.lang), t.suggestions)]:
        blocks += _headed(title, lines)
    if len(t.stores) > 1 or not t.headline:
        blocks.append(_section(f"*{heading('stores', t.lang)}*\n"
                               + _bullets([f"*{line[0]}* {line[1]}" for line in
                                           store_lines(t)])))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"{heading('quality', t.lang)}: " + " · ".join(t.quality)}]})
    return blocks


def _groups(groups: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Headed bullet lists as Telegram HTML lines (``\0name\0`` marks a bold store name)."""
    out: list[str] = []
    for title, items in groups:
        out += ["", f"<b>{html.escape(title)}</b>"]
        out += ["• " + html.escape(line).replace("\0", "<b>", 1).replace("\0", "</b>", 1)
                for line in items]
    return out


def store_lines(t: DigestText) -> list[tuple[str, str]]:
    """(store, its first two KPIs with their week-on-week change) for the stores section, the
    same in Slack and Telegram (at most ``MAX_STORES``, then how many more)."""
    lines = [(name, " · ".join(f"{c.name} {c.value} {c.change.split(' · ')[0]}"
                               for c in cells[:2])) for name, cells in t.stores]
    more = len(t.stores) - MAX_STORES
    return lines[:MAX_STORES] + ([("…", f"+{more}")] if more > 0 else [])


def _bullets(lines: list[str] | tuple[str, ...]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def slack_text(t: DigestText) -> str:
    """The notification / fallback text of the Slack message."""
    first = t.headline[0] if t.headline else None
    tail = f" · {first.name} {first.value} {first.change.split(' · ')[0]}" if first else ""
    return f"{t.title}{tail}"


def telegram_html(t: DigestText, zone: str) -> str:
    """The first Telegram message (parse_mode=HTML), at most 4096 characters."""
    return telegram_messages(t, zone)[0]


def telegram_messages(t: DigestText, zone: str) -> tuple[str, ...]:
    """The digest as Telegram HTML messages: the summary message with as many sections as fit,
    then continuation messages with the rest, each at most 4096 characters."""
    e = html.escape
    lines = [f"<b>{e(t.title)}</b>", f"<i>{e(t.period)} · {e(zone)}</i>"]
    if t.partial:
        lines += ["", f"<b>{e(t.partial)}</b>"]
    if t.summary:
        lines += ["", f"<b>{e(heading('summary', t.lang, t.cadence))}</b>"]
        lines += [f"• {e(line)}" for line in t.summary]
    lines += ["", f"<b>{e(heading('headline', t.lang, t.cadence))}</b>"]
    if t.headline_note:
        lines.append(e(t.headline_note))
    for c in t.headline:
        target = f" · {e(c.target)}" if c.target else ""
        lines.append(f"• <b>{e(c.name)}</b> {e(c.value)}  {e(c.change)}{target}")
    groups: list[tuple[str, tuple[str, ...]]] = [
        (heading("changes", t.lang), t.changes), (heading("suggestions", t.lang), t.suggestions)]
    if len(t.stores) > 1 or not t.headline:  # the same store lines as Slack's
        groups.append((heading("stores", t.lang), tuple(
            f"\0{name}\0 {text}" for name, text in store_lines(t))))
    footer = ["", f"<i>{e(heading('quality', t.lang))}: {e(' · '.join(t.quality))}</i>"]

    def first(shown: int) -> str:
        note = ["", f"<i>{e(heading('continued', t.lang))}</i>"] if shown < len(t.sections) else []
        return "\n".join(lines + _groups([*groups, *t.sections[:shown]]) + note + footer)

    shown = len(t.sections)  # the sections give way first when the message is too long
    while shown and len(first(shown)) > TELEGRAM_TEXT_LIMIT:
        shown -= 1
    title = f"<b>{e(t.title)}</b> <i>{e(heading('continuation', t.lang))}</i>"
    return (fit(first(shown), TELEGRAM_TEXT_LIMIT),
            *_chunks(title, _groups(list(t.sections[shown:]))))


def _chunks(title: str, lines: list[str]) -> list[str]:
    """``lines`` packed into messages of at most 4096 characters, each under ``title``."""
    out: list[list[str]] = []
    for line in lines:
        if out and len("\n".join([*out[-1], line])) <= TELEGRAM_TEXT_LIMIT:
            out[-1].append(line)
        elif line.strip():  # a new message never starts with a blank line
            out.append([title, fit(line, TELEGRAM_TEXT_LIMIT - len(title) - 1)])
    return ["\n".join(chunk) for chunk in out]


def fit(text: str, limit: int) -> str:
    """``text`` cut at a line break to at most ``limit`` characters, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2]
    return (cut[: cut.rfind("\n")] if "\n" in cut else cut) + "\n…"
