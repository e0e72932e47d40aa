"""Whole-column cell parsers over Arrow string arrays: the cells of a big export, typed in bulk.

Each means exactly what the one-cell parsers of ``common`` mean, cell for cell. Amounts in the
common form (a currency mark, digits with thousands commas, a decimal point) are cast by Arrow
as exact decimals, their marks checked once per distinct mark; quantities are parsed once per
distinct cell (``columns.quantities``); times in Seller Center's ``DD/MM/YYYY HH:mm:ss`` form
are read digit by digit from the cells' bytes (``columns.seller_center_local``, which refuses
``31/02``), and stored times are written the same way, digits into bytes. Any other cell goes
through ``common.parse_amount`` / ``parse_time``; a cell they reject raises ``CellError``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jobs.sources.csv.columns import (
    CellError,
    quantities,
    seller_center_local,
    utc_of_local,
)
from jobs.sources.csv.common import (
    EXCEL_NUMBER,
    currency_mark,
    mark_fits,
    parse_amount,
    parse_time,
)
from jobs.warehouse.types import MONEY_SCALE, to_money_units

#: An amount in the common form: a mark (no sign), up to 14 digits (thousands commas allowed),
#: up to 4 decimals; with 3 decimals only where the currency has minor units (else ``120.000``
#: is a hundred and twenty thousand, ``common.parse_money`` decides).
_MONEY_FORM = {
    False: r"^[^\d\-+(.,]*(\d{1,3}(,\d{3}){1,4}|\d{1,14})(\.\d{1,4})?$",
    True: r"^[^\d\-+(.,]*(\d{1,3}(,\d{3}){1,4}|\d{1,14})(\.(\d{1,2}|\d{4}))?$",
}
#: Cells that mean "no amount".
_NO_AMOUNT = pa.array(["", "-", "--"])
#: The characters after a common-form amount's mark.
_NUMBER = "0123456789,."

__all__ = ["CellError", "blank_is_null", "excel_numbers", "money", "quantity", "storage_text",
           "stripped", "utc_times"]


def _distinct(cells: pa.Array) -> tuple[list[str], np.ndarray]:
    """(distinct cells, index of each cell among them)."""
    encoded = pc.dictionary_encode(cells)
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)


def money(cells: pa.Array, exponent: int, currency: str) -> tuple[np.ndarray, np.ndarray]:
    """(integer money units, missing mask); ``CellError`` on a bad cell, an amount in another
    currency than ``currency`` or one below zero (``common.parse_amount``'s rules).

    Cells in the common form (a currency mark, digits with thousands commas, a decimal point)
    are cast by Arrow as decimals; any other goes through ``common.parse_amount``.
    """
    text = pc.utf8_trim_whitespace(cells)
    common = pc.match_substring_regex(text, _MONEY_FORM[exponent == 0])
    missing = pc.is_in(text, value_set=_NO_AMOUNT).to_numpy(zero_copy_only=False)
    units = np.zeros(len(text), dtype=np.int64)
    if pc.any(common).as_py():
        marks = pc.unique(pc.filter(pc.utf8_rtrim(text, characters=_NUMBER), common)).to_pylist()
        for mark in marks:
            if not mark_fits(currency_mark(mark), currency):
                raise CellError(f"an amount in {currency}, the account's currency")
        chars = "".join(sorted(set("".join(marks))))
        body = pc.utf8_ltrim(text, characters=chars) if chars else text
        body = pc.if_else(common, pc.replace_substring(body, ",", ""), "0")
        exact = body.cast(pa.decimal128(18, MONEY_SCALE))
        units = np.frombuffer(exact.buffers()[1], dtype=np.int64)[:2 * len(text):2].copy()
    for i in np.flatnonzero(~common.to_numpy(zero_copy_only=False) & ~missing).tolist():
        amount = parse_amount(text[i].as_py(), exponent, currency)
        missing[i] = amount is None
        units[i] = 0 if amount is None else to_money_units(amount)
    return units, missing


def quantity(cells: pa.Array) -> np.ndarray:
    """Whole numbers of at least 1 (``"3"``, ``"1,000"``); ``CellError`` on any other cell."""
    distinct, where = _distinct(cells)
    values: np.ndarray = quantities(distinct)[where]
    return values


def utc_times(cells: pa.Array, zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """(UTC epoch seconds, missing mask) of a column of local times in ``zone``: Seller
    Center's form straight from the cells' bytes, any other through ``common.parse_time``."""
    n = len(cells)
    offsets, data = _buffers(cells)
    length = np.diff(offsets)
    fits = np.flatnonzero((length >= 19) & (length <= 20))
    common = np.zeros(n, dtype=bool)
    local = np.zeros(n, dtype=np.int64)
    if len(fits):
        at = offsets[fits][:, None] + np.arange(20)
        codes = data[np.minimum(at, len(data) - 1)]
        codes[:, 19] = np.where(length[fits] == 20, codes[:, 19], 0)
        local[fits], common[fits] = seller_center_local(codes)
    seconds = np.where(common, utc_of_local(np.where(common, local, 0), zone), 0)
    missing = length == 0
    for i in np.flatnonzero(~common & ~missing).tolist():
        moment = parse_time(cells[i].as_py(), zone)
        if moment is None:
            missing[i] = True
        else:
            seconds[i] = int(moment.timestamp())
    return seconds, missing


def _buffers(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of a string array without nulls."""
    cells = cells.cast(pa.string())
    offsets = np.frombuffer(cells.buffers()[1], dtype=np.int32)[
        cells.offset:cells.offset + len(cells) + 1]
    data = cells.buffers()[2]
    return offsets, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(
        0, np.uint8)


def storage_text(seconds: np.ndarray, missing: np.ndarray, dialect: str) -> pa.Array:
    """UTC epoch seconds as the warehouse stores times (SQLAlchemy's SQLite text form; with
    ``+00:00`` for PostgreSQL), null where missing: digits written straight into the bytes."""
    layout = b"0000-00-00 00:00:00.000000" + (b"" if dialect == "sqlite" else b"+00:00")
    n, width = len(seconds), len(layout)
    days, rest = np.divmod(seconds.astype(np.int64), 86400)
    year, month, day = _civil(days)
    out = np.tile(np.frombuffer(layout, np.uint8), (n, 1))
    for at, value, digits in ((0, year, 4), (5, month, 2), (8, day, 2), (11, rest // 3600, 2),
                              (14, rest // 60 % 60, 2), (17, rest % 60, 2)):
        for k in range(digits):
            out[:, at + k] = 48 + value // 10 ** (digits - 1 - k) % 10
    offsets = np.arange(n + 1, dtype=np.int32) * width
    valid = np.packbits(~missing, bitorder="little") if missing.any() else None
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.tobytes()),
                                       None if valid is None else pa.py_buffer(valid))


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01 (proleptic Gregorian)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = mp + np.where(mp < 10, 3, -9)
    return yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1


def stripped(cells: pa.Array, longest: int | None = None) -> pa.Array:
    """Cells without surrounding white space (cut to ``longest`` characters), ``""`` as null."""
    text = pc.utf8_trim_whitespace(cells)
    if longest is not None:
        text = pc.utf8_slice_codeunits(text, 0, longest)
    return blank_is_null(text)


def blank_is_null(cells: pa.Array) -> pa.Array:
    """``""`` as null (the warehouse stores an empty optional cell as NULL)."""
    return pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)


def excel_numbers(cells: pa.Array) -> bool:
    """Whether an id column holds a number in scientific notation (``7.49E+18``)."""
    if not pc.any(pc.match_substring(cells, "+")).as_py():
        return False
    pattern = EXCEL_NUMBER.pattern
    return bool(pc.any(pc.match_substring_regex(cells, pattern)).as_py())
