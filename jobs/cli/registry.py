"""The tenants a command works on: the effective registry, and one tenant picked by id, each
failing with one clear line (a bad tenants file, an unknown id with the known ones) instead of a
traceback."""

from __future__ import annotations

import click
from sqlalchemy import Engine

from config.settings import Settings
from config.tenants import Tenant, TenantRegistry, TenantsFileError
from jobs.accounts.tenancy import tenant_directory


def load_registry(engine: Engine, settings: Settings) -> TenantRegistry:
    """The tenants file merged with what the warehouse registered."""
    try:
        return tenant_directory(engine, settings.tikpulse_config)
    except TenantsFileError as exc:
        raise click.ClickException(str(exc)) from None


def pick_tenant(registry: TenantRegistry, tenant_id: str) -> Tenant:
    """The tenant ``tenant_id``, or a ``ClickException`` naming the known ones."""
    tenant = registry.tenant(tenant_id)
    if tenant is None:
        known = ", ".join(t.id for t in registry.tenants) or "none (set TIKPULSE_CONFIG)"
        raise click.ClickException(f"unknown tenant {tenant_id!r}; tenants: {known}")
    return tenant
