"""TikTok Shop push messages, sent by the simulator as TikTok sends them.

A message is ``{"type": N, "tts_notification_id": "...", "shop_id": "...", "timestamp": <unix s>,
"data": {...}}`` POSTed as JSON to the app's webhook address with header ``Authorization`` =
lowercase hex HMAC-SHA256 keyed with the app secret over ``app_key + raw body``. Anything but a
2xx within the timeout is retried (TikTok: about 2 min, 30 min, 3 h, 12 h; the simulator's delays
are configurable so tests can wait seconds). ``duplicate`` sends a delivered message once more,
as TikTok does when it did not see our answer.

Sending runs on one daemon thread per simulator; every attempt is logged for the admin endpoint
``GET /sandbox/webhooks``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

ORDER_STATUS_CHANGE = 1
SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
#: TikTok's retry delays, seconds.
TIKTOK_RETRY_DELAYS = (120.0, 1800.0, 10800.0, 43200.0)
#: Seconds TikTok waits for the answer.
ANSWER_TIMEOUT_S = 3.0


@dataclass
class Attempt:
    """One delivery attempt, as the admin endpoint lists it."""

    notification_id: str
    type: int
    shop_id: str
    attempt: int
    status: int | None  # HTTP status, or None when the request failed
    error: str | None
    at: float


@dataclass
class _Outgoing:
    body: bytes
    notification_id: str
    type: int
    shop_id: str
    attempt: int = 1
    due: float = 0.0
    extra_copies: int = 0


@dataclass
class WebhookSender:
    """Signs and sends push messages to ``url``, retrying on failure."""

    app_key: str
    app_secret: str
    url: str | None = None
    retry_delays: Sequence[float] = TIKTOK_RETRY_DELAYS
    attempts: list[Attempt] = field(default_factory=list)
    _queue: queue.Queue[_Outgoing | None] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, url: str | None, retry_delays: Sequence[float] | None = None) -> None:
        """Set the webhook address (``None`` stops sending) and, optionally, the retry delays;
        the attempt log starts afresh."""
        with self._lock:
            self.url = url
            self.attempts.clear()
            if retry_delays is not None:
                self.retry_delays = tuple(float(d) for d in retry_delays)

    def emit(self, type_: int, shop_id: str, data: dict[str, Any], *,
             duplicate: bool = False) -> str | None:
        """Queue one message; returns its ``tts_notification_id`` (``None`` when no address)."""
        if not self.url:
            return None
        notification_id = uuid.uuid4().hex
        body = json.dumps({"type": type_, "tts_notification_id": notification_id,
                           "shop_id": shop_id, "timestamp": int(time.time()),
                           "data": data}, separators=(",", ":")).encode()
        self._start()
        self._queue.put(_Outgoing(body, notification_id, type_, shop_id,
                                  extra_copies=1 if duplicate else 0))
        return notification_id

    def log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(a) for a in self.attempts]

    def signature(self, body: bytes) -> str:
        return hmac.new(self.app_secret.encode(), self.app_key.encode() + body,
                        hashlib.sha256).hexdigest()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-webhooks",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        waiting: list[_Outgoing] = []
        with httpx.Client(timeout=ANSWER_TIMEOUT_S) as client:
            while True:
                now = time.monotonic()
                ready = [m for m in waiting if m.due <= now]
                waiting = [m for m in waiting if m.due > now]
                for message in ready:
                    waiting.extend(self._send(client, message))
                timeout = min((m.due for m in waiting), default=now + 3600) - time.monotonic()
                try:
                    item = self._queue.get(timeout=max(0.01, timeout))
                except queue.Empty:
                    continue
                if item is None:
                    return
                waiting.extend(self._send(client, item))

    def _send(self, client: httpx.Client, message: _Outgoing) -> list[_Outgoing]:
        """Deliver once; what is left to send (a retry, or the duplicate copy)."""
        url = self.url
        status: int | None = None
        error: str | None = None
        if url is None:
            return []
        try:
            response = client.post(url, content=message.body, headers={
                "Content-Type": "application/json", "Authorization": self.signature(message.body)})
            status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        with self._lock:
            self.attempts.append(Attempt(message.notification_id, message.type, message.shop_id,
                                         message.attempt, status, error, time.time()))
        if status is not None and 200 <= status < 300:
            if message.extra_copies:
                return [_Outgoing(message.body, message.notification_id, message.type,
                                  message.shop_id, message.attempt + 1, time.monotonic())]
            return []
        if message.attempt > len(self.retry_delays):
            return []
        delay = self.retry_delays[message.attempt - 1]
        return [_Outgoing(message.body, message.notification_id, message.type, message.shop_id,
                          message.attempt + 1, time.monotonic() + delay, message.extra_copies)]
