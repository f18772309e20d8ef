"""placements.promised_contract_months: the employer's promise of a contract afterwards

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 05:40:00

“Traject Work-2-Gether”: with wage subsidy the client works 'op proef', and against that stands
“de belofte van een arbeidsovereenkomst voor minimaal 6 maanden zonder proeftijd”. The promise
is recorded on the placement as the months of the promised contract (without trial period).
Existing rows: the promise was never recorded and stays empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promised_contract_months', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('promised_contract_months')
