"""OAuth states: random, single use, bound to a tenant, expiring

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:45:00
"""
import sqlalchemy as sa
from alembic import op

from jobs.warehouse.types import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'oauth_states',
        sa.Column('state', sa.String(length=64), nullable=False),
        sa.Column('tenant_id', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('state', name=op.f('pk_oauth_states')),
    )


def downgrade() -> None:
    op.drop_table('oauth_states')
