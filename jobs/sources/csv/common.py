"""What both CSV importers share: tolerant header matching, cell parsers and problem reports.

Headers are matched after normalising (NFKC, case folded, only letters, marks and digits of any
script), so ``"Order ID"``, ``"order_id"`` and ``"ORDER ID "`` are the same column, as are
``"订单号"`` and ``"订单号 "``; a header that normalises to nothing matches nothing, and a column we
read may appear only once. Cells are parsed strictly; every bad cell becomes a ``Problem`` (row,
column, value, expected, fix) instead of an exception, so a file is checked completely and either
imported whole or not at all. Amounts an importer stores go through ``parse_amount``: in the
account's currency (a prefix or suffix naming another currency is refused) and never negative.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

#: Problems listed in a report before the importer stops collecting more.
MAX_PROBLEMS = 50
#: How far past now a time in an export may lie (local clocks, time zones) before it is refused.
FUTURE_SLACK = timedelta(days=1)
#: Currency -> the marks (case folded, without spaces) its amounts may carry besides the code.
CURRENCY_MARKS: dict[str, frozenset[str]] = {
    "THB": frozenset({"฿", "บาท"}), "GBP": frozenset({"£"}), "USD": frozenset({"$", "us$"}),
    "EUR": frozenset({"€"}), "SGD": frozenset({"s$", "$"}), "MYR": frozenset({"rm"}),
    "IDR": frozenset({"rp"}), "VND": frozenset({"₫", "đ", "vnđ"}), "PHP": frozenset({"₱"}),
    "JPY": frozenset({"¥", "円"}), "CNY": frozenset({"¥", "元", "rmb"}),
    "MXN": frozenset({"$", "mx$"}), "BRL": frozenset({"r$"}), "SAR": frozenset({"ر.س"}),
}
#: An id Excel turned into a number and shows in scientific notation (``7.49E+18``).
EXCEL_NUMBER = re.compile(r"^\s*[-+]?\d+([.,]\d*)?[eE][-+]?\d+\s*$")
EXCEL_FIX = ("Excel rounded this id to 15 digits and showed it in scientific notation, so "
             "different orders now share one id. Export the file again and import it as it "
             "was downloaded, without opening and saving it in Excel (or open it in Excel with "
             "Data > From Text/CSV and set the id columns to Text)")
_KEPT = frozenset("LMN")  # Unicode categories kept in a header key: letters, marks, numbers
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
    fix: str = ""  #: what to do about it

    def __str__(self) -> str:
        text = (f"row {self.row}, column {self.column!r}: got {self.value!r}, "
                f"expected {self.expected}")
        return f"{text}. Fix: {self.fix}" if self.fix else text


class BadFile(ValueError):
    """The file cannot be imported; nothing was written. ``problems`` says why."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.problems = problems
        more = "" if len(problems) < MAX_PROBLEMS else f"\n  (stopped after {MAX_PROBLEMS})"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s), nothing imported:\n{lines}{more}")


class CellError(ValueError):
    """A cell could not be parsed; ``expected`` describes the accepted form."""

    def __init__(self, expected: str, fix: str = "") -> None:
        super().__init__(expected)
        self.expected, self.fix = expected, fix


def normalise(header: str) -> str:
    """Header text as a matching key: ``" Order ID\\ufeff"`` -> ``"orderid"``, ``"订单 号"`` ->
    ``"订单号"``, ``"Mã đơn hàng"`` -> ``"mãđơnhàng"`` (letters of every script are kept)."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in _KEPT)


def match_headers(
    headers: list[str], aliases: Mapping[str, tuple[str, ...]]
) -> dict[str, int]:
    """Canonical field -> column index, for every field whose alias appears in ``headers``.

    A header that normalises to nothing (punctuation only, or empty) matches no field; of a
    repeated header the first copy is returned (``repeated_headers`` reports the repeat).
    """
    index: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = normalise(header)
        if key:
            index.setdefault(key, i)
    found: dict[str, int] = {}
    for field, names in aliases.items():
        for name in names:
            if normalise(name) in index:
                found[field] = index[normalise(name)]
                break
    return found


def repeated_headers(
    headers: list[str], aliases: Mapping[str, tuple[str, ...]]
) -> list[Problem]:
    """A problem for each column we read whose header appears more than once."""
    known = {normalise(name) for names in aliases.values() for name in names}
    seen: dict[str, int] = {}
    problems = []
    for i, header in enumerate(headers):
        key = normalise(header)
        if key not in known:
            continue
        if key in seen:
            first = seen[key]
            problems.append(Problem(
                1, header, f"columns {column_letter(first)} and {column_letter(i)}",
                "each column once",
                f"the file has two columns called {header!r} and we cannot tell which one is "
                "right: delete the wrong one (or export the file again) and import it again"))
        else:
            seen[key] = i
    return problems


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet shows it: 0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def currency_mark(raw: str) -> str:
    """The currency mark written around an amount (``"THB 1,234.50"`` -> ``"thb"``), or ``""``."""
    text = raw.strip()
    start = next((i for i, ch in enumerate(text) if ch.isdigit()), len(text))
    end = len(text) - next((i for i, ch in enumerate(reversed(text)) if ch.isdigit()), len(text))
    mark = text[:start] + text[max(end, start):]
    return "".join(ch for ch in mark.casefold() if ch not in " \u00a0-+().,\t")


def mark_fits(mark: str, currency: str) -> bool:
    """Whether an amount carrying ``mark`` (from ``currency_mark``) may be in ``currency``."""
    return (not mark or mark == currency.casefold()
            or mark in CURRENCY_MARKS.get(currency.upper(), ()))


def parse_amount(raw: str, exponent: int, currency: str) -> Decimal | None:
    """An amount an export states in ``currency``: as ``parse_money``, but a mark of another
    currency (``USD 12.00`` in a THB shop) or a negative amount is a ``CellError``."""
    amount = parse_money(raw, exponent)
    if amount is None:
        return None
    mark = currency_mark(raw)
    if not mark_fits(mark, currency):
        raise CellError(
            f"an amount in {currency}, the account's currency",
            f"{raw.strip()!r} is not in {currency}: this file seems to belong to a shop or "
            f"advertiser selling in another currency; import it into that one (--shop / "
            f"--advertiser), or export this account's file again")
    if amount < 0:
        raise CellError(
            "an amount of 0 or more",
            "export amounts are never negative (refunds have their own column, 'Order Refund "
            "Amount', or their own export): correct the cell, or export the file again")
    return amount


def excel_number_problem(row: int, column: str, raw: str) -> Problem | None:
    """The problem with an id cell Excel turned into a number (``7.49E+18``), if it is one."""
    if EXCEL_NUMBER.match(raw) is None:
        return None
    return Problem(row, column, raw, "an id written out in full digits", EXCEL_FIX)


def future_problem(row: int, column: str, raw: str, moment: datetime) -> Problem | None:
    """The problem with a time more than ``FUTURE_SLACK`` after now, if it is one."""
    if moment <= datetime.now(UTC) + FUTURE_SLACK:
        return None
    return Problem(row, column, raw, "a time that has already happened",
                   "the export cannot hold orders or ads from the future: check the cell (a "
                   "typing error, or day and month swapped?) and export the file again")


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
