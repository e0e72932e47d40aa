"""Tenants, shops and advertisers in the warehouse: created on first sight, updated on reconnect.

A shop's currency and time zone default from its region (GB -> GBP, Europe/London; US -> USD,
America/Los_Angeles; ...); a store entry in the tenants file overrides both. Used by the OAuth
connect flow and by the CSV importer, which registers an unknown shop the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from config.regions import region_defaults
from config.tenant_registry import TenantRegistry
from config.tenants import DEFAULT_REPORTING_CURRENCY
from jobs.warehouse.schema import advertisers, shops, tenants
from jobs.warehouse.upsert import upsert


@dataclass(frozen=True)
class ShopSpec:
    """What we know about a shop when registering it."""

    shop_id: str
    region: str
    name: str | None = None
    cipher: str | None = None
    seller_type: str | None = None
    auth_id: int | None = None
    source: str = "api"


def tenant_id_for(name: str) -> str:
    """A stable tenant id from a display name: ``"Acme Ltd"`` -> ``"acme-ltd"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    return (slug or "tenant")[:64]


def ensure_tenant(
    conn: Connection, name: str, *, currency: str | None = None,
    registry: TenantRegistry | None = None, now: datetime | None = None,
) -> str:
    """The id of the tenant called ``name`` (or with that id), created if missing.

    Its reporting currency is the tenants file's, else ``currency`` if given, else
    ``DEFAULT_REPORTING_CURRENCY``: the same default as a tenant of the file (never a shop's).
    """
    tenant_id = tenant_id_for(name)
    if conn.execute(select(tenants.c.tenant_id).where(tenants.c.tenant_id == tenant_id)).first():
        return tenant_id
    configured = registry.tenant(tenant_id) if registry else None
    stamp = now or datetime.now(UTC)
    upsert(conn, tenants, [{
        "tenant_id": tenant_id,
        "name": configured.name if configured else name,
        "reporting_currency": (configured.reporting_currency if configured
                               else currency or DEFAULT_REPORTING_CURRENCY),
        "language": configured.language[0] if configured else "en",
        "created_at": stamp, "updated_at": stamp,
    }])
    return tenant_id


def register_shop(
    conn: Connection, tenant_id: str, spec: ShopSpec, *,
    registry: TenantRegistry | None = None, now: datetime | None = None,
) -> tuple[str, str]:
    """Insert or update a shop; returns its (currency, time zone)."""
    currency, timezone = shop_defaults(spec.shop_id, spec.region, registry)
    stamp = now or datetime.now(UTC)
    existing = conn.execute(select(shops.c.created_at, shops.c.auth_id)
                            .where(shops.c.shop_id == spec.shop_id)).first()
    upsert(conn, shops, [{
        "shop_id": spec.shop_id, "tenant_id": tenant_id,
        "auth_id": spec.auth_id if spec.auth_id is not None else (existing and existing.auth_id),
        "name": spec.name or spec.shop_id, "region": region_defaults(spec.region).code,
        "currency": currency, "timezone": timezone, "cipher": spec.cipher,
        "seller_type": spec.seller_type, "source": spec.source,
        "created_at": existing.created_at if existing else stamp, "updated_at": stamp,
    }])
    return currency, timezone


def shop_defaults(
    shop_id: str, region: str, registry: TenantRegistry | None
) -> tuple[str, str]:
    """(currency, time zone) from the tenants file if it lists the shop, else from the region."""
    if registry is not None:
        tenant = registry.tenant_of_shop(shop_id)
        store = next((s for s in tenant.stores if s.shop_id == shop_id), None) if tenant else None
        if store is not None:
            return store.resolved_currency, store.resolved_timezone
    defaults = region_defaults(region)
    return defaults.currency, defaults.timezone


def register_advertiser(
    conn: Connection, tenant_id: str, advertiser_id: str, *, name: str | None,
    currency: str | None, timezone: str | None, shop_id: str | None, auth_id: int | None,
    now: datetime | None = None,
) -> None:
    """Insert or update an advertiser; missing currency/zone fall back to its shop's."""
    if shop_id and (currency is None or timezone is None):
        shop = conn.execute(select(shops.c.currency, shops.c.timezone)
                            .where(shops.c.shop_id == shop_id)).first()
        if shop is not None:
            currency, timezone = currency or shop.currency, timezone or shop.timezone
    stamp = now or datetime.now(UTC)
    existing = conn.execute(select(advertisers.c.created_at, advertisers.c.shop_id)
                            .where(advertisers.c.advertiser_id == advertiser_id)).first()
    upsert(conn, advertisers, [{
        "advertiser_id": advertiser_id, "tenant_id": tenant_id,
        "shop_id": shop_id or (existing.shop_id if existing else None), "auth_id": auth_id,
        "name": name or advertiser_id, "currency": currency or DEFAULT_REPORTING_CURRENCY,
        "timezone": timezone or "UTC",
        "created_at": existing.created_at if existing else stamp, "updated_at": stamp,
    }])
