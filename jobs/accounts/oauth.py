"""The TikTok Shop authorization callback: ``GET /oauth/tiktok-shop/callback?code=..&state=..``.

The seller authorizes the app in Seller Center and is sent back here with a one-time ``code``.
``state`` is a random value issued for one tenant (``issue_state``; ``tikpulse auth link
--tenant T`` prints the whole authorization link): stored in the warehouse, valid for
``STATE_TTL``, used once (``consume_state``). A forged, reused or stale state attaches nothing,
and a leaked link stops working by itself. The exchange is
``jobs.accounts.connect.connect_shop``; the web process answers the route.
"""

from __future__ import annotations

import html
import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update

from config.tenant_registry import TenantRegistry
from jobs.accounts.connect import OwnedByAnotherTenant, connect_shop
from jobs.resources import Connectors
from jobs.sources.errors import AuthError
from jobs.warehouse.schema import oauth_states

log = logging.getLogger("tikpulse.oauth")

CALLBACK_PATH = "/oauth/tiktok-shop/callback"
#: How long an issued state (an authorization link) stays valid.
STATE_TTL = timedelta(minutes=30)


def issue_state(engine: Engine, tenant_id: str, *, now: datetime | None = None) -> str:
    """A fresh random ``state`` for ``tenant_id``'s authorization link (single use)."""
    stamp = now or datetime.now(UTC)
    state = secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(oauth_states.insert().values(state=state, tenant_id=tenant_id,
                                                  created_at=stamp, expires_at=stamp + STATE_TTL))
    return state


def consume_state(engine: Engine, state: str, *, now: datetime | None = None) -> str | None:
    """The tenant ``state`` was issued for, marking it used; ``None`` when it is unknown, used
    or expired (one atomic update, so two callbacks with one state cannot both pass)."""
    if not state or len(state) > 64:
        return None
    stamp = now or datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(
            update(oauth_states)
            .where(oauth_states.c.state == state, oauth_states.c.used_at.is_(None),
                   oauth_states.c.expires_at > stamp)
            .values(used_at=stamp).returning(oauth_states.c.tenant_id)).first()
    return None if row is None else str(row.tenant_id)


def _page(title: str, text: str) -> bytes:
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>").encode()


def connect_page(conns: Connectors, registry: TenantRegistry, code: str, tenant: str,
                 on_connected: Callable[[str, tuple[str, ...]], None] | None = None,
                 ) -> tuple[int, bytes]:
    """Exchange ``code`` for the tenant's shops and say so on a page (status, HTML);
    ``on_connected(tenant, shop_ids)`` runs after a successful exchange."""
    if conns.shop is None:
        return 503, _page("Not configured", "TIKTOK_APP_KEY and TIKTOK_APP_SECRET are not set.")
    try:
        done = connect_shop(conns.engine, conns.shop, conns.cipher, code, tenant,
                            registry=registry)
    except AuthError as exc:
        return 400, _page("Authorization failed", f"{exc}. Start the authorization again.")
    except OwnedByAnotherTenant as exc:
        return 409, _page("Not connected", f"{exc}.")
    if on_connected is not None:
        on_connected(done.tenant_id, tuple(done.subject_ids))
    return 200, _page("Shops connected", f"{len(done.subject_ids)} shop(s) connected to "
                      f"{done.tenant_id}: {', '.join(done.subject_ids)}. You can close this.")


def callback(resolve_state: Callable[[str], str | None],
             connect: Callable[[str, str], tuple[int, bytes]],
             query: Mapping[str, str]) -> tuple[int, bytes]:
    """The callback's answer (status, HTML): check code and state, then ``connect(code, tenant)``.

    ``resolve_state`` is ``consume_state`` over the warehouse: the state is spent only when the
    request also carries a code.
    """
    if not query.get("code"):
        return 400, _page("No code", "The link is missing its code; authorize again.")
    tenant = resolve_state(query.get("state", ""))
    if tenant is None:
        return 403, _page("Link not valid", "This authorization link was not issued by TikPulse, "
                          "was already used or is more than 30 minutes old. Ask for a new link "
                          "('tikpulse auth link --tenant ...').")
    return connect(query["code"], tenant)
