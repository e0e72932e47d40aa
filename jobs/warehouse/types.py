"""Column types that keep money exact and time zone-aware on both SQLite and PostgreSQL.

- ``Money``: a ``Decimal`` in Python, stored as an integer count of ten-thousandths
  (``MONEY_SCALE``), so sums are exact in SQL on both databases and load into pandas as int64.
- ``Rate``: an FX rate, a ``Decimal`` stored as its exact decimal string.
- ``UTCDateTime``: an aware ``datetime`` in Python, stored in UTC; naive input is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Money columns hold integer units of 10**-MONEY_SCALE of the row's currency.
MONEY_SCALE = 4
MONEY_FACTOR = 10**MONEY_SCALE
_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


def to_money_units(value: Decimal | int | str) -> int:
    """Exact integer units for a money amount; floats are refused because they are not exact."""
    if isinstance(value, float):
        raise TypeError(f"money must be Decimal, int or str, not float ({value!r})")
    amount = Decimal(value).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    return int(amount.scaleb(MONEY_SCALE))


def from_money_units(units: int) -> Decimal:
    """The ``Decimal`` amount for integer money units."""
    return Decimal(int(units)).scaleb(-MONEY_SCALE)


class Money(TypeDecorator[Decimal]):
    """An exact amount of money (its currency lives in a sibling column)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else to_money_units(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_money_units(value)


class Rate(TypeDecorator[Decimal]):
    """An exact decimal ratio such as an FX rate."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"rates must be Decimal or str, not float ({value!r})")
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, stored in UTC, always returned time zone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must be time zone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
