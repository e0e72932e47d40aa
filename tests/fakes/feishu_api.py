"""A local fake of the Feishu/Lark Open API that the real ``lark-oapi`` client talks to unchanged.

    with FakeFeishu() as feishu:
        client = lark.Client.builder().app_id(feishu.app_id).app_secret(feishu.app_secret) \\
            .domain(feishu.origin).build()
        client.im.v1.message.create(...)          # lands in feishu.messages

It answers what TikPulse calls, strictly, with Feishu's own error codes and HTTP statuses:

- ``POST /open-apis/auth/v3/tenant_access_token/internal`` (app id and secret checked; the token
  is ``t-<app_id>``, so the SDK's process-wide token cache stays valid across fake servers);
  any other call without ``Authorization: Bearer <token>`` is refused (99991661 / 99991663);
- ``im.v1.message.create`` (``receive_id_type=chat_id`` only), ``im.v1.message.reply``
  (``reply_in_thread``), ``im.v1.message.patch`` (shared cards only, 14 days) and
  ``im.v1.message.update`` (text/post); message types text, post, image, file and interactive;
  a ``uuid`` seen in the last hour returns the message it first made instead of a second one
  (``uuid`` <= 50 characters) [V: the docs say at most one send per uuid and hour; that the
  original comes back is inferred];
- ``im.v1.image.create`` (``image_type`` message/avatar, PNG/JPEG/GIF/BMP, <= 10 MB) ->
  ``image_key`` and ``im.v1.file.create`` (``file_type`` opus/mp4/pdf/doc/xls/ppt/stream,
  <= 30 MB, not empty) -> ``file_key``; a message may only use keys uploaded here;
- cards: JSON 2.0 (``schema: "2.0"``, ``body.elements``; no ``note``/``action`` modules, at most
  200 elements, ``update_multi`` true) or 1.0; a card body over 30 KB, a text over 150 KB ->
  230025;
- rate limits: 5 messages/s per chat (HTTP 400, code 230020) and 50/s per app (HTTP 429, code
  99991400 with ``x-ogw-ratelimit-reset``).

``fail_next`` injects a 429/99991400, a 5xx or any code for the next N calls; ``drop_reply_next``
carries a call out but never answers. ``event_body`` and ``encrypt`` build what Feishu posts to an
event subscription callback.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.http import Call, Failure, FakeServer, Reply

APP_ID, APP_SECRET = "cli_tikpulse_test", "feishu-app-secret-for-tests"
BOT_OPEN_ID = "ou_tikpulsebot0001"
#: Real limits (chat-cn.md and the Open API docs).
CHAT_PER_S, APP_PER_S = 5, 50
CARD_MAX_BYTES, TEXT_MAX_BYTES = 30 * 1024, 150 * 1024
IMAGE_MAX_BYTES, FILE_MAX_BYTES = 10 * 1024 * 1024, 30 * 1024 * 1024
UUID_WINDOW_S, CARD_UPDATABLE_S = 3600, 14 * 86400
CARD_MAX_ELEMENTS = 200
MSG_TYPES = ("text", "post", "image", "file", "interactive")
FILE_TYPES = ("opus", "mp4", "pdf", "doc", "xls", "ppt", "stream")
#: Components of card JSON 2.0 (``note`` and ``action`` are 1.0 only).
CARD2_TAGS = frozenset({"markdown", "div", "img", "img_combination", "column_set", "column", "hr",
                        "button", "table", "chart", "collapsible_panel", "person",
                        "person_list", "form", "interactive_container", "select_static",
                        "overflow", "input", "plain_text", "lark_md"})
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM")


@dataclass
class FeishuMessage:
    """A message as it stands now in the fake tenant (patches change it in place)."""

    message_id: str
    chat_id: str
    msg_type: str
    content: dict[str, Any]
    created: float
    uuid: str | None = None
    root_id: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    edits: int = 0

    @property
    def card(self) -> dict[str, Any]:
        """The card of an interactive message."""
        assert self.msg_type == "interactive", self.msg_type
        return self.content

    @property
    def text(self) -> str:
        """The text of a text message."""
        return str(self.content.get("text", ""))


@dataclass
class Upload:
    """An uploaded image or file."""

    key: str
    data: bytes
    kind: str  # image | file
    file_type: str | None = None
    file_name: str | None = None


class FakeFeishu(FakeServer):
    """The Open API at ``origin``; ``messages``, ``uploads`` and ``calls`` are inspectable."""

    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET,
                 chats: set[str] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.app_id, self.app_secret = app_id, app_secret
        #: Chats the bot is in; ``None`` accepts any well-formed chat id.
        self.chats = chats
        self.messages: dict[str, FeishuMessage] = {}
        self.uploads: dict[str, Upload] = {}
        # held on the instance, so freezegun (which patches module attributes) leaves it alone
        self._clock = clock or time.monotonic
        self._sent: dict[str, deque[float]] = {}
        self._ids = itertools.count(1)
        self._verb = threading.local()

    @property
    def token(self) -> str:
        return f"t-{self.app_id}"

    def fail_next(self, count: int = 1, *, status: int = 429, code: int | None = None,
                  reset: int = 0, method: str | None = None) -> None:
        """Answer the next ``count`` calls (to ``method``, or any) with a failure: 429 is the
        app rate limit (99991400, ``x-ogw-ratelimit-reset: reset``); 5xx a server error; any
        other status with ``code``."""
        if status == 429:
            body = {"code": 99991400, "msg": "request trigger frequency limit"}
            headers = {"x-ogw-ratelimit-limit": str(APP_PER_S), "x-ogw-ratelimit-reset": str(reset)}
        else:
            body = {"code": code or 1, "msg": "internal error" if status >= 500 else "error"}
            headers = {}
        self._queue_failure(count, Failure(status, body, headers, method))

    def post_as_user(self, chat_id: str, text: str, *, root_id: str | None = None) -> str:
        """A person's text message in ``chat_id`` (what an event is about); its id."""
        with self._lock:
            msg = FeishuMessage(f"om_u{next(self._ids):015x}", chat_id, "text", {"text": text},
                                self._clock(), root_id=root_id, parent_id=root_id)
            self.messages[msg.message_id] = msg
        return msg.message_id

    # --- views for tests ---------------------------------------------------------------------
    def chat(self, chat_id: str) -> list[FeishuMessage]:
        """Messages in ``chat_id`` outside any thread, oldest first."""
        return [m for m in self.messages.values() if m.chat_id == chat_id and m.root_id is None]

    def thread(self, message_id: str) -> list[FeishuMessage]:
        """Replies under ``message_id``, oldest first."""
        return [m for m in self.messages.values() if m.root_id == message_id]

    def age(self, message_id: str, seconds: float) -> None:
        """Make a message ``seconds`` older (cards stop being updatable after 14 days)."""
        self.messages[message_id].created -= seconds

    # --- routing -------------------------------------------------------------------------------
    def handle(self, http_method: str, raw_path: str, headers: dict[str, str],
               body: bytes) -> Reply:
        self._verb.value = http_method
        return super().handle(http_method, raw_path, headers, body)

    def method_of(self, path: str) -> str:
        verb = getattr(self._verb, "value", "POST")
        parts = path.removeprefix("/open-apis/").strip("/").split("/")
        if parts[:3] == ["auth", "v3", "tenant_access_token"]:
            return "auth.v3.tenant_access_token"
        if parts[:2] != ["im", "v1"] or len(parts) < 3:
            return path
        resource = {"messages": "message", "images": "image", "files": "file"}.get(parts[2], "")
        if resource == "message" and len(parts) == 5 and parts[4] == "reply":
            return "im.v1.message.reply"
        if resource == "message" and len(parts) == 4:
            return {"PATCH": "im.v1.message.patch", "PUT": "im.v1.message.update"}.get(verb, path)
        if resource and len(parts) == 3 and verb == "POST":
            return f"im.v1.{resource}.create"
        return path

    def parses_body(self, method: str) -> bool:
        return method not in ("im.v1.image.create", "im.v1.file.create")

    def route(self, call: Call) -> Reply:
        if not self.parses_body(call.method):
            call.params, call.files = _form(call.headers.get("content-type", ""), call.body)
        if "_body" in call.files:  # the SDK posts some JSON bodies without a content type
            try:
                call.params.update(json.loads(call.files.pop("_body")[1]))
            except ValueError:
                return _error(9499, "Bad Request: body is not JSON")
        if call.method == "auth.v3.tenant_access_token":
            return self._token(call.params)
        handler = getattr(self, "_" + call.method.replace(".", "_"), None)
        if handler is None:
            return Reply(404, {"code": 404, "msg": "404 page not found"})
        auth = call.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth.removeprefix("Bearer ").strip():
            return _error(99991661, "Missing access token for authorization.")
        if auth.removeprefix("Bearer ").strip() != self.token:
            return _error(99991663, "Invalid access token for authorization.")
        return handler(call)

    # --- auth ----------------------------------------------------------------------------------
    def _token(self, p: dict[str, Any]) -> Reply:
        if p.get("app_id") != self.app_id:
            return _error(10003, "invalid param: app_id")
        if p.get("app_secret") != self.app_secret:
            return _error(10014, "app secret invalid")
        return Reply(200, {"code": 0, "msg": "ok", "tenant_access_token": self.token,
                           "expire": 7200})

    # --- messages ------------------------------------------------------------------------------
    def _im_v1_message_create(self, call: Call) -> Reply:
        p = call.params
        if p.get("receive_id_type") != "chat_id":
            return _error(230001, "Your request contains an invalid request parameter: "
                          "receive_id_type (TikPulse's fake serves chat_id only)")
        chat = str(p.get("receive_id") or "")
        if not chat.startswith("oc_") or (self.chats is not None and chat not in self.chats):
            return _error(230002, "The bot can not be outside the group.")
        return self._send(chat, p, None, False)

    def _im_v1_message_reply(self, call: Call) -> Reply:
        parent = self.messages.get(call.path.rstrip("/").split("/")[-2])
        if parent is None:
            return _error(230011, "The message was withdrawn or does not exist.")
        in_thread = bool(call.params.get("reply_in_thread"))
        return self._send(parent.chat_id, call.params, parent, in_thread)

    def _send(self, chat: str, p: dict[str, Any], parent: FeishuMessage | None,
              in_thread: bool) -> Reply:
        uuid = p.get("uuid")
        if uuid is not None and (not isinstance(uuid, str) or len(uuid) > 50):
            return _error(230001, "Your request contains an invalid request parameter: uuid")
        now = self._clock()
        if uuid:
            earlier = next((m for m in self.messages.values() if m.uuid == uuid
                            and now - m.created < UUID_WINDOW_S), None)
            if earlier is not None:
                return _ok(_message_json(earlier))
        checked = self._content(p.get("msg_type"), p.get("content"))
        if isinstance(checked, Reply):
            return checked
        limited = self._rate(chat, now)
        if limited is not None:
            return limited
        root = (parent.root_id or parent.message_id) if parent else None
        thread = (parent.thread_id or f"omt_{parent.message_id[3:]}") if (
            parent and (in_thread or parent.thread_id)) else None
        msg = FeishuMessage(f"om_{next(self._ids):016x}", chat, str(p["msg_type"]), checked, now,
                            uuid or None, root, parent.message_id if parent else None, thread)
        self.messages[msg.message_id] = msg
        return _ok(_message_json(msg))

    def _im_v1_message_patch(self, call: Call) -> Reply:
        msg = self.messages.get(call.path.rstrip("/").split("/")[-1])
        if msg is None:
            return _error(230011, "The message was withdrawn or does not exist.")
        if msg.msg_type != "interactive":
            return _error(230001, "Your request contains an invalid request parameter: only "
                          "card messages can be patched")
        if self._clock() - msg.created > CARD_UPDATABLE_S:
            return _error(230031, "The card can not be updated: sent more than 14 days ago.")
        if not _shared(msg.content):
            return _error(230001, "Your request contains an invalid request parameter: the "
                          "card is not shared (config.update_multi)")
        checked = self._content("interactive", call.params.get("content"))
        if isinstance(checked, Reply):
            return checked
        msg.content, msg.edits = checked, msg.edits + 1
        return _ok({})

    def _im_v1_message_update(self, call: Call) -> Reply:
        msg = self.messages.get(call.path.rstrip("/").split("/")[-1])
        if msg is None:
            return _error(230011, "The message was withdrawn or does not exist.")
        kind = call.params.get("msg_type")
        if msg.msg_type not in ("text", "post") or kind != msg.msg_type:
            return _error(230001, "Your request contains an invalid request parameter: only "
                          "text and post messages are edited with update")
        checked = self._content(kind, call.params.get("content"))
        if isinstance(checked, Reply):
            return checked
        msg.content, msg.edits = checked, msg.edits + 1
        return _ok(_message_json(msg))

    def _content(self, msg_type: Any, raw: Any) -> dict[str, Any] | Reply:
        if msg_type not in MSG_TYPES:
            return _error(230001, f"Your request contains an invalid request parameter: "
                          f"msg_type {msg_type!r}")
        if not isinstance(raw, str):
            return _error(230001, "Your request contains an invalid request parameter: content "
                          "must be a JSON string")
        limit = CARD_MAX_BYTES if msg_type == "interactive" else TEXT_MAX_BYTES
        if len(raw.encode()) > limit:
            return _error(230025, "The length of the message content reaches its limit.")
        try:
            content = json.loads(raw)
        except ValueError:
            return _error(230001, "Your request contains an invalid request parameter: content "
                          "is not JSON")
        if not isinstance(content, dict):
            return _error(230001, "Your request contains an invalid request parameter: content")
        problem = self._problem(str(msg_type), content)
        if problem:
            code = 230099 if msg_type == "interactive" else 230001
            return _error(code, f"Failed to create card content, ext=ErrMsg: {problem}"
                          if code == 230099 else
                          f"Your request contains an invalid request parameter: {problem}")
        return content

    def _problem(self, msg_type: str, content: dict[str, Any]) -> str | None:
        if msg_type == "text":
            return None if isinstance(content.get("text"), str) and content["text"] else "text"
        if msg_type == "image":
            key = content.get("image_key")
            return None if key in self.uploads and self.uploads[key].kind == "image" \
                else "image_key not found"
        if msg_type == "file":
            key = content.get("file_key")
            return None if key in self.uploads and self.uploads[key].kind == "file" \
                else "file_key not found"
        if msg_type == "post":
            return None if content else "post content"
        return self._card_problem(content)

    def _card_problem(self, card: dict[str, Any]) -> str | None:
        if card.get("schema") != "2.0":
            return None if isinstance(card.get("elements", []), list) else "elements"
        extra = set(card) - {"schema", "config", "card_link", "header", "body"}
        if extra:
            return f"unknown top-level field(s) {sorted(extra)} in a 2.0 card"
        if (card.get("config") or {}).get("update_multi") is False:
            return "a 2.0 card is always shared: config.update_multi must be true"
        header = card.get("header")
        if header is not None:
            title = (header or {}).get("title") or {}
            if title.get("tag") not in ("plain_text", "lark_md") or not title.get("content"):
                return "header.title needs a tag and content"
        elements = (card.get("body") or {}).get("elements")
        if not isinstance(elements, list):
            return "a 2.0 card needs body.elements"
        count = [0]
        return self._elements_problem(elements, count) or (
            f"{count[0]} elements (at most {CARD_MAX_ELEMENTS})"
            if count[0] > CARD_MAX_ELEMENTS else None)

    def _elements_problem(self, elements: list[Any], count: list[int]) -> str | None:
        for element in elements:
            count[0] += 1
            tag = element.get("tag") if isinstance(element, dict) else None
            if tag not in CARD2_TAGS:
                return f"unsupported component {tag!r} in a 2.0 card"
            if tag == "markdown" and not isinstance(element.get("content"), str):
                return "markdown needs content"
            if tag == "img" and element.get("img_key") not in self.uploads:
                return f"img_key {element.get('img_key')!r} not found"
            inner = element.get("columns") if tag == "column_set" else element.get("elements")
            if isinstance(inner, list):
                found = self._elements_problem(inner, count)
                if found:
                    return found
        return None

    def _rate(self, chat: str, now: float) -> Reply | None:
        app = self._sent.setdefault("", deque())
        here = self._sent.setdefault(chat, deque())
        for window in (app, here):
            while window and now - window[0] >= 1.0:
                window.popleft()
        if len(app) >= APP_PER_S:
            return Reply(429, {"code": 99991400, "msg": "request trigger frequency limit"},
                         {"x-ogw-ratelimit-limit": str(APP_PER_S), "x-ogw-ratelimit-reset": "1"})
        if len(here) >= CHAT_PER_S:
            return _error(230020, "This operation triggers the frequency limit.")
        app.append(now)
        here.append(now)
        return None

    # --- uploads -------------------------------------------------------------------------------
    def _im_v1_image_create(self, call: Call) -> Reply:
        if call.params.get("image_type") not in ("message", "avatar"):
            return _error(234001, "Invalid request param: image_type")
        _, data = call.files.get("image", (None, b""))
        if not data:
            return _error(234001, "Invalid request param: image")
        if len(data) > IMAGE_MAX_BYTES:
            return _error(234006, "The file size exceeds the limit.")
        if not data.startswith(_IMAGE_MAGIC):
            return _error(234011, "Can't recognize image format.")
        key = f"img_v3_{next(self._ids):04x}_{hashlib.md5(data).hexdigest()[:12]}"  # noqa: S324
        self.uploads[key] = Upload(key, data, "image")
        return _ok({"image_key": key})

    def _im_v1_file_create(self, call: Call) -> Reply:
        file_type, name = call.params.get("file_type"), call.params.get("file_name")
        if file_type not in FILE_TYPES or not name:
            return _error(234001, "Invalid request param: file_type / file_name")
        _, data = call.files.get("file", (None, b""))
        if not data:
            return _error(234010, "File's size can't be 0.")
        if len(data) > FILE_MAX_BYTES:
            return _error(234006, "The file size exceeds the limit.")
        key = f"file_v3_{next(self._ids):04x}_{hashlib.md5(data).hexdigest()[:12]}"  # noqa: S324
        self.uploads[key] = Upload(key, data, "file", str(file_type), str(name))
        return _ok({"file_key": key})


def _form(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fields and files of a multipart upload; the SDK sends a file part without a filename,
    so the binary parts are told apart by name (``image``, ``file``)."""
    if not content_type.startswith("multipart/form-data"):
        return {}, {}
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True) or b""
        if name in ("image", "file"):
            files[name] = (part.get_filename(), payload)
        else:
            fields[name] = payload.decode("utf-8")
    return fields, files


def _shared(card: dict[str, Any]) -> bool:
    """A 2.0 card is always shared; a 1.0 card only with ``config.update_multi: true``."""
    config = card.get("config") or {}
    if card.get("schema") == "2.0":
        return config.get("update_multi", True) is not False
    return config.get("update_multi") is True


def _message_json(msg: FeishuMessage) -> dict[str, Any]:
    return {"message_id": msg.message_id, "root_id": msg.root_id, "parent_id": msg.parent_id,
            "thread_id": msg.thread_id, "msg_type": msg.msg_type, "chat_id": msg.chat_id,
            "create_time": str(int(msg.created * 1000)), "deleted": False, "updated": False,
            "sender": {"id": APP_ID, "id_type": "app_id", "sender_type": "app"},
            "body": {"content": json.dumps(msg.content, ensure_ascii=False)}}


def _ok(data: dict[str, Any]) -> Reply:
    return Reply(200, {"code": 0, "msg": "success", "data": data})


def _error(code: int, msg: str) -> Reply:
    return Reply(400, {"code": code, "msg": msg})


# --- what Feishu posts to an event subscription ------------------------------------------

def event_body(text: str, *, chat_id: str, sender: str, chat_type: str = "group",
               mention_bot: bool = True, event_id: str | None = None, token: str = "",
               message_id: str | None = None, root_id: str | None = None) -> dict[str, Any]:
    """An ``im.message.receive_v1`` event (schema 2.0) as Feishu posts it; with ``mention_bot``
    the text starts with the bot's ``@_user_1`` placeholder."""
    content = f"@_user_1 {text}" if mention_bot else text
    mentions = [{"key": "@_user_1", "id": {"open_id": BOT_OPEN_ID, "union_id": "on_bot",
                                            "user_id": None}, "name": "TikPulse",
                 "tenant_key": "tk_test"}] if mention_bot else []
    ms = int(time.time() * 1000)
    return {"schema": "2.0", "header": {
        "event_id": event_id or os.urandom(16).hex(), "event_type": "im.message.receive_v1",
        "create_time": str(ms), "token": token, "app_id": APP_ID, "tenant_key": "tk_test"},
        "event": {
            "sender": {"sender_id": {"open_id": sender, "union_id": "on_x", "user_id": None},
                       "sender_type": "user", "tenant_key": "tk_test"},
            "message": {"message_id": message_id or f"om_q{os.urandom(8).hex()}",
                        "root_id": root_id, "parent_id": root_id,
                        "create_time": str(ms), "chat_id": chat_id, "chat_type": chat_type,
                        "message_type": "text",
                        "content": json.dumps({"text": content}, ensure_ascii=False),
                        "mentions": mentions}}}


def encrypt(payload: dict[str, Any], encrypt_key: str) -> dict[str, str]:
    """``{"encrypt": ...}``: AES-256-CBC with SHA-256(Encrypt Key), a random IV before the
    ciphertext, PKCS#7, base64, as Feishu sends an encrypted event."""
    key = hashlib.sha256(encrypt_key.encode()).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(payload).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    data = iv + encryptor.update(plain) + encryptor.finalize()
    return {"encrypt": base64.b64encode(data).decode()}


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """``X-Lark-Signature`` of an encrypted event body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


#: The event headers that carry the signature.
SIGNATURE_HEADERS = ("X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature")
