"""The ``order_lines`` columns of a chunk of a Seller Center export, and the orders' line sums.

Column-wise twin of ``OrderCsvReader._add_line``: one line per SKU row with its quantity; money
columns are per-unit amounts rounded half-even to the warehouse's scale, while the order keeps the
exact sums of its SKU subtotals and discounts (returned for the caller to store on the order).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jobs.sources.csv.columns import CellError, money_units, quantities
from jobs.warehouse.bulk import Same


def line_columns(cells: dict[str, list[str]], order_ids: list[str], starts: np.ndarray,
                 exponent: int, statuses: list[str], shop_id: str, currency: str
                 ) -> tuple[dict[str, Any], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(line columns, per-order sums of subtotal after discount, seller and platform discount).

    ``starts`` are the first rows of each order (the chunk holds whole orders only).
    """
    n = len(order_ids)
    quantity = quantities(cells["quantity"])
    after, no_after = money_units(cells["subtotal_after"], exponent, currency)
    if no_after.any():
        raise CellError("the SKU subtotal after discount")
    seller = _money_or_zero(cells, "seller_discount", exponent, currency, n)
    platform = _money_or_zero(cells, "platform_discount", exponent, currency, n)
    before = _before_discount(cells, exponent, currency, n, quantity, after, seller)
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    skus = [s.strip() for s in cells["sku_id"]]
    lines = {
        "shop_id": Same(shop_id), "order_id": order_ids, "line_id": _line_ids(group, skus),
        "product_id": _raw(cells, "product_id", n), "product_name": _raw(cells, "product_name", n),
        "sku_id": skus, "seller_sku": _raw(cells, "seller_sku", n),
        "quantity": quantity.tolist(), "currency": Same(currency),
        "original_price": per_unit(before, quantity).tolist(),
        "sale_price": per_unit(after, quantity).tolist(),
        "seller_discount": per_unit(seller, quantity).tolist(),
        "platform_discount": per_unit(platform, quantity).tolist(),
        "display_status": np.array(statuses, dtype=object)[group].tolist(),
        "cancel_reason": Same(None), "is_gift": Same(False),
    }
    sums = tuple(np.add.reduceat(v, starts) for v in (after, seller, platform))
    return lines, sums  # type: ignore[return-value]


def per_unit(units: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    """Line amounts per unit, rounded half-even to the warehouse's money scale."""
    whole, rest = np.divmod(units, quantity)
    twice = 2 * rest
    rounded: np.ndarray = whole + ((twice > quantity) | ((twice == quantity) & (whole % 2 == 1)))
    return rounded


def _money_or_zero(cells: dict[str, list[str]], name: str, exponent: int, currency: str,
                   n: int) -> np.ndarray:
    if name not in cells:
        return np.zeros(n, dtype=np.int64)
    return money_units(cells[name], exponent, currency)[0]


def _before_discount(cells: dict[str, list[str]], exponent: int, currency: str, n: int,
                     quantity: np.ndarray, after: np.ndarray, seller: np.ndarray) -> np.ndarray:
    """The SKU subtotal before discount; else unit price x quantity; else after + seller."""
    before, missing = (money_units(cells["subtotal_before"], exponent, currency)
                       if "subtotal_before" in cells else (None, np.ones(n, dtype=bool)))
    if before is not None and not missing.any():
        return before
    if "unit_price" in cells:
        unit, no_unit = money_units(cells["unit_price"], exponent, currency)
    else:
        unit, no_unit = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    fallback = np.where(no_unit, after + seller, unit * quantity)
    return fallback if before is None else np.where(missing, fallback, before)


def _raw(cells: dict[str, list[str]], name: str, n: int) -> Any:
    """A text column as written (``""`` is stored as NULL)."""
    return list(cells[name]) if name in cells else Same(None)


def _line_ids(group: np.ndarray, skus: list[str]) -> list[str]:
    """The SKU id, with ``#2``, ``#3``... when a SKU repeats within its order."""
    repeat = pd.DataFrame({"o": group, "s": skus}).groupby(["o", "s"], sort=False).cumcount()
    seen = repeat.to_numpy()
    if not seen.any():
        return skus
    return [s if k == 0 else f"{s}#{k + 1}" for s, k in zip(skus, seen.tolist(), strict=True)]
