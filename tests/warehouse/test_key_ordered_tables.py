"""Migration 0009: on SQLite the rollups, FX rates and dirty days are WITHOUT ROWID tables (stored
in their primary key's order), the rows an older warehouse holds survive the rebuild both ways,
and the schema's tables say the same as the migrated ones."""

from datetime import date

from sqlalchemy import inspect, select

from jobs.warehouse.db import make_engine
from jobs.warehouse.migrate import current_revision, upgrade
from jobs.warehouse.schema import fx_rates, metadata, rollup_dirty_days, shop_daily

#: The tables 0009 rebuilt; every table made since is created key-ordered too.
REBUILT = {"fx_rates", "shop_daily", "shop_week_buyers", "shop_daily_exclusions", "ad_daily",
           "affiliate_daily", "shop_traffic_daily", "rollup_dirty_days"}
KEY_ORDERED = REBUILT | {"traffic_days_without_all"}


def _without_rowid(engine) -> set[str]:
    with engine.connect() as conn:
        return {name for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if sql.rstrip().endswith("WITHOUT ROWID")}


def test_the_schema_marks_the_key_ordered_tables():
    marked = {t.name for t in metadata.sorted_tables
              if t.dialect_options["sqlite"]["with_rowid"] is False}
    assert marked == KEY_ORDERED


def test_an_older_warehouse_keeps_its_rows_through_the_rebuild(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    upgrade(engine, "0008")
    assert _without_rowid(engine) == set()
    with engine.begin() as conn:
        conn.execute(fx_rates.insert(), [
            {"day": date(2026, 11, 2), "base": "EUR", "quote": "USD", "rate": "1.0812",
             "source": "ecb"},
            {"day": date(2026, 11, 2), "base": "EUR", "quote": "THB", "rate": "38.15",
             "source": "ecb"}])
        conn.execute(rollup_dirty_days.insert(), [{"shop_id": "s1", "day": date(2026, 11, 3)}])
    upgrade(engine, "0009")
    assert _without_rowid(engine) == REBUILT
    with engine.connect() as conn:
        rates = conn.execute(select(fx_rates.c.quote, fx_rates.c.rate)
                             .order_by(fx_rates.c.quote)).all()
        dirty = conn.execute(select(rollup_dirty_days)).all()
        keys = inspect(conn).get_pk_constraint("shop_daily")
    assert [(q, str(r)) for q, r in rates] == [("THB", "38.15"), ("USD", "1.0812")]
    assert dirty == [("s1", date(2026, 11, 3))]
    assert keys["name"] == "pk_shop_daily"
    assert keys["constrained_columns"] == [c.name for c in shop_daily.primary_key]
    _downgrade(engine)
    assert _without_rowid(engine) == set()
    with engine.connect() as conn:
        assert conn.execute(select(rollup_dirty_days)).all() == dirty
    engine.dispose()


def _downgrade(engine) -> None:
    """Back to 0008 (the rebuild undone)."""
    from alembic import command

    from jobs.warehouse.migrate import alembic_config

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008")
    assert current_revision(engine) == "0008"


def test_a_key_ordered_table_takes_upserts_and_deletes(sqlite_engine):
    from jobs.warehouse.upsert import upsert

    row = {"day": date(2026, 11, 2), "base": "EUR", "quote": "USD", "rate": "1.08",
           "source": "ecb"}
    with sqlite_engine.begin() as conn:
        upsert(conn, fx_rates, [row])
        upsert(conn, fx_rates, [{**row, "rate": "1.09"}])
        assert [str(r) for r in conn.execute(select(fx_rates.c.rate)).scalars()] == ["1.09"]
        conn.execute(fx_rates.delete().where(fx_rates.c.base == "EUR"))
        assert conn.execute(select(fx_rates)).all() == []
