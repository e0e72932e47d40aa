"""A local fake of WeCom's (企业微信) group robot webhook, strict like the real one.

    with FakeWeCom(keys={"693a91f6-..."}) as wecom:
        httpx.post(f"{wecom.origin}/cgi-bin/webhook/send?key=693a91f6-...",
                   json={"msgtype": "markdown", "markdown": {"content": "**hi**"}})
        assert wecom.sent("693a91f6-...")[0].content == "**hi**"

``POST /cgi-bin/webhook/send?key=KEY`` takes ``text`` (<= 2,048 bytes, ``mentioned_list``),
``markdown`` (<= 4,096 bytes), ``image`` (``base64`` + ``md5`` of a JPG/PNG of <= 2 MB before
encoding) and ``file`` (a ``media_id`` from
``POST /cgi-bin/webhook/upload_media?key=KEY&type=file``, multipart field ``media``, 5 bytes to
20 MB, valid 3 days). Every answer is HTTP 200 with
``errcode``/``errmsg``: 93000 for an unknown key, 40058 for a too long markdown, 40009 for an
image too large, 301019 for a wrong md5, 40007 for an unknown media id and 45009 when a robot sends
more than 20 messages in a minute. ``fail_next`` injects errcodes or 5xx for the next N calls.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.chat_fakes.http import Call, Failure, FakeServer, Reply

TEST_KEY = "693a91f6-7a6b-4bc4-97a0-0ec2sifa5aaa"
#: Real limits (chat-cn.md).
TEXT_MAX_BYTES, MARKDOWN_MAX_BYTES = 2048, 4096
IMAGE_MAX_BYTES, MEDIA_MAX_BYTES, MEDIA_MIN_BYTES = 2 * 1024 * 1024, 20 * 1024 * 1024, 5
PER_MINUTE, MEDIA_TTL_S = 20, 3 * 86400
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


@dataclass
class WeComMessage:
    """One message a robot posted."""

    key: str
    msgtype: str
    body: dict[str, Any]
    at: float

    @property
    def content(self) -> str:
        """The text of a text or markdown message."""
        return str(self.body.get("content", ""))


@dataclass
class Media:
    """A file uploaded with upload_media."""

    media_id: str
    key: str
    filename: str
    data: bytes
    at: float


class FakeWeCom(FakeServer):
    """The robot webhook at ``origin``; ``messages``, ``media`` and ``calls`` are inspectable."""

    def __init__(self, keys: set[str] | None = None, *, per_minute: int = PER_MINUTE,
                 window_s: float = 60.0, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        #: Keys of the robots that exist; ``None``: only ``TEST_KEY``.
        self.keys = keys if keys is not None else {TEST_KEY}
        self.per_minute, self.window_s = per_minute, window_s
        self.messages: list[WeComMessage] = []
        self.media: dict[str, Media] = {}
        self._clock = clock or time.monotonic  # on the instance: freezegun leaves it alone
        self._sent: dict[str, deque[float]] = {}
        self._ids = itertools.count(1)

    def fail_next(self, count: int = 1, *, errcode: int = 45009, status: int = 200,
                  method: str | None = None) -> None:
        """Answer the next ``count`` calls (to ``send`` / ``upload_media``) with ``errcode``
        (HTTP 200, as WeCom reports errors) or, with ``status`` >= 500, a server error."""
        body = {"errcode": errcode, "errmsg": _ERRMSG.get(errcode, "error")} \
            if status < 500 else "Internal Server Error"
        self._queue_failure(count, Failure(status, body, {}, method))

    def sent(self, key: str = TEST_KEY) -> list[WeComMessage]:
        """Messages robot ``key`` posted, oldest first."""
        return [m for m in self.messages if m.key == key]

    # --- routing -------------------------------------------------------------------------------
    def method_of(self, path: str) -> str:
        return {"/cgi-bin/webhook/send": "send",
                "/cgi-bin/webhook/upload_media": "upload_media"}.get(path, path)

    def route(self, call: Call) -> Reply:
        if call.method not in ("send", "upload_media") or call.http_method != "POST":
            return Reply(404, "not found")
        key = str(call.params.get("key") or "")
        if key not in self.keys:
            return _error(93000, "invalid webhook url")
        if call.method == "upload_media":
            return self._upload(call, key)
        if not call.headers.get("content-type", "").startswith("application/json"):
            return _error(40035, "invalid body: not JSON")
        return self._send(call.params, key)

    def _send(self, p: dict[str, Any], key: str) -> Reply:
        kind = p.get("msgtype")
        body = p.get(str(kind)) if isinstance(p.get(str(kind)), dict) else None
        if kind not in ("text", "markdown", "image", "file", "news", "template_card") or \
                body is None:
            return _error(40008, "invalid message type")
        problem = self._problem(str(kind), body)
        if problem is not None:
            return problem
        now = self._clock()
        window = self._sent.setdefault(key, deque())
        while window and now - window[0] >= self.window_s:
            window.popleft()
        if len(window) >= self.per_minute:
            return _error(45009, "api freq out of limit")
        window.append(now)
        self.messages.append(WeComMessage(key, str(kind), body, now))
        return _error(0, "ok")

    def _problem(self, kind: str, body: dict[str, Any]) -> Reply | None:
        if kind in ("text", "markdown"):
            content = body.get("content")
            if not isinstance(content, str) or not content:
                return _error(44004, "empty content")
            limit = TEXT_MAX_BYTES if kind == "text" else MARKDOWN_MAX_BYTES
            if len(content.encode("utf-8")) > limit:
                return _error(40058, f"{kind}.content exceed max length {limit}")
        if kind == "image":
            try:
                data = base64.b64decode(str(body.get("base64") or ""), validate=True)
            except ValueError:
                return _error(40009, "invalid image base64")
            if not data or len(data) > IMAGE_MAX_BYTES or not data.startswith(_IMAGE_MAGIC):
                return _error(40009, "invalid image size")
            if hashlib.md5(data).hexdigest() != body.get("md5"):  # noqa: S324 - WeCom's check
                return _error(301019, "media md5 not match")
        if kind == "file":
            media = self.media.get(str(body.get("media_id") or ""))
            if media is None or self._clock() - media.at > MEDIA_TTL_S:
                return _error(40007, "invalid media_id")
        return None

    def _upload(self, call: Call, key: str) -> Reply:
        if call.params.get("type") not in ("file", "voice"):
            return _error(40004, "invalid media type")
        name, data = call.files.get("media", (None, b""))
        if len(data) < MEDIA_MIN_BYTES or len(data) > MEDIA_MAX_BYTES:
            return _error(40006, "invalid file size")
        media_id = f"3a8asd892asd8asd{next(self._ids):08d}"
        self.media[media_id] = Media(media_id, key, name or "file", data, self._clock())
        return Reply(200, {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id,
                           "created_at": str(int(time.time()))})


_ERRMSG = {45009: "api freq out of limit", 93000: "invalid webhook url",
           40058: "markdown.content exceed max length 4096"}


def _error(errcode: int, errmsg: str) -> Reply:
    return Reply(200, {"errcode": errcode, "errmsg": errmsg})

