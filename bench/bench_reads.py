"""The read path of issue 19 beside its anchors: chat KPI answers and the all-stores week.

Rollups for the scale (``SCALES``; ``bench.bot_data``) are bulk-written into a fresh SQLite
warehouse, then, each timed ``repeat`` times on questions picked at random (stores and weeks),
first at fixed rates, then at rates that move every day (``bot_data.move_rates_daily``: a feed
of direct pairs into the reporting currency), then, for the all-stores week, at the ECB's
EUR-based rates (``bot_data.ecb_rates``, the default feed: each conversion crosses two rates):

- a KPI answer about one store (``bot.commands.numbers.scope_answer``: the week and the week
  before, in the store's currency with the reporting currency beside), against the raw SQL it
  needs: its one statement (both weeks, both currencies' rates joined, buyers, currencies) run
  on the bare DB-API cursor, nothing after it; in brackets one week of the same sums in one
  currency (the least a KPI needs); the pandas path it replaced (``daily_rows`` +
  ``compute_kpis``) in the note;
- ``roas all``: the same for every store of a tenant, in the reporting currency;
- the weekly KPIs of every store (``queries.stores_kpis``: the rates fixed over the week read
  first, then the sums per store, or per rate when rates move; exact FX) against SQLite's own
  ``GROUP BY`` computing the same inputs per store with the day's rate joined in SQL (floating
  point: what a BI tool would run);
- the same all-stores week on PostgreSQL, the production warehouse (the same rollups in a fresh
  database, ``bench.pg``), at the three rate sets, against PostgreSQL's own ``GROUP BY``.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from analytics.daily_kpis import compute_kpis
from analytics.fx import missing_rates
from analytics.weeks import iso_week_label
from bench.bot_data import LAST_DAY, agency_registry, ecb_rates, load_agency, move_rates_daily
from bot.commands.numbers import scope_answer
from bot.commands.periods import Period
from config.tenants import Store
from jobs.warehouse.db import make_engine
from jobs.warehouse.fx_rates import load_fx
from jobs.warehouse.migrate import upgrade
from jobs.warehouse.queries import daily_rows, store_advertisers, stores_kpis
from jobs.warehouse.sums import rated_query

#: --scale -> (stores, days of rollups); ``test`` is for the command's smoke test.
SCALES = {"test": (4, 21), "demo": (20, 70), "agency": (200, 364)}
#: The reporting currency of every benchmark tenant.
REPORTING = "USD"
#: Weeks asked about (the last complete ones).
WEEKS_ASKED = 8
#: Issue 19's targets.
TARGET_P50_MS, TARGET_P95_MS, TARGET_RAW_RATIO, TARGET_ALL_RATIO = 3.0, 10.0, 5.0, 1.5
#: The databases' names as the lines print them, by SQLAlchemy dialect.
_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: Timings of the slow (pandas) path, at most: it is a note, not a target.
BEFORE_REPEAT = 40


def ms(samples: list[float], q: float) -> float:
    """The ``q`` quantile of ``samples`` (seconds) in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def timed(run: Callable[[Any], object], args: list[Any]) -> list[float]:
    """Seconds each ``run(arg)`` took."""
    out = []
    for arg in args:
        start = time.perf_counter()
        run(arg)
        out.append(time.perf_counter() - start)
    return out


def week(monday: date) -> Period:
    """The ISO week starting ``monday`` as the bot resolves it."""
    return Period(monday, monday + timedelta(6), iso_week_label(monday))


def pandas_answer(conn, stores, period: Period) -> object:  # type: ignore[no-untyped-def]
    """The answer the way it was computed before issue 19: one frame of both weeks into pandas,
    the gaps checked, ``compute_kpis`` per week and currency."""
    ids = [s.shop_id for s in stores]
    before = period.previous()
    now_days = [period.start + timedelta(i) for i in range(7)]
    then_days = [before.start + timedelta(i) for i in range(7)]
    rows = daily_rows(conn, ids, before.start, period.end,
                      advertiser_shop=store_advertisers(conn, ids))
    out = []
    own = stores[0].resolved_currency if len(ids) == 1 else REPORTING
    for quote in dict.fromkeys([own, REPORTING]):
        fx = load_fx(conn, set(rows["currency"]) - {""}, quote, before.start, period.end)
        if not missing_rates(rows, quote, fx, days=then_days + now_days):
            out += [compute_kpis(rows, d, quote, fx) for d in (now_days, then_days)]
    return out


def raw_sql(engine, stores: list[Store], period: Period, *, least: bool = False):  # type: ignore[no-untyped-def]
    """A function running the statement of an answer about ``stores`` on the bare DB-API cursor
    (compiled and bound beforehand), or with ``least`` one week of its sums in one currency."""
    ids, before = [s.shop_id for s in stores], period.previous()
    quote = stores[0].resolved_currency if len(stores) == 1 else REPORTING
    ads = {a: s.shop_id for s in stores for a in s.advertiser_ids}
    if least:
        prepared, params = rated_query(ids, ads, [(period.start, period.end)], [quote])
    else:
        prepared, params = rated_query(
            ids, ads, [(period.start, period.end), (before.start, before.end)],
            list(dict.fromkeys([quote, REPORTING])), answer=True, all_ids=ids,
            mondays=[period.start, before.start])
    sql, args = prepared.compiled(engine.dialect, params)
    raw = engine.raw_connection()
    return lambda _: raw.cursor().execute(sql, args).fetchall()


#: SQLite computing each store's weekly KPI inputs in USD itself (the day's rate joined), through
#: the same (store, day) keys our statement reads by.
OWN_SQL = """
WITH fx AS (SELECT day, base, CAST(rate AS REAL) AS rate FROM fx_rates
            WHERE quote = 'USD' AND day BETWEEN :first AND :last)
SELECT s.shop_id, SUM(s.gross_gmv * COALESCE(fx.rate, 1)), SUM(s.orders), SUM(s.units),
       SUM(s.refund_amount * COALESCE(fx.rate, 1)), SUM(s.settled_revenue * COALESCE(fx.rate, 1))
  FROM shop_daily s LEFT JOIN fx ON fx.day = s.day AND fx.base = s.currency
 WHERE s.shop_id IN (SELECT shop_id FROM shops) AND s.day BETWEEN :first AND :last
 GROUP BY s.shop_id
UNION ALL
SELECT a.shop_id, SUM(d.spend * COALESCE(fx.rate, 1)), SUM(d.impressions), SUM(d.clicks),
       SUM(d.purchases), SUM(d.purchase_value * COALESCE(fx.rate, 1))
  FROM ad_daily d JOIN advertisers a USING (advertiser_id)
  LEFT JOIN fx ON fx.day = d.day AND fx.base = d.currency
 WHERE d.advertiser_id IN (SELECT advertiser_id FROM advertisers)
   AND d.day BETWEEN :first AND :last GROUP BY a.shop_id
UNION ALL
SELECT t.shop_id, SUM(t.visitors), SUM(t.page_views), SUM(t.buyers),
       SUM(t.gmv * COALESCE(fx.rate, 1)),
       SUM(CASE WHEN t.channel = 'PAID' THEN t.gmv * COALESCE(fx.rate, 1) END)
  FROM shop_traffic_daily t LEFT JOIN fx ON fx.day = t.day AND fx.base = t.currency
 WHERE t.shop_id IN (SELECT shop_id FROM shops) AND t.day BETWEEN :first AND :last
   AND t.channel IN ('ALL', 'PAID') GROUP BY t.shop_id
UNION ALL
SELECT c.shop_id, SUM(c.commission * COALESCE(fx.rate, 1)), NULL, NULL, NULL, NULL
  FROM affiliate_daily c LEFT JOIN fx ON fx.day = c.day AND fx.base = c.currency
 WHERE c.shop_id IN (SELECT shop_id FROM shops) AND c.day BETWEEN :first AND :last
 GROUP BY c.shop_id"""


def _build(scale: str) -> tuple[Any, str, int, int]:
    shops, days = SCALES[scale]
    folder = tempfile.mkdtemp(prefix="tikpulse-bench-reads-")
    engine = make_engine(f"sqlite:///{folder}/warehouse.db")
    upgrade(engine)
    return engine, folder, shops, load_agency(engine, shops, days)


def bench_lines(scale: str, repeat: int = 200) -> list[dict[str, Any]]:
    """The read-path lines of ``tikpulse bench`` (figures in ms, anchors measured alongside)."""
    engine, folder, shops, written = _build(scale)
    try:
        return _measure(engine, scale, shops, written, repeat)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _answers(engine, conn, group: list[Any], label: str, *, pandas: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The line of one kind of answer: ``scope_answer`` on ``group``'s questions against its
    statement on the bare cursor (and the pandas path's median in the note)."""
    after = timed(lambda a: scope_answer(conn, a[0], a[1], REPORTING), group)
    anchor = timed(raw_sql(engine, *group[0]), group)
    least = timed(raw_sql(engine, *group[0], least=True), group)
    note = ""
    if pandas:
        before = timed(lambda a: pandas_answer(conn, *a), group[:BEFORE_REPEAT])
        note = f"pandas path p50 {ms(before, .5):.1f} ms"
    return {"line": f"{label}, p50 / p95 ms", "figure": f"{ms(after, .5):.2f} / "
            f"{ms(after, .95):.2f}", "anchor": f"raw SQL {ms(anchor, .5):.2f} "
            f"(1 week, 1 currency {ms(least, .5):.2f})", "ratio": ms(after, .5) / ms(anchor, .5),
            "target": f"p50<={TARGET_P50_MS:g} p95<={TARGET_P95_MS:g}, <={TARGET_RAW_RATIO:g}x",
            "note": note}


def _in_turn_with_group_by(engine, weeks: list[Period], ours: Callable[[Period], object]) -> (  # type: ignore[no-untyped-def]
    tuple[float, float]
):
    """The median ms of ``ours`` and of the database's own ``GROUP BY`` (the all-stores anchor:
    ``OWN_SQL``, on PostgreSQL with its parameter marks) over ``weeks``, timed in turn week by
    week (which of the two goes first alternating), so a slower moment of a shared machine
    weighs on both."""
    sql, day = OWN_SQL, date.isoformat
    if engine.dialect.name == "postgresql":
        sql, day = re.sub(r":(first|last)\b", r"%(\1)s", OWN_SQL), (lambda d: d)
    raw = engine.raw_connection()
    try:
        def anchor(p: Period) -> object:
            return raw.cursor().execute(sql, {"first": day(p.start), "last": day(p.end)}).fetchall()

        mine: list[float] = []
        theirs: list[float] = []
        for n, p in enumerate(weeks):
            pair = ((ours, mine), (anchor, theirs))
            for run, samples in pair if n % 2 else pair[::-1]:
                samples += timed(run, [p])
        return ms(mine, .5), ms(theirs, .5)
    finally:
        raw.close()


def _all_stores(engine, conn, ids: list[str], weeks: list[Period], shops: int, note: str,  # type: ignore[no-untyped-def]
                anchor: float | None = None, anchor_label: str = "") -> (
    tuple[dict[str, Any], float]
):
    """The line of the weekly KPIs of every store against the database's own ``GROUP BY``,
    timed in turn with it (``_in_turn_with_group_by``), or against ``anchor`` ms measured
    before; and the anchor's ms."""
    ad_map = store_advertisers(conn, ids)

    def ours(p: Period) -> object:
        return stores_kpis(conn, ids, p.start, p.end, REPORTING, advertiser_shop=ad_map)

    if anchor is None:
        figure, anchor = _in_turn_with_group_by(engine, weeks, ours)
    else:
        figure = ms(timed(ours, weeks), .5)
    return {"line": f"weekly KPIs of all {shops} stores, p50 ms", "figure": f"{figure:.2f}",
            "anchor": f"{_NAMES[conn.dialect.name]} GROUP BY {anchor:.2f}{anchor_label}",
            "ratio": figure / anchor, "target": f"<={TARGET_ALL_RATIO:g}x", "note": note}, anchor


def _measure(engine, scale: str, shops: int, written: int, repeat: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    tenant = agency_registry(shops).tenants[0]
    stores = [s for t in agency_registry(shops).tenants for s in t.stores]
    all_ids = [s.shop_id for s in stores]
    last_monday = LAST_DAY - timedelta(LAST_DAY.weekday() + 7)
    weeks = SCALES[scale][1] // 7 - 1
    mondays = [last_monday - timedelta(7 * w) for w in range(min(WEEKS_ASKED, weeks))]
    rng = random.Random(7)
    asks = [([rng.choice(stores)], week(rng.choice(mondays))) for _ in range(repeat)]
    tenant_asks = [(list(tenant.stores), week(rng.choice(mondays))) for _ in range(repeat)]
    own = [week(m) for m in mondays] * max(1, 48 // len(mondays))
    out = []
    for rates in ("fixed", "daily"):
        prefix = "" if rates == "fixed" else "daily rates: "
        if rates == "daily":
            move_rates_daily(engine)
        with engine.connect() as conn:
            for group, label in ((asks, "KPI answer, 1 store"),
                                 (tenant_asks, f"roas all ({len(tenant.stores)} stores)")):
                line = _answers(engine, conn, group, prefix + label, pandas=rates == "fixed")
                out.append({**line, "note": "; ".join(filter(None, [f"{rates} rates",
                                                                     line["note"]]))})
            line, anchor = _all_stores(engine, conn, all_ids, own, shops,
                                       f"{rates} rates; {written:,} rollup rows; exact FX")
            out.append({**line, "line": prefix + line["line"]})
    # The default feed's rates: EUR-based, weekdays, crossed into USD. Held against the daily
    # pairs' GROUP BY, which cannot cross two rates (its own time would only grow).
    ecb_rates(engine)
    with engine.connect() as conn:
        line, _ = _all_stores(engine, conn, all_ids, own, shops, "ECB rates (1 EUR = rate, "
                              f"weekdays; crossed into USD); {written:,} rollup rows; exact FX",
                              anchor, " (daily pairs)")
    out.append({**line, "line": "ECB rates: " + line["line"]})
    return out + _postgresql(scale, shops, all_ids, own)


def _postgresql(scale: str, shops: int, ids: list[str], own: list[Period]) -> list[dict[str, Any]]:
    """The all-stores week on PostgreSQL (the production warehouse: the same rollups in a fresh
    database, analyzed) at the three rate sets, against PostgreSQL's own ``GROUP BY``; a line
    saying so if PostgreSQL cannot be reached."""
    import psycopg

    from bench.pg import PG_ADMIN_URL, fresh_database

    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        return [{"line": "PostgreSQL reads", "note": f"skipped: {error}"[:160]}]
    with fresh_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            written = load_agency(engine, shops, SCALES[scale][1])
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            out: list[dict[str, Any]] = []
            anchor: float | None = None
            for rates, change in (("fixed", None), ("daily", move_rates_daily),
                                  ("ECB", ecb_rates)):
                if change is not None:
                    change(engine)
                ecb = rates == "ECB"  # held against the daily pairs' GROUP BY, measured before
                with engine.connect() as conn:
                    line, anchor = _all_stores(engine, conn, ids, own, shops, f"{rates} rates; "
                                               f"{written:,} rollup rows; exact FX",
                                               anchor if ecb else None, " (daily pairs)" * ecb)
                out.append({**line, "line": f"PostgreSQL, {rates} rates: {line['line']}"})
            return out
        finally:
            engine.dispose()
