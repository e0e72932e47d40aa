"""A week's money summed per day, one column per day: ``pivoted_rows``.

On SQLite, an inverted or crossed rate (the ECB's EUR-based rates crossed into the quote) is a
28-digit coefficient, too long to multiply money within 64 bits in the statement
(``owner_sums.day_rated``). Reading every (store, day) as a row instead cost about 3 us a row.
Here each part is still summed per owner alone, but a money metric in one column per day of the
range (a ``CASE`` per day); Python multiplies each day's sum by its coefficient, exactly, at any
length. The all-stores week of 200 stores at the ECB's rates: 60 ms read per rate and day, 36 ms
this way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Table,
    bindparam,
    case,
    cast,
    func,
    null,
    union_all,
)

from jobs.warehouse.prepared import Prepared
from jobs.warehouse.sum_parts import METRICS, counted, parts, per_owner

#: Longest range whose money SQLite sums per day, a column per day, when its rates are too long
#: to multiply in the statement (``day_pivoted``: a week, the all-stores table's); a longer one
#: is summed per rate.
PIVOT_DAYS = 7


def _pivot_part(kind: str, table: Table, owner: ColumnElement[Any], *where: ColumnElement[bool],
                days: int) -> Any:
    """One part summed per owner alone over ``days`` days (``day0``...): kind, owner, lowest
    and highest currency, then per metric in ``METRICS`` order its sum, a money metric's in one
    column per day; NULL up to the widest part's."""
    on = [table.c.day == bindparam(f"day{j}", type_=Date) for j in range(days)]
    sums: list[ColumnElement[Any]] = []
    for money, kept in counted(kind, table):
        sums += ([func.sum(case((same, kept), else_=null())) for same in on] if money
                 else [func.sum(kept)])
    padding = [cast(null(), BigInteger)] * (_pivot_width(days) - len(sums))
    return per_owner(kind, table, owner, where, [*sums, *padding])


def _pivot_width(days: int) -> int:
    """The summed columns of ``day_pivoted``'s widest part."""
    return max(sum(days if money else 1 for _, money in metrics) for metrics in METRICS.values())


@lru_cache(maxsize=8)
def day_pivoted(days: int) -> Prepared:
    """The sums of one range of ``days`` days per owner alone, money per day (``_pivot_part``):
    no rate in the statement, each day's multiplied in Python (exact at any length)."""
    return Prepared(union_all(*parts(partial(_pivot_part, days=days), answer=False)))


def pivoted_rows(conn: Connection, params: Mapping[str, Any],
                 found: Mapping[str, tuple[int, list[int]]], days: Sequence[date]) -> (
    list[tuple[Any, ...]] | None
):
    """``day_pivoted``'s sums of ``read_period``'s ``params`` as ``owner_sums.day_rated`` gives
    its rows (kind, owner, lowest and highest currency, the sums in ``METRICS`` order), each
    day's money times its coefficient (``found``: per currency its digits and each day's
    coefficient at them, ``owner_sums._coefficients``) in Python; ``None`` for a range longer
    than ``PIVOT_DAYS`` or a store with money in several currencies or in one not registered."""
    if len(days) > PIVOT_DAYS:
        return None
    rows = day_pivoted(len(days)).rows(conn, {**params, **{f"day{j}": day
                                                           for j, day in enumerate(days)}})
    out = []
    for kind, owner, low, high, *cells in rows:
        if low != high or low not in found:
            return None
        coefficients = found[low][1]
        sums: list[int | None] = []
        at = 0
        for _, money in METRICS[kind]:
            if not money:
                sums.append(cells[at])
                at += 1
                continue
            total = None
            for units, k in zip(cells[at:at + len(days)], coefficients, strict=True):
                if units is not None:  # SQLite's integer
                    total = units * k if total is None else total + units * k
            sums.append(total)
            at += len(days)
        out.append((kind, owner, low, high, *sums))
    return out
