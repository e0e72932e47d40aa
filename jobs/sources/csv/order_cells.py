"""The cells of an order export's rows read as stored values: money units, times, quantities.

Each cell is parsed by ``common``'s parsers (an amount in the shop's currency and never below
zero; a local time in the shop's time zone, not more than ``FUTURE_SLACK`` ahead) and cached by
its text, since prices and times repeat a lot in an export; a bad cell raises ``RowProblem``
naming its row and the column as the file spells its header. Where each field is read (``_ix``,
``_names``) is set by the reader from the header (``orders.OrderCsvReader``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jobs.sources.csv.common import (
    FUTURE_SLACK,
    CellError,
    Problem,
    future_problem,
    parse_amount,
    parse_int,
    parse_time,
)
from jobs.sources.csv.order_form import HEADERS, TimeValue
from jobs.sources.csv.order_problems import RowProblem
from jobs.warehouse.types import to_money_units

#: Distinct cell values remembered per parser cache before it is cleared (bounds memory).
CACHE_LIMIT = 50_000
_MISS: Any = object()


class OrderCells:
    """Parsed, cached cells of one export's rows; the base of the row reader."""

    def __init__(self, *, currency: str, timezone: str, exponent: int,
                 time_value: TimeValue) -> None:
        self.currency = currency
        self.zone, self.exponent, self.time_value = ZoneInfo(timezone), exponent, time_value
        self._ix: dict[str, int] = {}
        self._names: dict[str, str] = {}
        self._latest = datetime.now(UTC) + FUTURE_SLACK
        self._money_cache: dict[str, int | None] = {}
        self._time_cache: dict[str, tuple[datetime, Any] | None] = {}

    def _name(self, field_name: str) -> str:
        """The header of a field as this file spells it (its first English name if absent)."""
        return self._names.get(field_name) or HEADERS[field_name][0]

    def _line_money(self, row: list[str], number: int, quantity: int,
                    raws: tuple[str, str, str, str]) -> tuple[int, int, int, int]:
        """A line's subtotal after discount, seller and platform discount and subtotal before
        discount, in money units (the cached cells looked up here first: the hot path)."""
        after_raw, seller_raw, platform_raw, before_raw = raws
        cached = self._money_cache.get
        after = cached(after_raw, _MISS)
        if after is _MISS or after is None:
            after = self._money(row, "subtotal_after", number)
            if after is None:
                raise RowProblem(Problem(number, self._name("subtotal_after"), after_raw,
                                         "the SKU subtotal after discount"))
        seller = cached(seller_raw, _MISS)
        if seller is _MISS:
            seller = self._money(row, "seller_discount", number)
        platform = cached(platform_raw, _MISS)
        if platform is _MISS:
            platform = self._money(row, "platform_discount", number)
        seller, platform = seller or 0, platform or 0
        before = cached(before_raw, _MISS)
        if before is _MISS:
            before = self._money(row, "subtotal_before", number)
        if before is None:
            unit = self._money(row, "unit_price", number)
            before = unit * quantity if unit is not None else after + seller
        return after, seller, platform, before

    def _quantity(self, row: list[str], number: int) -> int:
        raw = row[self._ix["quantity"]]
        try:
            quantity = int(raw) if raw.isdigit() else parse_int(raw)
        except CellError as error:
            raise RowProblem(Problem(number, self._name("quantity"), raw,
                                     error.expected)) from None
        if quantity is None or quantity < 1:
            raise RowProblem(Problem(number, self._name("quantity"), raw,
                                     "a quantity of at least 1"))
        return quantity

    def _money(self, row: list[str], name: str, number: int) -> int | None:
        """Money units of a cell (cached: prices repeat a lot in an export)."""
        raw = row[self._ix[name]]
        cache = self._money_cache
        if raw in cache:
            return cache[raw]
        try:
            amount = parse_amount(raw, self.exponent, self.currency)
        except CellError as error:
            raise RowProblem(Problem(number, self._name(name), raw, error.expected,
                                     error.fix)) from None
        value = None if amount is None else to_money_units(amount)
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[raw] = value
        return value

    def _time(self, row: list[str], name: str, number: int) -> tuple[datetime, Any] | None:
        """(aware UTC datetime, stored value) of a cell, or None when empty (cached)."""
        raw = row[self._ix[name]]
        cache = self._time_cache
        if raw in cache:
            return cache[raw]
        try:
            moment = parse_time(raw, self.zone)
        except CellError as error:
            raise RowProblem(Problem(number, self._name(name), raw, error.expected)) from None
        if moment is not None and moment > self._latest:
            future = future_problem(number, self._name(name), raw, moment)
            if future is not None:
                raise RowProblem(future)
        value = None if moment is None else (moment, self.time_value(moment))
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[raw] = value
        return value
