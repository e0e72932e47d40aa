"""``tikpulse ask [--tenant NAME] [--json] "roas UK last week"``: the bot from a shell.

The operator on the machine may name any tenant (by id or name); the answer is the same reply the
chat adapters render, as plain text, or with ``--json`` one object for scripts (tenant, scope,
period, currency, metrics, and ``understood``: what the question was read as, see
``bot.commands.understood``). The exit status is 1 when the question could not be answered.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from bot.commands import BotContext, Reply, Request, as_text, dispatch, parse
from bot.commands.understood import understood
from bot.runtime import bot_context
from config.settings import Settings
from config.tenant_registry import TenantsFileError

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


def as_json(answer: Reply, tenant_id: str | None,
            reading: dict[str, Any] | None = None) -> dict[str, Any]:
    """The reply's structured data (KPI answers), or its kind and text for other commands, and
    what the question was read as."""
    body: dict[str, Any] = dict(answer.data or {})
    body.setdefault("tenant", tenant_id)
    body["kind"] = answer.kind
    body["text"] = as_text(answer)
    if reading is not None:
        body["understood"] = reading
    return body


def read_as(ctx: BotContext, request: Request) -> dict[str, Any]:
    """What ``dispatch`` read the question as, for this tenant (the same parse)."""
    registry = ctx.tenants()
    tenant = registry.tenant(request.tenant_id) if request.tenant_id else (
        registry.tenants[0] if len(registry.tenants) == 1 else None)
    hint = tenant.language[0] if tenant else "en"
    parsed = parse(request.bounded().text, hint, tenant.stores if tenant else ())
    return understood(parsed, tenant, ctx.now())


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
        body = as_json(answer, tenant_id, read_as(ctx, request))
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        click.echo(as_text(answer))
    ctx.engine.dispose()
    if answer.kind in FAILED_KINDS:
        sys.exit(1)
