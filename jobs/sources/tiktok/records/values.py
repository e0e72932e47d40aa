"""Wire readers the record families share: a time that must be present, and an amount that may
come with its currency.

Kept in one place so every family (and ``extra_records``) reads these values the same way; the
single-value converters they build on live in ``wire``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from jobs.sources.errors import BadResponse
from jobs.sources.tiktok import wire as w


def _amount_and_currency(value: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(value, list):  # some versions return one entry per currency
        value = value[0] if value else None
    if isinstance(value, Mapping):
        return w.money(value.get("amount")), w.text(value.get("currency"))
    return w.money(value), None


def _amount_or_value(value: Any) -> Decimal | None:
    return _amount_and_currency(value)[0]


def _required_time(data: Mapping[str, Any], key: str) -> datetime:
    moment = w.utc(w.required(data, key), key)
    if moment is None:
        raise BadResponse(f"{key}: empty time")
    return moment
