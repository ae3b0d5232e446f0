"""setup holder: which process holds a declare's setup lease

Revision ID: 0003
Revises: 0006
Create Date: 2026-11-30 16:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('setup_holder', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('setup_holder')
