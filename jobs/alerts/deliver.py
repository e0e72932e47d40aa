"""Posting alert messages to Slack, Telegram, Feishu and WeCom, with admin mentions in each
system's syntax.

The senders use the clients made by ``jobs.notify.clients`` and ``jobs.notify.wecom`` (one
timeout and 429 policy with the digest and the bot); tests and the demo point them at local
servers. ``deliver``
posts one message to every destination and reports, per destination, the message id or the error:
a notice counts as delivered when at least one chat received it.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from slack_sdk.errors import SlackApiError
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from jobs.alerts.messages import AlertMessage
from jobs.alerts.routing import Destination
from jobs.notify.clients import SLACK_API_URL, TELEGRAM_API_URL, slack_client, telegram_bot
from jobs.notify.errors import NotifyError
from jobs.notify.feishu_api import FeishuApi
from jobs.notify.wecom import MARKDOWN_MAX_BYTES, WeComRobot

log = logging.getLogger(__name__)

_CODE = re.compile(r"`([^`]+)`")


class Sender(Protocol):
    """Posts one alert message to one chat and returns the chat's message id."""

    def send(self, destination: Destination, message: AlertMessage) -> str: ...


class SlackSender:
    """Alerts into Slack channels through ``chat.postMessage``."""

    def __init__(self, token: str, base_url: str = SLACK_API_URL) -> None:
        self._client = slack_client(token, base_url)

    def send(self, destination: Destination, message: AlertMessage) -> str:
        """Post ``message``; admins are mentioned as ``<@U123>``."""
        text = _slack_escape(message.text)
        if message.mention_admins and destination.admins:
            text += "\n" + " ".join(f"<@{a}>" for a in destination.admins)
        reply = self._client.chat_postMessage(channel=destination.channel_id, text=text,
                                              unfurl_links=False)
        return str(reply["ts"])


class TelegramSender:
    """Alerts into Telegram chats through ``sendMessage`` (HTML parse mode)."""

    def __init__(self, token: str, base_url: str = TELEGRAM_API_URL) -> None:
        self._token = token
        self._base_url = base_url

    def send(self, destination: Destination, message: AlertMessage) -> str:
        """Post ``message``; admins are mentioned with ``tg://user`` links."""
        text = _CODE.sub(r"<code>\1</code>", html.escape(message.text, quote=False))
        if message.mention_admins and destination.admins:
            text += "\n" + " ".join(f'<a href="tg://user?id={a}">admin</a>'
                                    for a in destination.admins)
        return asyncio.run(self._send(int(destination.channel_id), text))

    async def _send(self, chat_id: int, text: str) -> str:
        async with telegram_bot(self._token, self._base_url) as bot:
            sent = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                          link_preview_options=LinkPreviewOptions(is_disabled=True))
        return str(sent.message_id)


class FeishuSender:
    """Alerts into Feishu/Lark groups as text messages (a ``uuid`` per message and chat)."""

    def __init__(self, api: FeishuApi) -> None:
        self._api = api

    def send(self, destination: Destination, message: AlertMessage) -> str:
        """Post ``message``; admins are mentioned as ``<at user_id="ou_...">``."""
        text = message.text
        if message.mention_admins and destination.admins:
            text += "\n" + " ".join(f'<at user_id="{a}"></at>' for a in destination.admins)
        uuid = hashlib.sha256(f"{destination.channel_id}|{text}".encode()).hexdigest()[:32]
        return self._api.send(destination.channel_id, "text", {"text": text}, uuid=uuid)


class WeComSender:
    """Alerts into WeCom groups through their robots, as markdown (at most 4,096 bytes)."""

    def __init__(self, robot: WeComRobot) -> None:
        self._robot = robot

    def send(self, destination: Destination, message: AlertMessage) -> str:
        """Post ``message``; admins (WeCom user ids) are mentioned as ``<@userid>``."""
        mentions = " ".join(f"<@{a}>" for a in destination.admins) \
            if message.mention_admins else ""
        room = MARKDOWN_MAX_BYTES - len(mentions.encode()) - 8
        text = message.text.encode()[:room].decode("utf-8", "ignore")
        self._robot.markdown(destination.channel_id, f"{text}\n{mentions}".strip())
        return f"wecom:{destination.channel_id}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one message in one chat."""

    destination: Destination
    message_id: str | None
    error: str | None = None


def deliver(message: AlertMessage, destinations: Sequence[Destination],
            senders: Mapping[str, Sender]) -> list[Outcome]:
    """Post ``message`` to each destination whose chat system has a sender."""
    outcomes = []
    for dest in destinations:
        sender = senders.get(dest.channel_kind)
        if sender is None:
            outcomes.append(Outcome(dest, None, f"no {dest.channel_kind} bot configured"))
            continue
        try:
            outcomes.append(Outcome(dest, sender.send(dest, message)))
        except (SlackApiError, TelegramError, NotifyError, OSError) as exc:
            log.warning("alert %s to %s %s failed: %s", message.kind, dest.channel_kind,
                        dest.channel_id, exc)
            outcomes.append(Outcome(dest, None, str(exc)))
    return outcomes


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
