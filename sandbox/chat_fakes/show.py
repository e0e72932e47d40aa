"""What the fake Feishu and WeCom servers received, as plain lines for a terminal.

The demo (``tikpulse demo --chat feishu``) prints these after delivering its digest, so a reader
sees each card (title, every text line), image and file as the group would, without a Feishu or
WeCom account: the bytes went over the real protocol to a local server.
"""

from __future__ import annotations

from typing import Any

from sandbox.chat_fakes.feishu import FakeFeishu, FeishuMessage
from sandbox.chat_fakes.wecom import FakeWeCom, WeComMessage

#: Characters of a text line shown before it is cut with "…".
LINE_CHARS = 110
#: Lines of one markdown message or card shown (the rest are counted).
MAX_LINES = 40


def feishu_lines(feishu: FakeFeishu, chat_id: str) -> list[str]:
    """Every message of ``chat_id``: each top-level message, then its thread, indented."""
    lines: list[str] = []
    for message in feishu.chat(chat_id):
        lines += _feishu_message(feishu, message, "")
        for reply in feishu.thread(message.message_id):
            lines += _feishu_message(feishu, reply, "    ↳ ")
    return lines


def _feishu_message(feishu: FakeFeishu, message: FeishuMessage, indent: str) -> list[str]:
    kind = message.msg_type
    if kind == "interactive":
        card = message.card
        title = ((card.get("header") or {}).get("title") or {}).get("content", "")
        head = [f"{indent}[card] {title}" + (f" (edited {message.edits}x)" if message.edits
                                              else "")]
        return head + _clip([f"{indent}  {line}" for line in _card_lines(feishu, card)])
    if kind == "image":
        upload = feishu.uploads[message.content["image_key"]]
        return [f"{indent}[image] {upload.key} ({_size(upload.data)})"]
    if kind == "file":
        upload = feishu.uploads[message.content["file_key"]]
        return [f"{indent}[file] {upload.file_name} ({upload.file_type}, {_size(upload.data)})"]
    return [f"{indent}[{kind}] {_cut(message.text or str(message.content))}"]


def _card_lines(feishu: FakeFeishu, card: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            tag = element.get("tag")
            if tag == "markdown":
                out.extend(_cut(line) for line in str(element["content"]).splitlines() if line)
            elif tag == "img":
                upload = feishu.uploads.get(element.get("img_key", ""))
                out.append(f"[image in card: {_size(upload.data) if upload else '?'}]")
            elif tag == "hr":
                out.append("────")
            walk(element.get("columns", []) + element.get("elements", []))

    walk((card.get("body") or {}).get("elements", []))
    return out


def wecom_lines(wecom: FakeWeCom, key: str) -> list[str]:
    """Every message robot ``key`` posted, in order."""
    lines: list[str] = []
    for message in wecom.sent(key):
        lines += _wecom_message(wecom, message)
    return lines


def _wecom_message(wecom: FakeWeCom, message: WeComMessage) -> list[str]:
    kind = message.msgtype
    if kind in ("markdown", "text"):
        body = message.content
        head = f"[{kind}] {len(body.encode('utf-8'))} bytes"
        return [head] + _clip([f"  {_cut(line)}" for line in body.splitlines() if line])
    if kind == "image":
        return [f"[image] md5 {message.body.get('md5')} "
                f"({_size(str(message.body.get('base64', '')).encode()) } base64)"]
    if kind == "file":
        media = wecom.media.get(str(message.body.get("media_id")))
        name = media.filename if media else "?"
        return [f"[file] {name} ({_size(media.data) if media else '?'})"]
    return [f"[{kind}]"]


def _clip(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"  … {len(lines) - MAX_LINES} more lines"]


def _cut(text: str) -> str:
    return text if len(text) <= LINE_CHARS else text[:LINE_CHARS - 1] + "…"


def _size(data: bytes) -> str:
    return f"{len(data) / 1024:.1f} KB" if len(data) >= 1024 else f"{len(data)} B"
