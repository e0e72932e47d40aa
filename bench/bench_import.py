"""CSV import of a Seller Center order export beside its anchors: ``bench_lines(scale)``.

    .venv/bin/python bench/bench_import.py [--scale demo|agency] [--lines N] [--skip-pg]

A generated export (``bench.order_export``: BOM, description row, Thai/Chinese statuses, THB
amounts with thousands commas, local times with a trailing tab; 200,000 lines at demo scale,
1,000,000 at agency scale) is written once and kept under ``var/bench/``. Each measurement runs
in a fresh Python process (its wall and CPU seconds and its peak RSS from ``getrusage``, and
those of the helper processes a big SQLite import starts, ``RUSAGE_CHILDREN``: one parses, one
binds the rows into database images):

- our import (``import_orders_csv``: parse, staging, merge, rollups of the changed days) into a
  fresh SQLite file and a fresh PostgreSQL database, with the rollup refresh's share noted;
- the DuckDB anchor: ``read_csv`` into a typed ``lines`` table and an ``orders`` table grouped
  from it (its best case: no validation, no warehouse);
- SQLite's floor for our design: the rows our import stored, written again by SQLite's own
  ``INSERT ... SELECT`` (nothing parsed, no cell bound from Python), the same rollups and the
  commit in one transaction: what a SQLite import that computes its rollups before it commits
  cannot go below on this machine;
- the PostgreSQL anchor: the server's own ``COPY`` of the file into a staging table, then
  ``INSERT ... SELECT`` into typed ``lines`` and ``orders`` tables.

Figures and ratios only (no pass/fail); the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: --scale -> lines of the generated export.
SCALES = {"demo": 200_000, "agency": 1_000_000}
#: Where generated exports are kept between runs.
CACHE = ROOT / "var" / "bench"
#: Issue 19's targets for 1,000,000 lines: seconds into SQLite / PostgreSQL, ratio, peak MB.
TARGET_SQLITE_S, TARGET_PG_S, TARGET_RATIO, TARGET_RSS_MB = 6.0, 9.0, 1.5, 600
#: CPU seconds of child processes below which no helper processes ran (only short helpers).
PARSER_MIN_CPU_S = 0.5
#: Column names of the export's amounts and times as the anchors type them.
_MONEY = ("SKU Subtotal Before Discount", "SKU Platform Discount", "SKU Seller Discount",
          "SKU Subtotal After Discount", "Order Amount", "Order Refund Amount")
_TIMES = ("Created Time", "Paid Time", "Cancelled Time")


def export(lines: int) -> Path:
    """The generated export of ``lines`` lines (written the first time)."""
    from bench.order_export import VERSION, write_order_export

    path = CACHE / f"order_export_v{VERSION}_{lines}.csv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        write_order_export(partial, lines)
        partial.rename(path)
    return path


def _ours(path: str, url: str) -> dict[str, Any]:
    """Our import into a fresh warehouse at ``url`` (run in the measured process)."""
    from jobs.ingestion import writer
    from jobs.ingestion.csv_import import import_orders_csv
    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    refresh = writer.RawWriter.refresh
    spent: list[float] = []

    def timed_refresh(self: Any, *args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return refresh(self, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    writer.RawWriter.refresh = timed_refresh  # type: ignore[method-assign]
    result = import_orders_csv(engine, path, "7000001", tenant="bench", region="TH")
    return {"rows": result.rows_read, "read_by": result.read_by, "refresh_s": sum(spent)}


def _sqlite_floor(path: str, url: str) -> dict[str, Any]:
    """The SQLite floor of our import's design: the rows our import stored (the warehouse at
    ``path``), inserted by SQLite itself (``INSERT ... SELECT`` from an attached copy: no
    parsing, no binding from Python) into a fresh warehouse at ``url``, then the rollups of
    every day they span and the commit, in one transaction with the import's page cache. Only
    that is timed."""
    from datetime import date, timedelta

    from jobs.ingestion.import_targets import shop_target
    from jobs.warehouse.db import make_engine
    from jobs.warehouse.migrate import upgrade
    from jobs.warehouse.rollups import refresh_rollups
    from jobs.warehouse.staging import SQLITE_CACHE_KIB

    copy = Path(url.removeprefix("sqlite:///")).with_name("floor-rows.db")
    with make_engine(f"sqlite:///{path}").connect() as conn:
        conn.exec_driver_sql(f"ATTACH '{copy}' AS copy")
        for table in FLOOR_TABLES:
            conn.exec_driver_sql(f"CREATE TABLE copy.{table} AS SELECT * FROM main.{table}")
        conn.commit()
        first, last = conn.exec_driver_sql(  # the local (Bangkok) days the rows count on
            "SELECT date(min(create_time), '+7 hours'), date(max(paid_time), '+7 hours', "
            "'+60 days') FROM orders").one()
    engine = make_engine(url)
    upgrade(engine)
    shop = shop_target(engine, "7000001", "bench", "TH", None)
    start = date.fromisoformat(first)
    days = [start + timedelta(i) for i in range((date.fromisoformat(last) - start).days + 1)]
    with engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        conn.exec_driver_sql(f"ATTACH '{copy}' AS copy")  # refused inside a transaction
        conn.commit()
        started = time.perf_counter()
        with conn.begin():
            shop.register(conn)
            rows = sum(conn.exec_driver_sql(f"INSERT INTO main.{table} SELECT * FROM "
                                            f"copy.{table}").rowcount for table in FLOOR_TABLES)
            refresh_rollups(conn, "7000001", days)
        seconds = time.perf_counter() - started
    copy.unlink()
    return {"rows": rows, "seconds": seconds}


def _duckdb(path: str, url: str) -> dict[str, Any]:
    """DuckDB's ``read_csv`` into a typed lines table and an orders table grouped from it."""
    import duckdb

    del url
    con = duckdb.connect()
    money = ", ".join(f"CAST(replace(regexp_replace(\"{c}\", '^[^0-9]*', ''), ',', '') "
                      f"AS DECIMAL(18,4)) AS \"{c}\"" for c in _MONEY)
    times = ", ".join(f"strptime(NULLIF(trim(\"{c}\", ' ' || chr(9)), ''), '%d/%m/%Y %H:%M:%S') "
                      f"AS \"{c}\""
                      for c in _TIMES)
    con.execute(f"""CREATE TABLE lines AS SELECT "Order ID", "Order Status", "SKU ID",
        CAST("Quantity" AS INTEGER) AS "Quantity", {money}, {times}
        FROM read_csv('{path}', header=true, all_varchar=true)
        WHERE "Order ID" <> 'Platform unique order ID.'""")
    con.execute("""CREATE TABLE orders AS SELECT "Order ID", any_value("Order Status") AS status,
        min("Created Time") AS created, min("Paid Time") AS paid,
        sum("SKU Subtotal After Discount") AS sub_total, any_value("Order Amount") AS amount
        FROM lines GROUP BY "Order ID" """)
    return {"rows": con.execute("SELECT count(*) FROM lines").fetchone()[0]}  # type: ignore[index]


def _pg_copy(path: str, url: str) -> dict[str, Any]:
    """PostgreSQL's ``COPY`` into a text staging table, then ``INSERT ... SELECT`` into typed
    lines and orders tables, in one transaction."""
    import psycopg

    from bench.order_export import HEADER

    staged = ", ".join(f'"{c}" text' for c in HEADER)
    money = ", ".join(f"replace(regexp_replace(\"{c}\", '^[^0-9]*', ''), ',', '')::numeric(18,4)"
                      for c in _MONEY)
    times = ", ".join(f"to_timestamp(NULLIF(btrim(\"{c}\", E' \\t'), ''), "
                      "'DD/MM/YYYY HH24:MI:SS')"
                      for c in _TIMES)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE stage ({staged})")
        cur.execute('CREATE TABLE lines (order_id text, status text, sku_id text, quantity int, '
                    + ", ".join(f"m{i} numeric(18,4)" for i in range(len(_MONEY))) + ", "
                    + ", ".join(f"t{i} timestamptz" for i in range(len(_TIMES))) + ")")
        with open(path, "rb") as handle, cur.copy(
                "COPY stage FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while block := handle.read(1 << 20):
                copy.write(block)
        cur.execute(f"""INSERT INTO lines SELECT "Order ID", "Order Status", "SKU ID",
            "Quantity"::int, {money}, {times} FROM stage
            WHERE "Order ID" <> 'Platform unique order ID.'""")
        cur.execute("""CREATE TABLE orders AS SELECT order_id, min(status) AS status,
            min(t0) AS created, min(t1) AS paid, sum(m3) AS sub_total, min(m4) AS amount
            FROM lines GROUP BY order_id""")
        cur.execute("SELECT count(*) FROM lines")
        rows = cur.fetchone()[0]  # type: ignore[index]
    return {"rows": rows}


MEASURES = {"ours": _ours, "floor": _sqlite_floor, "duckdb": _duckdb, "pg_copy": _pg_copy}
#: The raw-fact tables an order export fills (what the floor inserts).
FLOOR_TABLES = ("orders", "order_lines", "refunds")


def _child(kind: str, path: str, url: str) -> None:
    """The measured process: run one measurement, print its figures as JSON."""
    started, cpu = time.perf_counter(), time.process_time()
    figures = MEASURES[kind](path, url)  # its own "seconds" if only part of it is timed
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures.setdefault("seconds", time.perf_counter() - started)
    figures.update(cpu_s=time.process_time() - cpu,
                   peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   parser_rss_mb=children.ru_maxrss / 1024,
                   parser_cpu_s=children.ru_utime + children.ru_stime)
    print(json.dumps(figures))


def measure_pg(kind: str, path: Path) -> dict[str, Any]:
    """One measurement in a fresh process, into a fresh PostgreSQL database."""
    from bench.pg import fresh_database

    with fresh_database() as url:
        return measure(kind, path, url)


def measure(kind: str, path: Path, url: str = "") -> dict[str, Any]:
    """One measurement in a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), url],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _line(database: str, lines: int, ours: dict[str, Any], anchor: dict[str, Any],
          anchor_name: str, target_s: float) -> dict[str, Any]:
    ratio = ours["seconds"] / anchor["seconds"]
    return {
        "line": f"CSV import {lines:,} lines into {database}, s",
        "figure": f"{ours['seconds']:.1f}",
        "anchor": f"{anchor_name} {anchor['seconds']:.1f} s",
        "ratio": ratio,
        "target": f"<={target_s * lines / SCALES['agency']:g} s, <={TARGET_RATIO:g}x, "
                  f"<{TARGET_RSS_MB} MB",
        "note": f"{ours['rows'] / ours['seconds']:,.0f} lines/s, {ours['cpu_s']:.1f} s CPU"
                + (f" + {ours['parser_cpu_s']:.1f} s in the parsing and binding processes"
                   if ours["parser_cpu_s"] > PARSER_MIN_CPU_S else "")
                + f", rollups {ours['refresh_s']:.1f} s, peak RSS {ours['peak_rss_mb']:.0f} MB"
                + (f" (helper processes at most {ours['parser_rss_mb']:.0f} MB)"
                   if ours["parser_cpu_s"] > PARSER_MIN_CPU_S else "")
                + f"; anchor {anchor['cpu_s']:.1f} s CPU, {anchor['peak_rss_mb']:.0f} MB; "
                f"read by {ours['read_by']}"}


def _floor_line(lines: int, ours: dict[str, Any], floor: dict[str, Any]) -> dict[str, Any]:
    """Our SQLite import beside its floor: the same rows written by SQLite's own
    ``INSERT ... SELECT``, the same rollups and the commit (``_sqlite_floor``)."""
    return {"line": f"  the same {lines:,} lines, SQLite's own work, s",
            "figure": f"{floor['seconds']:.1f}",
            "anchor": f"our import {ours['seconds']:.1f} s", "ratio": ours["seconds"]
            / floor["seconds"], "target": f"<={TARGET_SQLITE_S * lines / SCALES['agency']:g} s",
            "note": f"INSERT ... SELECT of the {floor['rows']:,} rows our import stored, from an "
                    f"attached copy, + the rollups ({ours['refresh_s']:.1f} s in ours) + the "
                    "commit, one transaction: no parsing, no cell bound from Python; the floor "
                    "of writing indexed rows and their rollups in one SQLite transaction"}


def bench_lines(scale: str, *, lines: int | None = None, pg: bool = True) -> list[dict[str, Any]]:
    """Rows for ``tikpulse bench`` (keys line, figure, anchor, ratio, target, note): the import
    into SQLite beside DuckDB, into PostgreSQL beside its own COPY path, and the load average."""
    count = lines or SCALES[scale]
    path = export(count)
    load = os.getloadavg()
    rows = []
    folder = CACHE / f"import-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    try:
        ours = measure("ours", path, f"sqlite:///{folder}/warehouse.db")
        rows.append(_line("SQLite", count, ours, measure("duckdb", path), "DuckDB read_csv",
                          TARGET_SQLITE_S))
        floor = measure("floor", folder / "warehouse.db", f"sqlite:///{folder}/floor.db")
        rows.append(_floor_line(count, ours, floor))
    finally:
        for leftover in folder.glob("*"):
            leftover.unlink()
        folder.rmdir()
    if pg:
        ours = measure_pg("ours", path)
        rows.append(_line("PostgreSQL", count, ours, measure_pg("pg_copy", path),
                          "COPY + INSERT...SELECT", TARGET_PG_S))
    after = os.getloadavg()
    rows.append({"line": "load average (1/5/15 min), before / after", "figure": "",
                 "anchor": "", "note": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} / "
                 f"{after[0]:.2f} {after[1]:.2f} {after[2]:.2f} on {os.cpu_count()} CPUs"})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table (or, with ``--child``, one measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--lines", type=int, default=None, help="lines of the export")
    parser.add_argument("--skip-pg", action="store_true", help="SQLite and DuckDB only")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "URL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    for row in bench_lines(args.scale, lines=args.lines, pg=not args.skip_pg):
        ratio = f"{row['ratio']:.2f}x" if "ratio" in row else ""
        print(f"{row['line']:<44} {row['figure']:>6}  | {row['anchor']:<30} {ratio:>6}  | "
              f"{row['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
