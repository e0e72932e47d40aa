"""The tenants a command works on: the effective registry, and one tenant picked by id, each
failing with one clear line (a bad tenants file, an unknown id with the known ones) instead of a
traceback."""

from __future__ import annotations

import click
from sqlalchemy import Engine

from config.settings import Settings
from config.tenant_registry import TenantRegistry, TenantsFileError, load_tenants
from config.tenants import Tenant
from jobs.accounts.tenancy import apply_file_ownership, effective_registry


def load_registry(engine: Engine, settings: Settings) -> TenantRegistry:
    """The tenants file merged with what the warehouse registered; says on stderr when the file
    moved a shop or ads account to another tenant (the file is the authority)."""
    try:
        registry = load_tenants(settings.tikpulse_config)
    except TenantsFileError as exc:
        raise click.ClickException(str(exc)) from None
    for moved in apply_file_ownership(engine, registry):
        click.echo(f"note: {moved.describe()} (tenants file)", err=True)
    return effective_registry(engine, registry)


def pick_tenant(registry: TenantRegistry, tenant_id: str) -> Tenant:
    """The tenant ``tenant_id``, or a ``ClickException`` naming the known ones."""
    tenant = registry.tenant(tenant_id)
    if tenant is None:
        known = ", ".join(t.id for t in registry.tenants) or "none (set TIKPULSE_CONFIG)"
        raise click.ClickException(f"unknown tenant {tenant_id!r}; tenants: {known}")
    return tenant
