"""``tikpulse sandbox``: run the local TikTok Shop + Business API simulator in the foreground.

tikpulse sandbox serve --port 8800 --seed 7 [--shops 3 --weeks 10 --end 2026-11-23]
    [--app-key ... --app-secret ... --ads-app-id ... --ads-secret ...] [--qps 20]
    [--scenario faults.yaml]
tikpulse sandbox truth --seed 7 [--shops ...]   # print the ground truth of a data set
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

import click

from sandbox.config import DEFAULT_DAILY_ORDERS, GeneratorConfig, last_monday
from sandbox.credentials import DemoCredentials, describe


def _config(
    seed: int, shops: int, weeks: int, end: str | None, daily_orders: float
) -> GeneratorConfig:
    end_date = date.fromisoformat(end) if end else last_monday()
    return GeneratorConfig(
        seed=seed, shops=shops, weeks=weeks, end=end_date, daily_orders=daily_orders
    )


def data_options(func: Callable[..., None]) -> Callable[..., None]:
    """The options that choose the data set."""
    for option in reversed(
        [
            click.option(
                "--seed", default=7, show_default=True, help="Random seed (same seed, same data)."
            ),
            click.option(
                "--shops",
                default=3,
                show_default=True,
                help="Number of shops (GB, US, TH, MY, VN, ID...).",
            ),
            click.option("--weeks", default=10, show_default=True, type=click.IntRange(2, 156),
                         help="Weeks of history (2 to 156)."),
            click.option(
                "--end", default=None, help="Exclusive end date YYYY-MM-DD (default: last Monday)."
            ),
            click.option(
                "--daily-orders",
                default=DEFAULT_DAILY_ORDERS,
                show_default=True,
                help="Mean orders per shop per ordinary day.",
            ),
        ]
    ):
        func = option(func)
    return func


@click.group()
def sandbox() -> None:
    """Run the local TikTok Shop + Ads API simulator."""


@sandbox.command()
@click.option("--port", default=8800, show_default=True, help="Port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True)
@data_options
@click.option("--app-key", default=DemoCredentials.app_key, show_default=True)
@click.option("--app-secret", default=DemoCredentials.app_secret, show_default=True)
@click.option("--ads-app-id", default=DemoCredentials.ads_app_id, show_default=True)
@click.option("--ads-secret", default=DemoCredentials.ads_secret, show_default=True)
@click.option(
    "--qps",
    type=float,
    default=None,
    help="Enforced requests per second per API (default: no limit).",
)
@click.option(
    "--scenario",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="JSON/YAML file of faults to plan at start.",
)
@click.option(
    "--webhook-url",
    default=None,
    help="Send TikTok Shop push messages (webhooks) here, e.g. http://127.0.0.1:8000/tiktok/webhooks.",
)
def serve(
    port: int,
    host: str,
    seed: int,
    shops: int,
    weeks: int,
    end: str | None,
    daily_orders: float,
    app_key: str,
    app_secret: str,
    ads_app_id: str,
    ads_secret: str,
    qps: float | None,
    scenario: Path | None,
    webhook_url: str | None,
) -> None:
    """Generate a data set and serve it until interrupted; prints the demo credentials."""
    from sandbox.server import Sandbox

    creds = DemoCredentials(
        app_key=app_key, app_secret=app_secret, ads_app_id=ads_app_id, ads_secret=ads_secret
    )
    sb = Sandbox.start(
        config=_config(seed, shops, weeks, end, daily_orders),
        port=port,
        host=host,
        credentials=creds,
        qps=qps,
        scenario=scenario,
        background=False,
    )
    sb.state.webhooks.configure(webhook_url)
    click.echo(describe(sb.credentials, sb.base_url), err=False)
    click.echo(
        f"  data: {len(sb.dataset.orders)} orders, {len(sb.dataset.lines)} lines, "
        f"{sb.dataset.config.start} .. {sb.dataset.config.end} (exclusive); Ctrl-C to stop",
        err=False,
    )
    signal.signal(signal.SIGTERM, _stop_on_term)
    try:
        sb.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sb.server.server_close()


def _stop_on_term(signum: int, frame: object) -> None:
    """SIGTERM (process managers, ``kill``) stops the server like Ctrl-C."""
    raise KeyboardInterrupt


@sandbox.command()
@data_options
def truth(seed: int, shops: int, weeks: int, end: str | None, daily_orders: float) -> None:
    """Print the ground truth (per shop and local week) and the anomaly manifest as JSON."""
    from sandbox.generator import generate

    ds = generate(_config(seed, shops, weeks, end, daily_orders))
    weeks_out = [
        {"shop_id": s, "week_start": str(w), **{k: str(v) for k, v in asdict(t).items()}}
        for (s, w), t in sorted(ds.truth.items())
    ]
    click.echo(json.dumps({"weeks": weeks_out, "anomalies": ds.anomalies}, indent=1, default=str))
