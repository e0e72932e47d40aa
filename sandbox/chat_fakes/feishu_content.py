"""What the fake Feishu Open API checks in a message and an upload, strictly like Feishu.

``check_content`` takes a message's ``msg_type`` and ``content`` (a JSON string): text, post,
image and file messages (keys must be uploaded here), and cards in JSON 2.0 (``schema: "2.0"``,
``body.elements``, known components only, at most 200 elements, images uploaded here) or 1.0;
a card over 30 KB or a text over 150 KB -> 230025, a bad card -> 230099. ``store_image`` and
``store_file`` are the uploads (types and size limits: 234001, 234006, 234010, 234011).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from sandbox.chat_fakes.http import Call, Reply

#: Real limits (chat-cn.md and the Open API docs).
CARD_MAX_BYTES, TEXT_MAX_BYTES = 30 * 1024, 150 * 1024
IMAGE_MAX_BYTES, FILE_MAX_BYTES = 10 * 1024 * 1024, 30 * 1024 * 1024
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
class Upload:
    """An uploaded image or file."""

    key: str
    data: bytes
    kind: str  # image | file
    file_type: str | None = None
    file_name: str | None = None


def check_content(msg_type: Any, raw: Any,
                  uploads: dict[str, Upload]) -> dict[str, Any] | Reply:
    """The content of a message as Feishu checks it: its JSON, or the error answer."""
    if msg_type not in MSG_TYPES:
        return error(230001, f"Your request contains an invalid request parameter: "
                     f"msg_type {msg_type!r}")
    if not isinstance(raw, str):
        return error(230001, "Your request contains an invalid request parameter: content "
                     "must be a JSON string")
    limit = CARD_MAX_BYTES if msg_type == "interactive" else TEXT_MAX_BYTES
    if len(raw.encode()) > limit:
        return error(230025, "The length of the message content reaches its limit.")
    try:
        content = json.loads(raw)
    except ValueError:
        return error(230001, "Your request contains an invalid request parameter: content "
                     "is not JSON")
    if not isinstance(content, dict):
        return error(230001, "Your request contains an invalid request parameter: content")
    problem = _problem(str(msg_type), content, uploads)
    if problem:
        code = 230099 if msg_type == "interactive" else 230001
        return error(code, f"Failed to create card content, ext=ErrMsg: {problem}"
                     if code == 230099 else
                     f"Your request contains an invalid request parameter: {problem}")
    return content


def _problem(msg_type: str, content: dict[str, Any], uploads: dict[str, Upload]) -> str | None:
    if msg_type == "text":
        return None if isinstance(content.get("text"), str) and content["text"] else "text"
    if msg_type == "image":
        key = content.get("image_key")
        return None if key in uploads and uploads[key].kind == "image" \
            else "image_key not found"
    if msg_type == "file":
        key = content.get("file_key")
        return None if key in uploads and uploads[key].kind == "file" \
            else "file_key not found"
    if msg_type == "post":
        return None if content else "post content"
    return _card_problem(content, uploads)


def _card_problem(card: dict[str, Any], uploads: dict[str, Upload]) -> str | None:
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
    return _elements_problem(elements, count, uploads) or (
        f"{count[0]} elements (at most {CARD_MAX_ELEMENTS})"
        if count[0] > CARD_MAX_ELEMENTS else None)


def _elements_problem(elements: list[Any], count: list[int],
                     uploads: dict[str, Upload]) -> str | None:
    for element in elements:
        count[0] += 1
        tag = element.get("tag") if isinstance(element, dict) else None
        if tag not in CARD2_TAGS:
            return f"unsupported component {tag!r} in a 2.0 card"
        if tag == "markdown" and not isinstance(element.get("content"), str):
            return "markdown needs content"
        if tag == "img" and element.get("img_key") not in uploads:
            return f"img_key {element.get('img_key')!r} not found"
        inner = element.get("columns") if tag == "column_set" else element.get("elements")
        if isinstance(inner, list):
            found = _elements_problem(inner, count, uploads)
            if found:
                return found
    return None


def store_image(call: Call, uploads: dict[str, Upload], serial: int) -> Reply:
    """``im.v1.image.create``: a PNG/JPEG/GIF/BMP of at most 10 MB -> ``image_key``."""
    if call.params.get("image_type") not in ("message", "avatar"):
        return error(234001, "Invalid request param: image_type")
    _, data = call.files.get("image", (None, b""))
    if not data:
        return error(234001, "Invalid request param: image")
    if len(data) > IMAGE_MAX_BYTES:
        return error(234006, "The file size exceeds the limit.")
    if not data.startswith(_IMAGE_MAGIC):
        return error(234011, "Can't recognize image format.")
    key = f"img_v3_{serial:04x}_{hashlib.md5(data).hexdigest()[:12]}"  # noqa: S324
    uploads[key] = Upload(key, data, "image")
    return ok({"image_key": key})


def store_file(call: Call, uploads: dict[str, Upload], serial: int) -> Reply:
    """``im.v1.file.create``: a known ``file_type``, 1 byte to 30 MB -> ``file_key``."""
    file_type, name = call.params.get("file_type"), call.params.get("file_name")
    if file_type not in FILE_TYPES or not name:
        return error(234001, "Invalid request param: file_type / file_name")
    _, data = call.files.get("file", (None, b""))
    if not data:
        return error(234010, "File's size can't be 0.")
    if len(data) > FILE_MAX_BYTES:
        return error(234006, "The file size exceeds the limit.")
    key = f"file_v3_{serial:04x}_{hashlib.md5(data).hexdigest()[:12]}"  # noqa: S324
    uploads[key] = Upload(key, data, "file", str(file_type), str(name))
    return ok({"file_key": key})


def form(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
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
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        if name in ("image", "file"):
            files[name] = (part.get_filename(), payload)
        else:
            fields[name] = payload.decode("utf-8")
    return fields, files


def shared(card: dict[str, Any]) -> bool:
    """A 2.0 card is always shared; a 1.0 card only with ``config.update_multi: true``."""
    config = card.get("config") or {}
    if card.get("schema") == "2.0":
        return config.get("update_multi", True) is not False
    return config.get("update_multi") is True


def ok(data: dict[str, Any]) -> Reply:
    """Feishu's success envelope."""
    return Reply(200, {"code": 0, "msg": "success", "data": data})


def error(code: int, msg: str) -> Reply:
    """Feishu's error envelope (HTTP 400 with a code)."""
    return Reply(400, {"code": code, "msg": msg})
