"""Records of reaching a shop: the token an authorization yields, the shops it covers (each
with the cipher shop-scoped calls need) and the page every list call returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.records.values import _required_time

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the token of the next page (``""`` on the last page)."""

    items: list[T]
    next_page_token: str
    total_count: int | None = None

    @property
    def is_last(self) -> bool:
        """True when no page follows."""
        return not self.next_page_token


@dataclass(frozen=True)
class ShopToken:
    """Tokens from ``/api/v2/token/get`` or ``/refresh``; expiries are absolute UTC times."""

    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime
    open_id: str | None
    seller_name: str | None
    seller_base_region: str | None
    granted_scopes: tuple[str, ...]


@dataclass(frozen=True)
class AuthorizedShop:
    """A shop covered by an authorization, with the cipher every shop-scoped call needs."""

    id: str
    name: str | None
    region: str | None
    seller_type: str | None
    cipher: str
    code: str | None


def parse_token(data: Mapping[str, Any]) -> ShopToken:
    """Token data; ``*_expire_in`` are absolute unix seconds (sic)."""
    return ShopToken(
        access_token=str(w.required(data, "access_token")),
        access_token_expires_at=_required_time(data, "access_token_expire_in"),
        refresh_token=str(w.required(data, "refresh_token")),
        refresh_token_expires_at=_required_time(data, "refresh_token_expire_in"),
        open_id=w.text(data.get("open_id")),
        seller_name=w.text(data.get("seller_name")),
        seller_base_region=w.text(data.get("seller_base_region")),
        granted_scopes=tuple(str(s) for s in data.get("granted_scopes") or ()),
    )


def parse_shop(data: Mapping[str, Any]) -> AuthorizedShop:
    """One entry of ``data.shops``."""
    return AuthorizedShop(
        id=str(w.required(data, "id")),
        name=w.text(data.get("name")),
        region=w.text(data.get("region")),
        seller_type=w.text(data.get("seller_type")),
        cipher=str(w.required(data, "cipher")),
        code=w.text(data.get("code")),
    )
