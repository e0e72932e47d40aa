"""The Feishu/Lark calls TikPulse makes, through the official ``lark-oapi`` client, with one policy.

``FeishuApi`` sends, replies to and patches messages and uploads images and files. Every message
waits for its turn under Feishu's limits (5 messages/s per chat, 50/s per app), counted in Redis
so every worker shares them; an answer "slow down" (HTTP 429 / 99991400 from the gateway, 230020
for one chat) is waited out a bounded number of times, then becomes ``Refused``. Errors are told
apart as in ``jobs.notify.errors``: an error answer means nothing was posted (``Refused``), no
usable answer (timeout, dropped connection, 5xx) means it may have been (``InDoubt``); a
``uuid`` on each message makes sending it again within Feishu's hour harmless.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import lark_oapi as lark
import redis
import requests
from lark_oapi.api.im.v1 import (
    CreateFileRequest,
    CreateFileRequestBody,
    CreateImageRequest,
    CreateImageRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    PatchMessageRequest,
    PatchMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)
from lark_oapi.core.exception import ObtainAccessTokenException

from jobs.notify.errors import InDoubt, Refused
from jobs.sources.ratelimit import Limiter, RateLimit, RateLimiter, Unlimited

#: Feishu's message limits: per chat (shared by every bot in a group) and per app.
CHAT_LIMIT, APP_LIMIT = RateLimit(qps=5.0), RateLimit(qps=50.0)
#: Codes meaning "slow down": the gateway's (HTTP 429) and one chat's.
RATE_LIMITED_CODES = frozenset({99991400, 230020})
#: "Slow down" answers waited out per call, and the longest single wait, seconds.
FEISHU_RATE_LIMIT_RETRIES, FEISHU_MAX_WAIT_S = 3, 60.0
#: Shortest wait after a "slow down" (the gateway may say 0 when its window is about to turn).
MIN_WAIT_S = 0.2
#: Hints for the codes an operator can fix.
HINTS = {
    230002: " (add the bot to the group: group settings -> Bots -> Add bot)",
    99991663: " (check FEISHU_APP_ID and FEISHU_APP_SECRET)",
    99991661: " (check FEISHU_APP_ID and FEISHU_APP_SECRET)",
    230025: " (the message is too long)",
    230099: " (the card is not valid JSON 2.0)",
    234006: " (the file is too large)",
}


class FeishuApi:
    """One Feishu app's message and upload calls, paced and classified."""

    def __init__(self, client: lark.Client, app_id: str, conn: redis.Redis | None = None, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client, self.app_id, self.redis, self.sleep = client, app_id, conn, sleep
        self._app = self._limiter("feishu:app", APP_LIMIT)
        self._chats: dict[str, Limiter] = {}

    # --- messages ------------------------------------------------------------------------------
    def send(self, chat_id: str, msg_type: str, content: dict[str, Any], *, uuid: str) -> str:
        """Post a message into a chat; returns its ``message_id``."""
        body = (CreateMessageRequestBody.builder().receive_id(chat_id).msg_type(msg_type)
                .content(_json(content)).uuid(uuid).build())
        request = (CreateMessageRequest.builder().receive_id_type("chat_id")
                   .request_body(body).build())
        response = self._call(f"send {msg_type}", lambda: self.client.im.v1.message.create(
            request), chat_id)
        return str(response.data.message_id)

    def reply(self, chat_id: str, message_id: str, msg_type: str, content: dict[str, Any], *,
              uuid: str, in_thread: bool = True) -> str:
        """Reply to ``message_id`` (in its thread); returns the reply's ``message_id``."""
        body = (ReplyMessageRequestBody.builder().msg_type(msg_type).content(_json(content))
                .reply_in_thread(in_thread).uuid(uuid).build())
        request = (ReplyMessageRequest.builder().message_id(message_id).request_body(body)
                   .build())
        response = self._call(f"reply {msg_type}", lambda: self.client.im.v1.message.reply(
            request), chat_id)
        return str(response.data.message_id)

    def patch_card(self, chat_id: str, message_id: str, card: dict[str, Any]) -> None:
        """Replace the card of message ``message_id`` (a shared card, less than 14 days old)."""
        request = (PatchMessageRequest.builder().message_id(message_id).request_body(
            PatchMessageRequestBody.builder().content(_json(card)).build()).build())
        self._call("patch card", lambda: self.client.im.v1.message.patch(request), chat_id)

    # --- uploads -------------------------------------------------------------------------------
    def upload_image(self, png: bytes) -> str:
        """Upload a chart for messages and cards; returns its ``image_key``."""
        request = CreateImageRequest.builder().request_body(
            CreateImageRequestBody.builder().image_type("message").image(_named(png, "chart.png"))
            .build()).build()
        response = self._call("image upload", lambda: self.client.im.v1.image.create(request))
        return str(response.data.image_key)

    def upload_file(self, data: bytes, file_name: str, file_type: str = "pdf") -> str:
        """Upload a file (PDF, ...) for a file message; returns its ``file_key``."""
        request = CreateFileRequest.builder().request_body(
            CreateFileRequestBody.builder().file_type(file_type).file_name(file_name)
            .file(_named(data, file_name)).build()).build()
        response = self._call("file upload", lambda: self.client.im.v1.file.create(request))
        return str(response.data.file_key)

    # --- policy --------------------------------------------------------------------------------
    def _limiter(self, api: str, limit: RateLimit) -> Limiter:
        if self.redis is None:
            return Unlimited()
        return RateLimiter(self.redis, self.app_id, api, limit, sleep=self.sleep)

    def _chat(self, chat_id: str) -> Limiter:
        if chat_id not in self._chats:
            self._chats[chat_id] = self._limiter(f"feishu:chat:{chat_id}", CHAT_LIMIT)
        return self._chats[chat_id]

    def _call(self, what: str, action: Callable[[], Any], chat_id: str | None = None) -> Any:
        """Run one call in turn; wait out "slow down" answers; classify errors."""
        for attempt in range(FEISHU_RATE_LIMIT_RETRIES + 1):
            if chat_id is not None:
                self._chat(chat_id).acquire()
                self._app.acquire()
            try:
                response = action()
            except ObtainAccessTokenException as exc:
                raise Refused(f"Feishu {what}: no tenant access token ({exc}); check "
                              "FEISHU_APP_ID and FEISHU_APP_SECRET") from exc
            except (requests.RequestException, OSError, ValueError) as exc:
                raise InDoubt(f"Feishu {what}: no usable answer ({type(exc).__name__})") from exc
            if response.success():
                return response
            status = response.raw.status_code if response.raw is not None else 0
            if response.code in RATE_LIMITED_CODES or status == 429:
                wait = _reset_seconds(response)
                if attempt == FEISHU_RATE_LIMIT_RETRIES or wait > FEISHU_MAX_WAIT_S:
                    raise Refused(f"Feishu {what}: rate limited ({response.code}); retry in "
                                  f"{wait:.0f}s")
                (self._chat(chat_id) if response.code == 230020 and chat_id
                 else self._app).pause(wait)
                self.sleep(wait)
                continue
            message = f"Feishu {what}: HTTP {status} code {response.code} {response.msg}"
            if status >= 500:
                raise InDoubt(message)
            raise Refused(message + HINTS.get(response.code or 0, ""))
        raise AssertionError("unreachable")


def _reset_seconds(response: Any) -> float:
    """Seconds to wait after a "slow down": the gateway's ``x-ogw-ratelimit-reset`` (at least
    ``MIN_WAIT_S``), else a second (a chat's window)."""
    headers = {k.lower(): v for k, v in (response.raw.headers or {}).items()} \
        if response.raw is not None else {}
    try:
        return max(float(headers.get("x-ogw-ratelimit-reset", 1)), MIN_WAIT_S)
    except ValueError:
        return 1.0


def _named(data: bytes, name: str) -> io.BytesIO:
    """``data`` as a file with a name (the multipart part then carries a filename)."""
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def _json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def card_markdown(content: str, *, notation: bool = False) -> dict[str, Any]:
    """A card 2.0 markdown element (``notation``: the small grey text size)."""
    element: dict[str, Any] = {"tag": "markdown", "content": content}
    if notation:
        element["text_size"] = "notation"
    return element


def card_escape(text: str) -> str:
    """Text shown as is in card markdown (no ``<at>``, ``<font>`` or other tags from data)."""
    return text.replace("<", "&lt;").replace(">", "&gt;")
