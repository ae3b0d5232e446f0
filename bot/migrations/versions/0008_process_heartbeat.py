"""process heartbeat: each running process and its last beat; the Statuspage mirror's lease holder

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-30 19:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0008'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'process',
        sa.Column('identity', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('beat_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('identity'),
    )
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_beat_at'), ['beat_at'], unique=False)
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mirror_holder', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
    with op.batch_alter_table('due_work', schema=None) as batch_op:
        batch_op.alter_column('claimed_by', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=120), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('due_work', schema=None) as batch_op:
        batch_op.alter_column('claimed_by', existing_type=sqlmodel.sql.sqltypes.AutoString(length=120),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=64), existing_nullable=True)
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_column('mirror_holder')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_beat_at'))
    op.drop_table('process')
