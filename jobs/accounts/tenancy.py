"""The effective tenants: the tenants file merged with the shops registered in the warehouse.

A shop connected with ``tikpulse auth connect-shop --tenant NAME`` lives in the warehouse with the
currency and time zone of its region; the tenants file adds targets, chats and language, and may
override a store's name, currency or time zone. Every reader (report, digest, bot, alerts) asks this
module, so they all see the same stores under the same tenant.

The tenants file is the authority on who owns a shop or an ads account: a shop the file gives to
tenant B is never shown under A, whatever the warehouse says. ``effective_registry`` first applies
the file's ownership to the warehouse (``apply_file_ownership``: shops, advertisers and the
authorizations that cover only moved shops follow the file), so moving a shop between clients in the
file moves it completely (answers, digests, alerts) the next time any process reads the tenants.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select, update

from config.tenant_registry import TenantRegistry, load_tenants
from config.tenants import Store, Tenant
from jobs.accounts.registry import ensure_tenant
from jobs.warehouse.schema import advertisers, authorizations, shops, tenants

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ownership:
    """A shop or ads account the warehouse registered under one tenant and the file gives to
    another; the file wins."""

    kind: str  # "shop" | "advertiser"
    subject_id: str
    warehouse_tenant: str
    file_tenant: str

    def describe(self) -> str:
        return (f"{self.kind} {self.subject_id} was registered under tenant "
                f"{self.warehouse_tenant}; the tenants file gives it to {self.file_tenant}, so "
                f"its data, answers, digests and alerts belong to {self.file_tenant}")


def file_owners(registry: TenantRegistry) -> tuple[dict[str, str], dict[str, str]]:
    """Shop id -> tenant id and advertiser id -> tenant id, as the tenants file assigns them."""
    shop_owner: dict[str, str] = {}
    ads_owner: dict[str, str] = {}
    for tenant in registry.tenants:
        for store in tenant.stores:
            shop_owner[store.shop_id] = tenant.id
            for advertiser_id in store.advertiser_ids:
                ads_owner[advertiser_id] = tenant.id
    return shop_owner, ads_owner


def ownership_differences(conn: Connection, registry: TenantRegistry) -> list[Ownership]:
    """Every shop and advertiser whose warehouse tenant is not the one the file names."""
    shop_owner, ads_owner = file_owners(registry)
    found = [Ownership("shop", r.shop_id, r.tenant_id, shop_owner[r.shop_id])
             for r in conn.execute(select(shops.c.shop_id, shops.c.tenant_id))
             if r.shop_id in shop_owner and shop_owner[r.shop_id] != r.tenant_id]
    found += [Ownership("advertiser", r.advertiser_id, r.tenant_id, ads_owner[r.advertiser_id])
              for r in conn.execute(select(advertisers.c.advertiser_id, advertisers.c.tenant_id))
              if r.advertiser_id in ads_owner and ads_owner[r.advertiser_id] != r.tenant_id]
    return found


def apply_file_ownership(engine: Engine, registry: TenantRegistry,
                         now: datetime | None = None) -> list[Ownership]:
    """Move every shop and advertiser to the tenant the file names (and an authorization whose
    shops all moved to one tenant with them); returns what moved. One read when nothing did."""
    with engine.connect() as conn:
        if not ownership_differences(conn, registry):
            return []
    stamp = now or datetime.now(UTC)
    with engine.begin() as conn:
        moved = ownership_differences(conn, registry)
        for item in moved:
            ensure_tenant(conn, item.file_tenant, registry=registry, now=stamp)
            table, key = ((shops, shops.c.shop_id) if item.kind == "shop"
                          else (advertisers, advertisers.c.advertiser_id))
            conn.execute(update(table).where(key == item.subject_id)
                         .values(tenant_id=item.file_tenant, updated_at=stamp))
        _move_authorizations(conn, stamp)
    for item in moved:
        log.warning("tenants file: %s", item.describe())
    return moved


def _move_authorizations(conn: Connection, stamp: datetime) -> None:
    """An authorization follows its shops (or advertisers) when they all belong to one tenant."""
    covered: dict[int, set[str]] = defaultdict(set)
    for table in (shops, advertisers):
        for auth_id, tenant_id in conn.execute(select(table.c.auth_id, table.c.tenant_id)
                                               .where(table.c.auth_id.is_not(None))):
            covered[auth_id].add(tenant_id)
    for auth_id, owners in covered.items():
        if len(owners) == 1:
            conn.execute(update(authorizations)
                         .where(authorizations.c.auth_id == auth_id,
                                authorizations.c.tenant_id != next(iter(owners)))
                         .values(tenant_id=next(iter(owners)), updated_at=stamp))


def effective_registry(engine: Engine, registry: TenantRegistry) -> TenantRegistry:
    """``registry`` plus the tenants and stores registered in the warehouse at ``engine``, after
    the file's ownership is applied to the warehouse (``apply_file_ownership``)."""
    apply_file_ownership(engine, registry)
    shop_owner, ads_owner = file_owners(registry)
    with engine.connect() as conn:
        db_tenants = conn.execute(select(tenants)).mappings().all()
        db_shops = conn.execute(select(shops).order_by(shops.c.shop_id)).mappings().all()
        ads = conn.execute(select(advertisers.c.advertiser_id, advertisers.c.shop_id)).all()
    ads_by_shop: dict[str, list[str]] = defaultdict(list)
    for advertiser_id, shop_id in ads:
        if shop_id:
            ads_by_shop[shop_id].append(advertiser_id)
    shops_by_tenant: dict[str, list[Store]] = defaultdict(list)
    for row in db_shops:
        owner = shop_owner.get(row["shop_id"], row["tenant_id"])  # the file wins
        owned_ads = [a for a in ads_by_shop[row["shop_id"]] if ads_owner.get(a, owner) == owner]
        shops_by_tenant[owner].append(_store_from_row(row, owned_ads))

    merged: list[Tenant] = []
    file_ids = {t.id for t in registry.tenants}
    for tenant in registry.tenants:
        registered = shops_by_tenant.get(tenant.id, [])
        merged.append(_with_warehouse_stores(tenant, registered, ads_by_shop, ads_owner))
    for row in db_tenants:
        if row["tenant_id"] in file_ids:
            continue
        merged.append(Tenant(id=row["tenant_id"], name=row["name"],
                             reporting_currency=row["reporting_currency"],
                             language=tuple(row["language"].split("+")),
                             stores=tuple(shops_by_tenant.get(row["tenant_id"], []))))
    return TenantRegistry(registry.path, tuple(merged))


def _store_from_row(row: dict, advertiser_ids: list[str]) -> Store:  # type: ignore[type-arg]
    return Store(shop_id=row["shop_id"], name=row["name"], region=row["region"],
                 currency=row["currency"], timezone=row["timezone"],
                 advertiser_ids=tuple(advertiser_ids))


def _with_warehouse_stores(
    tenant: Tenant, registered: list[Store], ads_by_shop: dict[str, list[str]],
    ads_owner: dict[str, str],
) -> Tenant:
    """The file's stores (advertisers filled in from the warehouse, none the file gives to
    another tenant) plus registered extra shops."""
    listed = {s.shop_id for s in tenant.stores}
    stores = [
        s if s.advertiser_ids
        else s.model_copy(update={"advertiser_ids": tuple(
            a for a in ads_by_shop[s.shop_id] if ads_owner.get(a, tenant.id) == tenant.id)})
        for s in tenant.stores
    ]
    stores += [s for s in registered if s.shop_id not in listed]
    return tenant.model_copy(update={"stores": tuple(stores)})


def tenant_directory(engine: Engine, tenants_file: Path | None) -> TenantRegistry:
    """The effective tenants for a process: the tenants file at ``tenants_file`` + the warehouse."""
    return effective_registry(engine, load_tenants(tenants_file))
