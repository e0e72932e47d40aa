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
carries a call out but never answers. What a message and an upload must be is checked in
``sandbox.chat_fakes.feishu_content``. ``POST /callback/ws/endpoint`` starts the SDK's long
connection (``sandbox.chat_fakes.feishu_ws``): ``ws.push(event)`` then delivers an event over
it, as ``sandbox.chat_fakes.feishu_events.event_body`` builds one.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.chat_fakes.feishu_content import (
    Upload,
    check_content,
    error,
    form,
    ok,
    shared,
    store_file,
    store_image,
)
from sandbox.chat_fakes.feishu_events import APP_ID
from sandbox.chat_fakes.feishu_ws import WS_ENDPOINT_PATH, LongConnections
from sandbox.chat_fakes.http import Call, Failure, FakeServer, Reply

APP_SECRET = "feishu-app-secret-for-tests"
#: Real limits (chat-cn.md and the Open API docs).
CHAT_PER_S, APP_PER_S = 5, 50
UUID_WINDOW_S, CARD_UPDATABLE_S = 3600, 14 * 86400


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
        #: The SDK's long connection (``lark.ws.Client``): ``ws.push(event)`` delivers an event.
        self.ws = LongConnections(app_id, app_secret)

    def stop(self) -> None:
        """Stop serving HTTP and close the long connections."""
        self.ws.stop()
        super().stop()

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
            call.params, call.files = form(call.headers.get("content-type", ""), call.body)
        if "_body" in call.files:  # the SDK posts some JSON bodies without a content type
            try:
                call.params.update(json.loads(call.files.pop("_body")[1]))
            except ValueError:
                return error(9499, "Bad Request: body is not JSON")
        if call.method == "auth.v3.tenant_access_token":
            return self._token(call.params)
        if call.path == WS_ENDPOINT_PATH and call.http_method == "POST":
            return self.ws.endpoint(call.params)
        handler = getattr(self, "_" + call.method.replace(".", "_"), None)
        if handler is None:
            return Reply(404, {"code": 404, "msg": "404 page not found"})
        auth = call.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth.removeprefix("Bearer ").strip():
            return error(99991661, "Missing access token for authorization.")
        if auth.removeprefix("Bearer ").strip() != self.token:
            return error(99991663, "Invalid access token for authorization.")
        reply: Reply = handler(call)
        return reply

    # --- auth ----------------------------------------------------------------------------------
    def _token(self, p: dict[str, Any]) -> Reply:
        if p.get("app_id") != self.app_id:
            return error(10003, "invalid param: app_id")
        if p.get("app_secret") != self.app_secret:
            return error(10014, "app secret invalid")
        return Reply(200, {"code": 0, "msg": "ok", "tenant_access_token": self.token,
                           "expire": 7200})

    # --- messages ------------------------------------------------------------------------------
    def _im_v1_message_create(self, call: Call) -> Reply:
        p = call.params
        if p.get("receive_id_type") != "chat_id":
            return error(230001, "Your request contains an invalid request parameter: "
                         "receive_id_type (TikPulse's fake serves chat_id only)")
        chat = str(p.get("receive_id") or "")
        if not chat.startswith("oc_") or (self.chats is not None and chat not in self.chats):
            return error(230002, "The bot can not be outside the group.")
        return self._send(chat, p, None, False)

    def _im_v1_message_reply(self, call: Call) -> Reply:
        parent = self.messages.get(call.path.rstrip("/").split("/")[-2])
        if parent is None:
            return error(230011, "The message was withdrawn or does not exist.")
        in_thread = bool(call.params.get("reply_in_thread"))
        return self._send(parent.chat_id, call.params, parent, in_thread)

    def _send(self, chat: str, p: dict[str, Any], parent: FeishuMessage | None,
              in_thread: bool) -> Reply:
        uuid = p.get("uuid")
        if uuid is not None and (not isinstance(uuid, str) or len(uuid) > 50):
            return error(230001, "Your request contains an invalid request parameter: uuid")
        now = self._clock()
        if uuid:
            earlier = next((m for m in self.messages.values() if m.uuid == uuid
                            and now - m.created < UUID_WINDOW_S), None)
            if earlier is not None:
                return ok(_message_json(earlier))
        checked = check_content(p.get("msg_type"), p.get("content"), self.uploads)
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
        return ok(_message_json(msg))

    def _im_v1_message_patch(self, call: Call) -> Reply:
        msg = self.messages.get(call.path.rstrip("/").split("/")[-1])
        if msg is None:
            return error(230011, "The message was withdrawn or does not exist.")
        if msg.msg_type != "interactive":
            return error(230001, "Your request contains an invalid request parameter: only "
                         "card messages can be patched")
        if self._clock() - msg.created > CARD_UPDATABLE_S:
            return error(230031, "The card can not be updated: sent more than 14 days ago.")
        if not shared(msg.content):
            return error(230001, "Your request contains an invalid request parameter: the "
                         "card is not shared (config.update_multi)")
        checked = check_content("interactive", call.params.get("content"), self.uploads)
        if isinstance(checked, Reply):
            return checked
        msg.content, msg.edits = checked, msg.edits + 1
        return ok({})

    def _im_v1_message_update(self, call: Call) -> Reply:
        msg = self.messages.get(call.path.rstrip("/").split("/")[-1])
        if msg is None:
            return error(230011, "The message was withdrawn or does not exist.")
        kind = call.params.get("msg_type")
        if msg.msg_type not in ("text", "post") or kind != msg.msg_type:
            return error(230001, "Your request contains an invalid request parameter: only "
                         "text and post messages are edited with update")
        checked = check_content(kind, call.params.get("content"), self.uploads)
        if isinstance(checked, Reply):
            return checked
        msg.content, msg.edits = checked, msg.edits + 1
        return ok(_message_json(msg))

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
            return error(230020, "This operation triggers the frequency limit.")
        app.append(now)
        here.append(now)
        return None

    # --- uploads -------------------------------------------------------------------------------
    def _im_v1_image_create(self, call: Call) -> Reply:
        return store_image(call, self.uploads, next(self._ids))

    def _im_v1_file_create(self, call: Call) -> Reply:
        return store_file(call, self.uploads, next(self._ids))

def _message_json(msg: FeishuMessage) -> dict[str, Any]:
    return {"message_id": msg.message_id, "root_id": msg.root_id, "parent_id": msg.parent_id,
            "thread_id": msg.thread_id, "msg_type": msg.msg_type, "chat_id": msg.chat_id,
            "create_time": str(int(msg.created * 1000)), "deleted": False, "updated": False,
            "sender": {"id": APP_ID, "id_type": "app_id", "sender_type": "app"},
            "body": {"content": json.dumps(msg.content, ensure_ascii=False)}}
