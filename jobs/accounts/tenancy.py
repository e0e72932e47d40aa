"""The effective tenants: the tenants file merged with the shops registered in the warehouse.

A shop connected with ``tikpulse auth connect-shop --tenant NAME`` lives in the warehouse with the
currency and time zone of its region; the tenants file adds targets, chats and language, and may
override a store's name, currency or time zone. Every reader (report, digest, bot, alerts) asks this
module, so they all see the same stores under the same tenant.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlalchemy import Engine, select

from config.tenants import Store, Tenant, TenantRegistry, load_tenants
from jobs.warehouse.schema import advertisers, shops, tenants


def effective_registry(engine: Engine, registry: TenantRegistry) -> TenantRegistry:
    """``registry`` plus the tenants and stores registered in the warehouse at ``engine``."""
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
        shops_by_tenant[row["tenant_id"]].append(_store_from_row(row, ads_by_shop[row["shop_id"]]))

    merged: list[Tenant] = []
    file_ids = {t.id for t in registry.tenants}
    for tenant in registry.tenants:
        registered = shops_by_tenant.get(tenant.id, [])
        merged.append(_with_warehouse_stores(tenant, registered, ads_by_shop))
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
    tenant: Tenant, registered: list[Store], ads_by_shop: dict[str, list[str]]
) -> Tenant:
    """The file's stores (advertisers filled in from the warehouse) plus registered extra shops."""
    listed = {s.shop_id for s in tenant.stores}
    stores = [
        s if s.advertiser_ids
        else s.model_copy(update={"advertiser_ids": tuple(ads_by_shop[s.shop_id])})
        for s in tenant.stores
    ]
    stores += [s for s in registered if s.shop_id not in listed]
    return tenant.model_copy(update={"stores": tuple(stores)})


def tenant_directory(engine: Engine, tenants_file: Path | None) -> TenantRegistry:
    """The effective tenants for a process: the tenants file at ``tenants_file`` + the warehouse."""
    return effective_registry(engine, load_tenants(tenants_file))
