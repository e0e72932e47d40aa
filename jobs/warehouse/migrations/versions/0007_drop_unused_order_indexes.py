"""Drop two order indexes no query reads: every write paid for them

``ix_order_lines_order`` (shop_id, order_id) repeats the head of the lines' primary key
(shop_id, order_id, line_id), which serves the same lookups; ``ix_orders_shop_update``
(shop_id, update_time) is read by no query (the sync keeps its own cursor, and an upsert compares
update times by primary key). A 1,000,000-line import wrote 67 MB of SQLite pages for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:40:00
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_order')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_shop_update')


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_shop_update', ['shop_id', 'update_time'], unique=False)
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_order', ['shop_id', 'order_id'], unique=False)
