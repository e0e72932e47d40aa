"""Staged rows reach their target by key: a store's first rows as they are appended, later ones
by one upsert that replaces changed rows (NULLs included) and leaves unchanged ones alone."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import Connection, Engine, select

from jobs.accounts.registry import ShopSpec, ensure_tenant, register_shop
from jobs.warehouse import schema as s
from jobs.warehouse.spool import image_of, load_image
from jobs.warehouse.staging import Stage, staging_transaction

CONSTANTS = {"shop_id": "9001", "currency": "THB", "cancel_reason": None, "is_gift": False}


def lines(*rows: tuple[str, str | None, int]) -> pa.Table:
    """Order lines ``(line id, product name, quantity)`` of order ``o1``."""
    return pa.table({
        "order_id": ["o1"] * len(rows), "line_id": [r[0] for r in rows],
        "product_name": pa.array([r[1] for r in rows], pa.string()),
        "quantity": pa.array([r[2] for r in rows], pa.int64()),
        "original_price": pa.array([100] * len(rows), pa.int64()),
        "sale_price": pa.array([90] * len(rows), pa.int64()),
        "seller_discount": pa.array([0] * len(rows), pa.int64()),
        "platform_discount": pa.array([10] * len(rows), pa.int64()),
    })


def stored(conn: Connection) -> list[tuple]:  # type: ignore[type-arg]
    t = s.order_lines.c
    return [tuple(r) for r in conn.execute(
        select(t.line_id, t.product_name, t.quantity, t.currency).order_by(t.line_id))]


def write(conn: Connection, table: pa.Table, *, fresh: bool, chunks: int = 1,
          spooled: bool = False) -> int:
    """``table`` staged in ``chunks`` (each first made a database image, when ``spooled``, as
    the preparing process makes it), merged, dropped; the rows sent."""
    stage = Stage(conn, s.order_lines, table.column_names, CONSTANTS, fresh=fresh)
    size = -(-len(table) // chunks)
    for start in range(0, len(table), size):
        if spooled:
            image, (part,) = image_of([(s.order_lines, table.slice(start, size))])
            load_image(conn, image)
            stage.append(part)
        else:
            stage.append(table.slice(start, size))
        if fresh:  # already in the target, chunk by chunk
            assert len(stored(conn)) == start + len(table.slice(start, size))
    sent = stage.merge()
    stage.drop()
    return sent


def test_first_rows_go_on_as_appended_and_later_ones_are_upserted(engine: Engine) -> None:
    with staging_transaction(engine) as conn:
        register_shop(conn, ensure_tenant(conn, "Acme"), ShopSpec("9001", "TH"))
        first = lines(("a", "Mug", 1), ("b", None, 2), ("c", "Bowl", 3), ("d", "Cup", 4))
        assert write(conn, first, fresh=True, chunks=2) == 4
        again = lines(("a", "Mug", 1), ("b", "Plate", 2), ("c", None, 3), ("d", "Cup", 5),
                      ("e", "Jug", 1))
        assert write(conn, again, fresh=False) == 5
        assert stored(conn) == [("a", "Mug", 1, "THB"), ("b", "Plate", 2, "THB"),
                                ("c", None, 3, "THB"), ("d", "Cup", 5, "THB"),
                                ("e", "Jug", 1, "THB")]
        if engine.dialect.name == "postgresql":  # unchanged rows were not written again
            versions = dict(conn.exec_driver_sql(
                "SELECT line_id, ctid::text FROM order_lines").all())
            write(conn, again, fresh=False)
            assert dict(conn.exec_driver_sql(
                "SELECT line_id, ctid::text FROM order_lines").all()) == versions


def test_spooled_chunks_are_written_as_bound_ones(sqlite_engine: Engine) -> None:
    """Chunks that arrive as database images (``jobs.warehouse.spool``) store what the same
    chunks bound from Arrow store, into an empty shop and over stored rows; an image leaves
    out the columns blank on every row of its chunk."""
    first = lines(("a", "Mug", 1), ("b", None, 2), ("c", None, 3), ("d", "Cup", 4))
    again = lines(("a", "Mug", 1), ("b", "Plate", 2), ("c", None, 3), ("d", "Cup", 5),
                  ("e", "Jug", 1))
    found = []
    for spooled in (False, True):
        with staging_transaction(sqlite_engine) as conn:
            register_shop(conn, ensure_tenant(conn, "Acme"), ShopSpec("9001", "TH"))
            assert write(conn, first, fresh=True, chunks=2, spooled=spooled) == 4
            once = stored(conn)
            assert write(conn, again, fresh=False, chunks=2, spooled=spooled) == 5
            found.append((once, stored(conn)))
            conn.execute(s.order_lines.delete())
    assert found[0] == found[1]
    assert found[1][1][1] == ("b", "Plate", 2, "THB")
    _, (part,) = image_of([(s.order_lines, first.slice(1, 2))])
    assert "product_name" in first.column_names and "product_name" not in part.sent
    assert (part.column_names, part.rows) == (first.column_names, 2)


def test_a_big_load_refreshes_postgresql_statistics_inside_the_transaction(
        engine: Engine) -> None:
    """The rollups that follow a big load in the same transaction are planned for the rows it
    wrote: the target's statistics count them before the commit (a small load leaves them)."""
    if engine.dialect.name != "postgresql":
        return  # SQLite plans without sampled statistics
    with staging_transaction(engine) as conn:
        register_shop(conn, ensure_tenant(conn, "Acme"), ShopSpec("9001", "TH"))
        reltuples = "SELECT reltuples FROM pg_class WHERE oid = 'order_lines'::regclass"
        before = conn.exec_driver_sql(reltuples).scalar()
        write(conn, lines(*((f"s{i}", "Mug", 1) for i in range(30))), fresh=True)
        assert conn.exec_driver_sql(reltuples).scalar() == before  # 30 rows: below 50
        write(conn, lines(*((f"b{i}", "Mug", 1) for i in range(2000))), fresh=False)
        assert conn.exec_driver_sql(reltuples).scalar() == 2030
