"""The one write path for raw facts: rows upserted and their local days marked stale, together.

Daily rollups (``jobs.warehouse.rollups``) are only as current as the days marked in
``rollup_dirty_days``, so every writer of orders, order lines, refunds, settlements and affiliate
lines goes through ``RawWriter``. Each of its methods marks, in the caller's transaction
(``jobs.warehouse.dirty``), the local days the written orders and refunds count on as stored
before the write (a record may move to another day: one query per table over the ids) and the days
of the written rows' own times (computed from the rows in memory; the tables a write leaves alone
still hold what the first query found). A writer cannot forget, a crash loses neither rows nor
marks, and a bulk import pays one indexed lookup per order and table, no query per row
(``jobs.warehouse.touched``). A writer that found the shop without any raw facts skips the lookup
for good: whatever it could find since, this writer (or another one) wrote, and marked its days
as it did; this spares a first import lookups planned without statistics, which PostgreSQL can
turn into a scan of the shop's rows per id. A whole order export read by columns
(``order_tables``) is staged first and its days marked once, by one join per table against the
staged order ids (``jobs.warehouse.staging``), before one merge per table.

The marked days are recomputed once per run: ``RawWriter.refresh`` at the end of an import's own
transaction (all-or-nothing, a few weeks at a time), or ``dirty.refresh_dirty_rollups`` after a
sync's pages committed.
Ad report rows carry their day in their key and cannot move: ``AdWriter`` remembers the days it
wrote and recomputes their ``ad_daily`` rows once, when its ``with`` block ends.

Callers: the API sync's order, refund and affiliate pages and its settlements (through
``jobs.ingestion.writers``), and the CSV imports (``jobs.ingestion.csv_import``: order exports
staged from pyarrow's columns or read by rows, into SQLite or PostgreSQL, and Ads Manager
exports).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import chain
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, select

from analytics.clean import DEFAULT_RULES, CleaningRules
from jobs.sources.csv.arrow_orders import OrderTables
from jobs.sources.csv.order_form import LINE_COLUMNS, ORDER_COLUMNS, OrderBatch
from jobs.sources.csv.read_ahead import read_ahead
from jobs.warehouse import schema as s
from jobs.warehouse.bulk import bulk_upsert
from jobs.warehouse.dirty import mark_days
from jobs.warehouse.loaders import shop_info
from jobs.warehouse.rollups import refresh_ad_rollups, refresh_rollups
from jobs.warehouse.spool import load_image, spool_chunk
from jobs.warehouse.staging import Stage, stored_buckets
from jobs.warehouse.touched import BUCKET_SECONDS, Stored, has_facts, stored_days, touched_days
from jobs.warehouse.upsert import upsert

#: The tables of an order chunk's parts (``_parts``), in the order ``order_tables`` writes them.
ORDER_TARGETS = (s.orders, s.order_lines, s.refunds)

Row = Mapping[str, Any]
"""One warehouse row as column name -> value (types as the table's columns take them)."""

#: Where the order id sits in the tuples of ``OrderBatch.orders`` and ``OrderBatch.lines``.
_ORDER_AT, _LINE_AT = ORDER_COLUMNS.index("order_id"), LINE_COLUMNS.index("order_id")
#: Where an order's paid and created times sit in the tuples of ``OrderBatch.orders``.
_PAID_AT, _CREATED_AT = ORDER_COLUMNS.index("paid_time"), ORDER_COLUMNS.index("create_time")


class RawWriter:
    """Raw facts of one shop, written in ``conn``'s transaction with their days marked stale."""

    def __init__(self, conn: Connection, shop_id: str) -> None:
        self.conn, self.shop_id = conn, shop_id
        self._zone: ZoneInfo | None = None
        self._had_facts: bool | None = None  # found on the first write

    def orders(self, orders: Sequence[Row], lines: Sequence[Row] = ()) -> int:
        """Orders and their unit lines; an order copy older (by ``update_time``) than the stored
        one never replaces it. Returns the rows sent."""
        times = [row[c] for row in orders for c in ("paid_time", "create_time")]
        with self._changing(_ids(orders) | _ids(lines), times=times):
            written = upsert(self.conn, s.orders, orders, newer_col="update_time") if orders else 0
            return written + (upsert(self.conn, s.order_lines, lines) if lines else 0)

    def refunds(self, rows: Sequence[Row]) -> int:
        """Returns, refunds and cancellations (the newer ``update_time`` wins); rows sent."""
        with self._changing(_ids(rows), {row["refund_id"] for row in rows},
                            times=[row["completed_time"] for row in rows]):
            return upsert(self.conn, s.refunds, rows, newer_col="update_time") if rows else 0

    def settlements(self, rows: Sequence[Row]) -> int:
        """Per-order settlements (they count on their settled day); rows sent."""
        with self._changing(_ids(rows), times=[row["settled_time"] for row in rows]):
            return upsert(self.conn, s.order_settlements, rows) if rows else 0

    def affiliate(self, rows: Sequence[Row]) -> int:
        """Affiliate order lines, one per primary key (they count on their created day)."""
        with self._changing(_ids(rows), times=[row["create_time"] for row in rows]):
            return upsert(self.conn, s.affiliate_order_lines, rows) if rows else 0

    def order_rows(self, batch: OrderBatch) -> tuple[int, int, int]:
        """A batch of the row-by-row CSV reader (``OrderCsvReader``, rows in storage form).

        Returns the orders, lines and refunds sent.
        """
        ids = ({row[_ORDER_AT] for row in batch.orders} | {row[_LINE_AT] for row in batch.lines}
               | _ids(batch.refunds))
        times = [row[at] for row in batch.orders for at in (_PAID_AT, _CREATED_AT)]
        times += [row["completed_time"] for row in batch.refunds]
        with self._changing(ids, times=times):
            return (bulk_upsert(self.conn, s.orders, ORDER_COLUMNS, batch.orders),
                    bulk_upsert(self.conn, s.order_lines, LINE_COLUMNS, batch.lines),
                    upsert(self.conn, s.refunds, batch.refunds) if batch.refunds else 0)

    def order_tables(self, chunks: Iterable[OrderTables],
                     constants: Mapping[str, Mapping[str, Any]]) -> tuple[int, int, int]:
        """A whole order export read by ``ArrowOrderReader``: every chunk is staged, then the
        days it changes are marked once (those the stored copies of its orders count on, and
        those of its own times), then each table is merged in one statement (for a store
        without raw facts, each chunk goes straight into its tables: nothing stored can move).
        Returns the orders, lines and refunds sent."""
        zone = self.zone  # an unregistered shop fails here, before any row is written
        fresh = not has_facts(self.conn, self.shop_id)  # then rows go on as they are read
        if self._had_facts is None:
            self._had_facts = not fresh
        chunks = iter(chunks)
        first = next(chunks, None)
        if first is None:
            return 0, 0, 0
        stages = [Stage(self.conn, t, p.column_names, constants[t.name], fresh=fresh)
                  for t, p in zip(ORDER_TARGETS, _parts(first), strict=True)]

        def encoded(chunk: OrderTables) -> tuple[OrderTables, list[Any]]:
            return chunk, [stage.encode(p) for stage, p in zip(stages, _parts(chunk), strict=True)]

        ready: Iterator[tuple[OrderTables, list[Any]]] = map(encoded, chain([first], chunks))
        if self.conn.dialect.name == "postgresql":  # COPY text made while the server writes;
            # one chunk ahead: the parser thread already holds two (peak RSS 584 MB with two)
            ready = read_ahead(ready, depth=1)
        buckets: set[int] = set()
        for chunk, payloads in ready:
            if chunk.image is not None:  # rows a helper process bound for SQLite (spooled)
                load_image(self.conn, chunk.image)
            for stage, payload, part in zip(stages, payloads, _parts(chunk), strict=True):
                stage.send(payload, len(part))
            buckets.update(chunk.buckets.tolist())
        if not fresh:
            buckets |= stored_buckets(self.conn, self.shop_id, stages[0])
        mark_days(self.conn, self.shop_id, {
            datetime.fromtimestamp(b * BUCKET_SECONDS, UTC).astimezone(zone).date()
            for b in buckets})
        written = tuple(stage.merge() for stage in stages)
        for stage in stages:
            stage.drop()
        return written  # type: ignore[return-value]

    def refresh(self, rules: CleaningRules = DEFAULT_RULES) -> int:
        """Recompute every marked day of the shop in this transaction and clear the marks (an
        import's last step, so its rows and rollups commit together), all in one refresh: the
        database does the work (PostgreSQL plans a year of a store's days in one statement a
        third faster than in four-week pieces). Rollup rows written."""
        marked = s.rollup_dirty_days
        days = sorted(self.conn.execute(select(marked.c.day)
                                        .where(marked.c.shop_id == self.shop_id)).scalars())
        written = refresh_rollups(self.conn, self.shop_id, days, rules=rules)
        if days:
            self.conn.execute(delete(marked).where(marked.c.shop_id == self.shop_id,
                                                   marked.c.day.in_(days)))
        return written

    @contextmanager
    def _changing(self, order_ids: Iterable[str | None], refund_ids: Iterable[str] = (), *,
                  times: Iterable[Stored]) -> Iterator[None]:
        """Mark, in one write after the block, the days these orders and refunds counted on as
        stored before it and the days of ``times``, the time columns of the rows it writes."""
        zone = self.zone  # an unregistered shop fails here, before any row is written
        if self._had_facts is None:
            self._had_facts = has_facts(self.conn, self.shop_id)
        before: set[date] = set()
        if self._had_facts:
            orders = sorted({i for i in order_ids if i})
            refunds = list(refund_ids)
            if orders or refunds:
                before = set(touched_days(self.conn, self.shop_id, order_ids=orders,
                                          refund_ids=refunds))
        yield
        mark_days(self.conn, self.shop_id, before | set(stored_days(times, zone)))

    @property
    def zone(self) -> ZoneInfo:
        """The shop's time zone (its local days are the rollups' days); ``UnknownShop`` if the
        shop is not registered. Every write asks for it first: this is the check that keeps raw
        facts to known shops (the tables have no foreign key to ``shops``, which PostgreSQL
        would check by a trigger per row)."""
        if self._zone is None:
            self._zone = ZoneInfo(shop_info(self.conn, self.shop_id)["timezone"])
        return self._zone


def _parts(chunk: OrderTables) -> tuple[Any, Any, Any]:
    """A chunk's tables in the order ``order_tables`` writes them: orders, lines, refunds."""
    return chunk.orders, chunk.lines, chunk.refunds


def spooled(chunk: OrderTables) -> OrderTables:
    """``chunk`` with its parts bound into a SQLite database image (``jobs.warehouse.spool``),
    as a helper process of a big import into SQLite prepares it for ``order_tables``."""
    return spool_chunk(chunk, ORDER_TARGETS, ("orders", "lines", "refunds"))


def _ids(rows: Iterable[Row]) -> set[str]:
    """The order ids of ``rows``."""
    return {row["order_id"] for row in rows}


class AdWriter:
    """Ad report rows of one advertiser, written in ``conn``'s transaction.

    Use it as a context manager: when the block ends without an error, the ``ad_daily`` rows of
    every day written are recomputed once, in the same transaction.
    """

    def __init__(self, conn: Connection, advertiser_id: str) -> None:
        self.conn, self.advertiser_id = conn, advertiser_id
        self.days: set[date] = set()

    def __enter__(self) -> AdWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.refresh()

    def report_rows(self, rows: Sequence[Row]) -> int:
        """Daily campaign/ad report rows of this advertiser (``None`` metrics stay ``NULL``);
        their days are remembered for ``refresh``. Returns the rows sent."""
        others = {row["advertiser_id"] for row in rows} - {self.advertiser_id}
        if others:
            raise ValueError(f"rows of advertisers {sorted(others)} in {self.advertiser_id}'s")
        self.days.update(row["day"] for row in rows)
        return upsert(self.conn, s.ad_report_rows, rows) if rows else 0

    def refresh(self) -> int:
        """Recompute the ``ad_daily`` rows of the days written so far; rollup rows written."""
        days, self.days = self.days, set()
        return refresh_ad_rollups(self.conn, self.advertiser_id, days)
