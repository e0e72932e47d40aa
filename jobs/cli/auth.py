"""``tikpulse auth``: connect TikTok shops and ads accounts, and show authorization health."""

from __future__ import annotations

import click

from config.settings import Settings
from config.tenant_registry import load_tenants
from jobs.accounts.auth_status import authorization_health
from jobs.accounts.connect import OwnedByAnotherTenant, connect_ads, connect_shop
from jobs.cli.db import require_current
from jobs.sources.errors import TikTokError
from jobs.wiring import connectors_from_settings


@click.group(name="auth")
def auth() -> None:
    """Connect TikTok shops and ads accounts; show authorization health."""


@auth.command("connect-shop")
@click.option("--auth-code", required=True, help="Code from the Seller Center authorization.")
@click.option("--tenant", required=True, help="Tenant name (created if missing).")
@click.pass_obj
def connect_shop_cmd(settings: Settings, auth_code: str, tenant: str) -> None:
    """Exchange a Seller Center authorization code and register the shops it covers."""
    settings.require("tiktok_app_key", "tiktok_app_secret", "tikpulse_secret_key")
    conns = connectors_from_settings(settings)
    require_current(conns.engine)
    assert conns.shop is not None
    try:
        result = connect_shop(conns.engine, conns.shop, conns.cipher, auth_code,
                              tenant, registry=load_tenants(settings.tikpulse_config))
    except TikTokError as error:
        raise click.ClickException(f"TikTok refused the authorization: {error}") from None
    except OwnedByAnotherTenant as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"connected {len(result.subject_ids)} shop(s) to tenant {result.tenant_id}: "
               f"{', '.join(result.subject_ids)}")


@auth.command("link")
@click.option("--tenant", required=True, help="Tenant the seller's shops will belong to.")
@click.option("--region", default=None, help="US for US shops (their own Seller Center host).")
@click.pass_obj
def link_cmd(settings: Settings, tenant: str, region: str | None) -> None:
    """Print a one-time Seller Center authorization link for TENANT (valid 30 minutes): the
    seller opens it, authorizes, and the callback connects their shops to TENANT."""
    from jobs.accounts.oauth import STATE_TTL, issue_state
    from jobs.alerts.messages import authorize_link
    from jobs.wiring import engine_for

    settings.require("tiktok_shop_service_id")
    state = issue_state(engine_for(settings.database_url), tenant)
    click.echo(f"{authorize_link(region, settings.tiktok_shop_service_id)}&state={state}")
    click.echo(f"(single use, valid {int(STATE_TTL.total_seconds() // 60)} minutes)", err=True)


@auth.command("connect-ads")
@click.option("--auth-code", required=True, help="Code from the TikTok for Business authorization.")
@click.option("--tenant", required=True, help="Tenant name (created if missing).")
@click.option("--shop", "shop_id", default=None, help="Shop these advertisers promote.")
@click.pass_obj
def connect_ads_cmd(settings: Settings, auth_code: str, tenant: str, shop_id: str | None) -> None:
    """Exchange an ads authorization code and register its advertisers."""
    settings.require("tiktok_ads_app_id", "tiktok_ads_secret", "tikpulse_secret_key")
    conns = connectors_from_settings(settings)
    require_current(conns.engine)
    assert conns.ads is not None
    try:
        result = connect_ads(conns.engine, conns.ads, conns.cipher, auth_code, tenant,
                             shop_id=shop_id,
                             registry=load_tenants(settings.tikpulse_config))
    except TikTokError as error:
        raise click.ClickException(f"TikTok refused the authorization: {error}") from None
    except OwnedByAnotherTenant as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"connected {len(result.subject_ids)} advertiser(s) to tenant {result.tenant_id}: "
               f"{', '.join(result.subject_ids)}")


@auth.command("status")
@click.pass_obj
def status_cmd(settings: Settings) -> None:
    """Every authorization: healthy, expiring, expired, revoked, missing scope, shop changed."""
    from jobs.cli.registry import load_registry
    from jobs.warehouse.db import make_engine

    engine = make_engine(settings.database_url)
    load_registry(engine, settings)  # the tenants file's ownership first (says what it moved)
    rows = authorization_health(engine)
    if not rows:
        click.echo("no authorizations yet: run 'tikpulse auth connect-shop'")
    for h in rows:
        expires = h.refresh_expires_at.date().isoformat() if h.refresh_expires_at else "-"
        reason = f"  ({h.reason})" if h.reason and h.health != "healthy" else ""
        click.echo(f"#{h.auth_id:<3} {h.kind:<4} {h.tenant_id:<20} {h.health:<14} "
                   f"refresh until {expires:<10} {', '.join(h.covers)}{reason}")

