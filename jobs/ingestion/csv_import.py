"""CSV imports (the no-API path): a whole file is imported in one transaction, or nothing is.

``import_orders_csv`` reads a Seller Center order export for one shop (registering the shop, as
``connect-shop`` would, when it is new); ``import_ads_csv`` an Ads Manager export for one
advertiser. Files may be CSV in any encoding ``export_file`` detects, or .xlsx workbooks. Rows are
upserted by natural key, so importing the same file twice changes nothing and a later, overlapping
export updates the rows it shares with an earlier one. Rows are written through
``jobs.ingestion.writer`` (which marks the days they change; an order export read by pyarrow is
staged and merged in one statement per table), and the rollups of those days
(``shop_daily`` and co., or ``ad_daily``) are recomputed once at the end of the same transaction:
a KPI read right after an import counts it, and a failed import leaves both as they were. A new
shop or advertiser (and its new tenant) is registered inside that same transaction, so a refused
file leaves no trace but its ``job_runs`` row, which says ``failed`` and why, whatever the error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from analytics.clean import DEFAULT_RULES, CleaningRules
from config.tenants import DEFAULT_REPORTING_CURRENCY, TenantRegistry
from jobs.accounts.registry import (
    ShopSpec,
    ensure_tenant,
    register_advertiser,
    register_shop,
    shop_defaults,
)
from jobs.ingestion.runlog import Run, finish_run, start_run
from jobs.ingestion.writer import AdWriter, RawWriter
from jobs.sources.csv.ads import AdsCsvReader
from jobs.sources.csv.arrow_orders import ArrowOrderReader, NotColumnar, OrderTables
from jobs.sources.csv.common import BadFile
from jobs.sources.csv.export_file import ExportFile, open_export
from jobs.sources.csv.orders import OrderCsvReader
from jobs.sources.csv.read_ahead import PROCESS_MIN_BYTES, read_ahead, read_in_process
from jobs.warehouse import schema as s
from jobs.warehouse.bulk import storage_time
from jobs.warehouse.rollups import cleaning_rules
from jobs.warehouse.staging import staging_transaction

#: Currencies without minor units (amounts split across unit lines in whole units).
ZERO_DECIMAL_CURRENCIES = frozenset({"VND", "IDR", "JPY", "KRW", "CLP"})
#: Longest error text kept on a failed run.
MAX_RUN_ERROR = 2000

Register = Callable[[Connection], object]
"""Registers a new shop or advertiser (and its tenant) inside the import's transaction."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote."""

    rows_read: int
    orders: int = 0
    lines: int = 0
    refunds: int = 0
    ad_rows: int = 0
    read_by: str = "rows"  #: "columns" (the fast path) or "rows"


class UnknownShop(LookupError):
    """The shop is not registered and no region was given to register it."""


@dataclass(frozen=True)
class _Target:
    """The shop an order export goes to, and how to register it if it is new."""

    shop_id: str
    currency: str
    timezone: str
    exponent: int
    register: Register


def _reason(error: BaseException) -> str:
    """What a failed run's record says: the problem report, or the error's type and text."""
    text = str(error) if isinstance(error, BadFile) else f"{type(error).__name__}: {error}"
    return text[:MAX_RUN_ERROR]


def import_orders_csv(
    engine: Engine, path: Path | str, shop_id: str, *, tenant: str | None = None,
    region: str | None = None, registry: TenantRegistry | None = None, columnar: bool = True,
) -> ImportSummary:
    """Import a Seller Center order export into ``shop_id``; ``BadFile`` if any cell is bad.

    The file is read column by column (``ArrowOrderReader``, pyarrow); a file that reader
    leaves alone (an unusual form, or a problem to report), or any file when ``columnar`` is
    false, is read row by row (``OrderCsvReader``, the reference: same rows, far slower).
    """
    currency, zone, register = _shop(engine, shop_id, tenant, region, registry)
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    configured = registry.tenant_of_shop(shop_id) if registry else None
    rules = cleaning_rules(configured) if configured else DEFAULT_RULES
    shop = _Target(shop_id, currency, zone, exponent, register)
    run = start_run(engine, "import_orders", shop_id)
    try:
        with open_export(path) as source:
            try:
                if not columnar:
                    raise NotColumnar("row by row requested")
                summary = _import_columns(engine, source, shop, run, rules)
            except NotColumnar:
                summary = _import_rows(engine, source, shop, run, rules)
    except BaseException as error:
        finish_run(engine, run, "failed", _reason(error))
        raise
    finish_run(engine, run, "ok")
    return summary


def _import_columns(engine: Engine, source: ExportFile, shop: _Target, run: Run,
                    rules: CleaningRules) -> ImportSummary:
    """The fast path: pyarrow parses (ahead of the database, on a helper thread or, for a big
    file into SQLite, in a child process) into staging tables, merged into the warehouse with
    the rollups of the days they changed in one transaction, rolled back if the reader gives
    up (``NotColumnar``)."""
    dialect = engine.dialect.name
    now = storage_time(dialect)(datetime.now(UTC))
    reader = ArrowOrderReader(source, shop_id=shop.shop_id, currency=shop.currency,
                              timezone=shop.timezone, exponent=shop.exponent, dialect=dialect,
                              ingested_at=now)
    pages: list[tuple[int, int]] = []

    def counted(chunks: Iterator[OrderTables]) -> Iterator[OrderTables]:
        for chunk in chunks:
            pages.append((chunk.rows, len(chunk.orders) + len(chunk.lines)))
            yield chunk

    with staging_transaction(engine) as conn:
        shop.register(conn)
        writer = RawWriter(conn, shop.shop_id)
        # SQLite writes in this process: parsing gets a CPU of its own in a child process.
        # PostgreSQL writes in its server process: a thread overlaps parsing with that.
        own_cpu = dialect == "sqlite" and Path(source.path).stat().st_size >= PROCESS_MIN_BYTES
        chunks = read_in_process(reader) if own_cpu else read_ahead(reader.tables())
        orders, lines, refunds = writer.order_tables(counted(chunks), reader.constants)
        writer.refresh(rules)
    for read, written_rows in pages:
        run.count_page("csv_orders", read, written_rows)
    return ImportSummary(reader.rows_read, orders, lines, refunds, read_by="columns")


def _import_rows(engine: Engine, source: ExportFile, shop: _Target, run: Run,
                 rules: CleaningRules) -> ImportSummary:
    """Row by row: any file, and the report of a bad one (``BadFile``, nothing written); the
    rollups of the days it changed are recomputed in the same transaction."""
    reader = OrderCsvReader(source, shop_id=shop.shop_id, currency=shop.currency,
                            timezone=shop.timezone, exponent=shop.exponent,
                            time_value=storage_time(engine.dialect.name))
    counts = {"orders": 0, "lines": 0, "refunds": 0}
    with engine.begin() as conn:
        shop.register(conn)
        writer = RawWriter(conn, shop.shop_id)
        for batch in reader.batches():
            if reader.problems:
                break
            written = writer.order_rows(batch)
            for name, count in zip(counts, written, strict=True):
                counts[name] += count
            run.count_page("csv_orders", batch.rows, len(batch.orders) + len(batch.lines))
        if reader.problems:
            raise BadFile(source.name, reader.problems)  # rolls the transaction back
        writer.refresh(rules)
    return ImportSummary(reader.rows_read, counts["orders"], counts["lines"], counts["refunds"])


def import_ads_csv(
    engine: Engine, path: Path | str, advertiser_id: str, *, tenant: str | None = None,
    shop_id: str | None = None, currency: str | None = None,
) -> ImportSummary:
    """Import an Ads Manager export for ``advertiser_id``; ``BadFile`` if any cell is bad.

    The ``ad_daily`` rollups of the days in the file are recomputed in the same transaction.
    """
    account_currency, register = _advertiser(engine, advertiser_id, tenant, shop_id, currency)
    run = start_run(engine, "import_ads", advertiser_id)
    written = 0
    try:
        with open_export(path) as source, engine.begin() as conn:
            reader = AdsCsvReader(source, advertiser_id=advertiser_id, currency=account_currency)
            register(conn)
            with AdWriter(conn, advertiser_id) as ads:
                for rows in reader.batches():
                    if reader.problems:
                        break
                    written += ads.report_rows(rows)
                    run.count_page("csv_ads", len(rows), len(rows))
                if reader.problems:  # raised inside both blocks: no rollups, no rows
                    raise BadFile(source.name, reader.problems)
    except BaseException as error:
        finish_run(engine, run, "failed", _reason(error))
        raise
    finish_run(engine, run, "ok")
    return ImportSummary(reader.rows_read, ad_rows=written)


def _shop(engine: Engine, shop_id: str, tenant: str | None, region: str | None,
          registry: TenantRegistry | None) -> tuple[str, str, Register]:
    """(currency, time zone) of the shop, and what registers it if it is new (nothing written
    here: the import's transaction registers it, so a refused file leaves no shop behind)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.shops.c.currency, s.shops.c.timezone)
                           .where(s.shops.c.shop_id == shop_id)).first()
    if row is not None:
        return row.currency, row.timezone, _nothing
    configured = registry.tenant_of_shop(shop_id) if registry else None
    store = (next(x for x in configured.stores if x.shop_id == shop_id)
             if configured else None)
    region = region or (store.region if store else None)
    if region is None or (tenant is None and configured is None):
        raise UnknownShop(f"shop {shop_id} is not registered: pass --tenant and --region "
                          "(or list it in the tenants file)")
    currency, zone = shop_defaults(shop_id, region, registry)
    name = configured.id if configured else str(tenant)

    def register(conn: Connection) -> None:
        tenant_id = ensure_tenant(conn, name, registry=registry)
        register_shop(conn, tenant_id, ShopSpec(shop_id=shop_id, region=region, source="csv"),
                      registry=registry)

    return currency, zone, register


def _advertiser(engine: Engine, advertiser_id: str, tenant: str | None, shop_id: str | None,
                currency: str | None) -> tuple[str, Register]:
    """The advertiser's currency, and what registers it if it is new (in the import's
    transaction, like a new shop)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.advertisers.c.currency)
                           .where(s.advertisers.c.advertiser_id == advertiser_id)).first()
        if row is not None:
            return str(row.currency), _nothing
        if tenant is None and shop_id is None:
            raise UnknownShop(f"advertiser {advertiser_id} is not registered: pass --tenant "
                              "or --shop")
        shop = None if shop_id is None else conn.execute(
            select(s.shops.c.tenant_id, s.shops.c.currency)
            .where(s.shops.c.shop_id == shop_id)).first()

    def register(conn: Connection) -> None:
        tenant_id = shop.tenant_id if shop is not None else ensure_tenant(conn, str(tenant))
        register_advertiser(conn, tenant_id, advertiser_id, name=None, currency=currency,
                            timezone=None, shop_id=shop_id, auth_id=None)

    return currency or (shop.currency if shop is not None else DEFAULT_REPORTING_CURRENCY), register


def _nothing(conn: Connection) -> None:
    """Registers nothing: the shop or advertiser is known."""
