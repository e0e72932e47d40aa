"""Keep the store-days whose traffic has no ALL row in a table, by triggers

A day's traffic total is its ALL row, else the sum of its channels. Finding the days without an
ALL row meant grouping every traffic row of the range read (200 stores' week: 2.2 ms of a 26 ms
statement on SQLite, 3.4 ms of 21 ms on PostgreSQL) to find, nearly always, none. Triggers on
``shop_traffic_daily`` now keep those days in ``traffic_days_without_all`` in the statement that
writes the traffic (each row written rechecks its store-day: two lookups by key), so a read
joins that table, empty or nearly. The table is filled from the rows there are.

On SQLite a later migration that rebuilds ``shop_traffic_daily`` (``batch_alter_table``) drops
its triggers and must create them again (``create_triggers``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLE, TRAFFIC = 'traffic_days_without_all', 'shop_traffic_daily'
#: SQLite: (trigger, event, the keys each row written rechecks).
SQLITE_TRIGGERS = (
    ('traffic_without_all_insert', 'AFTER INSERT', ('NEW',)),
    ('traffic_without_all_update', 'AFTER UPDATE OF shop_id, day, channel', ('OLD', 'NEW')),
    ('traffic_without_all_delete', 'AFTER DELETE', ('OLD',)),
)
#: PostgreSQL: the function the trigger runs, and the trigger.
PG_FUNCTION, PG_TRIGGER = 'traffic_days_without_all_sync', 'traffic_without_all_sync'


def _recheck_sqlite(row: str) -> str:
    """The statements that make ``row``'s store-day present in the table exactly when its
    traffic has rows and none of channel ALL."""
    key = f"shop_id = {row}.shop_id AND day = {row}.day"
    return (f"DELETE FROM {TABLE} WHERE {key};\n"
            f"INSERT OR IGNORE INTO {TABLE} (shop_id, day) SELECT {row}.shop_id, {row}.day\n"
            f" WHERE EXISTS (SELECT 1 FROM {TRAFFIC} WHERE {key})\n"
            f"   AND NOT EXISTS (SELECT 1 FROM {TRAFFIC} WHERE {key} AND channel = 'ALL');\n")


_PG_SQL = f"""
CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k record;
BEGIN
  FOR k IN
    SELECT OLD.shop_id AS shop_id, OLD.day AS day WHERE TG_OP IN ('UPDATE', 'DELETE')
    UNION
    SELECT NEW.shop_id, NEW.day WHERE TG_OP IN ('INSERT', 'UPDATE')
  LOOP
    DELETE FROM {TABLE} WHERE shop_id = k.shop_id AND day = k.day;
    INSERT INTO {TABLE} (shop_id, day) SELECT k.shop_id, k.day
     WHERE EXISTS (SELECT 1 FROM {TRAFFIC} WHERE shop_id = k.shop_id AND day = k.day)
       AND NOT EXISTS (SELECT 1 FROM {TRAFFIC}
                        WHERE shop_id = k.shop_id AND day = k.day AND channel = 'ALL')
    ON CONFLICT DO NOTHING;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER {PG_TRIGGER} AFTER INSERT OR DELETE OR UPDATE OF shop_id, day, channel
  ON {TRAFFIC} FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}();
"""


def create_triggers() -> None:
    """The triggers keeping ``traffic_days_without_all`` (this database's dialect)."""
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name, event, rows in SQLITE_TRIGGERS:
            body = ''.join(_recheck_sqlite(row) for row in rows)
            op.execute(f"CREATE TRIGGER {name} {event} ON {TRAFFIC}\nBEGIN\n{body}END")
    else:
        op.execute(_PG_SQL)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('shop_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('shop_id', 'day', name=op.f(f'pk_{TABLE}')),
        sqlite_with_rowid=False,
    )
    create_triggers()
    op.execute(f"INSERT INTO {TABLE} (shop_id, day) SELECT shop_id, day FROM {TRAFFIC} "
               "GROUP BY shop_id, day "
               "HAVING max(CASE WHEN channel = 'ALL' THEN 1 ELSE 0 END) = 0")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name, _, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute(f"DROP TRIGGER {PG_TRIGGER} ON {TRAFFIC}")
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    op.drop_table(TABLE)
