"""One language's digest text as a Slack Block Kit message and as Telegram HTML.

Slack: a header, the period and time zone, the partial warning, the three-line summary, headline
KPIs as two-column fields, what changed, the sections, suggestions, the stores and the
data-quality line; every section stays under Slack's 3000-character limit. Telegram: the same
lines as HTML in priority order (summary, headline, what changed, suggestions, Slack's per-store
lines, then the sections as far as 4096 characters allow: the rest is in the PDF that follows),
cut at a line break if still too long (each line closes its own tags, so a cut never breaks the
markup).
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
            "in_pdf": ("更多内容（达人、流量、库存等）见随附的PDF。",
                       "More (creators, traffic, stock...) in the PDF below.")}


def heading(key: str, lang: str, cadence: str = "weekly") -> str:
    """A section heading in ``lang``; the summary and headline name the report's period."""
    zh, en = CADENCE_PHRASES.get(key, {}).get(cadence, HEADINGS[key])
    return zh if lang == "zh" else en


def _section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_CHARS:
        text = text[: SECTION_CHARS - 1].rsplit("\n", 1)[0] + "\n…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


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
    blocks.append(_section(f"*{heading('changes', t.lang)}*\n" + _bullets(t.changes)))
    for title, lines in t.sections:
        blocks.append(_section(f"*{title}*\n" + _bullets(lines)))
    blocks.append(_section(f"*{heading('suggestions', t.lang)}*\n" + _bullets(t.suggestions)))
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
    """The summary as Telegram HTML (parse_mode=HTML), at most 4096 characters."""
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
    sections = list(t.sections)  # the first to give way when the message is too long
    while True:
        body = lines + _groups([*groups, *sections]) + footer
        if len("\n".join(body)) <= TELEGRAM_TEXT_LIMIT or not sections:
            break
        sections.pop()
    if len(sections) < len(t.sections):
        body[-2:-2] = ["", f"<i>{e(heading('in_pdf', t.lang))}</i>"]
    lines = body
    text = "\n".join(lines)
    if len(text) <= TELEGRAM_TEXT_LIMIT:
        return text
    cut = text[: TELEGRAM_TEXT_LIMIT - 2]
    return cut[: cut.rfind("\n")] + "\n…"
