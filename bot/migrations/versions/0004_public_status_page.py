"""public status page: components, publications, Statuspage mirror ids

Revision ID: 0004
Revises: 0006
Create Date: 2026-11-30 16:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, bot.store.models.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        'public_component',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('names', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('removed', sa.Boolean(), nullable=False),
        _when('created_at'),
        _when('updated_at'),
        sa.Column('remote_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('remote_status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_table(
        'publication',
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        _when('published_at'),
        sa.Column('components', sa.JSON(), nullable=False),
        sa.Column('postmortem', sa.JSON(), nullable=False),
        _when('postmortem_at'),
        _when('changed_at'),
        sa.Column('remote_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('remote_sent', sa.JSON(), nullable=False),
        sa.Column('mirror_error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        _when('mirror_lease'),
        sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('incident_id'),
    )
    op.create_table(
        'remote_update',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('remote_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('sent', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('remote_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_update_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('remote_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_update_incident_id'))
    op.drop_table('remote_update')
    op.drop_table('publication')
    op.drop_table('public_component')
