"""Small helpers for the sorted, column-wise tables of the data set."""

from __future__ import annotations

import numpy as np


def span_of(sorted_keys: np.ndarray, key: int) -> tuple[int, int]:
    """Row range holding ``key`` in an array sorted by it (searching in the array's own dtype,
    so numpy does not copy a large array to compare)."""
    probe = np.array([key, key + 1], dtype=sorted_keys.dtype)
    lo, hi = np.searchsorted(sorted_keys, probe)
    return int(lo), int(hi)
