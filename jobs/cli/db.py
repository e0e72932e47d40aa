"""``tikpulse db``: create or upgrade the warehouse schema."""

from __future__ import annotations

import click
from sqlalchemy import Engine

from config.settings import Settings
from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import current_revision, head_revision, upgrade


@click.group()
def db() -> None:
    """Create or upgrade the warehouse schema (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_obj
def upgrade_cmd(settings: Settings, revision: str) -> None:
    """Apply migrations to $DATABASE_URL (SQLite file created if missing)."""
    engine = make_engine(settings.database_url)
    upgrade(engine, revision)
    click.echo(f"warehouse at revision {current_revision(engine)} "
               f"({engine.url.render_as_string(hide_password=True)})")


@db.command("current")
@click.pass_obj
def current_cmd(settings: Settings) -> None:
    """Show the schema revision of $DATABASE_URL."""
    engine = make_engine(settings.database_url)
    click.echo(current_revision(engine) or "empty (run: tikpulse db upgrade)")


def require_current(engine: Engine) -> None:
    """Stop with one line when the warehouse is not migrated to head (before anything else, so
    e.g. a single-use authorization code is not spent on a warehouse that cannot store it)."""
    at, head = current_revision(engine), head_revision()
    if at != head:
        state = "has no tables yet" if at is None else f"is at schema {at}, the code needs {head}"
        raise click.ClickException(f"the warehouse {state}: run 'tikpulse db upgrade' first")
