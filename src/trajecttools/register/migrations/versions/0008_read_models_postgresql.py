"""read models on PostgreSQL: the writing transaction in the change log, the model's snapshot

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:30:00

On PostgreSQL concurrent writers commit in any order, so the change log's ``seq`` cannot say
which changes a stored model has seen. Each log row gets the writing transaction's id (``tx``)
and each model the snapshot it was built from (``snapshot``); the statement triggers in
PL/pgSQL (``trajecttools.register.changes.pg_trigger_sql``) are installed here. SQLite keeps
its row triggers and leaves both columns empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trajecttools.register import changes

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('read_model_changes', sa.Column('tx', sa.BigInteger(), nullable=True))
    op.add_column('read_models', sa.Column('snapshot', sa.Text(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        changes.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        changes.drop_triggers(bind)
        bind.exec_driver_sql('DELETE FROM read_models')
    with op.batch_alter_table('read_models') as batch:
        batch.drop_column('snapshot')
    with op.batch_alter_table('read_model_changes') as batch:
        batch.drop_column('tx')
