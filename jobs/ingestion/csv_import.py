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

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from analytics.clean import DEFAULT_RULES, CleaningRules
from config.tenant_registry import TenantRegistry
from jobs.ingestion.import_targets import (
    ShopTarget,
    UnknownShop,
    advertiser_target,
    shop_target,
)
from jobs.ingestion.runlog import Run, finish_run, start_run
from jobs.ingestion.writer import AdWriter, RawWriter, spooled
from jobs.sources.csv.ads import AdsCsvReader
from jobs.sources.csv.arrow_orders import ArrowOrderReader, NotColumnar, OrderTables
from jobs.sources.csv.common import BadFile
from jobs.sources.csv.export_file import ExportFile, open_export
from jobs.sources.csv.orders import OrderCsvReader
from jobs.sources.csv.read_ahead import PROCESS_MIN_BYTES, read_ahead, read_in_process
from jobs.warehouse.bulk import storage_time
from jobs.warehouse.rollups import cleaning_rules
from jobs.warehouse.spool import CAN_SPOOL
from jobs.warehouse.staging import staging_transaction

__all__ = ["ImportSummary", "UnknownShop", "import_ads_csv", "import_orders_csv"]

#: Longest error text kept on a failed run.
MAX_RUN_ERROR = 2000


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote."""

    rows_read: int
    orders: int = 0
    lines: int = 0
    refunds: int = 0
    ad_rows: int = 0
    read_by: str = "rows"  #: "columns" (the fast path) or "rows"


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
    shop = shop_target(engine, shop_id, tenant, region, registry)
    configured = registry.tenant_of_shop(shop_id) if registry else None
    rules = cleaning_rules(configured) if configured else DEFAULT_RULES
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


def _import_columns(engine: Engine, source: ExportFile, shop: ShopTarget, run: Run,
                    rules: CleaningRules) -> ImportSummary:
    """The fast path: pyarrow parses (ahead of the database, on a helper thread or, for a big
    file into SQLite, in a child process) into staging tables, merged into the warehouse with
    the rollups of the days they changed in one transaction, rolled back if the reader gives
    up (``NotColumnar``), or if rows of a shop's first file clash on a key (an order repeated
    further down, which the row reader skips or reports)."""
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
        # There a second child binds the rows into a SQLite image (the writer's biggest cost).
        chunks = (read_in_process(reader, spooled if CAN_SPOOL else None) if own_cpu
                  else read_ahead(reader.tables()))
        try:
            orders, lines, refunds = writer.order_tables(counted(chunks), reader.constants)
        except IntegrityError as error:  # a shop's first file repeating an order (pasted twice)
            raise NotColumnar(f"rows repeat a key: {error.orig}") from None
        writer.refresh(rules)
    for read, written_rows in pages:
        run.count_page("csv_orders", read, written_rows)
    return ImportSummary(reader.rows_read, orders, lines, refunds, read_by="columns")


def _import_rows(engine: Engine, source: ExportFile, shop: ShopTarget, run: Run,
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
    account_currency, register = advertiser_target(engine, advertiser_id, tenant, shop_id,
                                                   currency)
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
