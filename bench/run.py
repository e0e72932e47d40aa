"""The issue-19 targets beside their anchors, measured in one run: ``tikpulse bench``.

    .venv/bin/python bench/run.py [--scale demo|agency] [--repeat 200]

Rollups for ``--scale`` (demo: 20 stores x 10 weeks, under a minute in all; agency: 200 stores
x 52 weeks, ``bench.bot_data``) are bulk-written into a fresh SQLite warehouse, then:

- a chat KPI answer in process (one store, its ISO week and the week before, in its own
  currency and the reporting currency beside): before (``daily_rows`` + ``compute_kpis``) and
  after (``period_kpis``: one SQL ``GROUP BY`` per period and currency), p50/p95, against the raw
  SQL anchor (the same ``GROUP BY`` on the DB-API cursor, no Python after it);
- ``roas all``: every store of a tenant in the reporting currency, before and after;
- weekly KPIs of all stores (each in USD), before and after, against SQLite's own ``GROUP BY``
  over the rollups.

Figures and ratios only (no pass/fail); the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.fx import missing_rates  # noqa: E402
from analytics.kpis import compute_kpis, kpis_from_totals, store_totals  # noqa: E402
from bench.bot_data import LAST_DAY, agency_registry, load_agency  # noqa: E402
from jobs.warehouse.db import make_engine  # noqa: E402
from jobs.warehouse.fx_rates import load_fx  # noqa: E402
from jobs.warehouse.loaders import shop_info  # noqa: E402
from jobs.warehouse.migrate import upgrade  # noqa: E402
from jobs.warehouse.queries import (  # noqa: E402
    PERIOD_SUMS,
    daily_rows,
    missing_sums_rates,
    period_sums,
    period_sums_params,
    store_advertisers,
    sums_fx,
)

#: --scale -> (stores, days of rollups)
SCALES = {"demo": (20, 70), "agency": (200, 364)}
#: The reporting currency of every benchmark tenant.
REPORTING = "USD"
#: Weeks asked about (the last complete ones).
WEEKS_ASKED = 8
#: Targets of issue 19: KPI answer p50 / p95 (ms) and the all-stores ratio to SQLite's GROUP BY.
TARGET_P50_MS, TARGET_P95_MS, TARGET_ALL_STORES_RATIO = 3.0, 10.0, 1.5


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _time(run: Callable[[Any], object], args: list[Any]) -> list[float]:
    out = []
    for arg in args:
        start = time.perf_counter()
        run(arg)
        out.append(time.perf_counter() - start)
    return out


def _week(monday: date) -> tuple[list[date], list[date]]:
    now = [monday + timedelta(i) for i in range(7)]
    return now, [d - timedelta(7) for d in now]


def answer_before(conn, stores: list[str], monday: date) -> object:  # type: ignore[no-untyped-def]
    """The chat answer the way ``bot.commands.numbers`` computes it: one frame of both weeks,
    the gaps checked, KPIs of each week in the answer currency and the reporting one beside."""
    now, before = _week(monday)
    ad_map = store_advertisers(conn, stores)
    rows = daily_rows(conn, stores, before[0], now[-1], advertiser_shop=ad_map)
    currencies = [store_currency_id(conn, s) for s in stores]
    out = []
    for quote in dict.fromkeys([currencies[0] if len(stores) == 1 else REPORTING, REPORTING]):
        fx = load_fx(conn, set(rows["currency"]) - {""}, quote, before[0], now[-1])
        if missing_rates(rows, quote, fx, days=before + now):
            continue
        out += [compute_kpis(rows, days, quote, fx) for days in (now, before)]
    return out


def answer_after(conn, stores: list[str], monday: date) -> object:  # type: ignore[no-untyped-def]
    """The same answer from ``period_sums`` (one ``GROUP BY`` per week and currency)."""
    now, before = _week(monday)
    ad_map = store_advertisers(conn, stores)
    currencies = [store_currency_id(conn, s) for s in stores]
    out = []
    for quote in dict.fromkeys([currencies[0] if len(stores) == 1 else REPORTING, REPORTING]):
        for days in (now, before):
            sums = period_sums(conn, stores, days[0], days[-1], quote, advertiser_shop=ad_map)
            fx = sums_fx(conn, sums, quote)
            if missing_sums_rates(sums, quote, fx):
                break
            out.append(kpis_from_totals(store_totals(sums, quote, fx), 7, quote))
    return out


_CURRENCY: dict[str, str] = {}


def store_currency_id(conn, shop_id: str) -> str:  # type: ignore[no-untyped-def]
    """A store's currency by id (cached: the bot reads it once per answer too)."""
    if shop_id not in _CURRENCY:
        _CURRENCY[shop_id] = shop_info(conn, shop_id)["currency"]
    return _CURRENCY[shop_id]


def raw_anchor(engine, stores: list[str], monday: date):  # type: ignore[no-untyped-def]
    """A function running the answer's ``GROUP BY`` (one week) on the bare DB-API cursor."""
    with engine.connect() as conn:
        ad_map = store_advertisers(conn, stores)
    stmt = PERIOD_SUMS.params(period_sums_params(stores, monday, monday + timedelta(6),
                                                 REPORTING, ad_map))
    compiled = stmt.compile(dialect=engine.dialect)
    state = compiled.construct_expanded_state()
    params = [state.parameters[k] for k in state.positiontup or []]
    sql = state.statement
    raw = engine.raw_connection()

    def run(_: object) -> object:
        cursor = raw.cursor()
        cursor.execute(sql, [p.isoformat() if isinstance(p, date) else p
                                       for p in params])
        return cursor.fetchall()

    return run


ALL_STORES_SQL = """
SELECT shop_id, SUM(gross_gmv), SUM(orders), SUM(units), SUM(refund_amount)
  FROM shop_daily WHERE day BETWEEN ? AND ? GROUP BY shop_id"""
ALL_ADS_SQL = """
SELECT advertiser_id, SUM(spend), SUM(impressions), SUM(clicks), SUM(purchases),
       SUM(purchase_value) FROM ad_daily WHERE day BETWEEN ? AND ? GROUP BY advertiser_id"""


def all_stores_before(conn, stores: list[str], monday: date) -> object:  # type: ignore[no-untyped-def]
    now, _ = _week(monday)
    ad_map = store_advertisers(conn, stores)
    rows = daily_rows(conn, stores, now[0], now[-1], advertiser_shop=ad_map)
    fx = load_fx(conn, set(rows["currency"]) - {""}, REPORTING, now[0], now[-1])
    return [compute_kpis(rows, now, REPORTING, fx, shop_ids=[s]) for s in stores]


def all_stores_after(conn, stores: list[str], monday: date) -> object:  # type: ignore[no-untyped-def]
    ad_map = store_advertisers(conn, stores)
    sums = period_sums(conn, stores, monday, monday + timedelta(6), REPORTING,
                       advertiser_shop=ad_map)
    fx = sums_fx(conn, sums, REPORTING)
    by_store: dict[str, list[Any]] = {}
    for row in sums:
        by_store.setdefault(row[0], []).append(row)
    return [kpis_from_totals(store_totals(by_store.get(s, []), REPORTING, fx), 7, REPORTING)
            for s in stores]


def main(argv: list[str] | None = None) -> int:
    """Build the warehouse, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    shops, days = SCALES[args.scale]
    folder = tempfile.mkdtemp(prefix="tikpulse-bench-")
    engine = make_engine(f"sqlite:///{folder}/warehouse.db")
    upgrade(engine)
    start = time.perf_counter()
    rows = load_agency(engine, shops, days)
    print(f"scale {args.scale}: {shops} stores x {days} days, {rows:,} rollup rows written in "
          f"{time.perf_counter() - start:.1f} s (SQLite)")
    registry = agency_registry(shops)
    tenant = registry.tenants[0]
    all_ids = [f"9{i:018d}" for i in range(shops)]
    last_monday = LAST_DAY - timedelta(LAST_DAY.weekday() + 7)
    mondays = [last_monday - timedelta(7 * w) for w in range(min(WEEKS_ASKED, days // 7 - 1))]
    rng = random.Random(7)
    asks = [([rng.choice(all_ids)], rng.choice(mondays)) for _ in range(args.repeat)]
    tenant_ids = [s.shop_id for s in tenant.stores]
    table: list[tuple[str, str, str, str]] = []
    with engine.connect() as conn:
        for stores, monday in asks[:5]:  # warm caches and check the two paths agree
            assert repr(answer_before(conn, stores, monday)) == repr(
                answer_after(conn, stores, monday))
        before = _time(lambda a: answer_before(conn, *a), asks)
        after = _time(lambda a: answer_after(conn, *a), asks)
        anchor = _time(raw_anchor(engine, *asks[0]), asks)
        table.append(("KPI answer, 1 store (p50 / p95 ms)",
                      f"{_ms(before, .5):.2f} / {_ms(before, .95):.2f}",
                      f"{_ms(after, .5):.2f} / {_ms(after, .95):.2f}",
                      f"raw GROUP BY {_ms(anchor, .5):.3f} ms; after/raw "
                      f"{_ms(after, .5) / _ms(anchor, .5):.1f}x; target p50<={TARGET_P50_MS:g} "
                      f"p95<={TARGET_P95_MS:g}"))
        small = [(tenant_ids, m) for m in mondays] * 3
        before = _time(lambda a: answer_before(conn, *a), small)
        after = _time(lambda a: answer_after(conn, *a), small)
        table.append((f"roas all: {len(tenant_ids)} stores of a tenant (p50 / p95 ms)",
                      f"{_ms(before, .5):.2f} / {_ms(before, .95):.2f}",
                      f"{_ms(after, .5):.2f} / {_ms(after, .95):.2f}",
                      f"before/after {_ms(before, .5) / _ms(after, .5):.1f}x"))
        weeks = mondays * max(1, 24 // len(mondays))
        assert repr(all_stores_before(conn, all_ids, mondays[0])) == repr(
            all_stores_after(conn, all_ids, mondays[0]))
        before = _time(lambda m: all_stores_before(conn, all_ids, m), weeks)
        after = _time(lambda m: all_stores_after(conn, all_ids, m), weeks)
    raw = engine.raw_connection()

    def sqlite_own(monday: date) -> object:
        cursor = raw.cursor()
        span = (monday.isoformat(), (monday + timedelta(6)).isoformat())
        return cursor.execute(ALL_STORES_SQL, span).fetchall() + cursor.execute(
            ALL_ADS_SQL, span).fetchall()

    anchor = _time(sqlite_own, weeks)
    table.append((f"weekly KPIs, all {shops} stores (p50 ms)", f"{_ms(before, .5):.2f}",
                  f"{_ms(after, .5):.2f}",
                  f"SQLite's own GROUP BY {_ms(anchor, .5):.2f} ms; after/own "
                  f"{_ms(after, .5) / _ms(anchor, .5):.2f}x; target <= "
                  f"{TARGET_ALL_STORES_RATIO:g}x"))
    _print(table)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs; "
          f"{len(asks)} answers per line")
    raw.close()
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def _print(table: list[tuple[str, str, str, str]]) -> None:
    head = ("measure", "before", "after", "anchor and ratio")
    widths = [max(len(r[i]) for r in [head, *table]) for i in range(4)]
    for row in [head, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    raise SystemExit(main())
