"""covering indexes for the read paths (cases frame, signals)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:10:00

The cases frame and the signals engine aggregate the history tables per trajectory ("latest
per trajectory", "first intake"). These composite indexes let the database answer those
queries from the index alone instead of scanning and sorting whole tables.
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: index name -> (table, columns); the same indexes are declared in trajecttools.core.model.
INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_contacts_trajectory_held_kind": ("contacts", ["trajectory_id", "held_on", "kind"]),
    "ix_phase_events_trajectory_started": (
        "phase_events", ["trajectory_id", "started_on", "phase"]
    ),
    "ix_coach_assignments_trajectory_at": (
        "coach_assignments", ["trajectory_id", "assigned_at", "coach_id"]
    ),
    "ix_ladder_steps_trajectory_assessed": (
        "ladder_steps", ["trajectory_id", "assessed_on", "rung"]
    ),
    "ix_zrm_assessments_trajectory_assessed": ("zrm_assessments", ["trajectory_id", "assessed_on"]),
    "ix_placements_trajectory_start": ("placements", ["trajectory_id", "start_on"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
