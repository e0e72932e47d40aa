"""Names, not ids: a SKU reads as its product's name (with the seller's SKU code when known; the
id only where the warehouse has no name), in the stock section and the restock suggestion; a
creator as nickname and handle; a campaign by its name; and names survive the snapshot's JSON."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from jobs.digest.advice import Suggestion
from jobs.digest.section_text import stock_lines
from jobs.digest.sentences import suggestion_sentence
from jobs.digest.words import Words
from jobs.report import serialize
from jobs.report.records import Insights
from jobs.report.sections import stock_rows

PLANS = pd.DataFrame([
    {"shop_id": "s1", "sku_id": "17295000000000067", "method": "ses", "daily_forecast": 4.0,
     "stock": 8, "days_of_cover": 2.0, "lead_time_days": 14, "safety_stock": 10.0,
     "reorder_point": 66.0, "suggested_qty": 120, "reorder_now": True,
     "product_name": "Desk Lamp #25", "seller_sku": "LAMP-25"},
    {"shop_id": "s1", "sku_id": "17295000000000068", "method": "ses", "daily_forecast": 1.0,
     "stock": 2, "days_of_cover": 2.0, "lead_time_days": 14, "safety_stock": 3.0,
     "reorder_point": 17.0, "suggested_qty": 30, "reorder_now": True,
     "product_name": float("nan"), "seller_sku": None}])


def test_stock_lines_name_the_product() -> None:
    rows = stock_rows(PLANS)
    assert rows[0].product_name == "Desk Lamp #25" and rows[1].product_name is None
    en, zh = stock_lines(rows, Words("en")), stock_lines(rows, Words("zh"))
    assert en[0].startswith("Desk Lamp #25 · LAMP-25: 2 days of cover")  # no id beside a name
    assert en[1].startswith("SKU 17295000000000068: ")  # the id only where there is no name
    assert zh[0].startswith("Desk Lamp #25 · LAMP-25：可售 2 天")


def test_restock_suggestion_names_the_product() -> None:
    s = Suggestion("restock", "Acme UK", Decimal(0), {"sku": "17295000000000067", "qty": 120,
                                             "name": "Desk Lamp #25", "cover": 2.0, "lead": 14})
    assert "reorder 120 units of Desk Lamp #25 (2 days" in suggestion_sentence(
        s, Words("en"), "USD")
    assert "补货 Desk Lamp #25 120 件" in suggestion_sentence(s, Words("zh"), "USD")


def test_the_name_survives_the_snapshot() -> None:
    insights = Insights(stock=stock_rows(PLANS))  # type: ignore[arg-type]
    again = serialize.load(Insights, serialize.dump(insights))
    assert again == insights and again.stock[0].product_name == "Desk Lamp #25"
