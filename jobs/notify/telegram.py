"""Post a digest edition to Telegram: HTML summary (and the continuation messages of the sections
that did not fit), the charts as a media group, the PDF.

python-telegram-bot is async; the async code stays inside this module: each call runs in its own
``asyncio.run`` with a fresh ``Bot`` (never shared across event loops). Limits are respected
(text 4096, caption 1024, media group 2-10); a 429 (``RetryAfter``) is waited out a bounded number
of times. The Bot API cannot list a chat's messages, so a post left in doubt by a crash cannot be
looked up: ``find`` raises ``CannotVerify`` and a person decides (``--resend-in-doubt``).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Bot, InputMediaPhoto, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from jobs.digest.chat_format import fit
from jobs.digest.deliveries import DeliveryState
from jobs.digest.package import TELEGRAM_MEDIA_GROUP, DigestPackage, Step
from jobs.notify.clients import telegram_bot
from jobs.notify.errors import CannotVerify, InDoubt, Refused

#: Bot API length limits.
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
#: Flood-control waits honoured per call, and the longest single wait, seconds.
TELEGRAM_RATE_LIMIT_RETRIES, TELEGRAM_MAX_WAIT_S = 3, 60.0
#: Read/write timeouts of Bot API calls (uploads get the longer one), seconds.
TELEGRAM_TIMEOUT_S, TELEGRAM_UPLOAD_TIMEOUT_S = 30.0, 60.0

T = TypeVar("T")


class TelegramNotifier:
    """Telegram adapter for ``jobs.digest.deliver``."""

    kind = "telegram"

    def __init__(self, token: str, base_url: str, *, sleep: Callable[[float], None] = time.sleep):
        self.token, self.base_url, self.sleep = token, base_url.rstrip("/"), sleep

    def post(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any]:
        """Send (or, in a correction round, edit / mark as correction) one step."""
        chat = int(channel_id)
        edition = step.edition
        if step.part == "summary":
            return self._summary(step, chat, state)
        reply = ReplyParameters(int(state.ids[f"summary:{edition.lang}"]["id"]),
                                allow_sending_without_reply=True)
        note = f"{edition.correction_note}\n" if state.is_correction else ""
        if step.part == "pdf":
            doc = self._call(step.name, lambda bot: bot.send_document(
                chat, edition.pdf.data, filename=edition.pdf.filename, reply_parameters=reply,
                caption=fit(note + edition.pdf.title, CAPTION_LIMIT),
                write_timeout=TELEGRAM_UPLOAD_TIMEOUT_S))
            return {"id": doc.message_id}
        return {"ids": self._charts(step, chat, reply, note)}

    def _summary(self, step: Step, chat: int, state: DeliveryState) -> dict[str, Any]:
        """The summary message, then its continuations as replies to it (in a correction round:
        each earlier message edited, with the correction note; new ones sent, spare ones say
        only the note)."""
        edition = step.edition
        texts = [edition.telegram_html, *edition.telegram_more]
        earlier = state.ids.get(step.name)
        if state.is_correction and earlier:
            note = f"<i>{edition.correction_note}</i>"
            old = [earlier["id"], *earlier.get("more", ())]
            texts = ([fit(f"{t}\n\n{note}", TEXT_LIMIT) for t in texts]
                     + [note] * (len(old) - len(texts)))  # spare continuations: only the note
            for message_id, text in zip(old, texts, strict=False):
                self._call(step.name, lambda bot, m=message_id, x=text: _edit(bot, chat, m, x))
            more = old[1:] + self._send(step, chat, earlier["id"], texts[len(old):])
            return {"id": earlier["id"], "more": more, "edited": True}
        sent = self._call(step.name, lambda bot: bot.send_message(
            chat, fit(texts[0], TEXT_LIMIT), parse_mode=ParseMode.HTML))
        return {"id": sent.message_id,
                "more": self._send(step, chat, sent.message_id, texts[1:])}

    def _send(self, step: Step, chat: int, reply_to: int, texts: list[str]) -> list[int]:
        """Post ``texts`` as replies to message ``reply_to``; their message ids."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
        return [self._call(step.name, lambda bot, x=text: bot.send_message(
            chat, fit(x, TEXT_LIMIT), parse_mode=ParseMode.HTML,
            reply_parameters=reply)).message_id for text in texts]

    def find(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any] | None:
        """An edit can be repeated; a new post in doubt cannot be looked up on Telegram."""
        if step.part == "summary" and state.is_correction and state.ids.get(step.name):
            return None
        raise CannotVerify(
            f"Telegram chat {channel_id}: the {step.name} post of {package.week} may have gone "
            "out but its message id was not recorded (the worker stopped mid-call). Check the "
            f"chat, then run: tikpulse digest --tenant {package.tenant_id} --week {package.week} "
            "--send-now --resend-in-doubt")

    def _charts(self, step: Step, chat: int, reply: ReplyParameters, note: str) -> list[int]:
        charts = step.edition.charts[:TELEGRAM_MEDIA_GROUP[1]]
        caption = fit(note + step.edition.title, CAPTION_LIMIT)
        if len(charts) < TELEGRAM_MEDIA_GROUP[0]:
            sent = self._call(step.name, lambda bot: bot.send_photo(
                chat, charts[0].data, caption=caption, reply_parameters=reply,
                write_timeout=TELEGRAM_UPLOAD_TIMEOUT_S))
            return [sent.message_id]
        media = [InputMediaPhoto(c.data, filename=c.filename,
                                 caption=caption if i == 0 else None)
                 for i, c in enumerate(charts)]
        group = self._call(step.name, lambda bot: bot.send_media_group(
            chat, media, reply_parameters=reply, write_timeout=TELEGRAM_UPLOAD_TIMEOUT_S))
        return [m.message_id for m in group]

    def _call(self, what: str, action: Callable[[Bot], Awaitable[T]]) -> T:
        """Run one Bot API call; wait out flood control; classify errors."""
        for attempt in range(TELEGRAM_RATE_LIMIT_RETRIES + 1):
            try:
                return asyncio.run(self._once(action))
            except RetryAfter as exc:
                wait = _seconds(exc)
                if attempt == TELEGRAM_RATE_LIMIT_RETRIES or wait > TELEGRAM_MAX_WAIT_S:
                    raise Refused(f"Telegram {what}: flood control, retry in {wait:.0f}s") from exc
                self.sleep(wait)
            except (TimedOut, OSError) as exc:
                raise InDoubt(f"Telegram {what}: no answer ({exc})") from exc
            except NetworkError as exc:
                # PTB reports transport failures as "httpx.<Error>: ..." (the answer was lost)
                # and HTTP error statuses as "<description> (<code>)" (the API said no).
                lost = str(exc).startswith("httpx.")
                raise (InDoubt if lost else Refused)(f"Telegram {what}: {exc}") from exc
            except TelegramError as exc:
                raise Refused(f"Telegram {what}: {exc}") from exc
        raise AssertionError("unreachable")

    async def _once(self, action: Callable[[Bot], Awaitable[T]]) -> T:
        async with telegram_bot(self.token, self.base_url) as bot:
            return await action(bot)


async def _edit(bot: Bot, chat: int, message_id: int, text: str) -> Message | bool:
    try:
        return await bot.edit_message_text(text, chat, message_id, parse_mode=ParseMode.HTML)
    except BadRequest as exc:
        if "not modified" in str(exc):
            return True
        raise


def _seconds(exc: RetryAfter) -> float:
    found = re.search(r"(\d+(?:\.\d+)?) second", str(exc))  # "... Retry in N seconds"
    return float(found.group(1)) if found else 1.0
