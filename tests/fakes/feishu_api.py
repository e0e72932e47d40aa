"""The fake Feishu/Lark Open API (HTTP and the SDK's long connection) and what Feishu posts to an
event subscription: they live in ``sandbox.chat_fakes`` so ``tikpulse demo --chat feishu`` can
run them too; the tests import them from here."""

from sandbox.chat_fakes.feishu import APP_PER_S, APP_SECRET, CHAT_PER_S, FakeFeishu, FeishuMessage
from sandbox.chat_fakes.feishu_content import (
    CARD_MAX_BYTES,
    FILE_MAX_BYTES,
    IMAGE_MAX_BYTES,
    Upload,
)
from sandbox.chat_fakes.feishu_events import (
    APP_ID,
    BOT_OPEN_ID,
    SIGNATURE_HEADERS,
    encrypt,
    event_body,
    signature,
)

__all__ = ["APP_ID", "APP_PER_S", "APP_SECRET", "BOT_OPEN_ID", "CARD_MAX_BYTES", "CHAT_PER_S",
           "FILE_MAX_BYTES", "IMAGE_MAX_BYTES", "SIGNATURE_HEADERS", "FakeFeishu",
           "FeishuMessage", "Upload", "encrypt", "event_body", "signature"]
