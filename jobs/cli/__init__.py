"""The ``tikpulse`` command line: the composition root for every command a person runs.

Settings are read once here and handed to each subcommand (``ctx.obj``). Subcommands are one
module per group in this package (the chat servers and the demo in ``bot.cli`` / ``bot.demo``,
the simulator in ``sandbox.cli``) and are imported only when invoked, so ``tikpulse --help`` stays
fast and one broken area never hides the others.
"""

from __future__ import annotations

import errno
import importlib
import logging
import os
import sys

import click

from config.logs import install_redaction
from config.settings import DEFAULT_REDIS_URL, BadSetting, MissingSetting, Settings

#: name -> (import path of a click command, one-line help shown by ``tikpulse --help``)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "db": ("jobs.cli.db:db", "Create or upgrade the warehouse schema (Alembic)."),
    "tenants": ("jobs.cli.tenants:tenants",
                "Check a tenants file; list its tenants, stores and chats."),
    "sandbox": ("sandbox.cli:sandbox", "Run the local TikTok Shop + Ads API simulator."),
    "auth": ("jobs.cli.auth:auth", "Connect TikTok shops and ads accounts; show their health."),
    "sync": ("jobs.cli.sync:sync", "Sync shops and ads accounts from TikTok (or backfill)."),
    "import": ("jobs.cli.imports:import_",
               "Import Seller Center order or Ads Manager CSV exports."),
    "kpi": ("jobs.cli.kpi:kpi", "Print weekly KPIs per store from the warehouse."),
    "bench": ("jobs.cli.bench:bench", "Time KPI answers before/after against their SQL anchors."),
    "fx": ("jobs.cli.fx:fx", "Sync, import and show FX rates (TIKPULSE_FX_URL, the ECB's)."),
    "digest": ("jobs.cli.digest:digest", "Render, preview or send the weekly digest."),
    "ask": ("bot.terminal:ask", "Ask the bot a question from the terminal (same answers as chat)."),
    "serve": ("bot.cli:serve", "Run a long-lived process: slack, telegram or oauth."),
    "demo": ("bot.demo:demo", "Run the whole pipeline end to end against the local sandbox."),
    "chats": ("jobs.cli.chats:chats", "Encrypt a WeCom robot key for the tenants file."),
    "status": ("jobs.cli.status:status",
               "What ran, what is due, token expiry, freshness, queue depth."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        target, help_text = SUBCOMMANDS[cmd_name]
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return _not_built(cmd_name, help_text)
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _not_built(name: str, help_text: str) -> click.Command:
    @click.command(name=name, help=help_text, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def placeholder(args: tuple[str, ...]) -> None:
        raise click.ClickException(f"'tikpulse {name}' is not available in this build yet.")

    return placeholder


@click.group(cls=LazyGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """TikPulse: weekly TikTok Shop performance reports and a chat bot for sellers and agencies."""
    install_redaction()
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Settings()


def main() -> None:
    """Console-script entry point: every failure is one clear line with what to do (exit 1, or 2
    for configuration); the traceback only with ``-v``."""
    try:
        cli.main(prog_name="tikpulse", standalone_mode=True)
    except (MissingSetting, BadSetting) as exc:
        _fail(exc, str(exc), 2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a traceback
        _fail(exc, explain(exc), 1)


def explain(exc: BaseException) -> str:
    """One line for an error a command did not handle itself: what failed and what to do."""
    import redis
    from sqlalchemy.exc import DBAPIError

    from jobs.warehouse.crypto import TokenDecryptError

    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return (f"Redis is not reachable at {_redis_url()} ({exc}). Start it (redis-server "
                "--daemonize yes) or set REDIS_URL; nothing was lost: runs resume from the "
                "last committed page")
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            return ("the warehouse has no tables yet (or an old schema): run "
                    f"'tikpulse db upgrade' ({text})")
        return f"the warehouse failed: {text}. Check DATABASE_URL and that the database is up"
    if isinstance(exc, TokenDecryptError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return ("the port is already in use by another process: stop that process or choose "
                "another port (--port)")
    return f"{type(exc).__name__}: {exc}. Run again with -v for the details"


def _redis_url() -> str:
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    return f"{url.scheme}://{url.hostname}:{url.port or 6379}"


def _fail(exc: BaseException, message: str, code: int) -> None:
    if "-v" in sys.argv[1:] or "--verbose" in sys.argv[1:]:
        raise exc
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)

