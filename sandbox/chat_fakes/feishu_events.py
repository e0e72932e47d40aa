"""What Feishu posts to an app's event subscription, for the fakes, the tests and the demo.

``event_body`` builds an ``im.message.receive_v1`` event (schema 2.0) as Feishu sends it, both to
an HTTP callback and over the long connection (``sandbox.chat_fakes.feishu_ws``); ``encrypt`` and
``signature`` make the encrypted, signed form an app with an Encrypt Key receives.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

APP_ID = "cli_tikpulse_test"
BOT_OPEN_ID = "ou_tikpulsebot0001"

def event_body(text: str, *, chat_id: str, sender: str, chat_type: str = "group",
               mention_bot: bool = True, event_id: str | None = None, token: str = "",
               message_id: str | None = None, root_id: str | None = None,
               app_id: str = APP_ID) -> dict[str, Any]:
    """An ``im.message.receive_v1`` event (schema 2.0) as Feishu posts it; with ``mention_bot``
    the text starts with the bot's ``@_user_1`` placeholder."""
    content = f"@_user_1 {text}" if mention_bot else text
    mentions = [{"key": "@_user_1", "id": {"open_id": BOT_OPEN_ID, "union_id": "on_bot",
                                            "user_id": None}, "name": "TikPulse",
                 "tenant_key": "tk_test"}] if mention_bot else []
    ms = int(time.time() * 1000)
    return {"schema": "2.0", "header": {
        "event_id": event_id or os.urandom(16).hex(), "event_type": "im.message.receive_v1",
        "create_time": str(ms), "token": token, "app_id": app_id, "tenant_key": "tk_test"},
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
