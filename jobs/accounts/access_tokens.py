"""Current access tokens for syncs: shop tokens refreshed ahead of expiry, safely; ads tokens.

- ``shop_access`` hands a sync a current access token, refreshing it ``REFRESH_MARGIN`` before it
  expires; ``ads_access_token`` hands over the stored ads token.
- ``refresh_shop_tokens`` rotates tokens so that two workers refreshing at once never lose the valid
  refresh token: a Redis lock serialises the refresh call and a compare-and-swap on
  ``authorizations.version`` makes the write atomic even if the lock expired. A refresh that fails
  is recorded as the authorization's status (``jobs.accounts.auth_status``).
- ``refresh_expiring`` refreshes every usable shop authorization that is due, so shops not synced
  for a while keep a live refresh token.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import Engine, Row, select, update

from jobs.accounts.auth_status import SYNCABLE_STATUSES, record_auth_failure
from jobs.accounts.authorizations import (
    _advertiser_auth_row,
    _auth_row,
    _shop_auth_row,
    _token_values,
)
from jobs.sources.errors import AuthError
from jobs.sources.tiktok.shop import TikTokShopClient
from jobs.sources.tiktok.shop_transport import ShopAccess
from jobs.warehouse.crypto import TokenCipher
from jobs.warehouse.schema import authorizations

log = logging.getLogger(__name__)

#: Refresh an access token this long before it expires.
REFRESH_MARGIN = timedelta(days=2)
#: Seconds the refresh lock is held at most, and waited for at most.
REFRESH_LOCK_TIMEOUT = 60
REFRESH_LOCK_WAIT = 30


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


def ads_access_token(engine: Engine, cipher: TokenCipher, advertiser_id: str) -> str:
    """The decrypted token of the advertiser's authorization; ``AuthError`` if unusable."""
    row = _advertiser_auth_row(engine, advertiser_id)
    if row.status not in SYNCABLE_STATUSES:
        raise AuthError(f"authorization of advertiser {advertiser_id} is {row.status}")
    return cipher.decrypt(row.access_token_enc)


__all__: Sequence[str] = (
    "REFRESH_MARGIN", "ads_access_token", "refresh_expiring", "refresh_shop_tokens", "shop_access",
)
