"""Post a digest edition to Slack: Block Kit summary, charts and PDF in its thread.

Uses ``slack_sdk.WebClient`` (pointed at any ``base_url``): ``chat.postMessage`` with message
metadata carrying the delivery marker, ``files_upload_v2`` into the thread with channel ids, and
``chat.update`` when a corrected re-run replaces the summary. The client comes from
``jobs.notify.clients.slack_client`` (timeout, bounded 429 retries).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from jobs.digest.deliveries import DeliveryState
from jobs.digest.package import SLACK_MAX_IMAGES, Attachment, DigestPackage, Step
from jobs.notify.errors import InDoubt, Refused

#: Metadata event type of digest messages (finds a post in doubt again).
EVENT_TYPE = "tikpulse_digest"


class SlackNotifier:
    """Slack adapter for ``jobs.digest.deliver``."""

    kind = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any]:
        """Post (or, in a correction round, edit) one step; returns the Slack ids."""
        edition = step.edition
        with _classified(step.name):
            if step.part == "summary":
                return self._summary(step, channel_id, state, package)
            thread = _summary_ts(state, edition.lang)
            note = edition.correction_note if state.is_correction else None
            files = (edition.charts[:SLACK_MAX_IMAGES] if step.part == "charts"
                     else (edition.pdf,))
            return {"files": self._upload(channel_id, thread, files, note)}

    def find(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any] | None:
        """Look up a step whose post is in doubt: by metadata (summary) or file names (thread)."""
        with _classified(step.name):
            if step.part == "summary":
                if state.is_correction:
                    return None  # an edit is safe to repeat
                marker = package.marker(step.edition.lang)
                history = self.client.conversations_history(
                    channel=channel_id, include_all_metadata=True, limit=50)
                for msg in history.get("messages", []):
                    payload = (msg.get("metadata") or {}).get("event_payload") or {}
                    if payload.get("marker") == marker:
                        return {"id": msg["ts"]}
                return None
            names = {f.filename for f in _files_of(step)}
            replies = self.client.conversations_replies(
                channel=channel_id, ts=_summary_ts(state, step.edition.lang), limit=200)
            found = [f["id"] for m in replies.get("messages", []) for f in m.get("files", [])
                     if f.get("name") in names]
            return {"files": found} if len(found) == len(names) else None

    def _summary(self, step: Step, channel_id: str, state: DeliveryState,
                 package: DigestPackage) -> dict[str, Any]:
        edition = step.edition
        earlier = state.ids.get(step.name)
        if state.is_correction and earlier:
            blocks = [*edition.slack_blocks, _context(edition.correction_note)]
            self.client.chat_update(channel=channel_id, ts=earlier["id"],
                                    text=edition.slack_text, blocks=blocks)
            return {"id": earlier["id"], "edited": True}
        response = self.client.chat_postMessage(
            channel=channel_id, text=edition.slack_text, blocks=edition.slack_blocks,
            unfurl_links=False, unfurl_media=False,
            metadata={"event_type": EVENT_TYPE,
                      "event_payload": {"marker": package.marker(edition.lang)}})
        return {"id": response["ts"]}

    def _upload(self, channel_id: str, thread_ts: str, files: tuple[Attachment, ...],
                comment: str | None) -> list[str]:
        response = self.client.files_upload_v2(
            channel=channel_id, thread_ts=thread_ts, initial_comment=comment,
            file_uploads=[{"content": f.data, "filename": f.filename, "title": f.title,
                           "alt_txt": f.title} for f in files])
        return [f["id"] for f in response.get("files", [])]


def _files_of(step: Step) -> tuple[Attachment, ...]:
    if step.part == "charts":
        return step.edition.charts[:SLACK_MAX_IMAGES]
    return (step.edition.pdf,)


def _summary_ts(state: DeliveryState, lang: str) -> str:
    return str(state.ids[f"summary:{lang}"]["id"])


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


@contextmanager
def _classified(what: str) -> Iterator[None]:
    """Turn slack_sdk errors into Refused (nothing posted) or InDoubt (maybe posted)."""
    try:
        yield
    except SlackApiError as exc:
        status = exc.response.status_code
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        message = f"Slack {what}: HTTP {status} {error or exc.response.data!r}"
        if status >= 500:
            raise InDoubt(message) from exc
        raise Refused(message + _hint(error)) from exc
    except (SlackClientError, OSError) as exc:
        raise InDoubt(f"Slack {what}: {exc}") from exc


def _hint(error: str | None) -> str:
    hints = {
        "channel_not_found": " (use the channel id, e.g. C0123ABCD, and invite the bot)",
        "not_in_channel": " (invite the bot to the channel: /invite @TikPulse)",
        "invalid_auth": " (check SLACK_BOT_TOKEN)",
        "ratelimited": " (Slack rate limit; the job retries later)",
    }
    return hints.get(error or "", "")
