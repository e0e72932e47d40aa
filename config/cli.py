"""``tikpulse tenants``: check a tenants file before the processes rely on it."""

from __future__ import annotations

from pathlib import Path

import click

from config.logs import MASK
from config.settings import Settings
from config.tenant_registry import TenantsFileError, load_tenants


@click.group()
def tenants() -> None:
    """Check a tenants file and list its tenants, stores and chats."""


@tenants.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_obj
def check(settings: Settings, path: Path | None) -> None:
    """Validate PATH (default: $TIKPULSE_CONFIG) and summarise what it binds, each tenant's
    reporting currency included (and whether it is the default)."""
    path = path or settings.tikpulse_config
    if path is None:
        raise click.UsageError("give a PATH or set TIKPULSE_CONFIG")
    try:
        registry = load_tenants(path)
    except TenantsFileError as exc:
        raise click.ClickException(str(exc)) from None
    for tenant in registry.tenants:
        stores = ", ".join(f"{s.name or s.shop_id} ({s.region}, {s.resolved_timezone})"
                           for s in tenant.stores) or "no stores yet"
        bound = tenant.chats
        chats = len(bound.slack) + len(bound.telegram) + len(bound.feishu) + len(bound.wecom)
        how = ("default: reporting_currency not set" if tenant.reporting_currency_defaulted
               else "set in the file")
        click.echo(f"{tenant.id}: {tenant.name} [{'/'.join(tenant.language)}, reporting currency "
                   f"{tenant.reporting_currency} ({how})] stores: {stores}; "
                   f"chats bound: {chats}")
        digests = ", ".join(f"{r.cadence} '{r.cron}'" for r in tenant.digest.schedules)
        click.echo(f"  digests ({tenant.digest.timezone}): {digests}")
        for robot in bound.wecom:  # the key is a secret: shown masked, never decrypted here
            click.echo(f"  wecom robot {robot.name}: key {MASK} (encrypted)")
    click.echo(f"OK: {len(registry.tenants)} tenant(s) in {path}")
