"""Post to WeCom (企业微信) group robots: the digest as markdown, its summary chart and PDF.

A robot is a webhook (``/cgi-bin/webhook/send?key=KEY``); it can post but never read, so a post
in doubt cannot be looked up (``find`` raises ``CannotVerify``, as for Telegram). The key is a
secret kept encrypted in the tenants file (``enc:...``): ``key_lookup`` decrypts one when it is
used, and a key is only ever in the request URL, never in a message or a Redis key name.
``WeComRobot`` paces every robot at 20 messages a minute (counted in Redis, shared by every
worker) and waits out errcode 45009. The digest summary is markdown cut at section boundaries
into messages of at most 4,096 bytes (``markdown_parts``); the summary chart goes as an image
(base64 + md5, at most 2 MB); the PDF is uploaded (``upload_media``) and sent as a file.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import redis

from config.chat_bindings import ENCRYPTED_KEY_PREFIX
from config.tenant_registry import TenantRegistry
from jobs.digest.deliveries import DeliveryState
from jobs.digest.package import DigestPackage, Edition, Step
from jobs.notify.errors import CannotVerify, InDoubt, Refused
from jobs.notify.summary import summary_of
from jobs.sources.ratelimit import Limiter, RateLimit, RateLimiter, Unlimited
from jobs.warehouse.crypto import TokenDecryptError

log = logging.getLogger(__name__)

#: Where the robots live; tests and the demo pass their local server.
WECOM_API_URL = "https://qyapi.weixin.qq.com"
#: A robot's allowance: 20 messages a minute.
ROBOT_LIMIT = RateLimit(qps=20 / 60, per_window=20)
#: Byte limits of a markdown message and of an image (before base64).
MARKDOWN_MAX_BYTES, IMAGE_MAX_BYTES = 4096, 2 * 1024 * 1024
#: errcode 45009 answers waited out per message, and the wait, seconds (a minute's window).
WECOM_RATE_LIMIT_RETRIES, WECOM_RATE_LIMIT_WAIT_S = 2, 60.0
#: Seconds each robot call may take.
WECOM_TIMEOUT_S = 30.0
HINTS = {93000: " (the robot's key is wrong or the robot was removed: add it again and update "
                "the tenants file)",
         40058: " (markdown over 4,096 bytes)", 45009: " (over 20 messages a minute)"}


class WeComRobot:
    """Every robot of this process: keys by binding name, one pace per robot."""

    def __init__(self, http: httpx.Client, key_of: Callable[[str], str],
                 conn: redis.Redis | None = None, *, base_url: str = WECOM_API_URL,
                 sleep: Callable[[float], None] = time.sleep, limit: RateLimit = ROBOT_LIMIT,
                 slow_down_s: float = WECOM_RATE_LIMIT_WAIT_S) -> None:
        self.http, self.key_of, self.redis = http, key_of, conn
        self.base_url, self.sleep, self.limit = base_url.rstrip("/"), sleep, limit
        self.slow_down_s = slow_down_s
        self._limiters: dict[str, Limiter] = {}

    def markdown(self, robot: str, content: str) -> None:
        """Post markdown (at most 4,096 bytes) as robot ``robot`` (the binding's name)."""
        self._send(robot, {"msgtype": "markdown", "markdown": {"content": content}})

    def image(self, robot: str, png: bytes) -> None:
        """Post a PNG (at most 2 MB)."""
        self._send(robot, {"msgtype": "image", "image": {
            "base64": base64.b64encode(png).decode("ascii"),
            "md5": hashlib.md5(png).hexdigest()}})  # noqa: S324 - WeCom's integrity check

    def file(self, robot: str, data: bytes, filename: str) -> str:
        """Upload a file and post it; returns its ``media_id``."""
        key = self.key_of(robot)
        try:
            answer = self._post(robot, "/cgi-bin/webhook/upload_media",
                                {"key": key, "type": "file"},
                                files={"media": (filename, data, "application/octet-stream")})
        except _SlowDown:
            raise Refused(f"WeCom robot {robot} upload_media: rate limited") from None
        media_id = str(answer["media_id"])
        self._send(robot, {"msgtype": "file", "file": {"media_id": media_id}})
        return media_id

    def _send(self, robot: str, body: dict[str, Any]) -> None:
        key = self.key_of(robot)
        for attempt in range(WECOM_RATE_LIMIT_RETRIES + 1):
            self._pace(robot, key).acquire()
            try:
                self._post(robot, "/cgi-bin/webhook/send", {"key": key}, json=body)
                return
            except _SlowDown:
                if attempt == WECOM_RATE_LIMIT_RETRIES:
                    raise Refused(f"WeCom robot {robot}: over 20 messages a minute; the job "
                                  "retries later") from None
                self._pace(robot, key).pause(self.slow_down_s)

    def _post(self, robot: str, path: str, params: dict[str, str], **body: Any) -> dict[str, Any]:
        """One call; errors never carry the URL (the key is in it)."""
        what = f"WeCom robot {robot} {path.rsplit('/', 1)[-1]}"
        try:
            response = self.http.post(self.base_url + path, params=params,
                                      timeout=WECOM_TIMEOUT_S, **body)
        except httpx.TransportError as exc:
            raise InDoubt(f"{what}: no answer ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise InDoubt(f"{what}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise Refused(f"{what}: HTTP {response.status_code}, not JSON") from None
        code = int(answer.get("errcode", -1))
        if code == 45009:
            raise _SlowDown
        if code != 0:
            raise Refused(f"{what}: errcode {code} {answer.get('errmsg', '')}"
                          + HINTS.get(code, ""))
        return dict(answer)

    def _pace(self, robot: str, key: str) -> Limiter:
        if robot not in self._limiters:
            self._limiters[robot] = Unlimited() if self.redis is None else RateLimiter(
                self.redis, f"wecom:{fingerprint(key)}", "robot", self.limit, sleep=self.sleep)
        return self._limiters[robot]


class _SlowDown(Exception):
    """errcode 45009: the robot sent 20 messages in the last minute."""


class WeComNotifier:
    """WeCom adapter for ``jobs.digest.deliver``."""

    kind = "wecom"

    def __init__(self, robot: WeComRobot) -> None:
        self.robot = robot

    def post(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any]:
        """Post one step (a robot cannot edit: a correction posts again, marked)."""
        edition = step.edition
        if step.part == "summary":
            note = edition.correction_note if state.is_correction else None
            parts = markdown_parts(edition, note)
            for i, part in enumerate(parts):
                try:
                    self.robot.markdown(channel_id, part)
                except Refused as exc:
                    if i == 0:
                        raise
                    raise InDoubt(f"{exc} (after {i} of {len(parts)} parts went out)") from exc
            return {"id": f"markdown:{len(parts)}"}
        if step.part == "charts":
            chart = edition.charts[0]
            if len(chart.data) > IMAGE_MAX_BYTES:
                log.warning("wecom: summary chart %s is over 2 MB; not sent", chart.filename)
                return {"ids": []}
            self.robot.image(channel_id, chart.data)
            return {"ids": [chart.filename]}
        return {"id": self.robot.file(channel_id, edition.pdf.data, edition.pdf.filename)}

    def find(self, step: Step, channel_id: str, state: DeliveryState,
             package: DigestPackage) -> dict[str, Any] | None:
        """A robot cannot read its chat: a post in doubt needs a person's look."""
        raise CannotVerify(
            f"WeCom robot {channel_id}: the {step.name} post of {package.week} may have gone out "
            "but was not confirmed (a robot cannot read the chat to check). Check the group, "
            f"then run: tikpulse digest --tenant {package.tenant_id} --week {package.week} "
            "--send-now --resend-in-doubt")


def markdown_parts(edition: Edition, note: str | None = None,
                   limit: int = MARKDOWN_MAX_BYTES) -> list[str]:
    """The summary as markdown messages of at most ``limit`` bytes, cut between sections (a
    section longer than a message is cut between lines); later parts repeat the title."""
    summary = summary_of(edition.slack_blocks)
    title = summary.title or edition.title
    blocks = [f"## {title}" + (f"\n<font color=\"comment\">{summary.subtitle}</font>"
                               if summary.subtitle else "")]
    if note:
        blocks.append(f"<font color=\"warning\">{note}</font>")
    for section in summary.sections:
        lines = [f"**{section.heading}**"] if section.heading else []
        lines += [line for line in section.body.splitlines() if line.strip()]
        lines += [f"• **{k.name}** " + " · ".join(k.lines) for k in section.kpis]
        if lines:
            blocks.append("\n".join(lines))
    if summary.footer:
        blocks.append(f"<font color=\"comment\">{summary.footer}</font>")
    room = limit - _size(_continued(title, 99, 99)) - 1
    chunks = _pack([piece for b in blocks for piece in _cut(b, room)], room)
    return [chunk if i == 0 else f"{_continued(title, i + 1, len(chunks))}\n{chunk}"
            for i, chunk in enumerate(chunks)]


def _continued(title: str, n: int, total: int) -> str:
    return f"**{title}** <font color=\"comment\">({n}/{total})</font>"


def _pack(blocks: list[str], room: int) -> list[str]:
    chunks: list[str] = []
    for block in blocks:
        if chunks and _size(chunks[-1]) + 2 + _size(block) <= room:
            chunks[-1] += "\n\n" + block
        else:
            chunks.append(block)
    return chunks


def _cut(block: str, room: int) -> list[str]:
    """``block`` as pieces of at most ``room`` bytes, cut between lines (a longer line: between
    characters)."""
    if _size(block) <= room:
        return [block]
    pieces: list[str] = []
    for line in block.splitlines():
        while _size(line) > room:
            cut = len(line.encode("utf-8")[:room].decode("utf-8", "ignore"))
            pieces.append(line[:cut])
            line = line[cut:]
        if pieces and _size(pieces[-1]) + 1 + _size(line) <= room:
            pieces[-1] += "\n" + line
        else:
            pieces.append(line)
    return pieces


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def fingerprint(key: str) -> str:
    """A robot's name in Redis keys and logs: a hash of its key, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def key_lookup(registry: TenantRegistry, decrypt: Callable[[str], str]) -> Callable[[str], str]:
    """``key_of`` for ``WeComRobot``: the plain key of the robot bound under a name in
    ``registry`` (``decrypt`` is the token cipher's, which registers each key as a secret); an
    unknown robot or a key that does not decrypt is refused with the fix."""

    def key_of(robot: str) -> str:
        binding = next((b for t in registry.tenants for b in t.chats.wecom if b.name == robot),
                       None)
        if binding is None:
            raise Refused(f"WeCom robot {robot!r} is not in the tenants file (chats: wecom:)")
        try:
            return decrypt(binding.key.get_secret_value().removeprefix(ENCRYPTED_KEY_PREFIX))
        except TokenDecryptError:
            raise Refused(f"WeCom robot {robot!r}: its key does not decrypt with "
                          "TIKPULSE_SECRET_KEY; encrypt it again with 'tikpulse chats "
                          "encrypt-key'") from None

    return key_of
