"""Whole-column cell parsers on numpy arrays of code points (or bytes): exact integers throughout.

Quantities and Seller Center's local times (``25/11/2026 14:03:59`` with a trailing tab) are read
by array arithmetic on the cells' characters; a time is turned into UTC as
``datetime.replace(tzinfo=zone)`` reads it (ambiguous and skipped local times included), one
``zoneinfo`` lookup per distinct hour. Any cell not in the common form is the caller's to hand to
the one-cell parsers of ``common`` (``arrow_cells`` does), so every cell means exactly what it
means there; a quantity those parsers reject raises ``CellError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from jobs.sources.csv.common import CellError, parse_int

#: Powers of ten up to the largest an int64 holds.
_POW10 = np.array([10**k for k in range(19)], dtype=np.int64)
_ZERO, _NINE = 48, 57
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


def seller_center_local(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local epoch seconds, which rows hold one) of rows of code points (or bytes) of cells
    in the form ``DD/MM/YYYY HH:MM:SS``, followed by nothing (0) or white space only."""
    digits = c[:, _TIME_DIGITS]
    common = np.asarray(((digits >= _ZERO) & (digits <= _NINE)).all(1))
    for at, char in _TIME_SEPARATORS.items():
        common &= c[:, at] == ord(char)
    common &= _any_of(c[:, 19:], _TRAILING_SPACE).all(1)
    local, valid = _local_seconds(c[:, :19].astype(np.int64) - _ZERO)
    return local, common & valid


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


def utc_of_local(local: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """UTC epoch seconds of local wall-clock epoch seconds in ``zone``, read as
    ``datetime.replace(tzinfo=zone)`` reads them (ambiguous and skipped times included)."""
    if len(local) == 0:
        return local
    utc: np.ndarray = local - _offsets(local, zone)
    return utc


__all__ = ["CellError", "quantities", "seller_center_local", "utc_of_local"]
