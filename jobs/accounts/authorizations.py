"""The ``authorizations`` rows: tokens stored encrypted, and the row covering a shop or advertiser.

Shared by the rest of the lifecycle in ``jobs.accounts``: ``connect`` stores a new or reconnected
authorization (``_store_authorization`` / ``_upsert_authorization``: tokens replaced, version
bumped, status back to healthy); ``access_tokens`` and ``auth_status`` read the row of an
authorization, a shop (with the shop's cipher) or an advertiser, and raise ``AuthError`` when
there is none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, select, update

from jobs.sources.errors import AuthError
from jobs.sources.tiktok.records.access import ShopToken
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.schema import advertisers, authorizations, shops


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
