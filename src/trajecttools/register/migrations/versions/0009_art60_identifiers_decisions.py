"""clients.national_register_number; placements.user_organisation; the phase 3 decision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 05:35:00

For the art. 60§7 route (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”): the Belgian
rijksregisternummer beside the BSN (stored only where the register switched it on); the user
organisation of an art. 60§7 placement (terbeschikkingstelling), apart from the employer (the
OCMW); and the decision recorded with a phase change (regular work or art. 60§7) with its
reason. Existing rows keep these empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_register_number', sa.String(length=11),
                                      nullable=True))
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_organisation', sa.String(length=160), nullable=True))
    with op.batch_alter_table('phase_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('phase_events', schema=None) as batch_op:
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('decision')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('user_organisation')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('national_register_number')
