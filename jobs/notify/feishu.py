"""Post a digest edition to a Feishu/Lark group: an interactive card, the charts, the PDF and (when
the edition carries one) the PPTX deck in its thread.

The summary is a card in JSON 2.0 (``digest_card``): the summary chart (uploaded,
``image_key``), the headline KPIs two to a row, every section and the data-quality footer, drawn
from the same lines as Slack's message (``jobs.notify.summary``). The other charts and the PDF
(uploaded, ``file_key``, ``file_type`` pdf) and the deck (``ppt``) follow as replies in the
card's thread; the card's last line says where they are. Each message carries a ``uuid``
made from the delivery marker, so posting a step again within Feishu's hour returns the first
message instead of a second; a corrected re-run patches the card in place. Pacing, 429 /
99991400 back-off and error classes are ``FeishuApi``'s (``jobs.notify.feishu_api``).
"""

from __future__ import annotations

import uuid as uuids
from typing import Any

from jobs.digest.deliveries import DeliveryState
from jobs.digest.package import SLACK_MAX_IMAGES, Attachment, DigestPackage, Edition, Step
from jobs.notify.errors import CannotVerify
from jobs.notify.feishu_api import FeishuApi, card_escape, card_markdown
from jobs.notify.summary import Kpi, summary_of

#: Seconds a message ``uuid`` is trusted to deduplicate a repeated post (Feishu keeps it an
#: hour; a margin for clocks and the time the first call took).
UUID_TRUST_S = 50 * 60
#: Images of a digest: the summary chart in the card, the next ones in the thread.
FEISHU_MAX_IMAGES = SLACK_MAX_IMAGES
#: KPIs side by side in one card row.
KPIS_PER_ROW = 2
#: Card lines in each language.
TEXTS = {
    "pdf_in_thread": {"zh": "📎 完整报告（PDF）在本消息的话题里。",
                      "en": "📎 The full report (PDF) is in this message's thread."},
    "documents_in_thread": {
        "zh": "📎 完整报告（PDF）和演示文稿（PPTX）在本消息的话题里。",
        "en": "📎 The full report (PDF) and the slide deck (PPTX) are in this message's thread."},
}
_NAMESPACE = uuids.UUID("6f1c6f0e-5b9b-4f1e-9d43-7a9e1f3c2b10")


class FeishuNotifier:
    """Feishu adapter for ``jobs.digest.deliver``."""

    kind = "feishu"

    def __init__(self, api: FeishuApi) -> None:
        self.api = api

    def post(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any]:
        """Post (or, in a correction round, patch) one step; returns the Feishu ids."""
        edition = step.edition
        note = edition.correction_note if state.is_correction else None
        if step.part == "summary":
            return self._summary(step, channel_id, state, package, note)
        root = str(state.ids[f"summary:{edition.lang}"]["id"])
        first_in_thread = step.part == "charts" or not edition.charts
        ids = []
        if note and first_in_thread:
            ids.append(self._reply(package, step, channel_id, root, "note", "text",
                                   {"text": note}))
        if step.part == "charts":
            for i, chart in enumerate(edition.charts[1:FEISHU_MAX_IMAGES], start=1):
                key = self.api.upload_image(chart.data)
                ids.append(self._reply(package, step, channel_id, root, str(i), "image",
                                       {"image_key": key}))
            return {"ids": ids}
        key = self.api.upload_file(edition.pdf.data, edition.pdf.filename, "pdf")
        ids.append(self._reply(package, step, channel_id, root, "pdf", "file", {"file_key": key}))
        deck = deck_of(edition)
        if deck is not None:
            key = self.api.upload_file(deck.data, deck.filename, "ppt")
            ids.append(self._reply(package, step, channel_id, root, "deck", "file",
                                   {"file_key": key}))
        return {"id": ids[-1], "ids": ids}

    def find(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any] | None:
        """A step in doubt is posted again with the same ``uuid`` while Feishu still
        deduplicates it (``None``); after that hour nobody can tell: ``CannotVerify``."""
        if step.part == "summary" and state.is_correction and state.ids.get(step.name):
            return None  # a patch is safe to repeat
        if self._trusted(_uuid(package, step, channel_id, "0")):
            return None
        raise CannotVerify(
            f"Feishu chat {channel_id}: the {step.name} post of {package.week} may have gone out "
            "more than an hour ago and its message id was not recorded. Check the chat, then "
            f"run: tikpulse digest --tenant {package.tenant_id} --week {package.week} "
            "--send-now --resend-in-doubt")

    def _summary(self, step: Step, channel_id: str, state: DeliveryState,
                 package: DigestPackage, note: str | None) -> dict[str, Any]:
        edition = step.edition
        image = self.api.upload_image(edition.charts[0].data) if edition.charts else None
        card = digest_card(edition, image, note)
        earlier = state.ids.get(step.name)
        if state.is_correction and earlier:
            self.api.patch_card(channel_id, str(earlier["id"]), card)
            return {"id": earlier["id"], "edited": True}
        uuid = self._claim(package, step, channel_id, "0")
        return {"id": self.api.send(channel_id, "interactive", card, uuid=uuid)}

    def _reply(self, package: DigestPackage, step: Step, channel_id: str, root: str,
               part: str, msg_type: str, content: dict[str, Any]) -> str:
        uuid = self._claim(package, step, channel_id, part)
        return self.api.reply(channel_id, root, msg_type, content, uuid=uuid, in_thread=True)

    def _claim(self, package: DigestPackage, step: Step, channel_id: str, part: str) -> str:
        """The message's uuid, noting when it was first used (``find`` trusts it an hour)."""
        uuid = _uuid(package, step, channel_id, part)
        if self.api.redis is not None:
            self.api.redis.set(_trust_key(_uuid(package, step, channel_id, "0")), 1,
                               ex=UUID_TRUST_S, nx=True)
        return uuid

    def _trusted(self, first_uuid: str) -> bool:
        if self.api.redis is None:
            return True  # no record to go by: rely on the uuid
        return bool(self.api.redis.exists(_trust_key(first_uuid)))


def digest_card(edition: Edition, image_key: str | None, note: str | None = None) -> (
    dict[str, Any]
):
    """The card (JSON 2.0) of an edition's summary; ``note`` marks a corrected edition."""
    summary = summary_of(edition.slack_blocks)
    elements: list[dict[str, Any]] = []
    if note:
        elements.append(card_markdown(f"**{card_escape(note)}**"))
    if image_key:
        alt = edition.charts[0].title if edition.charts else edition.title
        elements.append({"tag": "img", "img_key": image_key, "scale_type": "fit_horizontal",
                         "alt": {"tag": "plain_text", "content": alt}})
    for section in summary.sections:
        text = "\n".join(part for part in (f"**{card_escape(section.heading)}**"
                                           if section.heading else "",
                                           card_escape(section.body)) if part)
        if text:
            elements.append(card_markdown(text))
        for i in range(0, len(section.kpis), KPIS_PER_ROW):
            elements.append(_kpi_row(section.kpis[i:i + KPIS_PER_ROW]))
        if section.kpis:
            elements.append({"tag": "hr"})
    footer = [card_escape(summary.footer)] if summary.footer else []
    where = TEXTS["documents_in_thread" if deck_of(edition) else "pdf_in_thread"]
    footer.append(where.get(edition.lang, where["en"]))
    elements.append(card_markdown("\n".join(footer), notation=True))
    header: dict[str, Any] = {
        "title": {"tag": "plain_text", "content": summary.title or edition.title},
        "template": "orange" if edition.partial or note else "blue"}
    if summary.subtitle:
        header["subtitle"] = {"tag": "plain_text", "content": summary.subtitle}
    return {"schema": "2.0",
            "config": {"update_multi": True, "width_mode": "fill",
                       "summary": {"content": edition.slack_text}},
            "header": header, "body": {"elements": elements}}


def deck_of(edition: Edition) -> Attachment | None:
    """The edition's PPTX deck, when the digest pipeline made one (an edition without one has
    only the PDF)."""
    return edition.deck if edition.deck is not None and edition.deck.data else None


def _kpi_row(kpis: list[Kpi]) -> dict[str, Any]:
    columns = [{"tag": "column", "width": "weighted", "weight": 1, "vertical_align": "top",
                "elements": [card_markdown("\n".join([f"**{card_escape(k.name)}**",
                                                  *(card_escape(line) for line in k.lines)]))]}
               for k in kpis]
    return {"tag": "column_set", "flex_mode": "none", "horizontal_spacing": "default",
            "columns": columns}


def _uuid(package: DigestPackage, step: Step, channel_id: str, part: str) -> str:
    """A message's idempotency key: the same post always gets the same one (36 characters)."""
    seed = f"{package.marker(step.edition.lang)}|{channel_id}|{step.name}|{part}"
    return str(uuids.uuid5(_NAMESPACE, seed))


def _trust_key(first_uuid: str) -> str:
    return f"tikpulse:feishu:uuid:{first_uuid}"
