import logging
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from jobs.warehouse.crypto import TokenCipher, TokenDecryptError
from jobs.warehouse.migrate import alembic_config, current_revision
from jobs.warehouse.schema import authorizations, metadata, orders, shops, tenants
from jobs.warehouse.upsert import upsert

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _seed_shop(conn):
    conn.execute(tenants.insert().values(tenant_id="acme", name="Acme", reporting_currency="USD",
                                         language="en", created_at=NOW, updated_at=NOW))
    conn.execute(shops.insert().values(shop_id="s1", tenant_id="acme", name="Acme UK",
                                       region="GB", currency="GBP", timezone="Europe/London",
                                       source="api", created_at=NOW, updated_at=NOW))


def _order(order_id: str, status: str, updated: datetime, total: str) -> dict:
    return dict(shop_id="s1", order_id=order_id, status=status, buyer_id="b1",
                create_time=NOW, update_time=updated, paid_time=NOW, currency="GBP",
                sub_total=Decimal(total), total_amount=Decimal(total), shipping_fee=Decimal(0),
                seller_discount=Decimal(0), platform_discount=Decimal(0), tax=Decimal(0),
                is_sample=False, is_replacement=False, is_exchange=False, source="api",
                ingested_at=NOW)


def test_migrations_reach_head_and_match_the_schema(engine):
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert current_revision(engine) == head
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upsert_is_idempotent_and_later_versions_replace(engine):
    with engine.begin() as conn:
        _seed_shop(conn)
        page = [_order("o1", "AWAITING_SHIPMENT", NOW, "19.99"),
                _order("o2", "DELIVERED", NOW, "5.01")]
        for _ in range(3):
            upsert(conn, orders, page, newer_col="update_time")
        later = _order("o1", "COMPLETED", NOW + timedelta(days=3), "19.99")
        upsert(conn, orders, [later], newer_col="update_time")
        stale = _order("o1", "IN_TRANSIT", NOW + timedelta(days=1), "19.99")
        upsert(conn, orders, [stale], newer_col="update_time")
    with engine.connect() as conn:
        count, total = conn.execute(select(func.count(), func.sum(orders.c.sub_total))).one()
        status, updated = conn.execute(
            select(orders.c.status, orders.c.update_time).where(orders.c.order_id == "o1")
        ).one()
    assert count == 2
    assert total == Decimal("25.00")  # SUM over exact integer units, typed back to Decimal
    assert status == "COMPLETED"
    assert updated == NOW + timedelta(days=3)


def test_money_and_time_round_trip_exactly(engine):
    with engine.begin() as conn:
        _seed_shop(conn)
        row = _order("o9", "DELIVERED", NOW.astimezone(timezone(timedelta(hours=8))), "1234567.8901")
        upsert(conn, orders, [row])
    with engine.connect() as conn:
        sub_total, updated = conn.execute(select(orders.c.sub_total, orders.c.update_time)).one()
    assert sub_total == Decimal("1234567.8901")
    assert updated == NOW and updated.tzinfo is not None


def test_naive_datetimes_and_floats_are_refused(engine):
    with engine.begin() as conn:
        _seed_shop(conn)
    bad_time = _order("o3", "DELIVERED", NOW.replace(tzinfo=None), "1.00")
    with pytest.raises(Exception, match="time zone-aware"), engine.begin() as conn:
        upsert(conn, orders, [bad_time])
    bad_money = _order("o4", "DELIVERED", NOW, "1.00") | {"sub_total": 1.1}
    with pytest.raises(Exception, match="not float"), engine.begin() as conn:
        upsert(conn, orders, [bad_money])


def test_tokens_are_encrypted_at_rest_and_never_logged(engine, caplog):
    cipher = TokenCipher("a-long-enough-test-secret-key")
    token = "ROW_super_secret_access_token_123"
    caplog.set_level(logging.DEBUG)
    engine.echo = True
    try:
        with engine.begin() as conn:
            _seed_shop(conn)
            conn.execute(authorizations.insert().values(
                kind="shop", subject="open-1", tenant_id="acme",
                access_token_enc=cipher.encrypt(token), refresh_token_enc=cipher.encrypt("R" + token),
                scopes=[], status="healthy", version=1, created_at=NOW, updated_at=NOW))
    finally:
        engine.echo = False
    with engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM authorizations"))
                        for v in row)
        stored = conn.execute(select(authorizations.c.access_token_enc)).scalar_one()
    assert token not in dump
    assert token not in caplog.text
    assert cipher.decrypt(stored) == token
    with pytest.raises(TokenDecryptError, match="re-authorize"):
        TokenCipher("another-secret-key-entirely").decrypt(stored)


def test_every_table_has_a_natural_key():
    assert all(t.primary_key.columns for t in metadata.sorted_tables)
