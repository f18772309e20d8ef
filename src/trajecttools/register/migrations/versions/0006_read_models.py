"""read models: stored cases frame and signal inputs, kept current by triggers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:40:00

``read_models`` holds derived frames (the cases frame, the signals' inputs) as of the latest
data; ``read_model_changes`` lists the trajectories changed since, appended by triggers on every
table those frames read (SQLite only; PostgreSQL builds the frames from the tables as before).
A later migration that rebuilds one of those tables with ``batch_alter_table`` drops its
triggers: it must call ``trajecttools.register.changes.install`` again (``trajecttools check`` reports
missing triggers, and without them the read models are not used).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trajecttools.register import changes

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'read_model_changes',
        sa.Column('seq', sa.Integer(), nullable=False, autoincrement=True),
        sa.Column('trajectory_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_read_model_changes')),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'read_models',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('latest_on', sa.Date(), nullable=True),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_read_models')),
    )
    if op.get_bind().dialect.name == 'sqlite':  # PostgreSQL's triggers come with 0008
        changes.install(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        changes.drop_triggers(op.get_bind())
    op.drop_table('read_models')
    op.drop_table('read_model_changes')
