"""Connecting a seller: exchange an authorization code, store the tokens, register what they cover.

- ``connect_shop`` / ``connect_ads`` exchange a Seller Center or ads code, store the tokens
  encrypted (``jobs.accounts.authorizations``) and register the shops (with ciphers) or advertisers
  they cover under a tenant.
- The tenants file is the authority on ownership: a shop or ads account it gives to another tenant
  raises ``OwnedByAnotherTenant`` before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from config.tenant_registry import TenantRegistry
from jobs.accounts.authorizations import _store_authorization, _upsert_authorization
from jobs.accounts.registry import (
    ShopSpec,
    ensure_tenant,
    register_advertiser,
    register_shop,
    tenant_id_for,
)
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.warehouse.crypto import TokenCipher


@dataclass(frozen=True)
class Connected:
    """Result of a connect: the authorization row and what it covers."""

    auth_id: int
    tenant_id: str
    subject_ids: tuple[str, ...]


def connect_shop(
    engine: Engine, client: TikTokShopClient, cipher: TokenCipher, auth_code: str,
    tenant: str, *, registry: TenantRegistry | None = None, now: datetime | None = None,
) -> Connected:
    """Exchange a Seller Center code; store tokens; register every shop it covers."""
    stamp = now or datetime.now(UTC)
    token = client.get_token(auth_code)
    authorized = client.authorized_shops(token.access_token)
    _refuse_foreign(registry, tenant, "shop", [s.id for s in authorized])
    with engine.begin() as conn:
        tenant_id = ensure_tenant(conn, tenant, registry=registry, now=stamp)
        subject = token.open_id or ",".join(sorted(s.id for s in authorized))
        auth_id = _store_authorization(conn, "shop", subject, tenant_id, token, cipher, stamp)
        for shop in authorized:
            register_shop(conn, tenant_id, ShopSpec(
                shop_id=shop.id, region=shop.region or token.seller_base_region or "US",
                name=shop.name, cipher=shop.cipher, seller_type=shop.seller_type, auth_id=auth_id,
            ), registry=registry, now=stamp)
    return Connected(auth_id, tenant_id, tuple(s.id for s in authorized))


def connect_ads(
    engine: Engine, client: TikTokAdsClient, cipher: TokenCipher, auth_code: str, tenant: str,
    *, shop_id: str | None = None, registry: TenantRegistry | None = None,
    now: datetime | None = None,
) -> Connected:
    """Exchange an ads code; store the token; register its advertisers.

    Each advertiser is linked to ``shop_id`` when given, else to the tenants-file store that lists
    it in ``advertiser_ids``, else to no shop (link it later by connecting again with ``--shop``).
    """
    stamp = now or datetime.now(UTC)
    token = client.exchange_code(auth_code)
    accounts = client.advertisers(token.access_token)
    ids = sorted({*token.advertiser_ids, *(a.id for a in accounts)})
    _refuse_foreign(registry, tenant, "ads account", ids)
    with engine.begin() as conn:
        tenant_id = ensure_tenant(conn, tenant, now=stamp)
        row = {"access_token_enc": cipher.encrypt(token.access_token), "scopes": list(token.scope),
               "access_expires_at": None, "refresh_token_enc": None, "refresh_expires_at": None}
        auth_id = _upsert_authorization(conn, "ads", "ads:" + ",".join(ids), tenant_id, row,
                                        None, None, stamp)
        for account in accounts:
            register_advertiser(conn, tenant_id, account.id, name=account.name,
                                currency=account.currency, timezone=account.timezone,
                                shop_id=shop_id or _configured_shop(registry, account.id),
                                auth_id=auth_id, now=stamp)
    return Connected(auth_id, tenant_id, tuple(a.id for a in accounts))


class OwnedByAnotherTenant(ValueError):
    """The tenants file gives a shop or ads account of this authorization to another tenant."""


def _refuse_foreign(registry: TenantRegistry | None, tenant: str, kind: str,
                    subject_ids: Sequence[str]) -> None:
    """Refuse before anything is stored when the file gives a subject to another tenant."""
    if registry is None:
        return
    wanted = tenant_id_for(tenant)
    for owner in registry.tenants:
        if owner.id == wanted:
            continue
        listed = {s.shop_id for s in owner.stores} if kind == "shop" else {
            a for s in owner.stores for a in s.advertiser_ids}
        foreign = sorted(listed.intersection(subject_ids))
        if foreign:
            raise OwnedByAnotherTenant(
                f"{kind} {', '.join(foreign)} belongs to tenant {owner.id} in the tenants file, "
                f"not {wanted}: nothing was connected. Send the seller {owner.id}'s link "
                f"('tikpulse auth link --tenant {owner.id}'), or move the {kind} in the tenants "
                "file first")


def _configured_shop(registry: TenantRegistry | None, advertiser_id: str) -> str | None:
    """The shop whose tenants-file store lists ``advertiser_id``, if any."""
    for tenant in registry.tenants if registry else ():
        for store in tenant.stores:
            if advertiser_id in store.advertiser_ids:
                return store.shop_id
    return None


__all__: Sequence[str] = ("Connected", "OwnedByAnotherTenant", "connect_ads", "connect_shop")
