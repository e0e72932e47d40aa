"""An order export's rows, one at a time, into orders, lines and refunds in storage form.

The export has one row per SKU line with the order's fields repeated on each row; rows of one
order are adjacent, as Seller Center writes them. Each SKU row becomes one ``order_lines`` row
(``line_id`` = SKU id, ``#2``... if the SKU repeats in the order: TikTok keys lines per unit, so
identical rows of one order are two lines) with its ``quantity``; its money columns are per-unit
amounts (line amount / quantity, at the warehouse's 4 decimal places), while the order's
``sub_total`` and discounts are the exact sums of the SKU subtotals. An order's later rows must
agree with its first on the order-level cells; an order met again further down is skipped if
its rows are a copy of the earlier ones, and is a problem otherwise (``order_problems``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from jobs.sources.csv.common import MAX_PROBLEMS, Problem, excel_number_problem
from jobs.sources.csv.order_cells import OrderCells
from jobs.sources.csv.order_form import (
    ORDER_COLUMNS,
    ORDER_FIELDS,
    STATUS_WORDS,
    TIME_FIELDS,
    OrderBatch,
    TimeValue,
)
from jobs.sources.csv.order_problems import (
    RowProblem,
    disagreeing_rows,
    missing_order_id,
    split_order,
)
from jobs.warehouse.types import from_money_units

#: Line-level columns read from every row, in the order ``_add_line`` unpacks them.
LINE_FIELDS = ("quantity", "subtotal_after", "seller_discount", "platform_discount",
               "subtotal_before", "unit_price", "sku_id", "product_id", "product_name",
               "seller_sku")
_SUB_TOTAL, _SELLER, _PLATFORM = (ORDER_COLUMNS.index(c) for c in
                                  ("sub_total", "seller_discount", "platform_discount"))


@dataclass
class _OpenOrder:
    """The order whose rows are being read: its row values and what the refund row needs.

    A repeat (``repeat_of``: the first row of the order's earlier place in the file) is read but
    never written: a copy of the earlier rows is skipped, anything else is a problem.
    """

    values: list[Any]
    cells: tuple[str, ...]
    first_row: int
    created: datetime
    when: datetime
    refund: int
    skus: dict[str, int] = field(default_factory=dict)
    last_row: int = 0
    digest: int = 0  #: fingerprint of the order's rows, in file order
    repeat_of: int = 0
    conflicted: bool = False


class _Seen(NamedTuple):
    """An order already read: its rows and a fingerprint of its order cells and of its rows."""

    first_row: int
    last_row: int
    cells: int
    rows: int


class OrderRows(OrderCells):
    """Rows of one export, in file order, into an ``OrderBatch``; problems in ``problems``.

    The reader of the file (``orders.OrderCsvReader``) matches the header: it sets where each
    field is read (``_ix``, ``_names``, ``_order_cells_of``, ``_line_cells_of``).
    """

    _order_cells_of: Callable[[list[str]], Any]
    _line_cells_of: Callable[[list[str]], Any]

    def __init__(self, *, shop_id: str, currency: str, timezone: str, exponent: int,
                 time_value: TimeValue) -> None:
        super().__init__(currency=currency, timezone=timezone, exponent=exponent,
                         time_value=time_value)
        self.shop_id = shop_id
        self.problems: list[Problem] = []
        self._order: _OpenOrder | None = None
        self._now = time_value(datetime.now(UTC))
        self._seen: dict[str, _Seen] = {}
        self._conflicts: list[tuple[int, int, str, tuple[str, ...]]] = []

    def _report(self, problem: Problem) -> bool:
        """Collect ``problem``; True once enough were collected to stop reading."""
        self.problems.append(problem)
        return len(self.problems) >= MAX_PROBLEMS

    def _take(self, row: list[str], number: int, batch: OrderBatch) -> None:
        ix = self._ix
        order_id = row[ix["order_id"]].strip()
        if not order_id:
            raise RowProblem(missing_order_id(number, self._name("order_id")))
        order = self._order
        if order is None or order.values[1] != order_id:
            self._close_order(batch)
            excel = excel_number_problem(number, self._name("order_id"), order_id)
            if excel is not None:
                raise RowProblem(excel)
            order = self._order = self._open_order(order_id, row, number)
            seen = self._seen.get(order_id)
            if seen is not None:  # the order was read further up: a copy, or a problem
                order.repeat_of = seen.first_row
                if hash(order.cells) != seen.cells:
                    order.conflicted = True
                    self._conflicts.append((number, seen.first_row, order_id, order.cells))
        elif self._order_cells_of(row) != order.cells:
            self._check_repeat(order_id, row, number)
        order.last_row = number
        order.digest = hash((order.digest, tuple(row)))
        self._add_line(order, row, number, batch)
        batch.rows += 1

    def _open_order(self, order_id: str, row: list[str], number: int) -> _OpenOrder:
        ix = self._ix
        status_raw = row[ix["status"]]
        status = STATUS_WORDS.get(status_raw.strip().lower())
        if status is None:
            raise RowProblem(Problem(number, self._name("status"), status_raw,
                                     "an order status such as Completed, 已完成 or CANCELLED"))
        created, paid, shipped, delivered, cancelled = (
            self._time(row, f, number) for f in TIME_FIELDS)
        if created is None:
            raise RowProblem(Problem(number, self._name("created"), row[ix["created"]],
                                     "the order's creation time, e.g. 25/11/2026 14:03:59"))
        latest = max(t[0] for t in (created, paid, shipped, delivered, cancelled) if t)
        value = self.time_value
        values = [
            self.shop_id, order_id, status, row[ix["buyer"]].strip() or None, created[1],
            value(latest), paid and paid[1], cancelled and cancelled[1],
            delivered and delivered[1], row[ix["order_type"]].strip().lower() == "sample",
            False, False, row[ix["buyer_message"]].strip() or None,
            row[ix["recipient"]].strip() or None, row[ix["country"]].strip()[:8] or None,
            row[ix["cancel_reason"]].strip() or None, row[ix["cancel_by"]].strip()[:32] or None,
            self.currency, 0, self._money(row, "shipping_fee", number) or 0, 0, 0,
            self._money(row, "taxes", number) or 0, self._money(row, "order_amount", number) or 0,
            "csv", None, self._now,
        ]
        refund_when = (cancelled or delivered or (latest, None))[0]
        return _OpenOrder(values, self._order_cells_of(row), number, created[0],
                          refund_when, self._money(row, "refund_amount", number) or 0)

    def _check_repeat(self, order_id: str, row: list[str], number: int) -> None:
        """Order fields repeated on a later row must parse and agree with the order's first row."""
        assert self._order is not None
        self._open_order(order_id, row, number)  # raises the parse problem, if any
        for name, first in zip(ORDER_FIELDS, self._order.cells, strict=True):
            if row[self._ix[name]] != first:
                raise RowProblem(disagreeing_rows(number, self._name(name), row[self._ix[name]],
                                                  order_id, self._order.first_row, first))

    def _add_line(self, order: _OpenOrder, row: list[str], number: int,
                  batch: OrderBatch) -> None:
        """One SKU row as a line of ``order`` in ``batch``; its amounts add to the order's sums."""
        qty, after_raw, seller_raw, platform_raw, before_raw, unit_raw, sku, product_id, \
            product_name, seller_sku = self._line_cells_of(row)
        quantity = int(qty) if qty.isdigit() else 0
        if quantity < 1:
            quantity = self._quantity(row, number)  # "1,000", or the problem with this cell
        after, seller, platform, before = self._line_money(
            row, number, quantity, (after_raw, seller_raw, platform_raw, before_raw))
        sku_id = sku.strip()
        for name, raw in (("sku_id", sku_id), ("product_id", product_id)):
            excel = excel_number_problem(number, self._name(name), raw) if "+" in raw else None
            if excel is not None:
                raise RowProblem(excel)
        if order.repeat_of:
            return  # read for its problems and fingerprint only
        values = order.values
        values[_SUB_TOTAL] += after
        values[_SELLER] += seller
        values[_PLATFORM] += platform
        seen = order.skus[sku_id] = order.skus.get(sku_id, 0) + 1
        batch.lines.append((
            self.shop_id, values[1], sku_id if seen == 1 else f"{sku_id}#{seen}",
            product_id or None, product_name or None, sku_id, seller_sku or None, quantity,
            self.currency, _per_unit(before, quantity), _per_unit(after, quantity),
            _per_unit(seller, quantity), _per_unit(platform, quantity), values[2], None, False,
        ))

    def _close_order(self, batch: OrderBatch) -> None:
        order, self._order = self._order, None
        if order is None:
            return
        values = order.values
        if order.repeat_of:
            seen = self._seen[values[1]]
            if not order.conflicted and order.digest != seen.rows:
                self._report(split_order(order.first_row, self._name("order_id"), values[1],
                                         seen.first_row, seen.last_row))
            return  # an identical copy of rows already read (overlapping exports): skipped
        self._seen[values[1]] = _Seen(order.first_row, order.last_row, hash(order.cells),
                                      order.digest)
        batch.orders.append(tuple(values))
        if order.refund > 0:
            batch.refunds.append({
                "shop_id": self.shop_id, "refund_id": f"csv:{values[1]}",
                "kind": "cancellation" if values[2] == "CANCELLED" else "refund",
                "order_id": values[1], "status": "CSV_REPORTED", "return_type": None,
                "create_time": order.when, "update_time": order.when,
                "completed_time": order.when, "currency": self.currency,
                "refund_amount": from_money_units(order.refund), "line_ids": [],
                "reason": values[15], "raw": None,
            })


def _per_unit(units: int, quantity: int) -> int:
    """A line amount per unit, rounded half-even to the warehouse's money scale."""
    if quantity == 1:
        return units
    whole, rest = divmod(units, quantity)
    twice = 2 * rest
    return whole + (1 if twice > quantity or (twice == quantity and whole % 2) else 0)
