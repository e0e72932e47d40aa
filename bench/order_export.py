"""Write a synthetic Seller Center order export of any size (streamed, constant memory).

Carries the real quirks: BOM, a description row, ``DD/MM/YYYY HH:mm:ss`` times with a trailing
tab, ``THB``-prefixed money with thousands separators, Thai/Chinese/English status words, 1-3 SKU
rows per order with quantities 1-3, and region-specific extra columns. Filled as a real export
is: ready-to-ship, shipped and delivered times on the orders that got that far, a canceller and
a reason on cancelled ones, recipients by name; left blank where a real one is.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ["Order ID", "Order Status", "Order Substatus", "Cancelation/Return Type",
          "Normal or Pre-order", "SKU ID", "Seller SKU", "Product Name", "Variation", "Quantity",
          "Sku Quantity of return", "SKU Unit Original Price", "SKU Subtotal Before Discount",
          "SKU Platform Discount", "SKU Seller Discount", "SKU Subtotal After Discount",
          "Shipping Fee After Discount", "Original Shipping Fee", "Taxes", "Order Amount",
          "Order Refund Amount", "Created Time", "Paid Time", "RTS Time", "Shipped Time",
          "Delivered Time", "Cancelled Time", "Cancel By", "Cancel Reason", "Fulfillment Type",
          "Warehouse Name", "Tracking ID", "Buyer Username", "Recipient", "Country", "Province",
          "Payment Method", "Product Category", "Package ID", "Creator Handle", "Small Order Fee"]
STATUSES = [("สำเร็จแล้ว", 0.6), ("已完成", 0.15), ("Delivered", 0.1), ("ยกเลิกแล้ว", 0.08),
            ("In transit", 0.07)]
#: Statuses of orders that reached the buyer (they have a delivered time).
DELIVERED = {"สำเร็จแล้ว", "已完成", "Delivered"}
CANCEL_REASONS = ("Buyer changed mind", "เปลี่ยนใจ", "Out of stock", "Payment overdue")
RECIPIENTS = ("Somchai", "Somsak", "Malee", "Niran", "Kanya", "Arthit", "Ploy", "Wichai")
#: Bumped when what the generator writes changes (it names the cached file).
VERSION = 2


def _money(minor: int) -> str:
    return f"THB {minor // 100:,}.{minor % 100:02d}"


def _time(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M:%S\t")


def write_order_export(path: Path, lines: int, *, seed: int = 1) -> int:
    """Write ``lines`` SKU rows to ``path``; returns the number of orders."""
    rng = random.Random(seed)
    words, weights = zip(*STATUSES, strict=True)
    start = datetime(2026, 1, 1)
    written = orders = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerow(["Platform unique order ID."] + [""] * (len(HEADER) - 1))
        while written < lines:
            orders += 1
            status = rng.choices(words, weights)[0]
            created = start + timedelta(seconds=orders * 30 + rng.randint(0, 29))
            paid = created + timedelta(seconds=rng.randint(5, 600))
            count = min(rng.choice((1, 1, 1, 2, 2, 3)), lines - written)
            skus = [(f"17{rng.randint(10**6, 10**7)}", rng.randint(1, 3),
                     rng.randint(99, 9999) * 100) for _ in range(count)]
            sub = sum(q * p for _, q, p in skus)
            amount = sub + 3900
            cancelled = status == "ยกเลิกแล้ว"
            moved = [] if cancelled else [paid + timedelta(hours=h) for h in (6, 20)]
            if status in DELIVERED:
                moved.append(paid + timedelta(days=rng.randint(2, 6)))
            times = [_time(t) for t in moved] + [""] * (3 - len(moved))
            for sku, qty, price in skus:
                out.writerow([
                    f"5770{orders:012d}", status, "", "", "Normal", sku, f"S-{sku}", "Mug", "Blue",
                    qty, 0, _money(price), _money(qty * price), _money(0), _money(0),
                    _money(qty * price), _money(3900), _money(3900), _money(0), _money(amount),
                    _money(amount if cancelled else 0), _time(created), _time(paid), *times,
                    _time(paid + timedelta(hours=2)) if cancelled else "",
                    "Buyer" if cancelled else "",
                    rng.choice(CANCEL_REASONS) if cancelled else "", "Fulfilled by seller",
                    "BKK-1", "", f"buyer{orders % 9973}", RECIPIENTS[orders % len(RECIPIENTS)],
                    "Thailand", "Bangkok", "Card", "Home", "", "", ""])
                written += 1
    return orders
