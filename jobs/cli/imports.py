"""``tikpulse import``: Seller Center order exports and Ads Manager exports (the no-API path).

A refused file exits 1 with every problem (row, column, value, fix) and nothing imported.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from config.settings import Settings
from config.tenant_registry import load_tenants
from jobs.ingestion.csv_import import UnknownShop, import_ads_csv, import_orders_csv
from jobs.sources.csv.common import BadFile
from jobs.warehouse.db import make_engine


@click.group(name="import")
def import_() -> None:
    """Import Seller Center order or Ads Manager CSV exports."""


@import_.command("orders")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--shop", "shop_id", required=True, help="Shop the export belongs to.")
@click.option("--tenant", default=None, help="Tenant of a shop seen for the first time.")
@click.option("--region", default=None, help="Region (GB, US, TH, ...) of a new shop.")
@click.pass_obj
def orders(settings: Settings, file: Path, shop_id: str, tenant: str | None,
           region: str | None) -> None:
    """Import a Seller Center order export (one row per SKU line; CSV or .xlsx)."""
    started = time.monotonic()
    try:
        result = import_orders_csv(make_engine(settings.database_url), file, shop_id,
                                   tenant=tenant, region=region,
                                   registry=load_tenants(settings.tikpulse_config))
    except (BadFile, UnknownShop) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{file.name}: {result.rows_read} rows -> {result.orders} orders, "
               f"{result.lines} lines, {result.refunds} refunds "
               f"in {time.monotonic() - started:.1f}s")


@import_.command("ads")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--advertiser", "advertiser_id", required=True, help="Advertiser of the export.")
@click.option("--tenant", default=None, help="Tenant of an advertiser seen for the first time.")
@click.option("--shop", "shop_id", default=None, help="Shop a new advertiser promotes.")
@click.option("--currency", default=None, help="Account currency of a new advertiser.")
@click.pass_obj
def ads(settings: Settings, file: Path, advertiser_id: str, tenant: str | None,
        shop_id: str | None, currency: str | None) -> None:
    """Import an Ads Manager campaign or ad export by day (CSV or .xlsx)."""
    try:
        result = import_ads_csv(make_engine(settings.database_url), file, advertiser_id,
                                tenant=tenant, shop_id=shop_id, currency=currency)
    except (BadFile, UnknownShop) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{file.name}: {result.rows_read} rows -> {result.ad_rows} report rows")


@import_.command("headers")
def headers() -> None:
    """List the accepted column headers of both exports (matched ignoring case and punctuation)."""
    from jobs.sources.csv import headers as table_of

    for title, table, required in (("Seller Center order export", table_of.ORDER_HEADERS,
                                    table_of.ORDER_REQUIRED),
                                   ("Ads Manager export", table_of.ADS_HEADERS,
                                    table_of.ADS_REQUIRED)):
        click.echo(f"{title}:")
        for field, names in table.items():
            mark = "*" if field in required else " "
            click.echo(f"  {mark} {field:<18} {' | '.join(names)}")
    click.echo("(* required; other columns are optional or ignored. Files may be CSV in UTF-8, "
               "UTF-16 or GB18030, or .xlsx)")
