"""Markets the sandbox can simulate: currency, time zone and the economics that differ per region.

Every amount is in the currency's minor units (cents, satang, sen; whole dong and rupiah), so the
generator can stay in int64 numpy arrays and the wire can print exact decimal strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Region:
    """One TikTok Shop market and the typical shape of its money, shipping, tax and ad prices."""

    code: str
    currency: str
    timezone: str
    exponent: int  # decimal places of the currency on the wire
    price_range: tuple[int, int]  # typical SKU list price, minor units (min, max)
    shipping_fee: int  # flat buyer shipping fee, minor units
    free_shipping_over: int  # sub_total at or above which shipping is free
    tax_rate: Decimal  # sales tax charged on top of sub_total (US only)
    cpm: int  # typical cost per 1000 impressions, minor units
    ctr: float  # typical click-through rate of shop ads
    cvr: float  # typical click-to-purchase rate of shop ads
    payday: int | None  # day of month with a payday sales bump (SEA markets)


REGIONS: dict[str, Region] = {
    "GB": Region(
        "GB",
        "GBP",
        "Europe/London",
        2,
        (499, 5999),
        299,
        1500,
        Decimal("0"),
        420,
        0.011,
        0.021,
        None,
    ),
    "US": Region(
        "US",
        "USD",
        "America/Los_Angeles",
        2,
        (799, 7999),
        499,
        3500,
        Decimal("0.0825"),
        650,
        0.010,
        0.019,
        None,
    ),
    "TH": Region(
        "TH",
        "THB",
        "Asia/Bangkok",
        2,
        (9900, 149000),
        3900,
        50000,
        Decimal("0"),
        4500,
        0.016,
        0.028,
        25,
    ),
    "MY": Region(
        "MY",
        "MYR",
        "Asia/Kuala_Lumpur",
        2,
        (1590, 19900),
        490,
        5000,
        Decimal("0"),
        900,
        0.015,
        0.026,
        25,
    ),
    "VN": Region(
        "VN",
        "VND",
        "Asia/Ho_Chi_Minh",
        0,
        (49000, 890000),
        25000,
        300000,
        Decimal("0"),
        30000,
        0.018,
        0.030,
        25,
    ),
    "ID": Region(
        "ID",
        "IDR",
        "Asia/Jakarta",
        0,
        (29000, 590000),
        15000,
        200000,
        Decimal("0"),
        22000,
        0.017,
        0.029,
        25,
    ),
}

#: Regions of shop number 0, 1, 2, ... (cycled); the 3-shop demo is GB, US, TH.
REGION_CYCLE: tuple[str, ...] = ("GB", "US", "TH", "MY", "VN", "ID")


def to_decimal(minor: int, exponent: int) -> Decimal:
    """An integer amount in minor units as an exact ``Decimal`` with the currency's places."""
    return Decimal(int(minor)).scaleb(-exponent)


def money_str(minor: int, exponent: int) -> str:
    """The wire form of an amount: a decimal string such as ``"12.34"`` (``"1500"`` for VND)."""
    value = int(minor)
    if exponent == 0:
        return str(value)
    whole, part = divmod(abs(value), 10**exponent)
    return f"{'-' if value < 0 else ''}{whole}.{part:0{exponent}d}"
    return str(to_decimal(minor, exponent))


#: Fixed reference FX rates to USD for ``currency=USD`` analytics (not live rates).
USD_PER_UNIT: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "GBP": Decimal("1.27"),
    "THB": Decimal("0.028"),
    "MYR": Decimal("0.22"),
    "VND": Decimal("0.000040"),
    "IDR": Decimal("0.000063"),
}
