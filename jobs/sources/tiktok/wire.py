"""Small, strict converters from TikTok wire values to Python values.

Money arrives as decimal strings and becomes ``Decimal`` (never float); times arrive as unix
seconds and become timezone-aware UTC datetimes. A value of the wrong kind raises
``BadResponse`` naming the field, so a changed schema fails loudly instead of storing garbage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jobs.sources.errors import BadResponse

#: Ads metric placeholder meaning "no data" (not zero).
MISSING = "-"


def money(value: Any, field: str = "amount") -> Decimal | None:
    """A decimal string (or int) as ``Decimal``; empty/None/``"-"`` as ``None``."""
    if value is None or value == "" or value == MISSING:
        return None
    if isinstance(value, float | bool):
        raise BadResponse(f"{field}: expected a decimal string, got {value!r}")
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation as exc:
        raise BadResponse(f"{field}: expected a decimal string, got {value!r}") from exc


def money0(value: Any, field: str = "amount") -> Decimal:
    """Like ``money`` but a missing amount is zero (for order amounts TikTok omits when 0)."""
    return money(value, field) or Decimal(0)


def utc(value: Any, field: str = "time") -> datetime | None:
    """Unix seconds as an aware UTC datetime; 0/None/"" as ``None``."""
    if value in (None, "", 0, "0"):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadResponse(f"{field}: expected unix seconds, got {value!r}") from exc


def unix(moment: datetime) -> int:
    """An aware datetime as unix seconds; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}")
    return int(moment.timestamp())


def integer(value: Any, field: str = "count") -> int | None:
    """An integer or integer string; None/""/"-" as ``None``."""
    if value is None or value == "" or value == MISSING:
        return None
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise BadResponse(f"{field}: expected an integer, got {value!r}") from exc


def text(value: Any) -> str | None:
    """A string, or ``None`` for missing/empty."""
    if value is None or value == "":
        return None
    return str(value)


def obj(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object; missing means empty, any other type is a schema change."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadResponse(f"{key}: expected an object, got {type(value).__name__}")
    return value


def items(parent: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """A list of objects; missing means empty, any other type is a schema change."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise BadResponse(f"{key}: expected a list of objects")
    return value


def required(parent: Mapping[str, Any], key: str) -> Any:
    """A field that must be present."""
    if key not in parent or parent[key] is None:
        raise BadResponse(f"missing field {key!r}")
    return parent[key]


def amount_of(parent: Mapping[str, Any], key: str) -> tuple[Decimal | None, str | None]:
    """A ``{amount, currency}`` money object as (amount, currency)."""
    value = obj(parent, key)
    return money(value.get("amount"), key), text(value.get("currency"))
