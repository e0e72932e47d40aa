"""Exact money and safe ratios: the two number rules every analytics module follows.

Inputs: money as int64 counts of ``10**-MONEY_SCALE`` of a currency (how the warehouse loads it).
Outputs: ``Decimal`` amounts for small results, and ratios as ``float`` or ``None`` when the
denominator is zero or missing (a ROAS with no spend is "not computable", never 0 or infinity).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

__all__ = [
    "MONEY_QUANTUM", "MONEY_SCALE", "decimal_to_units", "money_ratio", "quantize", "ratio",
    "units_to_decimal",
]


#: Money columns hold integer units of 10**-MONEY_SCALE (same as jobs.warehouse.types).
MONEY_SCALE = 4
#: Quantum that converted and divided money is rounded to (half-even, like the warehouse).
MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


def units_to_decimal(units: Any) -> Decimal:
    """The exact ``Decimal`` amount for integer money units (numpy ints accepted)."""
    return Decimal(int(units)).scaleb(-MONEY_SCALE)


def decimal_to_units(amount: Decimal) -> int:
    """Integer money units for a ``Decimal`` amount, rounded half-even to the quantum."""
    return int(amount.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN).scaleb(MONEY_SCALE))


def quantize(amount: Decimal) -> Decimal:
    """Round a computed amount (a conversion or a division) to the money quantum, half-even."""
    return amount.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)


def ratio(
    numerator: Decimal | float | int | None, denominator: Decimal | float | int | None
) -> float | None:
    """``numerator / denominator`` as a float; ``None`` if either is missing or the divisor is 0."""
    if numerator is None or denominator is None:
        return None
    if denominator == 0:
        return None
    return float(Decimal(str(numerator)) / Decimal(str(denominator)))


def money_ratio(numerator: Decimal | None, denominator: int | Decimal | None) -> Decimal | None:
    """A money amount per something (AOV, CPC, CPA), quantized; ``None`` when not computable."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return quantize(numerator / Decimal(denominator))
