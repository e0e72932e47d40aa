"""Recompute the sandbox's ground-truth figures from the warehouse (the sandbox truth definitions).

Kept in the tests on purpose: it restates ``sandbox/truth.py``'s definitions over warehouse rows,
so a sync that loses, duplicates or mis-parses a record shows up as a mismatch per shop and week.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from jobs.warehouse import schema as s

TEST_MARKERS = ("TEST ORDER",)


def _monday(moment: datetime, zone: ZoneInfo) -> date:
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def _is_test(order: Any) -> bool:
    message = (order.buyer_message or "").upper()
    return any(m in message for m in TEST_MARKERS) or (order.recipient_name or "") == "TEST"


def warehouse_figures(engine: Engine) -> dict[tuple[str, date], dict[str, Any]]:
    """Per (shop_id, local Monday): gross_gmv, orders, lines, refunds, spend, attributed_revenue."""
    out: dict[tuple[str, date], dict[str, Any]] = defaultdict(lambda: {
        "gross_gmv": Decimal(0), "orders": 0, "lines": 0, "refunds": Decimal(0),
        "spend": Decimal(0), "attributed_revenue": Decimal(0)})
    with engine.connect() as conn:
        zones = {r.shop_id: ZoneInfo(r.timezone) for r in conn.execute(select(s.shops))}
        lines: dict[tuple[str, str], int] = defaultdict(int)
        for r in conn.execute(select(s.order_lines.c.shop_id, s.order_lines.c.order_id)):
            lines[(r.shop_id, r.order_id)] += 1
        valid: set[tuple[str, str]] = set()
        for o in conn.execute(select(s.orders)):
            if o.is_sample or o.is_replacement or _is_test(o):
                continue
            valid.add((o.shop_id, o.order_id))
            if o.paid_time is None:
                continue
            week = out[(o.shop_id, _monday(o.paid_time, zones[o.shop_id]))]
            week["gross_gmv"] += o.sub_total
            week["orders"] += 1
            week["lines"] += lines[(o.shop_id, o.order_id)]
        for r in conn.execute(select(s.refunds).where(s.refunds.c.completed_time.is_not(None))):
            if (r.shop_id, r.order_id) in valid:
                out[(r.shop_id, _monday(r.completed_time, zones[r.shop_id]))]["refunds"] += (
                    r.refund_amount)
        ads = select(s.ad_report_rows, s.advertisers.c.shop_id).join(
            s.advertisers, s.advertisers.c.advertiser_id == s.ad_report_rows.c.advertiser_id
        ).where(s.ad_report_rows.c.level == "campaign")
        for r in conn.execute(ads):
            week = out[(r.shop_id, r.day - timedelta(days=r.day.weekday()))]
            week["spend"] += r.spend or 0
            week["attributed_revenue"] += r.purchase_value or 0
    return dict(out)


def mismatches(truth: dict[tuple[str, date], Any], engine: Engine) -> list[str]:
    """Every (shop, week, figure) where the warehouse differs from the sandbox truth."""
    got = warehouse_figures(engine)
    problems = []
    for key, expected in sorted(truth.items()):
        mine = got.get(key, {})
        for name in ("gross_gmv", "orders", "lines", "refunds", "spend", "attributed_revenue"):
            want, have = getattr(expected, name), mine.get(name, 0)
            if want != have:
                problems.append(f"{key[0]} {key[1]} {name}: truth {want}, warehouse {have}")
    extra = sorted(k for k, v in got.items() if k not in truth and any(v.values()))
    problems += [f"{k[0]} {k[1]}: figures outside the truth's weeks" for k in extra]
    return problems
