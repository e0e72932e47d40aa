"""``tikpulse kpi``: print a tenant's weekly KPIs per store and in total from the warehouse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from analytics.display import metric_name, metric_value
from analytics.fx import MissingFxRate
from analytics.kpis import KpiReport
from analytics.weeks import iso_week_label
from config.settings import Settings
from config.tenants import Tenant
from jobs.cli.registry import load_registry, pick_tenant
from jobs.report.build import build_weekly_report
from jobs.warehouse.db import make_engine
from jobs.warehouse.fx_rates import FxFileError, import_fx_csv
from jobs.warehouse.loaders import UnknownShop
from jobs.warehouse.rollups import cleaning_rules, rebuild_ad_rollups, rebuild_rollups

#: The rows of the table, in the order a seller reads them.
SHOWN_METRICS: tuple[str, ...] = (
    "gross_gmv", "refunds", "net_gmv", "orders", "units", "buyers", "aov", "refund_rate",
    "visitors", "cvr", "spend", "impressions", "clicks", "ctr", "cpc", "cpm", "cpa",
    "roas_platform", "roas_true", "roas_blended", "commission_cost",
)


def _change(report: KpiReport, metric_id: str) -> str:
    change = report.change(metric_id)
    if change.pct is None:
        return ""
    arrow = {True: "[green]", False: "[red]", None: ""}[change.good]
    return f"{arrow}{change.pct * 100:+.1f}%"


def kpi_table(title: str, report: KpiReport, currency: str) -> Table:
    """One rich table: each metric this week, last week, the change and the 4-week average."""
    table = Table(title=title, title_justify="left")
    for name, justify in (("metric", "left"), ("this week", "right"), ("last week", "right"),
                          ("change", "right"), ("4-week avg", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for metric_id in SHOWN_METRICS:
        previous = None if report.previous is None else report.previous.value(metric_id)
        base = None if report.baseline_4w is None else report.baseline_4w.value(metric_id)
        table.add_row(metric_name(metric_id, "en"),
                      metric_value(metric_id, report.current.value(metric_id), currency),
                      metric_value(metric_id, previous, currency), _change(report, metric_id),
                      metric_value(metric_id, base, currency))
    return table


def last_full_week(tenant: Tenant, now: datetime | None = None) -> str:
    """The ISO week before the current one in the tenant's digest time zone."""
    local = (now or datetime.now(UTC)).astimezone(ZoneInfo(tenant.digest.timezone)).date()
    return iso_week_label(local - timedelta(days=7))


@click.command(name="kpi")
@click.option("--tenant", "tenant_id", required=True, help="Tenant id from the tenants file.")
@click.option("--week", default=None, help="ISO week such as 2026-W47 (default: last week).")
@click.option("--rebuild", is_flag=True, help="Recompute the tenant's rollups from raw rows first.")
@click.option("--fx-csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Import FX rates (day,base,quote,rate) before computing; "
              "same as 'tikpulse fx import FILE'.")
@click.pass_obj
def kpi(settings: Settings, tenant_id: str, week: str | None, rebuild: bool,
        fx_csv: Path | None) -> None:
    """Print weekly KPIs per store and for the tenant, in its reporting currency."""
    engine = make_engine(settings.database_url)
    tenant = pick_tenant(load_registry(engine, settings), tenant_id)
    _prepare(engine, tenant, rebuild, fx_csv)
    label = week or last_full_week(tenant)
    try:
        report = build_weekly_report(engine, tenant, label)
    except MissingFxRate as exc:
        raise click.ClickException(f"{exc}. Fetch reference rates with 'tikpulse fx sync', or "
                                   "import your own with 'tikpulse fx import FILE' (columns "
                                   "day,base,quote,rate)") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    console = Console()
    ccy = report.reporting_currency
    for store in report.stores:
        title = (f"{store.name} ({store.region}, {store.shop_id}) · {label} · "
                 f"{store.first_day:%d %b} – {store.last_day:%d %b} {store.timezone}")
        console.print(kpi_table(title, store.kpis, ccy))
    console.print(kpi_table(f"{tenant.name} · all stores · {label}", report.total, ccy))


def _prepare(engine, tenant: Tenant, rebuild: bool, fx_csv: Path | None) -> None:  # type: ignore[no-untyped-def]
    rules = cleaning_rules(tenant)
    with engine.begin() as conn:
        if fx_csv is not None:
            try:
                import_fx_csv(conn, fx_csv)
            except FxFileError as exc:
                raise click.ClickException(str(exc)) from None
        if rebuild:
            for store in tenant.stores:
                try:
                    rebuild_rollups(conn, store.shop_id, rules=rules)
                except UnknownShop as exc:
                    raise click.ClickException(str(exc)) from None
                for advertiser_id in store.advertiser_ids:
                    rebuild_ad_rollups(conn, advertiser_id)

