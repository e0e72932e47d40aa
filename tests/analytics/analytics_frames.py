"""Builders of small warehouse-shaped frames for the analytics tests (money as int64 units)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from analytics.money import decimal_to_units


def m(amount: str) -> int:
    """Money units of a decimal string: m("12.50") == 125000."""
    return decimal_to_units(Decimal(amount))


def ts(text: str | None) -> pd.Timestamp | None:
    """An aware UTC timestamp ("2026-11-16 10:00"), or None."""
    return None if text is None else pd.Timestamp(text, tz="UTC")


def _times(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for col in columns:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def orders(*rows: dict[str, Any]) -> pd.DataFrame:
    """Orders with defaults: paid GBP orders of shop s1, one buyer per order."""
    out = []
    for i, row in enumerate(rows):
        base: dict[str, Any] = {
            "shop_id": "s1", "order_id": f"o{i}", "status": "COMPLETED", "buyer_id": f"b{i}",
            "paid_time": "2026-11-16 10:00", "cancel_time": None, "is_sample": False,
            "is_replacement": False, "buyer_message": None, "recipient_name": "Ann",
            "currency": "GBP", "sub_total": m("10"),
        }
        base.update(row)
        base.setdefault("create_time", base["paid_time"] or "2026-11-16 09:00")
        out.append(base)
    frame = pd.DataFrame(out)
    frame["sub_total"] = frame["sub_total"].astype("int64")
    return _times(frame, ["paid_time", "cancel_time", "create_time"])


def lines(*rows: dict[str, Any]) -> pd.DataFrame:
    """Order lines (quantity 1 unless given)."""
    out = [{"shop_id": "s1", "line_id": f"l{i}", "quantity": 1, **row}
           for i, row in enumerate(rows)]
    return pd.DataFrame(out)


def refunds(*rows: dict[str, Any]) -> pd.DataFrame:
    """Completed refunds unless a status is given."""
    out = []
    for i, row in enumerate(rows):
        base: dict[str, Any] = {
            "shop_id": "s1", "refund_id": f"r{i}", "order_id": "o0", "kind": "refund",
            "status": "COMPLETED",
            "create_time": "2026-11-17 10:00", "completed_time": "2026-11-18 10:00",
            "currency": "GBP", "refund_amount": m("10"),
        }
        base.update(row)
        out.append(base)
    frame = pd.DataFrame(out)
    frame["refund_amount"] = frame["refund_amount"].astype("int64")
    return _times(frame, ["create_time", "completed_time"])


def ads(*rows: dict[str, Any]) -> pd.DataFrame:
    """Campaign-level ad report rows of advertiser a1; None stands for the API's "-"."""
    out = []
    for row in rows:
        base: dict[str, Any] = {
            "advertiser_id": "a1", "level": "campaign", "campaign_id": "c1", "ad_id": "",
            "currency": "GBP", "spend": None, "impressions": None, "clicks": None,
            "purchases": None, "purchase_value": None,
        }
        base.update(row)
        out.append(base)
    frame = pd.DataFrame(out)
    for col in ("spend", "impressions", "clicks", "purchases", "purchase_value"):
        frame[col] = frame[col].astype("Int64")
    return frame


def traffic(*rows: dict[str, Any]) -> pd.DataFrame:
    """Shop traffic rows (channel ALL unless given)."""
    out = []
    for row in rows:
        base: dict[str, Any] = {
            "shop_id": "s1", "channel": "ALL", "impressions": None, "page_views": None,
            "visitors": None, "add_to_cart": None, "orders": None, "units": None, "buyers": None,
            "currency": "GBP", "gmv": None,
        }
        base.update(row)
        out.append(base)
    frame = pd.DataFrame(out)
    for col in ("impressions", "page_views", "visitors", "add_to_cart", "orders", "units",
                "buyers", "gmv"):
        frame[col] = frame[col].astype("Int64")
    return frame


def fx(*rows: tuple[date, str, str, str]) -> pd.DataFrame:
    """fx_rates rows (day, base, quote, rate as a decimal string)."""
    return pd.DataFrame(rows, columns=["day", "base", "quote", "rate"])


def week_days(monday: date) -> list[date]:
    """The seven dates from ``monday``."""
    return [date.fromordinal(monday.toordinal() + i) for i in range(7)]
