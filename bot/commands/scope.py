"""Which of the tenant's stores a question is about: by id, by name, by region, or all.

Only the bound tenant's stores are ever searched, so a store of another tenant is simply
"unknown" (its existence never leaks); the error lists the stores this channel may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.vocab import ALL_WORDS, region_code
from config.tenants import Store, Tenant

_SUFFIX = re.compile(r"(店铺|店|站|市场|store|shop)$")


@dataclass(frozen=True)
class Scope:
    """The stores a question covers and how to name them in the answer."""

    kind: str  # all | store | region
    stores: tuple[Store, ...]
    label: str
    ids: tuple[str, ...]  # shop ids, or the region code for a region


class UnknownStore(LookupError):
    """The words name none (or several) of the tenant's stores; ``visible`` lists the options."""

    def __init__(self, said: str, visible: tuple[Store, ...], several: tuple[Store, ...] = ()):
        self.said = said
        self.visible = visible
        self.several = several
        super().__init__(f"unknown store {said!r}")


def store_label(store: Store) -> str:
    """How a store is named in answers: its name, or its region and id."""
    return store.name or f"{store.region} {store.shop_id}"


def resolve_scope(tenant: Tenant, said: str | None) -> Scope:
    """The stores of ``tenant`` that ``said`` names (``None`` or "all": every store)."""
    stores = tenant.stores
    if said is None or said.casefold() in ALL_WORDS:
        return Scope("all", stores, tenant.name, tuple(s.shop_id for s in stores))
    key = _key(said)
    exact = [s for s in stores if key in (s.shop_id, _key(s.name or ""))]
    if exact:
        return _one(exact[0])
    code = region_code(key) or region_code(_SUFFIX.sub("", key))
    if code is not None:
        in_region = tuple(s for s in stores if s.region == code)
        if len(in_region) == 1:
            return Scope("region", in_region, store_label(in_region[0]), (code,))
        if in_region:
            return Scope("region", in_region, f"{code} ({len(in_region)} stores)", (code,))
    partial = tuple(s for s in stores if key and key in _key(s.name or ""))
    if len(partial) == 1:
        return _one(partial[0])
    raise UnknownStore(said, stores, partial)


def _one(store: Store) -> Scope:
    return Scope("store", (store,), store_label(store), (store.shop_id,))


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def visible_stores_text(stores: tuple[Store, ...]) -> str:
    """One line per store: name, region and id, as people can type them."""
    return "\n".join(f"• {store_label(s)} ({s.region}, id {s.shop_id})" for s in stores)
