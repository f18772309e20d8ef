"""clients.left_school_on: the day a young client left school

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:40:00

The outcome measures count the time to first work also from leaving school for young people
("Duurzaam werk niet voor iedereen vanzelfsprekend": their first job comes later). Existing
clients get no date (unknown); the registration form and the client import fill it.
A plain ``ADD COLUMN`` (no table rebuild), so the read-model triggers on ``clients`` stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trajecttools.register import changes

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('clients', sa.Column('left_school_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('left_school_on')
    changes.install(op.get_bind())  # the rebuilt table lost its read-model triggers
