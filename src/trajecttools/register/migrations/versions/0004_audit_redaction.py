"""audit rows that can be redacted; birth year of anonymised clients

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:05:00

Audit rows written from now on (``hash_version`` 2) chain the SHA-256 digests of their old and
new values instead of the values themselves, so the retention purge can remove names from old
rows (``old``/``new`` set to NULL, ``redacted_at`` set) while the chain stays verifiable. Rows
written before keep ``hash_version`` 1 and are verified as before. Anonymised clients keep only
their ``birth_year``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(
            sa.Column("hash_version", sa.SmallInteger(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("old_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("new_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("redacted_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("birth_year", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("birth_year")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("redacted_at")
        batch.drop_column("new_digest")
        batch.drop_column("old_digest")
        batch.drop_column("hash_version")
