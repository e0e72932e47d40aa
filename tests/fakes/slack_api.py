"""A local fake of the Slack Web API that the real ``slack_sdk.WebClient`` talks to unchanged.

    with FakeSlack() as slack:
        client = WebClient(token=slack.token, base_url=slack.base_url)
        client.chat_postMessage(channel="C0ACMEOPS", text="hi")
        assert slack.top_level("C0ACMEOPS")[0].text == "hi"

It answers auth.test, chat.postMessage / update / postEphemeral, conversations.info / history
(with message metadata) / replies, the three steps of ``files_upload_v2`` (its ``upload_url``
points back at this server) and ``response_url`` posts; bodies may be form or JSON. Errors come
back as ``{"ok": false, "error": ...}`` like Slack; ``fail_next`` injects 429s with
``Retry-After``, 5xx, or a named error for the next N calls; ``drop_reply_next`` carries a call
out but never answers it.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import Call, Failure, FakeServer, Reply

DEFAULT_TOKEN = "xoxb-tikpulse-test"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


@dataclass
class SlackMessage:
    """A message as it stands now in the fake workspace (edits change it in place)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    edits: int = 0
    files: list[str] = field(default_factory=list)
    metadata: dict[str, Any] | None = None


@dataclass
class SlackFile:
    """A file uploaded through files_upload_v2."""

    file_id: str
    filename: str
    length: int
    data: bytes = b""
    title: str | None = None
    alt_txt: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    completed: bool = False


class FakeSlack(FakeServer):
    """The Slack Web API at ``base_url``; ``messages``, ``files`` and ``calls`` are inspectable."""

    def __init__(self, token: str = DEFAULT_TOKEN, channels: dict[str, str] | None = None) -> None:
        super().__init__()
        self.token = token
        #: channel id -> name; ``None`` accepts any well-formed channel id (never a #name).
        self.channels = channels
        self.messages: dict[str, SlackMessage] = {}
        self.files: dict[str, SlackFile] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        """What to pass as ``WebClient(base_url=...)``."""
        return f"{self.origin}/api/"

    def response_url(self, key: str = "r1") -> str:
        """A slash-command ``response_url`` served here; posts land in ``responses[key]``."""
        return f"{self.origin}/response/{key}"

    def fail_next(self, count: int = 1, *, status: int = 429, retry_after: int = 0,
                  error: str | None = None, method: str | None = None) -> None:
        """Answer the next ``count`` calls (to ``method``, or any) with a failure.

        ``status=429`` sends ``Retry-After``; 5xx sends a server error; ``error`` with status 200
        sends ``{"ok": false, "error": error}`` the way Slack reports API errors.
        """
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        body = {"ok": False, "error": error or ("ratelimited" if status == 429 else "fatal_error")}
        self._queue_failure(count, Failure(status, body, headers, method))

    # --- views for tests ---------------------------------------------------------------------
    def top_level(self, channel: str) -> list[SlackMessage]:
        """Messages posted in ``channel`` outside any thread, oldest first."""
        return [m for m in self.messages.values() if m.channel == channel and m.thread_ts is None]

    def replies(self, channel: str, ts: str) -> list[SlackMessage]:
        """Messages in the thread of ``ts`` (file shares included), oldest first."""
        return [m for m in self.messages.values() if m.channel == channel and m.thread_ts == ts]

    def thread(self, channel: str, ts: str) -> list[SlackFile]:
        """Files shared into the thread of message ``ts``."""
        return [f for f in self.files.values()
                if f.completed and f.channel == channel and f.thread_ts == ts]

    # --- routing -----------------------------------------------------------------------------
    def method_of(self, path: str) -> str:
        if path.startswith("/api/"):
            return path.removeprefix("/api/")
        if path.startswith("/upload/"):
            return "upload"
        if path.startswith("/response/"):
            return "response_url"
        return path

    def parses_body(self, method: str) -> bool:
        return method != "upload"

    def route(self, call: Call) -> Reply:
        if call.method == "upload":
            return self._upload(call)
        if call.method == "response_url":
            key = call.path.removeprefix("/response/")
            self.responses.setdefault(key, []).append(call.params)
            return Reply(200, "ok")
        handler = getattr(self, "_" + call.method.replace(".", "_"), None)
        if handler is None:
            return _error("unknown_method")
        auth = call.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() or call.params.get("token", "")
        if not token:
            return _error("not_authed")
        if token != self.token:
            return _error("invalid_auth")
        return handler(call.params)

    def _known(self, channel: str | None) -> bool:
        if not channel:
            return False
        if self.channels is not None:
            return channel in self.channels
        return bool(_CHANNEL_ID.match(channel))

    def _next_ts(self) -> str:
        return f"1763600000.{next(self._ts):06d}"

    # --- methods -------------------------------------------------------------------------------
    def _auth_test(self, p: dict[str, Any]) -> Reply:
        return _ok(url="https://tikpulse-test.slack.com/", team="TikPulse Test", user="tikpulse",
                   team_id="T0TIKPULSE", user_id="U0TIKBOT", bot_id="B0TIKBOT",
                   is_enterprise_install=False)

    def _conversations_info(self, p: dict[str, Any]) -> Reply:
        channel = p.get("channel")
        if not self._known(channel):
            return _error("channel_not_found")
        name = (self.channels or {}).get(channel, str(channel).lower())
        return _ok(channel={"id": channel, "name": name, "is_channel": True, "is_private": False,
                            "is_member": True, "is_archived": False})

    def _chat_postMessage(self, p: dict[str, Any]) -> Reply:
        channel = p.get("channel")
        if not self._known(channel):
            return _error("channel_not_found")
        text, blocks = p.get("text") or "", _blocks(p.get("blocks"))
        if not text and not blocks:
            return _error("no_text")
        if len(text) > 40000:
            return _error("msg_too_long")
        thread_ts = p.get("thread_ts") or None
        if thread_ts and thread_ts not in self.messages:
            return _error("thread_not_found")
        msg = SlackMessage(channel, self._next_ts(), text, blocks, thread_ts,
                           metadata=_json_field(p.get("metadata")))
        self.messages[msg.ts] = msg
        return _ok(channel=channel, ts=msg.ts, message=_message_json(msg))

    def _chat_update(self, p: dict[str, Any]) -> Reply:
        msg = self.messages.get(p.get("ts", ""))
        if msg is None:
            return _error("message_not_found")
        if msg.channel != p.get("channel"):
            return _error("cant_update_message")
        if "text" in p:
            msg.text = p["text"] or ""
        if "blocks" in p:
            msg.blocks = _blocks(p["blocks"])
        msg.edits += 1
        return _ok(channel=msg.channel, ts=msg.ts, text=msg.text, message=_message_json(msg))

    def _chat_postEphemeral(self, p: dict[str, Any]) -> Reply:
        if not self._known(p.get("channel")):
            return _error("channel_not_found")
        if not p.get("user"):
            return _error("user_not_in_channel")
        self.ephemeral.append({**p, "blocks": _blocks(p.get("blocks"))})
        return _ok(message_ts=self._next_ts())

    def _files_getUploadURLExternal(self, p: dict[str, Any]) -> Reply:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            return _error("invalid_arguments")
        file_id = f"F{next(self._file_ids):08d}"
        self.files[file_id] = SlackFile(file_id, p["filename"], int(p["length"]),
                                        alt_txt=p.get("alt_txt"))
        return _ok(upload_url=f"{self.origin}/upload/v1/{file_id}", file_id=file_id)

    def _upload(self, call: Call) -> Reply:
        file = self.files.get(call.path.rsplit("/", 1)[-1])
        if file is None:
            return Reply(404, "not found")
        if len(call.body) != file.length:
            return Reply(400, f"length mismatch: expected {file.length}, got {len(call.body)}")
        file.data = call.body
        return Reply(200, f"OK - {len(call.body)}")

    def _files_completeUploadExternal(self, p: dict[str, Any]) -> Reply:
        items = json.loads(p.get("files") or "[]")
        channel, thread_ts = p.get("channel_id") or p.get("channels"), p.get("thread_ts") or None
        if channel and not self._known(channel):
            return _error("channel_not_found")
        if thread_ts and thread_ts not in self.messages:
            return _error("invalid_thread_ts")
        done = []
        for item in items:
            file = self.files.get(item.get("id", ""))
            if file is None or len(file.data) != file.length:
                return _error("file_not_found")
            file.title, file.channel, file.thread_ts = item.get("title"), channel, thread_ts
            file.completed = True
            done.append({"id": file.file_id, "name": file.filename, "title": file.title,
                         "size": file.length})
        if channel:  # sharing a file posts a message (in the thread when thread_ts is given)
            share = SlackMessage(channel, self._next_ts(), p.get("initial_comment") or "", [],
                                 thread_ts, files=[f["id"] for f in done])
            self.messages[share.ts] = share
        return _ok(files=done)

    def _conversations_history(self, p: dict[str, Any]) -> Reply:
        if not self._known(p.get("channel")):
            return _error("channel_not_found")
        oldest = float(p.get("oldest") or 0)
        found = [m for m in self.top_level(p["channel"]) if float(m.ts) >= oldest]
        with_meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(p.get("limit") or 100)
        return _ok(messages=[self._message_json(m, with_meta) for m in reversed(found)][:limit],
                   has_more=False)

    def _conversations_replies(self, p: dict[str, Any]) -> Reply:
        parent = self.messages.get(p.get("ts", ""))
        if parent is None or parent.channel != p.get("channel"):
            return _error("thread_not_found")
        thread = [parent, *(m for m in self.messages.values() if m.thread_ts == parent.ts)]
        return _ok(messages=[self._message_json(m, False) for m in thread], has_more=False)

    def _message_json(self, msg: SlackMessage, with_meta: bool) -> dict[str, Any]:
        out = _message_json(msg)
        if msg.files:
            out["files"] = [{"id": f, "name": self.files[f].filename, "title": self.files[f].title}
                            for f in msg.files]
        if with_meta and msg.metadata:
            out["metadata"] = msg.metadata
        return out


def _json_field(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    return json.loads(value) if isinstance(value, str) else dict(value)


def _blocks(value: Any) -> list[dict[str, Any]]:
    if not value:
        return []
    loaded = json.loads(value) if isinstance(value, str) else value
    return list(loaded)


def _message_json(msg: SlackMessage) -> dict[str, Any]:
    return {"type": "message", "ts": msg.ts, "text": msg.text, "blocks": msg.blocks,
            "bot_id": "B0TIKBOT", "user": "U0TIKBOT", "thread_ts": msg.thread_ts}


def _ok(**fields: Any) -> Reply:
    return Reply(200, {"ok": True, **fields})


def _error(error: str) -> Reply:
    return Reply(200, {"ok": False, "error": error})
