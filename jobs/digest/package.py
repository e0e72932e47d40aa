"""What a notifier posts: one ``Edition`` per language, ready for Slack, Telegram and files.

A ``DigestPackage`` is the rendered digest of one tenant and week: per language the Slack Block Kit
summary, the Telegram HTML messages, the chart images and the PDF, plus the hash of the frozen
snapshot it was made from (a different hash for the same week means corrected numbers).
Delivery walks ``steps()`` in order; each step is posted and recorded on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Images in one Slack thread (more clutter the channel; the rest are in the PDF).
SLACK_MAX_IMAGES = 5
#: Telegram media group size limits.
TELEGRAM_MEDIA_GROUP = (2, 10)
#: Parts of an edition, in posting order.
PARTS = ("summary", "charts", "pdf")


@dataclass(frozen=True)
class Attachment:
    """A file to post: a chart PNG, the PDF or the PPTX deck."""

    filename: str
    title: str
    data: bytes
    mime: str = "image/png"


@dataclass(frozen=True)
class Edition:
    """One language of a digest, in every format the channels need."""

    lang: str
    title: str
    slack_text: str  # notification / fallback text
    slack_blocks: list[dict[str, Any]]
    telegram_html: str  # <= 4096 characters, parse_mode HTML
    charts: tuple[Attachment, ...]
    pdf: Attachment
    correction_note: str  # shown when a corrected re-run replaces an earlier post
    partial: bool = False
    deck: Attachment | None = None  # the PPTX deck (Feishu posts it after the PDF)
    telegram_more: tuple[str, ...] = ()  # continuation messages: the sections that did not fit


@dataclass(frozen=True)
class Step:
    """One thing to post: a part of one edition (``summary:zh``, ``charts:en``, ...)."""

    part: str
    edition: Edition

    @property
    def name(self) -> str:
        return f"{self.part}:{self.edition.lang}"


@dataclass(frozen=True)
class DigestPackage:
    """A tenant's rendered digest for one week, and the snapshot hash it came from."""

    tenant_id: str
    week: str
    snapshot_hash: str
    editions: tuple[Edition, ...]
    status: str = "sent"  # sent | partial (data incomplete after the hold deadline)
    meta: dict[str, Any] = field(default_factory=dict)

    def steps(self) -> list[Step]:
        """Every step in posting order: each language's summary, then its charts and its PDF."""
        return [Step(part, e) for e in self.editions for part in PARTS
                if part != "charts" or e.charts]

    def marker(self, lang: str) -> str:
        """A tag stored with each post, so a post in doubt can be found again."""
        return f"tikpulse/{self.tenant_id}/{self.week}/{lang}/{self.snapshot_hash[:12]}"
