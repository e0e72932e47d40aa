"""What both CSV importers share: tolerant header matching, cell parsers and problem reports.

Headers are matched after normalising (lower case, only letters and digits), so ``"Order ID"``,
``"order_id"`` and ``"ORDER ID "`` are the same column. Cells are parsed strictly; every bad cell
becomes a ``Problem`` (row, column, value, expected) instead of an exception, so a file is checked
completely and either imported whole or not at all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

#: Problems listed in a report before the importer stops collecting more.
MAX_PROBLEMS = 50
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CURRENCY_PREFIX = re.compile(r"^[^\d\-+(.,]*")
_CURRENCY_SUFFIX = re.compile(r"[^\d)]*$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
#: Accepted timestamp layouts (Seller Center writes the first, with a trailing tab).
TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d %H:%M:%S")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where, what was found, and what was expected."""

    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return (f"row {self.row}, column {self.column!r}: got {self.value!r}, "
                f"expected {self.expected}")


class BadFile(ValueError):
    """The file cannot be imported; nothing was written. ``problems`` says why."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.problems = problems
        more = "" if len(problems) < MAX_PROBLEMS else f"\n  (stopped after {MAX_PROBLEMS})"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s), nothing imported:\n{lines}{more}")


class CellError(ValueError):
    """A cell could not be parsed; ``expected`` describes the accepted form."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def normalise(header: str) -> str:
    """Header text as a matching key: ``" Order ID\\ufeff"`` -> ``"orderid"``."""
    return _NON_ALNUM.sub("", header.replace("\ufeff", "").strip().lower())


def match_headers(
    headers: list[str], aliases: Mapping[str, tuple[str, ...]]
) -> dict[str, int]:
    """Canonical field -> column index, for every field whose alias appears in ``headers``."""
    index = {normalise(h): i for i, h in enumerate(headers)}
    found: dict[str, int] = {}
    for field, names in aliases.items():
        for name in names:
            if normalise(name) in index:
                found[field] = index[normalise(name)]
                break
    return found


def open_rows(path: Path | str) -> Iterator[list[str]]:
    """Rows of a UTF-8 CSV (with or without BOM), streamed."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def parse_money(raw: str, exponent: int = 2) -> Decimal | None:
    """``"THB 1,234.50"``, ``"£12.30"``, ``"Rp 120.000"``, ``"-"`` or ``""`` (None)."""
    text = raw.strip()
    if text in ("", "-", "--"):
        return None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    core = _CURRENCY_SUFFIX.sub("", _CURRENCY_PREFIX.sub("", text.lstrip("-"))).strip("() ")
    core = core.replace(" ", "").replace("\u00a0", "")
    core = _normalise_separators(core, exponent)
    try:
        value = Decimal(core)
    except InvalidOperation:
        raise CellError("an amount such as 12.34, THB 1,234.50 or £9.99") from None
    return -value if negative else value


def _normalise_separators(core: str, exponent: int) -> str:
    if "," in core and "." in core:
        decimal_sep = "," if core.rfind(",") > core.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        return core.replace(thousands, "").replace(decimal_sep, ".")
    if "," in core:
        return core.replace(",", "") if _THOUSANDS_COMMA.match(core) else core.replace(",", ".")
    if "." in core and (core.count(".") > 1 or (exponent == 0 and _THOUSANDS_DOT.match(core))):
        return core.replace(".", "")
    return core


def parse_time(raw: str, zone: ZoneInfo) -> datetime | None:
    """A local Seller Center timestamp (``DD/MM/YYYY HH:mm:ss``, trailing tab) as aware UTC."""
    text = raw.strip()
    if not text or text in ("-", "--"):
        return None
    if len(text) == 19 and text[2] == "/" and text[5] == "/" and text[13] == ":":
        try:  # the Seller Center layout, without strptime (an export has millions of them)
            local = datetime(int(text[6:10]), int(text[3:5]), int(text[:2]), int(text[11:13]),
                             int(text[14:16]), int(text[17:19]))
            return local.replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            pass
    for layout in TIME_FORMATS:
        try:
            local = datetime.strptime(text, layout)
        except ValueError:
            continue
        return local.replace(tzinfo=zone).astimezone(UTC)
    raise CellError("a time such as 25/11/2026 14:03:59")


def parse_date(raw: str) -> date:
    """A report day: ``2026-11-25``, ``25/11/2026`` or ``2026-11-25 00:00:00``."""
    text = raw.strip()[:10]
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise CellError("a date such as 2026-11-25 or 25/11/2026")


def parse_int(raw: str) -> int | None:
    """A count such as ``1,234``; ``"-"``/``""`` as None."""
    text = raw.strip().replace(",", "").replace(" ", "")
    if text in ("", "-", "--"):
        return None
    try:
        return int(Decimal(text))
    except InvalidOperation:
        raise CellError("a whole number such as 3") from None
