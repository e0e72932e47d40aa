"""Drop the orders -> shops foreign key: the one write path checks the shop, once per write

Orders were the only raw-fact table with a foreign key (order lines, refunds, settlements and
affiliate lines never had one). PostgreSQL checks it by a trigger per row: ``COPY`` of a
1,000,000-line export's 600,000 orders took 6.1 s with it and 4.1 s without. The shop is still
checked: ``RawWriter``, the only writer of raw facts, looks the shop up before it writes
(``UnknownShop``), in the same transaction as the rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:40:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_orders_shop_id_shops', type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_orders_shop_id_shops', 'shops', ['shop_id'], ['shop_id'])
