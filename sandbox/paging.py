"""Cursor pagination of the Shop API: opaque ``page_token`` strings bound to the query they page.

A token encodes the offset of the next page and a hash of the filters, so a token reused with
different filters is refused instead of silently returning the wrong rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import numpy as np

MAX_PAGE_SIZE = 100


class BadPageToken(ValueError):
    """The page token is malformed or belongs to another query."""


def query_key(*parts: Any) -> str:
    """A short, stable hash of the filters and sort of a query."""
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]


def encode_token(offset: int, key: str) -> str:
    """The page token of the page that starts at ``offset``."""
    raw = json.dumps({"o": offset, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, key: str) -> int:
    """Offset of a page token issued for the same query."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, token_key = int(data["o"]), data["k"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadPageToken("malformed page_token") from exc
    if token_key != key:
        raise BadPageToken("page_token belongs to a different query")
    return offset


def page(rows: np.ndarray, page_size: int, token: str | None, key: str) -> tuple[np.ndarray, str]:
    """The rows of one page and the next page token ("" on the last page)."""
    offset = decode_token(token, key) if token else 0
    chunk = rows[offset : offset + page_size]
    end = offset + page_size
    return chunk, encode_token(end, key) if end < rows.size else ""


def page_size_param(raw: str | None, limit: int = MAX_PAGE_SIZE) -> int:
    """A validated ``page_size`` (1..limit); ValueError otherwise."""
    size = int(raw) if raw not in (None, "") else 0
    if not 1 <= size <= limit:
        raise ValueError(f"page_size must be between 1 and {limit}")
    return size
