"""setup holder: which process holds a declare's setup lease; the command inbox

Revision ID: 0003
Revises: 0004
Create Date: 2026-11-30 16:05:00
"""
from alembic import op
import sqlalchemy as sa

import bot.store.models


revision = '0003'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('setup_holder', sa.String(length=120), nullable=True))
    op.create_table(
        'command_inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trigger_id', sa.String(length=100), nullable=False),
        sa.Column('user_id', sa.String(length=40), nullable=False),
        sa.Column('channel_id', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('response_url', sa.String(length=500), nullable=False),
        sa.Column('received_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('done_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('trigger_id'),
    )
    op.create_index(op.f('ix_command_inbox_received_at'), 'command_inbox', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_command_inbox_received_at'), table_name='command_inbox')
    op.drop_table('command_inbox')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('setup_holder')
