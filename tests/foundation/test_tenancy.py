from datetime import UTC, datetime

from config.tenant_registry import TenantRegistry
from config.tenants import Store, Tenant
from jobs.accounts.tenancy import effective_registry
from jobs.warehouse.schema import advertisers, shops, tenants

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def _register(conn, tenant_id, shop_id, region, currency, zone, advertiser_id=None):
    conn.execute(shops.insert().values(shop_id=shop_id, tenant_id=tenant_id, name=f"Shop {region}",
                                       region=region, currency=currency, timezone=zone,
                                       source="api", created_at=NOW, updated_at=NOW))
    if advertiser_id:
        conn.execute(advertisers.insert().values(advertiser_id=advertiser_id, tenant_id=tenant_id,
                                                 shop_id=shop_id, name="ads", currency=currency,
                                                 timezone=zone, created_at=NOW, updated_at=NOW))


def test_warehouse_shops_join_file_tenants_and_new_tenants_appear(engine):
    with engine.begin() as conn:
        for tid in ("acme", "solo"):
            conn.execute(tenants.insert().values(tenant_id=tid, name=tid.title(),
                                                 reporting_currency="USD", language="zh+en",
                                                 created_at=NOW, updated_at=NOW))
        _register(conn, "acme", "s-uk", "GB", "GBP", "Europe/London", advertiser_id="adv-uk")
        _register(conn, "acme", "s-th", "TH", "THB", "Asia/Bangkok")
        _register(conn, "solo", "s-us", "US", "USD", "America/Los_Angeles")
    file_tenant = Tenant(id="acme", name="Acme 家居", reporting_currency="CNY",
                         stores=(Store(shop_id="s-uk", name="Acme UK", region="GB",
                                       timezone="Europe/Dublin"),))
    merged = effective_registry(engine, TenantRegistry(None, (file_tenant,)))

    acme = merged.tenant("acme")
    assert acme.name == "Acme 家居" and acme.reporting_currency == "CNY"
    by_id = {s.shop_id: s for s in acme.stores}
    assert by_id["s-uk"].timezone == "Europe/Dublin"  # the file overrides
    assert by_id["s-uk"].advertiser_ids == ("adv-uk",)  # the warehouse fills in ads accounts
    assert by_id["s-th"].resolved_timezone == "Asia/Bangkok"
    solo = merged.tenant("solo")
    assert solo.language == ("zh", "en")
    assert [s.shop_id for s in solo.stores] == ["s-us"]
    assert merged.tenant_of_shop("s-us") is solo
