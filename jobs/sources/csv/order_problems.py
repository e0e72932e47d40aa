"""What the row reader finds wrong in an order export: each a ``Problem`` naming row, column,
value and what to do about it.

A bad cell is raised out of the row as ``RowProblem`` and collected by the reader; a cell's
expected form is said where the cell is read (``common``'s parsers, ``order_rows``). The
problems here are the ones that need explaining: the shape of the file (a missing column, a row
longer than the header, a last row cut off) and of its orders (a row without an order id, an
order whose order-level cells disagree between its rows or between two places in the file, an
order's rows split by other orders).
"""

from __future__ import annotations

from jobs.sources.csv.common import EXCEL_FIX, Problem, column_letter


class RowProblem(Exception):
    """A row that cannot be read, carrying the ``Problem`` that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def missing_column(names: tuple[str, ...]) -> Problem:
    """A required field with none of its header ``names`` in the header."""
    return Problem(
        1, names[0], "(missing)", f"a column named one of {list(names)}",
        "export the order list again with all columns (Seller Center > Orders > "
        "Export), or rename the column to one of these names")


def long_row(number: int, cells: int, width: int) -> Problem:
    """A row with more cells than the header."""
    return Problem(number, f"(columns after {column_letter(width - 1)})", f"{cells} cells",
                   f"{width} cells, one per column of the header",
                   "a cell holds an unquoted comma or line break, so the cells after it moved "
                   "into the wrong columns: export the file again (or put quotes around that "
                   "cell, or delete the cells beyond the header's last column)")


def cut_row(number: int, cells: int, last_cell: str, width: int) -> Problem:
    """The file's last row, without a line break and not whole up to a column we do not read."""
    return Problem(
        number, "(whole row)", f"{cells} cells, ending {last_cell[-20:]!r}",
        f"a complete row of {width} cells ending with a line break",
        "the file stops in the middle of this row, so it was probably cut off (an "
        "interrupted download or copy): export it again. If the file is complete, add a "
        "line break at its end")


def missing_order_id(number: int, column: str) -> Problem:
    """A row whose order id cell is empty."""
    return Problem(number, column, "", "an order id",
                   "every row needs its order's id: fill it in, or delete "
                   "the row if it is not an order line")


def disagreeing_rows(number: int, column: str, value: str, order_id: str, first_row: int,
                     first: str) -> Problem:
    """An order-level cell of a later row of an order that differs from the order's first row."""
    return Problem(
        number, column, value,
        f"the same value as row {first_row} of this order ({first!r})",
        conflict_fix(order_id))


def order_twice(number: int, column: str, value: str, order_id: str, earlier: int,
                was: str) -> Problem:
    """An order met again further down with another order-level cell than at ``earlier``."""
    return Problem(
        number, column, value,
        f"{was!r} as in row {earlier}, where order {order_id} first appears",
        conflict_fix(order_id, twice=True))


def split_order(number: int, column: str, order_id: str, first_row: int,
                last_row: int) -> Problem:
    """An order met again further down whose rows are not a copy of its rows up there."""
    return Problem(
        number, column, order_id, f"the rows of order {order_id} next to each other",
        f"order {order_id} is also at rows {first_row}-{last_row} with other lines; "
        f"Seller Center writes an order's rows together, so we cannot tell whether these are "
        f"more lines of it or a second copy: sort the file by {column!r} (or export it again) "
        "and import again")


def conflict_fix(order_id: str, *, twice: bool = False) -> str:
    """What to do about an order whose rows disagree on an order-level cell."""
    if len(order_id) >= 15 and order_id.isdigit() and order_id.endswith("000"):
        return f"the id {order_id} ends in zeros: " + EXCEL_FIX
    where = "appears twice in the file" if twice else "has rows that disagree"
    return (f"order {order_id} {where} with different order-level values, so the file holds "
            "two versions of it (two exports pasted together, or a cell edited by hand): keep "
            "only the newer export's rows (or export one date range again) and import again")
