"""The DuckDB side of ``bench_analytics``: the same weekly aggregation over the raw rows.

DuckDB gets the generated rows as typed columns in memory (its best case: no parsing, no
warehouse round trip) and computes per store and local week: gross GMV, orders and units of
sales-valid orders by paid day, completed refunds of those orders by completion day, and ad spend,
in each store's own time zone. Our side answers the same from the daily rollups. Both results are
compared store by store, so the timing compares equal answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from jobs.warehouse.queries import daily_rows
from jobs.warehouse.schema import advertisers, shops, tenants
from sandbox.dataset import Dataset
from sandbox.lifecycle import happened, refund_status
from sandbox.orders import KIND_NORMAL

T0 = datetime(2026, 1, 1, tzinfo=UTC)
METRICS = ("gross_gmv", "orders", "units", "refunds", "spend")


def seed_dimensions(ds: Dataset) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Tenants, shops and advertisers rows for the data set."""
    stamp = {"created_at": T0, "updated_at": T0}
    sellers = sorted(set(int(s) for s in ds.shops["seller_idx"]))
    return [
        (tenants, [{"tenant_id": f"seller-{s + 1}", "name": f"Seller {s + 1}",
                    "reporting_currency": "USD", "language": "en", **stamp} for s in sellers]),
        (shops, [{"shop_id": str(r.shop_id), "tenant_id": f"seller-{int(r.seller_idx) + 1}",
                  "name": str(r.name), "region": str(r.region), "currency": str(r.currency),
                  "timezone": str(r.timezone), "source": "bench", **stamp}
                 for r in ds.shops.itertuples()]),
        (advertisers, [{"advertiser_id": str(a.advertiser_id),
                        "tenant_id": f"seller-{int(ds.shops['seller_idx'][a.shop_idx]) + 1}",
                        "shop_id": str(ds.shops["shop_id"][a.shop_idx]), "name": str(a.name),
                        "currency": str(a.currency), "timezone": str(a.timezone), **stamp}
                       for a in ds.advertisers.itertuples()]),
    ]


def changed_on_last_day(ds: Dataset) -> dict[str, tuple[list[str], list[str]]]:
    """Per shop, the orders and refunds with an event in the data set's last day (a day's sync)."""
    o, r = ds.orders, ds.refunds
    clock = ds.clock[o["shop_idx"].to_numpy()]
    hit = np.zeros(len(o), dtype=bool)
    for col in ("create_time", "paid_time", "ship_time", "delivery_time", "complete_time",
                "cancel_time"):
        t = o[col].to_numpy()
        hit |= happened(t, clock) & (t > clock - 86_400)
    rclock = ds.clock[r["shop_idx"].to_numpy()]
    rhit = np.zeros(len(r), dtype=bool)
    for col in ("request_time", "complete_time"):
        t = r[col].to_numpy()
        rhit |= happened(t, rclock) & (t > rclock - 86_400)
    out: dict[str, tuple[list[str], list[str]]] = {}
    for idx, shop_id in enumerate(ds.shops["shop_id"]):
        mine = hit & (o["shop_idx"].to_numpy() == idx)
        rmine = rhit & (r["shop_idx"].to_numpy() == idx)
        out[str(shop_id)] = (o["order_id"][mine].astype(str).tolist(),
                             r["record_id"][rmine].astype(str).tolist())
    return out


def duck_tables(ds: Dataset) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the raw rows as typed columns."""
    con = duckdb.connect()
    o = ds.orders
    orders = pd.DataFrame({
        "row": np.arange(len(o)), "shop_idx": o["shop_idx"].astype("int64"),
        "paid": o["paid_time"], "valid": (o["kind"] == KIND_NORMAL) & (o["paid_time"] >= 0),
        "sub_total": o["sub_total"]})
    lines = pd.DataFrame({"order_row": ds.lines["order_row"]})
    r = ds.refunds
    done = np.char.endswith(refund_status(r, ds.clock[r["shop_idx"].to_numpy()]).astype(str),
                            "_COMPLETE")
    refunds = pd.DataFrame({"order_row": r["order_row"][done], "done": r["complete_time"][done],
                            "amount": r["amount"][done]})
    ads = pd.DataFrame({"shop_idx": ds.ad_rows["shop_idx"], "day_idx": ds.ad_rows["day_idx"],
                        "spend": ds.ad_rows["spend"]})
    stores = pd.DataFrame({"shop_idx": np.arange(len(ds.shops)),
                           "shop_id": ds.shops["shop_id"].astype(str),
                           "tz": ds.shops["timezone"].astype(str)})
    for name, frame in (("orders", orders), ("lines", lines), ("refunds", refunds),
                        ("ads", ads), ("stores", stores)):
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")
    return con


WEEK_SQL = """
WITH sales AS (
  SELECT o.shop_idx, o.row, o.sub_total FROM orders o JOIN stores s USING (shop_idx)
  WHERE o.valid AND (to_timestamp(o.paid) AT TIME ZONE s.tz)::DATE BETWEEN $first AND $last),
units AS (SELECT l.order_row, count(*) AS n FROM lines l SEMI JOIN sales ON l.order_row = sales.row
          GROUP BY l.order_row),
refunds_w AS (
  SELECT o.shop_idx, sum(r.amount) AS refunds FROM refunds r JOIN orders o ON o.row = r.order_row
  JOIN stores s USING (shop_idx)
  WHERE o.valid AND (to_timestamp(r.done) AT TIME ZONE s.tz)::DATE BETWEEN $first AND $last
  GROUP BY o.shop_idx),
spend_w AS (SELECT shop_idx, sum(spend) AS spend FROM ads
            WHERE day_idx BETWEEN $d0 AND $d1 GROUP BY shop_idx)
SELECT s.shop_id, coalesce(g.gross_gmv, 0), coalesce(g.orders, 0), coalesce(g.units, 0),
       coalesce(rw.refunds, 0), coalesce(sw.spend, 0)
FROM stores s
LEFT JOIN (SELECT sales.shop_idx, sum(sub_total) AS gross_gmv, count(*) AS orders,
                  sum(units.n) AS units
           FROM sales LEFT JOIN units ON units.order_row = sales.row GROUP BY sales.shop_idx) g
  ON g.shop_idx = s.shop_idx
LEFT JOIN refunds_w rw ON rw.shop_idx = s.shop_idx
LEFT JOIN spend_w sw ON sw.shop_idx = s.shop_idx
"""


def duck_week(con: duckdb.DuckDBPyConnection, ds: Dataset, monday: date) -> dict[str, tuple]:
    """Per shop (gross GMV, orders, units, refunds, spend) in minor units, by DuckDB."""
    d0 = (monday - ds.start).days
    rows = con.execute(WEEK_SQL, {"first": monday, "last": monday + timedelta(6),
                                  "d0": d0, "d1": d0 + 6}).fetchall()
    return {r[0]: tuple(int(v) for v in r[1:]) for r in rows}


def our_week(engine, ds: Dataset, monday: date) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """The same per-shop totals from the daily rollups, in minor units."""
    shop_ids = [str(s) for s in ds.shops["shop_id"]]
    ad_map = {str(a): shop_ids[int(i)] for a, i in zip(ds.advertisers["advertiser_id"],
                                                       ds.advertisers["shop_idx"], strict=True)}
    with engine.connect() as conn:
        rows = daily_rows(conn, shop_ids, monday, monday + timedelta(6), advertiser_shop=ad_map)
    sums = rows[rows["metric"].isin(METRICS)].groupby(["shop_id", "metric"])["value"].sum()
    scale = {str(s): 10 ** (4 - int(e)) for s, e in zip(ds.shops["shop_id"],
                                                         ds.shops["exponent"], strict=True)}
    out = {}
    for shop in shop_ids:
        values = [int(sums.get((shop, m), 0)) for m in METRICS]
        out[shop] = tuple(v // scale[shop] if m not in ("orders", "units") else v
                          for v, m in zip(values, METRICS, strict=True))
    return out


def _best(fn: Callable[[], Any], runs: int = 3) -> tuple[Any, float]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def compare_weekly(engine, ds: Dataset, monday: date, say: Callable[[str, str], None]) -> None:  # type: ignore[no-untyped-def]
    """Time both weekly aggregations (best of 3), check they agree, and print the ratio."""
    con = duck_tables(ds)
    ours, t_ours = _best(lambda: our_week(engine, ds, monday))
    theirs, t_duck = _best(lambda: duck_week(con, ds, monday))
    differ = [s for s in ours if ours[s] != theirs.get(s)]
    say("weekly aggregation, all stores: ours from rollups",
        f"{t_ours * 1000:8.1f} ms  ({t_ours / t_duck:.2f}x DuckDB)")
    say("weekly aggregation, all stores: DuckDB over raw rows", f"{t_duck * 1000:8.1f} ms")
    say("stores whose weekly totals differ between the two",
        f"{len(differ)} of {len(ours)}" + (f" e.g. {differ[0]}: {ours[differ[0]]} vs "
                                          f"{theirs.get(differ[0])}" if differ else ""))
    con.close()
