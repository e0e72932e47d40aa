"""``tikpulse fx``: the FX rates that convert each store's money into its tenant's currency.

    tikpulse fx sync               # daily reference rates from TIKPULSE_FX_URL (the ECB's)
    tikpulse fx import rates.csv   # your own rates: day,base,quote,rate (1 base = rate quote)
    tikpulse fx show --days 30     # what is stored, and what the tenants' stores still lack
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from analytics.fx import FxRates
from config.settings import Settings
from config.tenant_registry import TenantRegistry
from jobs.cli.registry import load_registry
from jobs.warehouse.db import make_engine
from jobs.warehouse.fx_feed import FxFeedError, FxSyncResult, sync_fx
from jobs.warehouse.fx_rates import FxFileError, StoredPair, import_fx_csv, load_fx, stored_pairs

#: Days ``fx show`` looks back from the latest stored rate by default.
SHOW_DAYS = 30
HOW_TO_ADD = ("Run 'tikpulse fx sync' (it back-fills the days the orders and ads cover), or add "
              "them with 'tikpulse fx import FILE' (columns day,base,quote,rate): the reference "
              "feed does not publish every currency.")

DAY = click.DateTime(["%Y-%m-%d"])


@click.group(name="fx")
def fx() -> None:
    """Sync, import and show the FX rates that convert each store's money."""


@fx.command("sync")
@click.option("--url", default=None, help="Feed to read (default: TIKPULSE_FX_URL, the ECB's).")
@click.option("--since", type=DAY, default=None,
              help="Back-fill from this day (YYYY-MM-DD) even before the first order or ad.")
@click.option("--today", type=DAY, default=None, hidden=True)  # re-runs "as of" a day; tests
@click.pass_obj
def sync(settings: Settings, url: str | None, since: datetime | None,
         today: datetime | None) -> None:
    """Fetch daily reference rates for the days the orders and ads cover."""
    engine = make_engine(settings.database_url)
    try:
        result = sync_fx(engine, url or settings.tikpulse_fx_url,
                         since=since and since.date(), today=today and today.date())
    except FxFeedError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(sync_line(result))


def sync_line(result: FxSyncResult) -> str:
    """One line about a sync: what was stored, or that nothing was new."""
    if not result.rows:
        return (f"{result.url}: nothing new; rates are stored through {result.latest}, the "
                "feed's latest day.")
    return (f"{result.url}: {result.rows} rates stored for {result.days} days "
            f"{result.first} – {result.last} ({len(result.currencies)} currencies).")


@fx.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_(settings: Settings, file: Path) -> None:
    """Import your own rates from a CSV with the header day,base,quote,rate."""
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            written = import_fx_csv(conn, file)
    except FxFileError as exc:
        raise click.ClickException(f"{exc}. Nothing was imported.") from None
    click.echo(f"{file.name}: {written} rates stored; see them with 'tikpulse fx show'.")


@fx.command("show")
@click.option("--days", default=SHOW_DAYS, show_default=True, type=click.IntRange(min=1),
              help="Days counted back from the latest stored rate.")
@click.option("--base", default=None, help="Only pairs with this base currency (e.g. EUR).")
@click.pass_obj
def show(settings: Settings, days: int, base: str | None) -> None:
    """Stored rates per pair (latest day and rate, days stored) and the rates stores lack."""
    engine = make_engine(settings.database_url)
    registry = load_registry(engine, settings)
    console = Console()
    with engine.connect() as conn:
        latest = max((p.latest_day for p in stored_pairs(conn)),
                     default=datetime.now(UTC).date())
        first = latest - timedelta(days - 1)
        pairs = stored_pairs(conn, first, base and base.upper())
        needs = tenant_needs(conn, registry, first, latest)
    if pairs:
        click.echo(f"FX rates stored (1 base = rate quote), days counted {first} – {latest}:")
        console.print(pairs_table(pairs))
    else:
        click.echo("No FX rates stored yet. Run 'tikpulse fx sync' (reference rates from "
                   "TIKPULSE_FX_URL) or 'tikpulse fx import FILE'.")
    click.echo("\n".join(needs_lines(needs, first, latest)))


def pairs_table(pairs: list[StoredPair]) -> Table:
    """One row per stored pair: its latest day and rate, and how many days it has."""
    table = Table()
    for name, justify in (("pair", "left"), ("latest day", "left"), ("rate", "right"),
                          ("days", "right"), ("source", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for pair in pairs:
        table.add_row(f"{pair.base}->{pair.quote}", pair.latest_day.isoformat(),
                      f"{pair.latest_rate:f}", str(pair.days), pair.source)
    return table


@dataclass(frozen=True)
class Need:
    """A conversion a tenant's store needs, and on how many days of the window it has a rate."""

    tenant_id: str
    currency: str
    quote: str
    covered: int


def tenant_needs(conn: Connection, registry: TenantRegistry, first: date, last: date) -> (
    list[Need]
):
    """Each store currency -> reporting currency pair of every tenant, with its covered days."""
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    needs = []
    for tenant in registry.tenants:
        quote = tenant.reporting_currency
        wanted = sorted({s.resolved_currency for s in tenant.stores} - {quote})
        rates = load_fx(conn, wanted, quote, first, last) if wanted else FxRates({})
        for ccy in wanted:
            covered = len(days) - len(rates.check([(d, ccy) for d in days], quote))
            needs.append(Need(tenant.id, ccy, quote, covered))
    return needs


def needs_lines(needs: list[Need], first: date, last: date) -> list[str]:
    """What the tenants' stores need, per tenant, and the missing pairs with how to add them."""
    if not needs:
        return ["No tenant needs a conversion (every store is in its reporting currency)."]
    total = (last - first).days + 1
    lines = [f"Rates the tenants' stores need, {first} – {last}:"]
    for tenant_id in dict.fromkeys(n.tenant_id for n in needs):
        own = [n for n in needs if n.tenant_id == tenant_id]
        lines.append(f"  {tenant_id}: " + ", ".join(
            f"{n.currency}->{n.quote} " + ("ok" if n.covered == total else
                                           "missing" if not n.covered else
                                           f"{n.covered} of {total} days") for n in own))
    lacking = sorted({f"{n.currency}->{n.quote}" for n in needs if n.covered < total})
    if lacking:
        lines.append(f"Missing or partial: {', '.join(lacking)}. {HOW_TO_ADD}")
    return lines
