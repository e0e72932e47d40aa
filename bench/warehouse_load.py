"""Bulk-load a generated sandbox data set straight into a warehouse (benchmarks only).

The API path (sandbox -> sync) is what tests exercise; at 10 million order lines the benchmark
skips HTTP and writes the same warehouse rows in bulk: SQLite through ``executemany`` on the raw
connection (times in SQLAlchemy's SQLite text format), PostgreSQL through ``COPY``. Statuses are
taken as the API shows them at the data set's clock (``sandbox.lifecycle``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from sandbox.dataset import Dataset
from sandbox.lifecycle import happened, order_status, refund_status
from sandbox.orders import KIND_REPLACEMENT, KIND_SAMPLE, KIND_TEST

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def _times(seconds: np.ndarray, sqlite: bool) -> list[Any]:
    """Unix seconds as the warehouse stores them; ``-1`` becomes NULL."""
    stamps = seconds.astype("datetime64[s]")
    if sqlite:
        text = np.char.add(np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " "),
                           ".000000")
        out = text.astype(object)
    else:
        out = pd.to_datetime(seconds, unit="s", utc=True).to_pydatetime().astype(object)
    out[seconds < 0] = None
    return out.tolist()


def _money(minor: np.ndarray, exponent: np.ndarray) -> list[int]:
    """Minor units of each row's currency as warehouse units of 1e-4."""
    return (minor.astype(np.int64) * (10 ** (4 - exponent)).astype(np.int64)).tolist()


def order_columns(ds: Dataset, sqlite: bool, part: slice) -> dict[str, list[Any]]:
    """The ``orders`` table's columns for the generated orders in ``part``."""
    o, shops = ds.orders.iloc[part], ds.shops
    shop_idx = o["shop_idx"].to_numpy()
    clock = ds.clock[shop_idx]
    exp = shops["exponent"].to_numpy()[shop_idx]
    kind = o["kind"].to_numpy()
    cancel = np.where(happened(o["cancel_time"].to_numpy(), clock), o["cancel_time"], -1)
    n = len(o)
    test = kind == KIND_TEST
    return {
        "shop_id": shops["shop_id"].to_numpy(dtype=object)[shop_idx].tolist(),
        "order_id": o["order_id"].astype(str).tolist(),
        "status": order_status(o, clock).tolist(),
        "buyer_id": o["user_id"].astype(str).tolist(),
        "create_time": _times(o["create_time"].to_numpy(), sqlite),
        "update_time": _times(o["create_time"].to_numpy(), sqlite),
        "paid_time": _times(o["paid_time"].to_numpy(), sqlite),
        "cancel_time": _times(np.asarray(cancel), sqlite),
        "is_sample": (kind == KIND_SAMPLE).tolist(),
        "is_replacement": (kind == KIND_REPLACEMENT).tolist(),
        "is_exchange": [False] * n,
        "buyer_message": np.where(test, "TEST ORDER", None).tolist(),
        "recipient_name": np.where(test, "TEST", None).tolist(),
        "currency": shops["currency"].to_numpy(dtype=object)[shop_idx].tolist(),
        **{c: _money(o[c].to_numpy(), exp) for c in (
            "sub_total", "shipping_fee", "seller_discount", "platform_discount", "tax",
            "total_amount")},
        "source": ["bench"] * n,
        "ingested_at": [_times(np.array([int(NOW.timestamp())]), sqlite)[0]] * n,
    }


def line_columns(ds: Dataset, sqlite: bool, part: slice) -> dict[str, list[Any]]:
    """The ``order_lines`` table's columns (one unit per line, as the API has it)."""
    lines, o, shops, skus = ds.lines.iloc[part], ds.orders, ds.shops, ds.skus
    order_row = lines["order_row"].to_numpy()
    shop_idx = o["shop_idx"].to_numpy()[order_row]
    exp = shops["exponent"].to_numpy()[shop_idx]
    sku_row = lines["sku_row"].to_numpy()
    n = len(lines)
    return {
        "shop_id": shops["shop_id"].to_numpy(dtype=object)[shop_idx].tolist(),
        "order_id": o["order_id"].to_numpy()[order_row].astype(str).tolist(),
        "line_id": lines["line_id"].astype(str).tolist(),
        "product_id": skus["product_id"].to_numpy(dtype=object)[sku_row].tolist(),
        "sku_id": skus["sku_id"].to_numpy(dtype=object)[sku_row].tolist(),
        "quantity": [1] * n,
        "currency": shops["currency"].to_numpy(dtype=object)[shop_idx].tolist(),
        **{c: _money(lines[c].to_numpy(), exp) for c in (
            "original_price", "sale_price", "seller_discount", "platform_discount")},
        "is_gift": [False] * n,
    }


def refund_columns(ds: Dataset, sqlite: bool, part: slice) -> dict[str, list[Any]]:
    """The ``refunds`` table's columns for records the API shows at the clock."""
    r, o, shops = ds.refunds.iloc[part], ds.orders, ds.shops
    clock = ds.clock[r["shop_idx"].to_numpy()]
    status = refund_status(r, clock)
    shown = status != ""
    r, status, clock = r[shown], status[shown], clock[shown]
    shop_idx = r["shop_idx"].to_numpy()
    done = np.char.endswith(status.astype(str), "_COMPLETE")
    completed = np.where(done, r["complete_time"].to_numpy(), -1)
    n = len(r)
    return {
        "shop_id": shops["shop_id"].to_numpy(dtype=object)[shop_idx].tolist(),
        "refund_id": r["record_id"].astype(str).tolist(),
        "kind": np.where(r["kind"].to_numpy() == 0, "cancellation", "return").tolist(),
        "order_id": o["order_id"].to_numpy()[r["order_row"].to_numpy()].astype(str).tolist(),
        "status": status.tolist(),
        "create_time": _times(r["request_time"].to_numpy(), sqlite),
        "update_time": _times(np.maximum(r["request_time"].to_numpy(), completed), sqlite),
        "completed_time": _times(completed, sqlite),
        "currency": shops["currency"].to_numpy(dtype=object)[shop_idx].tolist(),
        "refund_amount": _money(r["amount"].to_numpy(), shops["exponent"].to_numpy()[shop_idx]),
        "line_ids": ["[]"] * n,
    }


def ad_columns(ds: Dataset, sqlite: bool, part: slice) -> dict[str, list[Any]]:
    """Campaign-level ``ad_report_rows``: the ads' daily rows summed per campaign and day."""
    rows = ds.ad_rows
    keys = ["advertiser_row", "campaign_row", "day_idx"]
    sums = rows.groupby(keys, sort=True)[["spend", "impressions", "clicks", "conversion_served",
                                          "value_served", "video_play_actions"]].sum()
    sums = sums.reset_index()
    adv = ds.advertisers
    shop_idx = adv["shop_idx"].to_numpy()[sums["advertiser_row"].to_numpy()]
    exp = ds.shops["exponent"].to_numpy()[shop_idx]
    days = [ds.start + timedelta(days=int(i)) for i in sums["day_idx"]]
    pulled: Any = (str(NOW.replace(tzinfo=None)) + ".000000") if sqlite else NOW
    n = len(sums)
    return {
        "advertiser_id": adv["advertiser_id"].to_numpy(dtype=object)[
            sums["advertiser_row"].to_numpy()].tolist(),
        "level": ["campaign"] * n,
        "day": [d.isoformat() for d in days] if sqlite else days,
        "campaign_id": ds.campaigns["campaign_id"].to_numpy(dtype=object)[
            sums["campaign_row"].to_numpy()].tolist(),
        "ad_id": [""] * n,
        "currency": adv["currency"].to_numpy(dtype=object)[sums["advertiser_row"].to_numpy()]
        .tolist(),
        "spend": _money(sums["spend"].to_numpy(), exp),
        "impressions": sums["impressions"].tolist(), "clicks": sums["clicks"].tolist(),
        "conversions": sums["conversion_served"].tolist(),
        "purchases": sums["conversion_served"].tolist(),
        "purchase_value": _money(sums["value_served"].to_numpy(), exp),
        "video_views": sums["video_play_actions"].tolist(),
        "pulled_at": [pulled] * n,
    }


def _rows(columns: dict[str, list[Any]]) -> Iterator[tuple[Any, ...]]:
    return zip(*columns.values(), strict=True)


def bulk_insert(engine: Engine, table: str, columns: dict[str, list[Any]]) -> int:
    """Insert all rows of ``columns`` into ``table`` (executemany on SQLite, COPY on PostgreSQL)."""
    names = list(columns)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in names)
            cur.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                            _rows(columns))
        else:
            with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in _rows(columns):
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    return len(next(iter(columns.values())))


#: Rows converted and written per batch (keeps Python objects for a batch only).
CHUNK_ROWS = 500_000
TABLES = (("orders", order_columns, "orders"), ("order_lines", line_columns, "lines"),
          ("refunds", refund_columns, "refunds"))


def load_dataset(engine: Engine, ds: Dataset, chunk: int = CHUNK_ROWS) -> dict[str, int]:
    """Write every order, line, refund and campaign-day row of ``ds``; rows per table."""
    sqlite = engine.dialect.name == "sqlite"
    counts: dict[str, int] = {}
    for table, build, frame in TABLES:
        total = len(getattr(ds, frame))
        counts[table] = sum(
            bulk_insert(engine, table, build(ds, sqlite, slice(i, min(i + chunk, total))))
            for i in range(0, total, chunk)
        )
    counts["ad_report_rows"] = bulk_insert(engine, "ad_report_rows",
                                           ad_columns(ds, sqlite, slice(None)))
    return counts
