"""The ``order_lines`` columns of a chunk of a Seller Center export as an Arrow table, and the
orders' line sums.

Column-wise twin of ``OrderCsvReader._add_line``: one line per
SKU row with its quantity; money columns are per-unit amounts rounded half-even to the
warehouse's scale, while the order keeps the exact sums of its SKU subtotals and discounts
(returned for the caller to store on the order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jobs.sources.csv import arrow_cells as cell


def line_table(cells: dict[str, pa.Array], order_ids: pa.Array, starts: np.ndarray,
               exponent: int, currency: str, statuses: pa.Array
               ) -> tuple[pa.Table, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(varying line columns, per-order sums of subtotal after discount, seller and platform
    discount); ``starts`` are the first rows of each order (the chunk holds whole orders)."""
    n = len(order_ids)
    quantity = cell.quantity(cells["quantity"])
    after, no_after = cell.money(cells["subtotal_after"], exponent, currency)
    if no_after.any():
        raise cell.CellError("the SKU subtotal after discount")
    seller = _money_or_zero(cells, "seller_discount", exponent, currency, n)
    platform = _money_or_zero(cells, "platform_discount", exponent, currency, n)
    before = _before_discount(cells, exponent, currency, n, quantity, after, seller)
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    skus = pc.utf8_trim_whitespace(cells["sku_id"])
    lines = pa.table({
        "order_id": order_ids, "line_id": _line_ids(order_ids, group, skus),
        "product_id": _raw(cells, "product_id", n), "product_name": _raw(cells, "product_name", n),
        "sku_id": skus, "seller_sku": _raw(cells, "seller_sku", n),
        "quantity": pa.array(quantity, pa.int64()),
        "original_price": pa.array(per_unit(before, quantity), pa.int64()),
        "sale_price": pa.array(per_unit(after, quantity), pa.int64()),
        "seller_discount": pa.array(per_unit(seller, quantity), pa.int64()),
        "platform_discount": pa.array(per_unit(platform, quantity), pa.int64()),
        "display_status": statuses.take(group),
    })
    sums = tuple(np.add.reduceat(v, starts) for v in (after, seller, platform))
    return lines, sums  # type: ignore[return-value]


def per_unit(units: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    """Line amounts per unit, rounded half-even to the warehouse's money scale."""
    whole, rest = np.divmod(units, quantity)
    twice = 2 * rest
    rounded: np.ndarray = whole + ((twice > quantity) | ((twice == quantity) & (whole % 2 == 1)))
    return rounded


def _money_or_zero(cells: dict[str, pa.Array], name: str, exponent: int, currency: str,
                   n: int) -> np.ndarray:
    if name not in cells:
        return np.zeros(n, dtype=np.int64)
    return cell.money(cells[name], exponent, currency)[0]


def _before_discount(cells: dict[str, pa.Array], exponent: int, currency: str, n: int,
                     quantity: np.ndarray, after: np.ndarray, seller: np.ndarray) -> np.ndarray:
    """The SKU subtotal before discount; else unit price x quantity; else after + seller."""
    before, missing = (cell.money(cells["subtotal_before"], exponent, currency)
                       if "subtotal_before" in cells else (None, np.ones(n, dtype=bool)))
    if before is not None and not missing.any():
        return before
    if "unit_price" in cells:
        unit, no_unit = cell.money(cells["unit_price"], exponent, currency)
    else:
        unit, no_unit = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    fallback = np.where(no_unit, after + seller, unit * quantity)
    return fallback if before is None else np.where(missing, fallback, before)


def _raw(cells: dict[str, pa.Array], name: str, n: int) -> pa.Array:
    """A text column as written, ``""`` as null (absent: all null)."""
    if name not in cells:
        return pa.nulls(n, pa.string())
    return cell.blank_is_null(cells[name])


def _line_ids(order_ids: pa.Array, group: np.ndarray, skus: pa.Array) -> pa.Array:
    """The SKU id, with ``#2``, ``#3``... when a SKU repeats within its order."""
    keys = pc.binary_join_element_wise(order_ids, skus, "\x1f")
    if pc.count_distinct(keys).as_py() == len(keys):
        return skus
    frame = pd.DataFrame({"o": group, "s": skus.to_pylist()})
    seen = frame.groupby(["o", "s"], sort=False).cumcount().to_numpy()
    return pa.array([s if k == 0 else f"{s}#{k + 1}"
                     for s, k in zip(frame["s"].tolist(), seen.tolist(), strict=True)],
                    pa.string())
