"""Secrets never reach a log line: every record is redacted as it is made.

``install_redaction`` wraps the logging record factory, so the message of every record (ours,
httpx's, slack_sdk's, python-telegram-bot's, RQ's), with its arguments and any exception text, is
formatted once and scrubbed before any handler sees it:

- by shape: ``app_secret=``, ``secret=``, ``access_token=``, ``refresh_token=``, ``auth_code=``
  anywhere, ``code``, ``sign``, ``token``, ``state`` and ``key`` as URL parameters, the first
  keys in JSON,
  ``Authorization`` and
  ``Access-Token`` headers, Slack tokens (``xoxb-...``, ``xapp-...``) and Telegram bot tokens in
  API paths (``/bot123:ABC/``);
- by value: every secret the process reads through ``Settings.secret`` and every token it
  decrypts is registered with ``register_secret`` and replaced wherever it appears.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "***"
#: Shortest value registered by value (shorter ones would mask ordinary words).
MIN_SECRET_LENGTH = 8

_KEYS = r"(?:app_secret|client_secret|secret|access_token|refresh_token|auth_code)"
#: Keys masked only as URL query parameters (elsewhere ``code=40100`` is a useful error code);
#: ``key`` is a WeCom robot's webhook key.
_URL_KEYS = r"(?:code|sign|token|state|key)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?i)\b({_KEYS})=([^&\s\"'<>]+)"), rf"\1={MASK}"),
    (re.compile(rf"(?i)([?&]{_URL_KEYS})=([^&\s\"'<>]+)"), rf"\1={MASK}"),
    (re.compile(rf"(?i)([\"']{_KEYS}[\"']\s*:\s*[\"'])([^\"']+)"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(authorization|access-token|x-telegram-bot-api-secret-token)"
                r"(\s*[:=]\s*)(bearer\s+)?([^\s,;\"']+)"), rf"\1\2\3{MASK}"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+"), MASK),
    (re.compile(r"/bot\d+:[A-Za-z0-9_-]+"), f"/bot{MASK}"),
)

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def register_secret(value: str | None) -> None:
    """Redact ``value`` wherever it appears in a log line from now on."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every known secret and secret-shaped value masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


def install_redaction() -> None:
    """Redact every log record of this process (idempotent; forked workers inherit it)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it was given
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)
