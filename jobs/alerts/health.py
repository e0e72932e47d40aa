"""The daily health check: probe every authorization with one cheap call, so a revoked token is
found even on a day nothing else runs.

Shop authorizations list their shops (``GET /authorization/202309/shops``); a token the API calls
expired or invalid is refreshed once (``jobs.accounts.access_tokens`` records a refresh that
fails), and a shop whose cipher changed or that left the authorization means its legal entity
changed. Ads authorizations list their advertisers (``/oauth2/advertiser/get/``). Every
``AuthError`` is recorded through ``jobs.accounts.auth_status.record_auth_failure``; a probe that
works again puts a stopped authorization back to ``healthy``. Transient failures (rate limits, 5xx)
change nothing: tomorrow's probe tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select, update

from jobs.accounts.access_tokens import refresh_shop_tokens
from jobs.accounts.auth_status import SYNCABLE_STATUSES, record_auth_failure
from jobs.resources import Connectors
from jobs.sources.errors import AuthError, ShopMismatch, TikTokError, TokenExpired, TokenInvalid
from jobs.warehouse.schema import authorizations, shops

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Probe:
    """The outcome of probing one authorization."""

    auth_id: int
    kind: str
    ok: bool
    status: str
    detail: str | None = None


def probe_authorizations(conns: Connectors, *, now: datetime | None = None) -> list[Probe]:
    """Probe every stored authorization whose API client is configured."""
    stamp = now or datetime.now(UTC)
    with conns.engine.connect() as conn:
        rows = conn.execute(select(authorizations).order_by(authorizations.c.auth_id)).all()
    results = []
    for row in rows:
        if (row.kind == "shop" and conns.shop is None) or (row.kind == "ads" and conns.ads is None):
            continue
        results.append(_probe(conns, row, stamp))
    return results


def _probe(conns: Connectors, row: Row[Any], now: datetime) -> Probe:
    try:
        if row.kind == "shop":
            _probe_shop(conns, row, now)
        else:
            assert conns.ads is not None
            conns.ads.advertisers(conns.cipher.decrypt(row.access_token_enc))
    except AuthError as error:
        status = _current_status(conns, row.auth_id)
        if status in SYNCABLE_STATUSES:  # not recorded yet (a refresh failure already is)
            status = record_auth_failure(conns.engine, row.auth_id, error, now=now)
        return Probe(row.auth_id, row.kind, False, status, str(error))
    except TikTokError as error:
        log.warning("health probe of authorization %s inconclusive: %s", row.auth_id, error)
        return Probe(row.auth_id, row.kind, False, str(row.status), f"inconclusive: {error}")
    if row.status not in SYNCABLE_STATUSES:
        _mark_working(conns, row.auth_id, now)
    return Probe(row.auth_id, row.kind, True, "healthy")


def _probe_shop(conns: Connectors, row: Row[Any], now: datetime) -> None:
    assert conns.shop is not None
    try:
        listed = conns.shop.authorized_shops(conns.cipher.decrypt(row.access_token_enc))
    except (TokenExpired, TokenInvalid):
        fresh = refresh_shop_tokens(conns.engine, conns.redis, conns.shop, conns.cipher,
                                    row.auth_id, row.version, now=now)
        listed = conns.shop.authorized_shops(conns.cipher.decrypt(fresh.access_token_enc))
    ciphers = {s.id: s.cipher for s in listed}
    with conns.engine.connect() as conn:
        stored = conn.execute(select(shops.c.shop_id, shops.c.cipher)
                              .where(shops.c.auth_id == row.auth_id)).all()
    for shop_id, cipher in stored:
        if shop_id not in ciphers:
            raise ShopMismatch(f"shop {shop_id} is no longer covered by this authorization")
        if cipher and ciphers[shop_id] != cipher:
            raise ShopMismatch(f"shop {shop_id} has a new cipher: its legal entity changed")


def _current_status(conns: Connectors, auth_id: int) -> str:
    with conns.engine.connect() as conn:
        return str(conn.execute(select(authorizations.c.status)
                                .where(authorizations.c.auth_id == auth_id)).scalar_one())


def _mark_working(conns: Connectors, auth_id: int, now: datetime) -> None:
    with conns.engine.begin() as conn:
        conn.execute(update(authorizations).where(authorizations.c.auth_id == auth_id).values(
            status="healthy", status_reason="health check passed", status_changed_at=now,
            updated_at=now))
    log.info("authorization %s works again (health check)", auth_id)
