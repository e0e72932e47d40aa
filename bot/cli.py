"""``tikpulse serve web|slack|telegram|feishu|oauth``: the long-lived processes of the Procfile.

Each reads ``Settings`` once and wires the bot (or the OAuth callback) together. When its tokens
are not configured it prints one line naming the variables to set and then idles until SIGTERM,
so ``honcho start`` on a fresh checkout does not crash-loop.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import click

from config.settings import Settings

#: Default port of the Slack HTTP mode and of the OAuth callback.
DEFAULT_SLACK_PORT = 3000
DEFAULT_OAUTH_PORT = 8765
#: Default port of the web process when neither --port nor $PORT is given.
DEFAULT_WEB_PORT = 8000
#: uvicorn limits of the web process: idle keep-alive seconds, concurrent connections, seconds
#: to finish open requests on SIGTERM.
WEB_KEEP_ALIVE_S = 5
WEB_MAX_CONNECTIONS = 200
WEB_SHUTDOWN_S = 5


def idle_until_stopped(message: str) -> None:
    """Print ``message`` once, then wait for SIGTERM/SIGINT and exit cleanly."""
    click.echo(message, err=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    sys.exit(0)


def _missing(settings: Settings, *names: str) -> list[str]:
    return [n.upper() for n in names if getattr(settings, n) in (None, "")]


@click.group(name="serve")
def serve() -> None:
    """Run a long-lived process: the Slack bot, the Telegram bot or the OAuth callback."""


@serve.command("web")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to bind.")
@click.option("--port", type=int, default=None,
              help=f"Port (default $PORT, else {DEFAULT_WEB_PORT}).")
@click.option("--telegram-webhook-url", default=None,
              help="Public https URL of /telegram/webhook to register with Telegram at start.")
@click.option("--telegram-secret", envvar="TELEGRAM_WEBHOOK_SECRET", default=None,
              help="Secret Telegram sends with each update (env TELEGRAM_WEBHOOK_SECRET).")
@click.pass_obj
def web_cmd(settings: Settings, host: str, port: int | None, telegram_webhook_url: str | None,
            telegram_secret: str | None) -> None:
    """The web process: /healthz, /readyz, the OAuth callback, TikTok push messages, and Slack
    events / Telegram updates for the platforms that are configured."""
    slack_app = None
    if settings.slack_bot_token and settings.slack_signing_secret:
        slack_app = _slack_app(settings, http=True)
    telegram_app = None
    if settings.telegram_bot_token and telegram_secret:
        from bot.runtime import bot_context
        from bot.telegram.app import build_application

        telegram_app = build_application(bot_context(settings),
                                         settings.secret("telegram_bot_token"),
                                         settings.telegram_api_url)
    feishu_bot = None
    if settings.feishu_app_id and settings.feishu_app_secret and \
            settings.feishu_verification_token:
        feishu_bot = _feishu_bot(settings)
    _run_web(settings, host, port or int(os.environ.get("PORT") or DEFAULT_WEB_PORT),
             slack_app, telegram_app, telegram_secret, telegram_webhook_url, feishu=feishu_bot)


def _feishu_bot(settings: Settings):  # type: ignore[no-untyped-def]
    """The Feishu bot: the app's client (paced through Redis) and its event handler."""
    from bot.feishu.app import FeishuBot
    from bot.runtime import bot_context
    from jobs.notify.clients import feishu_api

    ctx = bot_context(settings)
    api = feishu_api(str(settings.feishu_app_id), settings.secret("feishu_app_secret"),
                     settings.feishu_base_url, ctx.redis)
    token = settings.secret("feishu_verification_token") \
        if settings.feishu_verification_token else ""
    key = settings.secret("feishu_encrypt_key") if settings.feishu_encrypt_key else ""
    return FeishuBot(ctx, api, verification_token=token, encrypt_key=key)


def _slack_app(settings: Settings, *, http: bool):  # type: ignore[no-untyped-def]
    from bot.runtime import bot_context
    from bot.slack.app import build_app
    from bot.slack.background import bot_slack_client

    secret = settings.secret("slack_signing_secret") if http else None
    return build_app(bot_context(settings), bot_slack_client(settings), signing_secret=secret,
                     socket_mode=not http)


def _run_web(settings: Settings, host: str, port: int, slack_app: object,  # noqa: PLR0913
             telegram_app: object, telegram_secret: str | None,
             telegram_webhook_url: str | None, *, feishu: object = None) -> None:
    """Serve the web app with uvicorn until SIGTERM (open requests get ``WEB_SHUTDOWN_S``)."""
    import uvicorn

    from bot.web_routes import chat_routes
    from jobs.wiring import web_app

    _check_port(host, port)
    chat = chat_routes(slack_app, telegram_app, telegram_secret,  # type: ignore[arg-type]
                       telegram_webhook_url, feishu)  # type: ignore[arg-type]
    app = web_app(settings, chat.routes, chat.lifespan)
    served = [getattr(r, "path", "?") for r in chat.routes]
    click.echo(f"web on http://{host}:{port} (chat routes: {', '.join(served) or 'none'})",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on",
                timeout_keep_alive=WEB_KEEP_ALIVE_S, limit_concurrency=WEB_MAX_CONNECTIONS,
                timeout_graceful_shutdown=WEB_SHUTDOWN_S)


def _check_port(host: str, port: int) -> None:
    """One clear line, before anything starts, when another process holds the port."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}): another process uses the "
                "port; stop it, or choose another with --port or $PORT") from None


@serve.command("slack")
@click.option("--http", "http_port", type=int, default=None,
              help=f"Force HTTP mode on this port (default {DEFAULT_SLACK_PORT}).")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to bind.")
@click.pass_obj
def slack_cmd(settings: Settings, http_port: int | None, host: str) -> None:
    """The Slack bot: Socket Mode with SLACK_APP_TOKEN; HTTP mode with SLACK_SIGNING_SECRET
    when there is no app token (or with --http): then it is the web process with only Slack's
    route (``serve web`` serves /slack/events too)."""
    http = http_port is not None or (not settings.slack_app_token
                                     and settings.slack_signing_secret is not None)
    needed = ("slack_bot_token", "slack_signing_secret") if http else (
        "slack_bot_token", "slack_app_token")
    missing = _missing(settings, *needed)
    if missing:
        idle_until_stopped(f"slack bot not started: set {', '.join(missing)} "
                           "(see README 'Chat bots'); idling until stopped.")
    app = _slack_app(settings, http=http)
    if http:
        _run_web(settings, host, http_port or DEFAULT_SLACK_PORT, app, None, None, None)
    else:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        click.echo("slack bot (Socket Mode) connecting", err=True)
        SocketModeHandler(app, settings.secret("slack_app_token")).start()


@serve.command("telegram")
@click.pass_obj
def telegram_cmd(settings: Settings) -> None:
    """The Telegram bot over long polling (no public URL needed). Webhook mode is the web
    process: ``serve web`` with TELEGRAM_WEBHOOK_SECRET and ``--telegram-webhook-url``."""
    missing = _missing(settings, "telegram_bot_token")
    if missing:
        idle_until_stopped(f"telegram bot not started: set {', '.join(missing)} "
                           "(see README 'Chat bots'); idling until stopped.")
    from bot.runtime import bot_context
    from bot.telegram.app import build_application

    app = build_application(bot_context(settings), settings.secret("telegram_bot_token"),
                            settings.telegram_api_url)
    app.run_polling()


@serve.command("feishu")
@click.pass_obj
def feishu_cmd(settings: Settings) -> None:
    """The Feishu/Lark bot over the SDK's long connection (no public URL needed). HTTP callback
    mode is the web process: ``serve web`` with FEISHU_VERIFICATION_TOKEN (/feishu/events)."""
    missing = _missing(settings, "feishu_app_id", "feishu_app_secret")
    if missing:
        idle_until_stopped(f"feishu bot not started: set {', '.join(missing)} "
                           "(see README 'Feishu and WeCom'); idling until stopped.")
    import lark_oapi as lark
    from lark_oapi.ws.exception import ClientException

    bot = _feishu_bot(settings)
    click.echo("feishu bot (long connection) connecting", err=True)
    try:
        lark.ws.Client(str(settings.feishu_app_id), settings.secret("feishu_app_secret"),
                       event_handler=bot.handler, domain=settings.feishu_base_url.rstrip("/"),
                       log_level=lark.LogLevel.WARNING).start()
    except ClientException as exc:  # refused for good (a server error is retried by the SDK)
        raise click.ClickException(
            f"Feishu refused the long connection ({exc}): check FEISHU_APP_ID, "
            "FEISHU_APP_SECRET and FEISHU_BASE_URL, and that the app subscribes to events by "
            "long connection (README 'Feishu and WeCom')") from None


@serve.command("oauth")
@click.option("--port", type=int, default=DEFAULT_OAUTH_PORT, show_default=True)
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--state-for", "state_for", default=None,
              help="Issue a one-time OAuth state for this tenant, print it and exit "
                   "('tikpulse auth link' prints the whole link).")
@click.pass_obj
def oauth_cmd(settings: Settings, port: int, host: str, state_for: str | None) -> None:
    """The TikTok Shop authorization callback alone: the web process without chat routes (the
    ``web`` process answers /oauth/tiktok-shop/callback too)."""
    if state_for:
        from jobs.accounts.oauth import issue_state
        from jobs.wiring import engine_for

        click.echo(issue_state(engine_for(settings.database_url), state_for))
        return
    missing = _missing(settings, "tiktok_app_key", "tiktok_app_secret", "tikpulse_secret_key")
    if missing:
        idle_until_stopped(f"oauth callback not started: set {', '.join(missing)}; "
                           "idling until stopped.")
    _run_web(settings, host, port, None, None, None, None)
