"""Which chats a tenant is bound to (Slack, Telegram, Feishu, WeCom), and who administers each."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator

from config.logs import register_secret
from config.model_base import _Strict


class SlackBinding(_Strict):
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{6,}$")
    admins: tuple[str, ...] = ()


class TelegramBinding(_Strict):
    chat: int
    admins: tuple[int, ...] = ()


class FeishuBinding(_Strict):
    """A Feishu/Lark group (or direct chat) by chat id; admins by open_id."""

    chat: str = Field(pattern=r"^oc_[A-Za-z0-9_-]{6,}$")
    admins: tuple[Annotated[str, Field(pattern=r"^ou_[A-Za-z0-9_-]{6,}$")], ...] = ()


#: How an encrypted WeCom robot key starts in the tenants file (``tikpulse chats encrypt-key``).
ENCRYPTED_KEY_PREFIX = "enc:"


class WeComBinding(_Strict):
    """A WeCom group robot: a name (its channel id in TikPulse) and its webhook key, stored
    encrypted (``enc:...``); the key is a secret: never logged, masked when shown."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    key: SecretStr
    admins: tuple[str, ...] = ()  # WeCom user ids, mentioned in alerts

    @field_validator("key")
    @classmethod
    def _encrypted(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        register_secret(raw)  # even a plain key pasted by mistake never reaches a log line
        if not raw.startswith(ENCRYPTED_KEY_PREFIX):
            raise ValueError("the WeCom robot key is in plain text; the tenants file keeps it "
                             "encrypted")
        return SecretStr(raw)


class Chats(_Strict):
    slack: tuple[SlackBinding, ...] = ()
    telegram: tuple[TelegramBinding, ...] = ()
    feishu: tuple[FeishuBinding, ...] = ()
    wecom: tuple[WeComBinding, ...] = ()
