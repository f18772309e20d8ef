"""Opening one case in full: only within the role's caseload, and always logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from trajecttools.core.model import ENTITIES, Base
from trajecttools.reads.frames import apply_dtypes
from trajecttools.reads.scope import trajectory_ids
from trajecttools.register.access import Access, AccessDenied
from trajecttools.register.sql import read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store


def open_case(store: Store, access: Access, trajectory_id: int) -> dict[str, pd.DataFrame]:
    """Return every row of one case, in full, after logging that ``access``'s user opened it."""
    if access.role == "analyst":
        raise AccessDenied(
            "Een analist ziet alleen gepseudonimiseerde gegevens; open geen dossiers."
        )
    allowed = trajectory_ids(store, access)
    if allowed is not None and trajectory_id not in allowed:
        whose = "caseload" if access.role == "coach" else "team"
        raise AccessDenied(
            f"Traject {trajectory_id} hoort niet bij uw {whose}; u kunt het niet openen."
        )
    with store.transaction() as tx:
        tx.get("trajectories", trajectory_id)  # NotFoundError for an unknown case
        tx.record_access("trajectories", trajectory_id)
    access.opened.add(trajectory_id)
    client_id = int(
        read_sql(store, "SELECT client_id FROM trajectories WHERE id = :t", t=trajectory_id)[
            "client_id"
        ].iloc[0]
    )
    out: dict[str, pd.DataFrame] = {}
    for name, table in Base.metadata.tables.items():
        if name not in ENTITIES:  # derived read models, not register data
            continue
        if name == "trajectories":
            where, key = "id = :k", trajectory_id
        elif "trajectory_id" in table.c:
            where, key = "trajectory_id = :k", trajectory_id
        elif name == "clients":
            where, key = "id = :k", client_id
        elif "client_id" in table.c:
            where, key = "client_id = :k", client_id
        elif name == "referrals":
            where = "barrier_id IN (SELECT id FROM barriers WHERE trajectory_id = :k)"
            key = trajectory_id
        else:
            continue  # organisation tables and the audit log are not part of a case
        df = read_sql(store, f'SELECT * FROM "{name}" WHERE {where} ORDER BY id', k=key)
        out[name] = apply_dtypes(store, name, df)
    return out


__all__ = ["open_case"]
