"""``tikpulse kpi``: print a tenant's weekly KPIs per store and in total from the warehouse.

Each store in its own currency (what Seller Center shows) with this week's money in the reporting
currency in the column beside it, the total in the reporting currency. A missing FX rate leaves the
total (and the figures beside) out with a note naming the rate and how to add it; exit status 0.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from analytics.catalog import get_metric
from analytics.display import fx_missing_note, metric_name, metric_value
from analytics.kpi_report import KpiReport
from analytics.weeks import iso_week_label
from config.settings import Settings
from config.tenants import Tenant
from jobs.cli.registry import load_registry, pick_tenant
from jobs.report.build import build_weekly_report
from jobs.report.model import WeeklyReport
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


def _beside(metric_id: str, beside: KpiReport) -> str:
    """The reporting-currency figure of a money metric ("" for counts and ratios)."""
    if get_metric(metric_id).unit != "money":
        return ""
    return metric_value(metric_id, beside.current.value(metric_id), beside.current.currency)


def kpi_table(title: str, report: KpiReport, beside: KpiReport | None = None) -> Table:
    """One rich table: each metric this week, last week, the change and the 4-week average in
    the KPIs' own currency; with ``beside`` (the same in the reporting currency), this week's
    money in that currency too."""
    table = Table(title=title, title_justify="left")
    columns = [("metric", "left"), ("this week", "right"), ("last week", "right"),
               ("change", "right"), ("4-week avg", "right")]
    if beside is not None:
        columns.insert(2, (f"≈ {beside.current.currency}", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    ccy = report.current.currency
    for metric_id in SHOWN_METRICS:
        previous = None if report.previous is None else report.previous.value(metric_id)
        base = None if report.baseline_4w is None else report.baseline_4w.value(metric_id)
        row = [metric_name(metric_id, "en"),
               metric_value(metric_id, report.current.value(metric_id), ccy),
               metric_value(metric_id, previous, ccy), _change(report, metric_id),
               metric_value(metric_id, base, ccy)]
        if beside is not None:
            row.insert(2, _beside(metric_id, beside))
        table.add_row(*row)
    return table


def print_report(console: Console, report: WeeklyReport, tenant_name: str) -> None:
    """Each store's table in its own currency, then the total (or the missing-rate note)."""
    for store in report.stores:
        title = (f"{store.name} ({store.region}, {store.shop_id}) · {report.week} · "
                 f"{store.first_day:%d %b} – {store.last_day:%d %b} {store.timezone} · "
                 f"{store.kpis.current.currency}")
        console.print(kpi_table(title, store.kpis, store.reporting))
    if report.total is not None:
        console.print(kpi_table(f"{tenant_name} · all stores · {report.week} · "
                                f"{report.reporting_currency}", report.total))
    else:
        console.print(f"{tenant_name} · all stores · {report.week}: left out, the total in "
                      f"{report.reporting_currency} needs a missing FX rate.")
    if report.missing_fx:
        console.print(fx_missing_note(report.missing_fx, "en", quote="'"), markup=False)


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
    """Print weekly KPIs per store (its own currency, the reporting one beside) and for the
    tenant (its reporting currency)."""
    engine = make_engine(settings.database_url)
    tenant = pick_tenant(load_registry(engine, settings), tenant_id)
    _prepare(engine, tenant, rebuild, fx_csv)
    label = week or last_full_week(tenant)
    try:
        report = build_weekly_report(engine, tenant, label)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    print_report(Console(), report, tenant.name)


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

