"""Exact money and safe ratios: the two number rules every analytics module follows.

Inputs: money as int64 counts of ``10**-MONEY_SCALE`` of a currency (how the warehouse loads it).
Outputs: ``Decimal`` amounts for small results, and ratios as ``float`` or ``None`` when the
denominator is zero or missing (a ROAS with no spend is "not computable", never 0 or infinity).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any

__all__ = [
    "MONEY_QUANTUM", "MONEY_SCALE", "add_scaled", "decimal_to_units", "money_ratio", "quantize",
    "ratio", "scaled_rate", "units_to_decimal",
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
    return int(amount.quantize(MONEY_QUANTUM, ROUND_HALF_EVEN).scaleb(MONEY_SCALE))


def quantize(amount: Decimal) -> Decimal:
    """Round a computed amount (a conversion or a division) to the money quantum, half-even."""
    return amount.quantize(MONEY_QUANTUM, ROUND_HALF_EVEN)


@lru_cache(maxsize=4096)
def scaled_rate(rate: Decimal | str) -> tuple[int, int]:
    """A rate (or its decimal text) as ``(coefficient, digits)``, exactly ``coefficient /
    10**digits``: money times a rate then adds up in Python integers."""
    sign, figures, exponent = Decimal(rate).as_tuple()
    coefficient = int("".join(map(str, figures))) * (-1 if sign else 1)
    if not isinstance(exponent, int):
        raise ValueError(f"rate {rate!r} is not a finite number")
    return (coefficient * 10**exponent, 0) if exponent >= 0 else (coefficient, -exponent)


def add_scaled(totals: dict[str, list[int]], metric: str, units: int, coefficient: int,
               digits: int) -> None:
    """Add ``units`` times a rate (``scaled_rate``'s ``coefficient / 10**digits``) to the
    metric's ``[integer, digits]`` in ``totals``: one integer per metric, at the most digits
    any of its rates has (an exact sum, the one ``exact_totals`` makes one ``Decimal`` of)."""
    found = totals.get(metric)
    if found is None:
        totals[metric] = [units * coefficient, digits]
    elif found[1] == digits:
        found[0] += units * coefficient
    elif found[1] > digits:
        found[0] += units * coefficient * 10 ** (found[1] - digits)
    else:
        found[0] = found[0] * 10 ** (digits - found[1]) + units * coefficient
        found[1] = digits


def ratio(
    numerator: Decimal | float | int | None, denominator: Decimal | float | int | None
) -> float | None:
    """``numerator / denominator`` as a float; ``None`` if either is missing or the divisor is 0."""
    if numerator is None or denominator is None:
        return None
    if type(numerator) is Decimal and type(denominator) is Decimal:  # the KPIs' own case
        return float(numerator / denominator) if denominator else None
    if denominator == 0:
        return None
    return float(_exact(numerator) / _exact(denominator))


def _exact(value: Decimal | float | int) -> Decimal:
    """``value`` as a ``Decimal``: as is, an int exactly, anything else (a float, a numpy
    number) by its shortest text (0.1 is 0.1, not its binary expansion)."""
    if type(value) is Decimal:
        return value
    return Decimal(value) if isinstance(value, int) else Decimal(str(value))


def money_ratio(numerator: Decimal | None, denominator: int | Decimal | None) -> Decimal | None:
    """A money amount per something (AOV, CPC, CPA), quantized; ``None`` when not computable."""
    if numerator is None or not denominator:  # None or 0
        return None
    return (numerator / (denominator if type(denominator) is Decimal
                         else Decimal(denominator))).quantize(MONEY_QUANTUM, ROUND_HALF_EVEN)
