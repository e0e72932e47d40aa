"""TikTok Shop push messages (webhooks): verify, keep once, act.

TikTok posts ``{"type": N, "tts_notification_id": "...", "shop_id": "...", "timestamp": <unix s>,
"data": {...}}`` with header ``Authorization`` = lowercase hex HMAC-SHA256 keyed with the app secret
over ``app_key + raw body``, wants a 200 within 3 s, and retries at about 2 min, 30 min, 3 h and
12 h when it gets none.

The web process only verifies and stores (``receive``): the message is durable before the 200, and
a repeated ``tts_notification_id`` is recognised by the primary key. A worker then acts on it
(``apply``): type 6 marks the shop's authorization revoked, type 7 notes the coming expiry, type 1
asks for a targeted sync of the shop; the caller enqueues alerts and syncs from the outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from jobs.accounts.auth_status import record_auth_failure
from jobs.sources.errors import Revoked
from jobs.warehouse.schema import authorizations, shops, tiktok_pushes

log = logging.getLogger(__name__)

ORDER_STATUS_CHANGE = 1
SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
#: Types we act on; others are stored and marked ignored.
KNOWN_TYPES = {ORDER_STATUS_CHANGE: "ORDER_STATUS_CHANGE",
               SELLER_DEAUTHORIZATION: "SELLER_DEAUTHORIZATION",
               UPCOMING_AUTHORIZATION_EXPIRATION: "UPCOMING_AUTHORIZATION_EXPIRATION"}
#: A message left unprocessed this long (its job was lost) is picked up by the sweep.
SWEEP_AFTER = timedelta(minutes=2)


class BadPush(ValueError):
    """The body is signed correctly but is not a push message we can read."""


@dataclass(frozen=True)
class Push:
    """One push message as TikTok sent it."""

    notification_id: str
    type: int
    shop_id: str | None
    sent_at: datetime | None
    data: dict[str, Any]
    raw: dict[str, Any]


@dataclass(frozen=True)
class PushOutcome:
    """What acting on a push did, and what the caller should enqueue next."""

    outcome: str
    tenant_id: str | None = None
    evaluate_alerts: bool = False
    sync_shop: str | None = None


def signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The ``Authorization`` header TikTok sends with ``body``."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def verified(app_key: str, app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body`` (constant-time comparison)."""
    return bool(header) and hmac.compare_digest(
        signature(app_key, app_secret, body), str(header).strip().lower())


def parse(body: bytes) -> Push:
    """The push in ``body``; ``BadPush`` when it is not one."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPush(f"body is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise BadPush("body is not a JSON object")
    notification_id = raw.get("tts_notification_id")
    kind = raw.get("type")
    if not isinstance(notification_id, str) or not notification_id or len(notification_id) > 128:
        raise BadPush("tts_notification_id is missing")
    if not isinstance(kind, int) or isinstance(kind, bool):
        raise BadPush("type is missing or not a number")
    shop_id = raw.get("shop_id")
    stamp = raw.get("timestamp")
    data = raw.get("data")
    return Push(notification_id, kind, str(shop_id) if shop_id not in (None, "") else None,
                datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int) else None,
                data if isinstance(data, dict) else {}, raw)


def receive(engine: Engine, push: Push, now: datetime) -> bool:
    """Store ``push`` once; ``False`` when this notification id was received before."""
    row = {"notification_id": push.notification_id, "type": push.type, "shop_id": push.shop_id,
           "sent_at": push.sent_at, "received_at": now, "payload": push.raw}
    try:
        with engine.begin() as conn:
            conn.execute(tiktok_pushes.insert().values(**row))
    except IntegrityError:
        return False
    return True


def apply(engine: Engine, notification_id: str, now: datetime) -> PushOutcome:
    """Act on a stored push once; a second call returns the first outcome unchanged."""
    with engine.begin() as conn:
        row = conn.execute(select(tiktok_pushes)
                           .where(tiktok_pushes.c.notification_id == notification_id)).first()
        if row is None:
            return PushOutcome("unknown notification")
        if row.processed_at is not None:
            return PushOutcome(f"already processed: {row.outcome}")
        shop = conn.execute(select(shops.c.tenant_id, shops.c.auth_id)
                            .where(shops.c.shop_id == row.shop_id)).first() if row.shop_id else None
    result = _act(engine, row, shop, now)
    with engine.begin() as conn:
        conn.execute(update(tiktok_pushes)
                     .where(tiktok_pushes.c.notification_id == notification_id)
                     .values(processed_at=now, outcome=result.outcome[:200]))
    log.info("tiktok push %s (type %s, shop %s): %s", notification_id, row.type, row.shop_id,
             result.outcome)
    return result


def _act(engine: Engine, row: Any, shop: Any, now: datetime) -> PushOutcome:
    if row.type not in KNOWN_TYPES:
        return PushOutcome(f"ignored: type {row.type} is not used by TikPulse")
    if shop is None:
        return PushOutcome(f"ignored: shop {row.shop_id} is not connected to TikPulse")
    if row.type == ORDER_STATUS_CHANGE:
        return PushOutcome("sync requested", shop.tenant_id, sync_shop=row.shop_id)
    if shop.auth_id is None:
        return PushOutcome(f"ignored: shop {row.shop_id} has no authorization (CSV only)")
    if row.type == SELLER_DEAUTHORIZATION:
        record_auth_failure(
            engine, shop.auth_id, Revoked("the seller deauthorized TikPulse in Seller Center "
                                          "(TikTok push message)"), now=now)
        return PushOutcome("authorization revoked", shop.tenant_id, evaluate_alerts=True)
    expires = _expiration(row.payload.get("data") or {})
    values: dict[str, Any] = {"expiry_noticed_at": now}
    with engine.begin() as conn:
        current = conn.execute(select(authorizations.c.refresh_expires_at)
                               .where(authorizations.c.auth_id == shop.auth_id)).scalar_one()
        if expires is not None and (current is None or expires < current):
            values["refresh_expires_at"] = expires
        conn.execute(update(authorizations).where(authorizations.c.auth_id == shop.auth_id)
                     .values(**values))
    return PushOutcome("expiry noticed", shop.tenant_id, evaluate_alerts=True)


def _expiration(data: dict[str, Any]) -> datetime | None:
    """The authorization's expiry when the message carries one (unix seconds)."""
    for key in ("expiration_time", "expire_time", "auth_expire_time"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return datetime.fromtimestamp(value, UTC)
    return None


def pending(engine: Engine, now: datetime) -> list[str]:
    """Notification ids received more than ``SWEEP_AFTER`` ago and not yet acted on."""
    with engine.connect() as conn:
        return list(conn.execute(
            select(tiktok_pushes.c.notification_id)
            .where(tiktok_pushes.c.processed_at.is_(None),
                   tiktok_pushes.c.received_at <= now - SWEEP_AFTER)
            .order_by(tiktok_pushes.c.received_at)).scalars())
