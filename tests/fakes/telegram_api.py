"""A local fake of the Telegram Bot API that python-telegram-bot's ``Bot`` talks to unchanged.

    with FakeTelegram() as tg:
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            await bot.send_message(chat_id=-100123, text="hi")
        assert tg.chat(-100123)[0].text == "hi"

It answers getMe, sendMessage, editMessageText, editMessageCaption, sendPhoto, sendMediaGroup,
sendDocument, getUpdates (updates queued with ``push_update`` / ``push_text``), setWebhook and
deleteWebhook, with the Bot API's own limits and error texts (4096 text, 1024 caption, 2-10 media,
"message is not modified"). ``fail_next`` injects 429s carrying ``parameters.retry_after`` and 5xx.
"""

from __future__ import annotations

import itertools
import json
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.fakes.http import Call, Failure, FakeServer, Reply

DEFAULT_TOKEN = "123456789:TIKPULSE-test-token"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "TikPulse", "username": "tikpulse_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
#: Longest a getUpdates long poll waits here, so tests and shutdown stay quick.
MAX_POLL_WAIT_S = 1.0


@dataclass
class TelegramMessage:
    """A message as it stands now in the fake chat (edits change it in place)."""

    chat_id: int
    message_id: int
    kind: str  # text | photo | document
    text: str | None = None
    caption: str | None = None
    data: bytes = b""  # photo or document bytes
    filename: str | None = None
    media_group_id: str | None = None
    parse_mode: str | None = None
    reply_markup: Any = None
    edits: int = 0
    reply_to: int | None = None  # reply_parameters.message_id


class FakeTelegram(FakeServer):
    """The Bot API at ``base_url``; ``messages``, ``calls`` and ``webhook_url`` are inspectable."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.messages: dict[tuple[int, int], TelegramMessage] = {}
        self.webhook_url = ""
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._group_ids = itertools.count(1)
        self._cond = threading.Condition(self._lock)

    @property
    def base_url(self) -> str:
        """What to pass as ``Bot(base_url=...)`` (no trailing slash)."""
        return f"{self.origin}/bot"

    def fail_next(self, count: int = 1, *, status: int = 429, retry_after: int = 1,
                  method: str | None = None, description: str | None = None) -> None:
        """Answer the next ``count`` calls (to ``method``, or any) with an error status."""
        body: dict[str, Any] = {"ok": False, "error_code": status,
                                "description": description or _STATUS_TEXT.get(status, "Error")}
        if status == 429:
            body["description"] = f"Too Many Requests: retry after {retry_after}"
            body["parameters"] = {"retry_after": retry_after}
        self._queue_failure(count, Failure(status, body, {}, method))

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update for getUpdates; returns its update_id."""
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
        return update_id

    def push_text(self, chat_id: int, text: str, user_id: int = 42,
                  username: str = "seller") -> int:
        """Queue a user's text message (``/commands`` get a bot_command entity)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": _chat(chat_id), "text": text,
            "from": {"id": user_id, "is_bot": False, "first_name": username, "username": username},
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return self.push_update({"message": message})

    def chat(self, chat_id: int) -> list[TelegramMessage]:
        """Messages the bot has in ``chat_id``, oldest first."""
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id]

    # --- routing -----------------------------------------------------------------------------
    def method_of(self, path: str) -> str:
        head, _, method = path.rpartition("/")
        return method if head.startswith("/bot") else path

    def route(self, call: Call) -> Reply:
        if not call.path.startswith(f"/bot{self.token}/"):
            return _fail(401, "Unauthorized")
        handler = getattr(self, "_" + call.method, None)
        if handler is None:
            return _fail(404, "Not Found")
        return handler(call)

    def _store(self, msg: TelegramMessage) -> dict[str, Any]:
        self.messages[(msg.chat_id, msg.message_id)] = msg
        return _message_json(msg)

    def _new(self, p: dict[str, Any], kind: str, **kw: Any) -> TelegramMessage:
        reply = _json(p.get("reply_parameters")) or {}
        return TelegramMessage(int(p["chat_id"]), next(self._message_ids), kind,
                               parse_mode=p.get("parse_mode"),
                               reply_markup=_json(p.get("reply_markup")),
                               reply_to=reply.get("message_id"), **kw)

    # --- methods -------------------------------------------------------------------------------
    def _getMe(self, call: Call) -> Reply:
        return _ok(BOT_USER)

    def _setWebhook(self, call: Call) -> Reply:
        self.webhook_url = call.params.get("url", "")
        return _ok(True)

    def _deleteWebhook(self, call: Call) -> Reply:
        self.webhook_url = ""
        return _ok(True)

    def _getWebhookInfo(self, call: Call) -> Reply:
        return _ok({"url": self.webhook_url, "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)})

    def _sendMessage(self, call: Call) -> Reply:
        p = call.params
        if "chat_id" not in p:
            return _fail(400, "Bad Request: chat_id is empty")
        problem = _text_problem(p.get("text", ""), 4096, "message text")
        if problem:
            return _fail(400, problem)
        return _ok(self._store(self._new(p, "text", text=p["text"])))

    def _editMessageText(self, call: Call) -> Reply:
        return self._edit(call.params, "text")

    def _editMessageCaption(self, call: Call) -> Reply:
        return self._edit(call.params, "caption")

    def _edit(self, p: dict[str, Any], field: str) -> Reply:
        key = (int(p.get("chat_id", 0)), int(p.get("message_id", 0)))
        msg = self.messages.get(key)
        if msg is None:
            return _fail(400, "Bad Request: message to edit not found")
        new = p.get(field, "")
        if field == "text" and msg.kind != "text":
            return _fail(400, "Bad Request: there is no text in the message to edit")
        problem = _text_problem(new, 4096 if field == "text" else 1024, f"message {field}")
        if problem:
            return _fail(400, problem)
        markup = _json(p.get("reply_markup"))
        if getattr(msg, field) == new and markup == msg.reply_markup:
            return _fail(400, "Bad Request: message is not modified: specified new message "
                              "content and reply markup are exactly the same as a current "
                              "content and reply markup of the message")
        setattr(msg, field, new)
        msg.reply_markup, msg.parse_mode = markup, p.get("parse_mode")
        msg.edits += 1
        return _ok({**_message_json(msg), "edit_date": int(time.time())})

    def _sendPhoto(self, call: Call) -> Reply:
        return self._send_file(call, "photo")

    def _sendDocument(self, call: Call) -> Reply:
        return self._send_file(call, "document")

    def _send_file(self, call: Call, kind: str) -> Reply:
        p = call.params
        problem = _text_problem(p.get("caption", "x"), 1024, "message caption")
        if problem:
            return _fail(400, problem)
        filename, data = call.files.get(kind, (None, b""))
        if not data:
            return _fail(400, f"Bad Request: there is no {kind} in the request")
        return _ok(self._store(self._new(p, kind, caption=p.get("caption"), data=data,
                                         filename=filename)))

    def _sendMediaGroup(self, call: Call) -> Reply:
        p = call.params
        media = _json(p.get("media")) or []
        if not 2 <= len(media) <= 10:
            return _fail(400, "Bad Request: media group must contain 2-10 items")
        group = f"mg{next(self._group_ids)}"
        sent = []
        for item in media:
            if _text_problem(item.get("caption", "x"), 1024, "message caption"):
                return _fail(400, "Bad Request: message caption is too long")
            ref = str(item.get("media", "")).removeprefix("attach://")
            filename, data = call.files.get(ref, (None, b""))
            if not data:
                return _fail(400, "Bad Request: wrong file identifier/HTTP URL specified")
            msg = self._new(p, item.get("type", "photo"), caption=item.get("caption"),
                            data=data, filename=filename, media_group_id=group)
            msg.parse_mode = item.get("parse_mode")
            sent.append(self._store(msg))
        return _ok(sent)

    def _getUpdates(self, call: Call) -> Reply:
        if self.webhook_url:
            return _fail(409, "Conflict: can't use getUpdates method while webhook is active; "
                              "use deleteWebhook to delete the webhook first")
        offset = int(call.params.get("offset") or 0)
        wait = min(float(call.params.get("timeout") or 0), MAX_POLL_WAIT_S)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and wait > 0:
            self._cond.wait(wait)
        limit = int(call.params.get("limit") or 100)
        return _ok(self._updates[:limit])

    def _setMyCommands(self, call: Call) -> Reply:
        return _ok(True)

    def _answerCallbackQuery(self, call: Call) -> Reply:
        return _ok(True)


_STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"chat {chat_id}"}
    return {"id": chat_id, "type": "private", "first_name": "seller"}


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return (0, 0)


def _message_json(msg: TelegramMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"message_id": msg.message_id, "date": int(time.time()),
                           "chat": _chat(msg.chat_id), "from": BOT_USER}
    file_id = f"file-{msg.chat_id}-{msg.message_id}"
    if msg.kind == "text":
        out["text"] = msg.text
    elif msg.kind == "photo":
        width, height = _png_size(msg.data)
        out["photo"] = [{"file_id": file_id, "file_unique_id": file_id, "width": width,
                         "height": height, "file_size": len(msg.data)}]
    else:
        out["document"] = {"file_id": file_id, "file_unique_id": file_id,
                           "file_name": msg.filename, "file_size": len(msg.data)}
    if msg.caption is not None:
        out["caption"] = msg.caption
    if msg.media_group_id:
        out["media_group_id"] = msg.media_group_id
    if msg.reply_markup:
        out["reply_markup"] = msg.reply_markup
    return out


def _text_problem(text: str, limit: int, what: str) -> str | None:
    if what == "message text" and not text.strip():
        return "Bad Request: message text is empty"
    if len(text) > limit:
        return f"Bad Request: {what} is too long"
    return None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value else (value or None)


def _ok(result: Any) -> Reply:
    return Reply(200, {"ok": True, "result": result})


def _fail(status: int, description: str) -> Reply:
    return Reply(status, {"ok": False, "error_code": status, "description": description})
