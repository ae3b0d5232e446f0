"""due work: reminders and deadlines stored as rows, claimed once by any replica; Home tab viewers

Revision ID: 0005
Revises: 0006
Create Date: 2026-11-30 15:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'due_work',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('due_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('lease_until', bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('done_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('due_work', schema=None) as batch_op:
        batch_op.create_index('ix_due_work_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_due_work_incident_id'), ['incident_id'], unique=False)
    op.create_table(
        'home_viewer',
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('opened_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade() -> None:
    op.drop_table('home_viewer')
    with op.batch_alter_table('due_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_work_incident_id'))
        batch_op.drop_index('ix_due_work_state_due')
    op.drop_table('due_work')
