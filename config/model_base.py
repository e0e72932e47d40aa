"""The base of every tenants-file model, and the field checks more than one of those modules share.

Kept apart so ``config.tenants``, ``config.schedules`` and ``config.chat_bindings`` can all import
them without importing each other.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _check_currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValueError(f"currency {value!r} is not an ISO 4217 code such as USD, GBP or THB")
    return value
