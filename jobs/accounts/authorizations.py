"""The authorization lifecycle: connect, store encrypted tokens, refresh safely, record failures.

- ``connect_shop`` / ``connect_ads`` exchange an authorization code, store the tokens encrypted and
  register the shops (with ciphers) or advertisers they cover under a tenant.
- ``shop_access`` hands a sync a current access token, refreshing it two days before it expires.
- ``refresh_shop_tokens`` rotates tokens so that two workers refreshing at once never lose the valid
  refresh token: a Redis lock serialises the refresh call and a compare-and-swap on
  ``authorizations.version`` makes the write atomic even if the lock expired.
- ``record_auth_failure`` turns every ``AuthError`` into a status change of the authorization;
  ``sync_blocked`` tells a sync to stop for that shop instead of hammering the API.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import Engine, Row, select, update

from config.tenant_registry import TenantRegistry
from jobs.accounts.registry import (
    ShopSpec,
    ensure_tenant,
    register_advertiser,
    register_shop,
    tenant_id_for,
)
from jobs.sources.errors import AuthError
from jobs.sources.tiktok.ads import TikTokAdsClient
from jobs.sources.tiktok.records.access import ShopToken
from jobs.sources.tiktok.shop import ShopAccess, TikTokShopClient
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.schema import advertisers, authorizations, shops

log = logging.getLogger(__name__)

#: Refresh an access token this long before it expires.
REFRESH_MARGIN = timedelta(days=2)
#: Report a refresh token as "expiring" this long before it expires.
EXPIRING_WARNING = timedelta(days=7)
#: Statuses under which syncing continues.
SYNCABLE_STATUSES = frozenset({"healthy", "expiring"})
#: Seconds the refresh lock is held at most, and waited for at most.
REFRESH_LOCK_TIMEOUT = 60
REFRESH_LOCK_WAIT = 30


@dataclass(frozen=True)
class Connected:
    """Result of a connect: the authorization row and what it covers."""

    auth_id: int
    tenant_id: str
    subject_ids: tuple[str, ...]


@dataclass(frozen=True)
class AuthHealth:
    """One line of ``tikpulse auth status``."""

    auth_id: int
    kind: str
    tenant_id: str
    seller_name: str | None
    covers: tuple[str, ...]
    health: str
    reason: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None


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


def shop_access(
    engine: Engine, conn_redis: redis.Redis, client: TikTokShopClient, cipher: TokenCipher,
    shop_id: str, *, force_refresh: bool = False, now: datetime | None = None,
) -> ShopAccess:
    """Cipher and a current access token for ``shop_id``; refreshes when due or forced.

    Raises ``AuthError`` (already recorded) when the authorization cannot be used.
    """
    stamp = now or datetime.now(UTC)
    row = _shop_auth_row(engine, shop_id)
    shop_cipher = str(row.cipher or "")
    if row.status not in SYNCABLE_STATUSES:
        raise AuthError(f"authorization of shop {shop_id} is {row.status}: reconnect it")
    due = row.access_expires_at is None or row.access_expires_at - REFRESH_MARGIN <= stamp
    if force_refresh or due:
        row = refresh_shop_tokens(engine, conn_redis, client, cipher, row.auth_id, row.version,
                                  now=stamp)
    return ShopAccess(shop_id, shop_cipher, cipher.decrypt(row.access_token_enc))


def refresh_shop_tokens(
    engine: Engine, conn_redis: redis.Redis, client: TikTokShopClient, cipher: TokenCipher,
    auth_id: int, seen_version: int, *, now: datetime | None = None, use_lock: bool = True,
) -> Row[Any]:
    """Rotate the tokens of ``auth_id`` unless another worker already did since ``seen_version``.

    Returns the current ``authorizations`` row.
    """
    lock = conn_redis.lock(f"tikpulse:auth-refresh:{auth_id}", timeout=REFRESH_LOCK_TIMEOUT,
                           blocking_timeout=REFRESH_LOCK_WAIT) if use_lock else None
    if lock is not None and not lock.acquire():
        raise TimeoutError(f"refresh lock for authorization {auth_id} not acquired")
    try:
        return _refresh_locked(engine, client, cipher, auth_id, seen_version,
                               now or datetime.now(UTC))
    finally:
        if lock is not None and lock.owned():
            lock.release()


def _refresh_locked(
    engine: Engine, client: TikTokShopClient, cipher: TokenCipher, auth_id: int,
    seen_version: int, stamp: datetime,
) -> Row[Any]:
    current = _auth_row(engine, auth_id)
    if current.version != seen_version:
        return current  # someone else rotated already: use theirs
    try:
        token = client.refresh_token(cipher.decrypt(current.refresh_token_enc))
    except AuthError as error:
        if _auth_row(engine, auth_id).version != seen_version:
            return _auth_row(engine, auth_id)  # lost a race: the winner's token is valid
        record_auth_failure(engine, auth_id, error, now=stamp)
        raise
    values = _token_values(token, cipher)
    with engine.begin() as conn:
        swapped = conn.execute(
            update(authorizations)
            .where(authorizations.c.auth_id == auth_id, authorizations.c.version == seen_version)
            .values(**values, version=seen_version + 1, status="healthy", status_reason=None,
                    updated_at=stamp)
        ).rowcount
    if swapped != 1:
        log.warning("authorization %s was rotated concurrently; keeping the stored tokens", auth_id)
    return _auth_row(engine, auth_id)


def refresh_expiring(
    engine: Engine, conn_redis: redis.Redis, client: TikTokShopClient, cipher: TokenCipher,
    *, now: datetime | None = None,
) -> dict[int, str]:
    """Refresh every usable shop authorization whose access token expires within the margin.

    Run periodically (see ``jobs.tasks.refresh_tokens``) so that shops which are not synced for a
    while keep a live refresh token. Returns auth id -> "refreshed" or the failure status.
    """
    stamp = now or datetime.now(UTC)
    with engine.connect() as conn:
        due = conn.execute(select(authorizations.c.auth_id, authorizations.c.version).where(
            authorizations.c.kind == "shop",
            authorizations.c.status.in_(SYNCABLE_STATUSES),
            authorizations.c.access_expires_at <= stamp + REFRESH_MARGIN)).all()
    outcome: dict[int, str] = {}
    for auth_id, version in due:
        try:
            refresh_shop_tokens(engine, conn_redis, client, cipher, auth_id, version, now=stamp)
            outcome[auth_id] = "refreshed"
        except AuthError as error:  # already recorded as the authorization's status
            outcome[auth_id] = error.status
    return outcome


def record_auth_failure(
    engine: Engine, auth_id: int, error: AuthError, *, now: datetime | None = None
) -> str:
    """Record ``error`` as the authorization's status; returns the new status."""
    status = error.status
    stamp = now or datetime.now(UTC)
    with engine.begin() as conn:
        current = conn.execute(select(authorizations.c.status)
                               .where(authorizations.c.auth_id == auth_id)).scalar_one()
        values: dict[str, Any] = {"status": status, "status_reason": str(error),
                                  "updated_at": stamp}
        if current != status:
            values["status_changed_at"] = stamp
        conn.execute(update(authorizations).where(authorizations.c.auth_id == auth_id)
                     .values(**values))
    log.warning("authorization %s is now %s: %s", auth_id, status, error)
    return status


def record_shop_auth_failure(engine: Engine, shop_id: str, error: AuthError) -> str:
    """``record_auth_failure`` for the authorization that covers ``shop_id``."""
    return record_auth_failure(engine, _shop_auth_row(engine, shop_id).auth_id, error)


def record_advertiser_auth_failure(engine: Engine, advertiser_id: str, error: AuthError) -> str:
    """``record_auth_failure`` for the authorization that covers ``advertiser_id``."""
    return record_auth_failure(engine, _advertiser_auth_row(engine, advertiser_id).auth_id, error)


def ads_access_token(engine: Engine, cipher: TokenCipher, advertiser_id: str) -> str:
    """The decrypted token of the advertiser's authorization; ``AuthError`` if unusable."""
    row = _advertiser_auth_row(engine, advertiser_id)
    if row.status not in SYNCABLE_STATUSES:
        raise AuthError(f"authorization of advertiser {advertiser_id} is {row.status}")
    return cipher.decrypt(row.access_token_enc)


def sync_blocked(engine: Engine, *, shop_id: str | None = None,
                 advertiser_id: str | None = None) -> str | None:
    """The blocking status if the subject's authorization must not be used, else ``None``."""
    row = (_shop_auth_row(engine, shop_id) if shop_id
           else _advertiser_auth_row(engine, str(advertiser_id)))
    return None if row.status in SYNCABLE_STATUSES else str(row.status)


def authorization_health(engine: Engine, *, now: datetime | None = None) -> list[AuthHealth]:
    """Every authorization with its health for ``tikpulse auth status``."""
    stamp = now or datetime.now(UTC)
    with engine.connect() as conn:
        rows = conn.execute(select(authorizations).order_by(authorizations.c.auth_id)).all()
        covers = _covered(conn)
    return [AuthHealth(r.auth_id, r.kind, r.tenant_id, r.seller_name,
                       tuple(covers.get(r.auth_id, ())), _health(r, stamp), r.status_reason,
                       r.access_expires_at, r.refresh_expires_at) for r in rows]


def _health(row: Row[Any], now: datetime) -> str:
    if row.status not in SYNCABLE_STATUSES:
        return str(row.status)
    if row.refresh_expires_at is not None and row.refresh_expires_at <= now:
        return "expired"
    if row.refresh_expires_at is not None and row.refresh_expires_at - EXPIRING_WARNING <= now:
        return "expiring"
    return "healthy"


def _covered(conn: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for table, key in ((shops, shops.c.shop_id), (advertisers, advertisers.c.advertiser_id)):
        for auth_id, subject in conn.execute(select(table.c.auth_id, key)).all():
            if auth_id is not None:
                out.setdefault(auth_id, []).append(subject)
    return out


def _token_values(token: ShopToken, cipher: TokenCipher) -> dict[str, Any]:
    return {
        "access_token_enc": cipher.encrypt(token.access_token),
        "access_expires_at": token.access_token_expires_at,
        "refresh_token_enc": cipher.encrypt(token.refresh_token),
        "refresh_expires_at": token.refresh_token_expires_at,
        "scopes": list(token.granted_scopes),
    }


def _store_authorization(conn: Any, kind: str, subject: str, tenant_id: str, token: ShopToken,
                         cipher: TokenCipher, stamp: datetime) -> int:
    return _upsert_authorization(conn, kind, subject, tenant_id, _token_values(token, cipher),
                                 token.seller_name, token.seller_base_region, stamp)


def _upsert_authorization(conn: Any, kind: str, subject: str, tenant_id: str,
                          values: dict[str, Any], seller_name: str | None, region: str | None,
                          stamp: datetime) -> int:
    """Insert, or (reconnect) replace tokens, bump the version and mark healthy."""
    existing = conn.execute(select(authorizations.c.auth_id, authorizations.c.version,
                                   authorizations.c.status, authorizations.c.created_at)
                            .where(authorizations.c.kind == kind,
                                   authorizations.c.subject == subject)).first()
    row = {**values, "kind": kind, "subject": subject, "tenant_id": tenant_id,
           "seller_name": seller_name, "region": region, "status": "healthy",
           "status_reason": None, "expiry_noticed_at": None, "updated_at": stamp}
    if existing is None:
        result = conn.execute(authorizations.insert().values(
            **row, version=1, status_changed_at=stamp, created_at=stamp))
        return int(result.inserted_primary_key[0])
    changed = {"status_changed_at": stamp} if existing.status != "healthy" else {}
    conn.execute(update(authorizations).where(authorizations.c.auth_id == existing.auth_id)
                 .values(**row, **changed, version=existing.version + 1))
    return int(existing.auth_id)


def _auth_row(engine: Engine, auth_id: int) -> Row[Any]:
    with engine.connect() as conn:
        return conn.execute(select(authorizations)
                            .where(authorizations.c.auth_id == auth_id)).one()


def _shop_auth_row(engine: Engine, shop_id: str | None) -> Row[Any]:
    with engine.connect() as conn:
        row = conn.execute(select(authorizations, shops.c.cipher.label("cipher"))
                           .join(shops, shops.c.auth_id == authorizations.c.auth_id)
                           .where(shops.c.shop_id == shop_id)).first()
    if row is None:
        raise AuthError(f"shop {shop_id} has no authorization: run 'tikpulse auth connect-shop'")
    return row


def _advertiser_auth_row(engine: Engine, advertiser_id: str) -> Row[Any]:
    with engine.connect() as conn:
        row = conn.execute(select(authorizations)
                           .join(advertisers, advertisers.c.auth_id == authorizations.c.auth_id)
                           .where(advertisers.c.advertiser_id == advertiser_id)).first()
    if row is None:
        raise AuthError(f"advertiser {advertiser_id} has no authorization: "
                        "run 'tikpulse auth connect-ads'")
    return row


__all__: Sequence[str] = (
    "AuthHealth", "Connected", "authorization_health", "ads_access_token", "connect_ads",
    "connect_shop", "record_auth_failure", "record_shop_auth_failure", "refresh_expiring",
    "refresh_shop_tokens", "shop_access", "sync_blocked",
)
