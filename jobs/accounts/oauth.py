"""The TikTok Shop authorization callback: ``GET /oauth/tiktok-shop/callback?code=..&state=..``.

The seller authorizes the app in Seller Center and is sent back here with a one-time ``code``.
``state`` names the tenant and carries an HMAC made with ``TIKPULSE_SECRET_KEY``
(``oauth_state(secret, tenant)``, printed by ``tikpulse serve oauth --state-for TENANT``), so a
forged callback cannot attach shops to a tenant. The exchange itself is
``jobs.accounts.authorizations.connect_shop``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from config.tenants import TenantRegistry
from jobs.accounts import authorizations as lifecycle
from jobs.resources import Connectors
from jobs.sources.errors import AuthError

log = logging.getLogger("tikpulse.oauth")

CALLBACK_PATH = "/oauth/tiktok-shop/callback"


def oauth_state(secret: str, tenant: str) -> str:
    """``tenant.signature``: the ``state`` to put in the Seller Center authorization link."""
    mac = hmac.new(secret.encode(), tenant.encode(), hashlib.sha256).hexdigest()[:24]
    return f"{tenant}.{mac}"


def tenant_of_state(secret: str, state: str) -> str | None:
    """The tenant a genuine ``state`` names, or ``None`` for a forged or malformed one."""
    tenant, _, _ = state.rpartition(".")
    if not tenant or not hmac.compare_digest(oauth_state(secret, tenant), state):
        return None
    return tenant


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
        done = lifecycle.connect_shop(conns.engine, conns.shop, conns.cipher, code, tenant,
                                      registry=registry)
    except AuthError as exc:
        return 400, _page("Authorization failed", f"{exc}. Start the authorization again.")
    if on_connected is not None:
        on_connected(done.tenant_id, tuple(done.subject_ids))
    return 200, _page("Shops connected", f"{len(done.subject_ids)} shop(s) connected to "
                      f"{done.tenant_id}: {', '.join(done.subject_ids)}. You can close this.")


def callback(secret: str, connect: Callable[[str, str], tuple[int, bytes]],
             query: Mapping[str, str]) -> tuple[int, bytes]:
    """The callback's answer (status, HTML): check code and state, then ``connect(code, tenant)``.

    The web process (``jobs.web.app``) and ``make_oauth_server`` both answer through this.
    """
    if not query.get("code"):
        return 400, _page("No code", "The link is missing its code; authorize again.")
    tenant = tenant_of_state(secret, query.get("state", ""))
    if tenant is None:
        return 403, _page("Bad state", "This link was not issued by TikPulse.")
    return connect(query["code"], tenant)


def make_oauth_server(secret: str, connect: Callable[[str, str], tuple[int, bytes]],
                      host: str, port: int) -> ThreadingHTTPServer:
    """A server answering only the callback (``tikpulse serve oauth``; ``serve web`` answers it
    too). ``jobs.wiring.oauth_server`` builds it with ``connect_page`` over this process's
    connectors.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            split = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            if split.path != CALLBACK_PATH:
                status, body = 404, _page("Not found", "This server only answers the callback.")
            else:
                status, body = callback(secret, connect, query)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            log.info("oauth %s", format % args)

    return ThreadingHTTPServer((host, port), Handler)
