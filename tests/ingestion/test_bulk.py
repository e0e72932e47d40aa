"""The bulk path stores exactly what the SQLAlchemy upsert stores, and upserts by natural key."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine, select

from jobs.accounts.registry import ShopSpec, ensure_tenant, register_shop
from jobs.sources.csv.order_form import ORDER_COLUMNS
from jobs.warehouse import schema as s
from jobs.warehouse.bulk import bulk_upsert, storage_time
from jobs.warehouse.types import to_money_units
from jobs.warehouse.upsert import upsert

PAID = datetime(2026, 11, 3, 14, 15, 7, 123456, tzinfo=UTC)


def order(order_id: str, status: str, total: str) -> dict:  # type: ignore[type-arg]
    return {
        "shop_id": "9001", "order_id": order_id, "status": status, "buyer_id": "b1",
        "create_time": PAID, "update_time": PAID, "paid_time": PAID, "cancel_time": None,
        "delivery_time": None, "is_sample": False, "is_replacement": False, "is_exchange": False,
        "buyer_message": None, "recipient_name": "Somchai", "region_code": "TH",
        "cancel_reason": None, "cancellation_initiator": None, "currency": "THB",
        "sub_total": Decimal(total), "shipping_fee": Decimal("39.00"),
        "seller_discount": Decimal("0.005"), "platform_discount": Decimal(0), "tax": Decimal(0),
        "total_amount": Decimal(total), "source": "csv", "raw": None, "ingested_at": PAID,
    }


def as_storage(row: dict, dialect: str) -> tuple:  # type: ignore[type-arg]
    stored = storage_time(dialect)
    out = []
    for name in ORDER_COLUMNS:
        value = row[name]
        if isinstance(value, Decimal):
            value = to_money_units(value)
        elif isinstance(value, datetime):
            value = stored(value)
        out.append(value)
    return tuple(out)


def read(engine: Engine) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(s.orders).order_by(s.orders.c.order_id))]


def test_bulk_and_orm_upserts_store_the_same_values(engine: Engine) -> None:
    with engine.begin() as conn:
        register_shop(conn, ensure_tenant(conn, "Acme"), ShopSpec("9001", "TH"))
        upsert(conn, s.orders, [order("1", "COMPLETED", "1234.56")])
        bulk_upsert(conn, s.orders, ORDER_COLUMNS,
                    [as_storage(order("2", "COMPLETED", "1234.56"), engine.dialect.name)])
    first, second = read(engine)
    assert first[2:] == second[2:]  # everything but the key
    assert second[4] == PAID and second[18] == Decimal("1234.56")


def test_bulk_upsert_replaces_by_natural_key(engine: Engine) -> None:
    dialect = engine.dialect.name
    with engine.begin() as conn:
        register_shop(conn, ensure_tenant(conn, "Acme"), ShopSpec("9001", "TH"))
        bulk_upsert(conn, s.orders, ORDER_COLUMNS, [as_storage(order("1", "UNPAID", "5"), dialect)])
    with engine.begin() as conn:
        bulk_upsert(conn, s.orders, ORDER_COLUMNS,
                    [as_storage(order("1", "CANCELLED", "6"), dialect),
                     as_storage(order("2", "COMPLETED", "7"), dialect)])
    rows = read(engine)
    assert [(r[1], r[2], r[18]) for r in rows] == [("1", "CANCELLED", Decimal(6)),
                                                   ("2", "COMPLETED", Decimal(7))]
