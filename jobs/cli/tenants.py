"""``tikpulse tenants``: the file checks of ``config.cli`` plus what the warehouse says.

``tenants check`` validates the file (``config.cli.check``), then, when the warehouse is set up,
lists every shop or ads account the file gives to a different tenant than the warehouse has it
under: the file wins, and the next process that reads the tenants moves it.
"""

from __future__ import annotations

from pathlib import Path

import click

from config.cli import check as check_file
from config.cli import tenants
from config.settings import Settings
from config.tenant_registry import load_tenants
from jobs.accounts.tenancy import ownership_differences
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import current_revision


@tenants.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_context
def check(ctx: click.Context, path: Path | None) -> None:
    """Validate PATH (default: $TIKPULSE_CONFIG), summarise what it binds, and say which shops
    the file moves to another tenant than the warehouse has them under."""
    ctx.invoke(check_file, path=path)
    settings: Settings = ctx.obj
    engine = make_engine(settings.database_url)
    if current_revision(engine) is None:
        return  # no warehouse yet: nothing registered to compare with
    registry = load_tenants(path or settings.tikpulse_config)
    with engine.connect() as conn:
        moves = ownership_differences(conn, registry)
    for move in moves:
        click.echo(f"moves: {move.describe()}")
    if moves:
        click.echo(f"{len(moves)} shop(s)/ads account(s) follow the file from the next sync, "
                   "answer or digest on")


__all__ = ["check", "tenants"]
