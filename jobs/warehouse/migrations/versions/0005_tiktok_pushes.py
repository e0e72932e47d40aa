"""TikTok push messages and the authorization expiry notice

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:50:00
"""
import sqlalchemy as sa
from alembic import op

from jobs.warehouse.types import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tiktok_pushes',
        sa.Column('notification_id', sa.String(length=128), nullable=False),
        sa.Column('type', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.String(length=64), nullable=True),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('processed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('notification_id', name=op.f('pk_tiktok_pushes')),
    )
    op.create_index('ix_tiktok_pushes_pending', 'tiktok_pushes',
                    ['processed_at', 'received_at'], unique=False)
    with op.batch_alter_table('authorizations') as batch:
        batch.add_column(sa.Column('expiry_noticed_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('authorizations') as batch:
        batch.drop_column('expiry_noticed_at')
    op.drop_index('ix_tiktok_pushes_pending', table_name='tiktok_pushes')
    op.drop_table('tiktok_pushes')
