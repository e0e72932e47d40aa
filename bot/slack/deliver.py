"""Post a ``Reply`` to Slack: through a slash command's ``response_url`` or ``chat.postMessage``,
then each image and file through ``files_upload_v2`` (channel id, same thread).

Refusals and "I didn't get that" answers to a slash command are ephemeral (only the asker sees
them), so a channel is not filled with help texts.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.commands.reply import Reply
from bot.slack.render import fallback_text, to_blocks

#: Reply kinds only the asker needs to see.
PRIVATE_KINDS = frozenset({"unclear", "unknown_store", "setup", "refused", "limited", "error"})
#: Seconds a response_url post may take.
RESPONSE_URL_TIMEOUT_S = 10


class AnswerNotDelivered(RuntimeError):
    """Slack did not accept the answer (so the job fails visibly instead of "succeeding")."""


def respond_payload(answer: Reply) -> dict[str, Any]:
    """The body for a ``response_url`` post of ``answer``."""
    kind = "ephemeral" if answer.kind in PRIVATE_KINDS else "in_channel"
    return {"text": fallback_text(answer), "blocks": to_blocks(answer), "response_type": kind,
            "replace_original": False}


def post_reply(client: WebClient, channel: str, answer: Reply, *, thread_ts: str | None = None,
               response_url: str | None = None) -> str | None:
    """Send ``answer`` (text via ``response_url`` if given, else as a message) and its files.

    Returns the ``ts`` of the posted message (``None`` when it went through ``response_url``).
    """
    ts = None
    if response_url:
        sent = WebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT_S).send_dict(
            respond_payload(answer))
        if sent.status_code != 200:
            raise AnswerNotDelivered(f"response_url answered {sent.status_code}: "
                                     f"{str(sent.body)[:200]}")
    else:
        result = client.chat_postMessage(channel=channel, text=fallback_text(answer),
                                         blocks=to_blocks(answer), thread_ts=thread_ts)
        ts = result.get("ts")
    upload_files(client, channel, answer, thread_ts=thread_ts or ts)
    return ts


def upload_files(client: WebClient, channel: str, answer: Reply, *,
                 thread_ts: str | None = None) -> None:
    """Upload the reply's images and documents into ``channel`` (a channel id)."""
    uploads = [{"content": img.png, "filename": img.filename, "title": img.title,
                "alt_txt": img.alt or img.title} for img in answer.images]
    uploads += [{"content": doc.data, "filename": doc.filename, "title": doc.title}
                for doc in answer.documents]
    if not uploads:
        return
    client.files_upload_v2(file_uploads=uploads, channel=channel, thread_ts=thread_ts)
