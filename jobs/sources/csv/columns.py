"""Whole-column cell parsers for large CSV imports: numpy over a column, exact integers throughout.

A column is read in its common form (``THB 1,234.50``; ``25/11/2026 14:03:59`` with a trailing tab)
by array arithmetic on the cells' code points; any cell not in that form is handed to the one-cell
parsers of ``csv_common``, so every cell means exactly what it means there. A cell those parsers
reject raises ``CellError``: the caller then lets the row-by-row reader report the file. Given the
account's currency, a money column is held to ``common.parse_amount``'s rules too (a mark of
another currency, or a negative amount, is a ``CellError``), checked once per distinct mark.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from jobs.sources.csv.common import (
    CellError,
    currency_mark,
    mark_fits,
    parse_amount,
    parse_int,
    parse_money,
    parse_time,
)
from jobs.warehouse.types import MONEY_SCALE, to_money_units

#: Powers of ten up to the largest an int64 holds.
_POW10 = np.array([10**k for k in range(19)], dtype=np.int64)
#: Longest digit string read column-wise (larger amounts go through ``parse_money``).
_MAX_DIGITS = 15
_ZERO, _NINE, _DOT, _COMMA = 48, 57, 46, 44
_NOT_PREFIX = np.array([ord(c) for c in "-+(.,"], dtype=np.uint32)
_EPOCH = datetime(1970, 1, 1)
_HOUR = timedelta(minutes=59, seconds=59)
#: Positions of separators in ``DD/MM/YYYY HH:MM:SS``; every other position is a digit.
_TIME_SEPARATORS = {2: "/", 5: "/", 10: " ", 13: ":", 16: ":"}
_TIME_DIGITS = [i for i in range(19) if i not in _TIME_SEPARATORS]
_TRAILING_SPACE = np.array([0, 9, 10, 13, 32], dtype=np.uint32)


def _code_points(cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n x width uint32 code points, zero padded; length of each cell)."""
    array = np.array(cells, dtype=str)
    width = max(array.dtype.itemsize // 4, 1)
    points = array.view(np.uint32).reshape(len(cells), width)
    return points, np.char.str_len(array)


def quantities(cells: Sequence[str]) -> np.ndarray:
    """Whole numbers of at least 1 (``"3"``, ``"1,000"``); ``CellError`` on any other cell."""
    c, length = _code_points(cells)
    digit = (c >= _ZERO) & (c <= _NINE)
    width = np.arange(c.shape[1])
    common = (digit | (width >= length[:, None])).all(1) & (length >= 1) & (length <= 18)
    place = np.where(digit, length[:, None] - 1 - width, 0)
    values: np.ndarray = np.where(digit, (c.astype(np.int64) - _ZERO) * _POW10[place], 0).sum(1)
    for i in np.flatnonzero(~common | (values < 1)):
        raw = cells[int(i)]
        value = int(raw) if raw.isdigit() else parse_int(raw)
        if value is None or value < 1:
            raise CellError("a quantity of at least 1")
        values[i] = value
    return values


def _each_distinct(parse: Callable[[list[str]], tuple[np.ndarray, np.ndarray]]
                   ) -> Callable[[Sequence[str]], tuple[np.ndarray, np.ndarray]]:
    """Run ``parse`` on a column's distinct cells only (amounts and times repeat a lot)."""

    def parse_column(cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        codes, distinct = pd.factorize(np.array(cells, dtype=object))
        values, missing = parse(distinct.tolist())
        return values[codes], missing[codes]

    return parse_column


def money_units(cells: Sequence[str], exponent: int, currency: str | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(integer money units, missing mask) of a money column; ``CellError`` on a bad cell, and,
    given ``currency``, on an amount in another currency or below zero."""
    def parse(distinct: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return _money_units(distinct, exponent, currency)

    return _each_distinct(parse)(cells)


def utc_seconds(cells: Sequence[str], zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """(UTC epoch seconds, missing mask) of a column of local times; ``CellError`` if bad."""
    def parse(distinct: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return _utc_seconds(distinct, zone)

    return _each_distinct(parse)(cells)


def _money_units(cells: Sequence[str], exponent: int, currency: str | None
                 ) -> tuple[np.ndarray, np.ndarray]:
    n = len(cells)
    units, missing = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if n == 0:
        return units, missing
    c, length = _code_points(cells)
    pos = np.arange(c.shape[1])
    digit = (c >= _ZERO) & (c <= _NINE)
    first = digit.argmax(1)
    inside = (pos >= first[:, None]) & (pos < length[:, None])
    dot, comma = (c == _DOT) & inside, (c == _COMMA) & inside
    dots, last = dot.sum(1), np.take_along_axis(c, np.maximum(length - 1, 0)[:, None], 1)[:, 0]
    dot_at = np.where(dots == 1, dot.argmax(1), length)
    fraction = length - 1 - dot_at
    digits = digit.sum(1)
    common = (
        digit.any(1) & (dots <= 1) & ((c[:, :] != 0).sum(1) == length)
        & ~((pos < first[:, None]) & _any_of(c, _NOT_PREFIX)).any(1)
        & ~(inside & ~digit & ~dot & ~comma).any(1)
        & (last >= _ZERO) & (last <= _NINE) & (digits <= _MAX_DIGITS)
        & ~(comma & (pos >= dot_at[:, None])).any(1)  # commas only before a decimal point
        & ((dots == 1) | ~comma.any(1))  # "1,234" alone: thousands or decimals, see parse_money
        & (fraction <= MONEY_SCALE) & ~((dots == 1) & (fraction == 3) & (exponent == 0))
    )
    fraction = np.where(dots == 1, fraction, 0)
    place = np.where(digit, digits[:, None] - np.cumsum(digit, 1), 0)
    value = np.where(digit & common[:, None], (c.astype(np.int64) - _ZERO) * _POW10[place], 0)
    units = value.sum(1) * _POW10[MONEY_SCALE - np.minimum(fraction, MONEY_SCALE)]
    missing = length == 0
    if currency is not None:
        _check_marks(c, first, common & (first > 0), currency)
    for i in np.flatnonzero(~common & ~missing):
        raw = cells[int(i)]
        amount = parse_money(raw, exponent) if currency is None else \
            parse_amount(raw, exponent, currency)
        missing[i] = amount is None
        units[i] = 0 if amount is None else to_money_units(amount)
    units[missing] = 0
    return units, missing


def _check_marks(c: np.ndarray, first: np.ndarray, marked: np.ndarray, currency: str) -> None:
    """``CellError`` if a cell in ``marked`` carries another currency's mark before its digits."""
    rows = np.flatnonzero(marked)
    if len(rows) == 0:
        return
    width = c.shape[1]
    prefix = np.where(np.arange(width) < first[rows, None], c[rows], 0).astype(np.uint32)
    for mark in np.unique(np.ascontiguousarray(prefix).view(f"<U{width}").ravel()).tolist():
        if not mark_fits(currency_mark(mark), currency):
            raise CellError(f"an amount in {currency}, the account's currency")


def _utc_seconds(cells: Sequence[str], zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    n = len(cells)
    seconds, missing = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if n == 0:
        return seconds, missing
    c, _ = _code_points(cells)
    common: np.ndarray = np.zeros(n, dtype=bool)
    if c.shape[1] >= 19:
        digits = c[:, _TIME_DIGITS]
        common = np.asarray(((digits >= _ZERO) & (digits <= _NINE)).all(1))
        for at, char in _TIME_SEPARATORS.items():
            common &= c[:, at] == ord(char)
        common &= _any_of(c[:, 19:], _TRAILING_SPACE).all(1)
        local, valid = _local_seconds(c[:, :19].astype(np.int64) - _ZERO)
        common &= valid
        seconds = np.where(common, local - _offsets(np.where(common, local, 0), zone), 0)
    empty = c[:, 0] == 0
    missing[empty] = True
    for i in np.flatnonzero(~common & ~empty):
        moment = parse_time(cells[int(i)], zone)
        missing[i] = moment is None
        seconds[i] = 0 if moment is None else int(moment.timestamp())
    return seconds, missing


def _any_of(c: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Which code points in ``c`` are one of ``points``."""
    hit: np.ndarray = c == points[0]
    for point in points[1:]:
        hit |= c == point
    return hit


def _local_seconds(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since 1970 of ``DD/MM/YYYY HH:MM:SS`` digit rows, and which are real times."""
    day, month = d[:, 0] * 10 + d[:, 1], d[:, 3] * 10 + d[:, 4]
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    hour, minute, second = (d[:, i] * 10 + d[:, i + 1] for i in (11, 14, 17))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last_day = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    valid = ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last_day)
             & (hour < 24) & (minute < 60) & (second < 60))
    y = year - (month <= 2)  # days from the civil date (proleptic Gregorian)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second, valid


def _offsets(local: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """UTC offset in seconds of each local time, as ``datetime.replace(tzinfo=zone)`` reads it."""
    hours, where = np.unique(local // 3600, return_inverse=True)
    per_hour = np.zeros(len(hours), dtype=np.int64)
    uneven = np.zeros(len(hours), dtype=bool)
    for k, hour in enumerate(hours.tolist()):
        start = _EPOCH + timedelta(hours=hour)
        first, last = zone.utcoffset(start), zone.utcoffset(start + _HOUR)
        per_hour[k] = int(first.total_seconds()) if first is not None else 0
        uneven[k] = first != last
    offsets = per_hour[where.reshape(-1)]
    for i in np.flatnonzero(uneven[where.reshape(-1)]):  # a change of offset inside the hour
        moment = _EPOCH + timedelta(seconds=int(local[i]))
        shift = zone.utcoffset(moment)
        offsets[i] = int(shift.total_seconds()) if shift is not None else 0
    return offsets


def storage_times(seconds: np.ndarray, missing: np.ndarray, dialect: str) -> list[str]:
    """Times as the warehouse stores them, ``""`` where missing (see ``jobs.warehouse.bulk``)."""
    if len(seconds) == 0:
        return []
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="us")
    text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    if dialect != "sqlite":
        text = np.char.add(text, "+00:00")
    text[missing] = ""
    return text.tolist()  # type: ignore[no-any-return]


def as_datetime(seconds: int) -> datetime:
    """An aware UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


__all__ = ["CellError", "as_datetime", "money_units", "quantities", "storage_times",
           "utc_seconds"]
