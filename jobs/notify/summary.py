"""A digest summary in a platform-free shape, read back from an edition's Block Kit message.

``Edition.slack_blocks`` is the one structured rendering of a digest's summary (a header, the
period line, sections headed ``*Heading*``, the headline KPIs as fields, a context footer). The
Feishu card and the WeCom markdown are drawn from the same blocks, so every chat shows the same
lines: ``summary_of(blocks)`` gives the title, the subtitle, the sections (each with its KPIs) and
the footer, with Slack's mrkdwn turned into common markdown (``**bold**``, ``[text](url)``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^|>]+)>")
_HEADING = re.compile(r"^\*([^*\n]+)\*$")


@dataclass(frozen=True)
class Kpi:
    """One headline figure: its name and lines (value and change, then the target)."""

    name: str
    lines: tuple[str, ...]


@dataclass
class Section:
    """A headed part of the summary (the heading may be empty) and the KPIs shown under it."""

    heading: str
    body: str
    kpis: list[Kpi] = field(default_factory=list)


@dataclass
class Summary:
    """The summary of one edition: what every chat shows, in order."""

    title: str = ""
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    footer: str = ""


def summary_of(blocks: list[dict[str, Any]]) -> Summary:
    """The summary carried by ``blocks`` (``jobs.digest.chat_format.slack_blocks``)."""
    out = Summary()
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            out.title = str(block["text"]["text"])
        elif kind == "context":
            text = " ".join(markdown(e.get("text", "")) for e in block.get("elements", []))
            if out.sections:
                out.footer = f"{out.footer}\n{text}".strip()
            else:
                out.subtitle = f"{out.subtitle} {text}".strip()
        elif kind == "section" and block.get("fields"):
            if not out.sections:
                out.sections.append(Section("", ""))
            out.sections[-1].kpis += [_kpi(f.get("text", "")) for f in block["fields"]]
        elif kind == "section":
            out.sections.append(_section(str(block.get("text", {}).get("text", ""))))
    return out


def markdown(mrkdwn: str) -> str:
    """Slack mrkdwn as common markdown: ``*b*`` -> ``**b**``, ``<url|text>`` -> ``[text](url)``,
    Slack's ``&amp; &lt; &gt;`` decoded."""
    text = _LINK.sub(r"[\2](\1)", mrkdwn)
    text = _BARE_LINK.sub(r"\1", text)
    return html.unescape(_BOLD.sub(r"**\1**", text))


def _section(text: str) -> Section:
    first, _, rest = text.partition("\n")
    heading = _HEADING.match(first.strip())
    if heading:
        return Section(html.unescape(heading.group(1)), markdown(rest))
    return Section("", markdown(text))


def _kpi(text: str) -> Kpi:
    first, _, rest = text.partition("\n")
    name = _HEADING.match(first.strip())
    lines = tuple(markdown(line) for line in rest.splitlines() if line.strip())
    return Kpi(html.unescape(name.group(1)) if name else markdown(first), lines)
