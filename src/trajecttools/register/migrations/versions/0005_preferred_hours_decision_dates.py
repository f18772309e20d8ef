"""clients.preferred_hours; a date per step of a match decision

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:10:00

Clients get the hours a week they wish to work as a number (matching read it from the free-text
wish before). Match decisions get ``proposed_on`` and ``introduced_on`` beside ``decided_on``
(the date of the latest step). Existing rows: the date of the step they are in is copied from
``decided_on``; dates of earlier steps were never recorded and stay empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_hours', sa.Integer(), nullable=True))
    with op.batch_alter_table('match_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('introduced_on', sa.Date(), nullable=True))
    op.execute("UPDATE match_decisions SET proposed_on = decided_on WHERE status = 'proposed'")
    op.execute(
        "UPDATE match_decisions SET introduced_on = decided_on WHERE status = 'introduced'"
    )


def downgrade() -> None:
    with op.batch_alter_table('match_decisions', schema=None) as batch_op:
        batch_op.drop_column('introduced_on')
        batch_op.drop_column('proposed_on')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('preferred_hours')
