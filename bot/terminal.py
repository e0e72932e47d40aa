"""``tikpulse ask [--tenant NAME] [--json] "roas UK last week"``: the bot from a shell.

The operator on the machine may name any tenant (by id or name); the answer is the same reply the
chat adapters render, as plain text, or with ``--json`` one object for scripts (tenant, scope,
period, currency, metrics). The exit status is 1 when the question could not be answered.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from bot.commands import BotContext, Reply, Request, as_text, dispatch
from bot.runtime import bot_context
from config.settings import Settings
from config.tenants import TenantsFileError

#: Reply kinds that mean "not answered" (exit status 1).
FAILED_KINDS = frozenset({"unclear", "unknown_store", "setup", "refused", "limited", "error"})

def tenant_id_for(ctx: BotContext, name: str | None) -> str | None:
    """The id of the tenant named ``name`` (id or display name, any case), else ``name``."""
    if name is None:
        return None
    for tenant in ctx.tenants().tenants:
        if name.casefold() in (tenant.id.casefold(), tenant.name.casefold()):
            return tenant.id
    return name


def as_json(answer: Reply, tenant_id: str | None) -> dict[str, Any]:
    """The reply's structured data (KPI answers), or its kind and text for other commands."""
    body: dict[str, Any] = dict(answer.data or {})
    body.setdefault("tenant", tenant_id)
    body["kind"] = answer.kind
    body["text"] = as_text(answer)
    return body


@click.command(name="ask")
@click.option("--tenant", "tenant_name", help="Tenant id or name (needed with several tenants).")
@click.option("--json", "as_json_flag", is_flag=True, help="Print one JSON object for scripts.")
@click.argument("question", nargs=-1, required=True)
@click.pass_obj
def ask(settings: Settings, tenant_name: str | None, as_json_flag: bool,
        question: tuple[str, ...]) -> None:
    """Ask a question, e.g. tikpulse ask --tenant acme "roas UK last week"."""
    try:
        ctx = bot_context(settings, redis_required=False)
    except TenantsFileError as exc:
        raise click.ClickException(str(exc)) from None
    tenant_id = tenant_id_for(ctx, tenant_name)
    request = Request("terminal", "terminal", "operator", " ".join(question), tenant_id=tenant_id)
    answer = dispatch(request, ctx)
    if as_json_flag:
        click.echo(json.dumps(as_json(answer, tenant_id), ensure_ascii=False, indent=2))
    else:
        click.echo(as_text(answer))
    ctx.engine.dispose()
    if answer.kind in FAILED_KINDS:
        sys.exit(1)
