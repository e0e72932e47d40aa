"""Where a CSV import goes: the shop or advertiser of the file, and how to register it if new.

Nothing is written here: a new shop or advertiser (and its new tenant) is registered by the
``Register`` returned, inside the import's own transaction, so a refused file leaves no shop
behind (``jobs.ingestion.csv_import``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from config.tenant_registry import TenantRegistry
from config.tenants import DEFAULT_REPORTING_CURRENCY
from jobs.accounts.registry import (
    ShopSpec,
    ensure_tenant,
    register_advertiser,
    register_shop,
    shop_defaults,
)
from jobs.warehouse import schema as s

#: Currencies without minor units (amounts split across unit lines in whole units).
ZERO_DECIMAL_CURRENCIES = frozenset({"VND", "IDR", "JPY", "KRW", "CLP"})

Register = Callable[[Connection], object]
"""Registers a new shop or advertiser (and its tenant) inside the import's transaction."""


class UnknownShop(LookupError):
    """The shop is not registered and no region was given to register it."""


@dataclass(frozen=True)
class ShopTarget:
    """The shop an order export goes to, and how to register it if it is new."""

    shop_id: str
    currency: str
    timezone: str
    exponent: int  #: decimal places of the currency's minor unit
    register: Register


def shop_target(engine: Engine, shop_id: str, tenant: str | None, region: str | None,
                registry: TenantRegistry | None) -> ShopTarget:
    """The shop's currency and time zone, and what registers it if it is new; ``UnknownShop``
    if it is new and neither its region nor its tenant is known."""
    with engine.connect() as conn:
        row = conn.execute(select(s.shops.c.currency, s.shops.c.timezone)
                           .where(s.shops.c.shop_id == shop_id)).first()
    if row is not None:
        return _target(shop_id, row.currency, row.timezone, _nothing)
    configured = registry.tenant_of_shop(shop_id) if registry else None
    store = (next(x for x in configured.stores if x.shop_id == shop_id)
             if configured else None)
    region = region or (store.region if store else None)
    if region is None or (tenant is None and configured is None):
        raise UnknownShop(f"shop {shop_id} is not registered: pass --tenant and --region "
                          "(or list it in the tenants file)")
    currency, zone = shop_defaults(shop_id, region, registry)
    name = configured.id if configured else str(tenant)

    def register(conn: Connection) -> None:
        tenant_id = ensure_tenant(conn, name, registry=registry)
        register_shop(conn, tenant_id, ShopSpec(shop_id=shop_id, region=region, source="csv"),
                      registry=registry)

    return _target(shop_id, currency, zone, register)


def _target(shop_id: str, currency: str, zone: str, register: Register) -> ShopTarget:
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    return ShopTarget(shop_id, currency, zone, exponent, register)


def advertiser_target(engine: Engine, advertiser_id: str, tenant: str | None,
                      shop_id: str | None, currency: str | None) -> tuple[str, Register]:
    """The advertiser's currency, and what registers it if it is new (in the import's
    transaction, like a new shop)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.advertisers.c.currency)
                           .where(s.advertisers.c.advertiser_id == advertiser_id)).first()
        if row is not None:
            return str(row.currency), _nothing
        if tenant is None and shop_id is None:
            raise UnknownShop(f"advertiser {advertiser_id} is not registered: pass --tenant "
                              "or --shop")
        shop = None if shop_id is None else conn.execute(
            select(s.shops.c.tenant_id, s.shops.c.currency)
            .where(s.shops.c.shop_id == shop_id)).first()

    def register(conn: Connection) -> None:
        tenant_id = shop.tenant_id if shop is not None else ensure_tenant(conn, str(tenant))
        register_advertiser(conn, tenant_id, advertiser_id, name=None, currency=currency,
                            timezone=None, shop_id=shop_id, auth_id=None)

    return currency or (shop.currency if shop is not None else DEFAULT_REPORTING_CURRENCY), register


def _nothing(conn: Connection) -> None:
    """Registers nothing: the shop or advertiser is known."""
