"""Precomputed indexes of a data set, so an answer slices arrays and never asks pandas for a row.

``index_of(dataset)`` (built with the data set by ``server.cached_dataset``, else on first use)
holds every column the endpoints read as a numpy array, the text columns the JSON repeats as
Python lists, the shops as plain dicts, and per-shop tables built once on first use (``memo``:
e.g. the settlement amounts of a shop's orders, ``finance``). Searches are indexed by shop and
time too: a query's sorted positions are kept per (shop, filters) by ``SandboxState.search``, so
paging through one costs a slice per page. Nothing here changes what is served: the same values,
read from arrays instead of frames.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

#: Text columns of the SKU table the order, refund and affiliate JSON repeat per line.
SKU_TEXT = ("product_id", "product_name", "sku_id", "variant", "seller_sku")
#: Attribute of a data set that holds its index.
ATTRIBUTE = "_index"

_BUILD_LOCK = threading.Lock()


def _arrays(frame: Any) -> dict[str, np.ndarray]:
    """Every column of ``frame`` as a numpy array (a view where pandas allows)."""
    return {str(c): frame[c].to_numpy() for c in frame.columns}


class DatasetIndex:
    """Columns of one data set as arrays and lists, and per-shop tables computed once."""

    def __init__(self, ds: Any) -> None:
        self.orders = _arrays(ds.orders)
        self.lines = _arrays(ds.lines)
        self.refunds = _arrays(ds.refunds)
        self.sku_text = {c: [str(x) for x in ds.skus[c].to_numpy()] for c in SKU_TEXT}
        self.creators = _arrays(ds.creators)
        self.creator_names = [str(x) for x in ds.creators["username"].to_numpy()]
        self.content = _arrays(ds.content)
        self.shops = [ds.shops.iloc[i].to_dict() for i in range(len(ds.shops))]
        self.advertisers = {str(c): ds.advertisers[c].tolist() for c in ds.advertisers.columns}
        self.campaigns = {str(c): ds.campaigns[c].tolist() for c in ds.campaigns.columns}
        self.ads = {str(c): ds.ads[c].tolist() for c in ds.ads.columns}
        self._memo: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """A table derived from the data set alone (not the API clock), built once per key."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = build()
            return self._memo[key]


def index_of(ds: Any) -> DatasetIndex:
    """The index of a data set (``sandbox.dataset.Dataset``), built on first use and kept with
    it (data sets are read-only)."""
    found = ds.__dict__.get(ATTRIBUTE)
    if found is None:
        with _BUILD_LOCK:
            found = ds.__dict__.get(ATTRIBUTE)
            if found is None:
                found = DatasetIndex(ds)
                setattr(ds, ATTRIBUTE, found)
    return found  # type: ignore[no-any-return]
