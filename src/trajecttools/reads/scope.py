"""What a role may see of the register's frames: rows narrowed to a caseload, columns pseudonymised.

The roles themselves (who is coach, team lead, analyst ...) are resolved in
:mod:`trajecttools.register.access`; this module applies them to frames.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from trajecttools.core import privacy
from trajecttools.core.names import initials
from trajecttools.reads import frames
from trajecttools.register.access import Access
from trajecttools.register.sql import read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Tables that describe the organisation, not a client: not narrowed to a caseload.
REFERENCE_TABLES = frozenset(
    {"teams", "coaches", "case_managers", "employers", "vacancies", "register_info"}
)


def trajectory_ids(store: Store, access: Access) -> set[int] | None:
    """Return the trajectories this role may see rows of (None: all of them)."""
    if access.role == "coach":
        rows = read_sql(
            store, "SELECT id FROM trajectories WHERE coach_id = :c", c=access.coach_id
        )
    elif access.role == "team_lead":
        rows = read_sql(
            store,
            "SELECT t.id FROM trajectories t JOIN coaches c ON c.id = t.coach_id "
            "WHERE c.team_id = :t",
            t=access.team_id,
        )
    else:
        return None
    return {int(i) for i in rows["id"]}


def _rows_in_scope(store: Store, name: str, df: pd.DataFrame, ids: set[int]) -> pd.Series:
    if name in ("trajectories",):
        return df["id"].isin(ids)
    if "trajectory_id" in df.columns:
        return df["trajectory_id"].isin(ids)
    if name == "cases":
        return df["trajectory_id"].isin(ids)
    traj = read_sql(store, "SELECT id, client_id FROM trajectories")
    clients = set(traj.loc[traj["id"].isin(ids), "client_id"].astype(int))
    if name == "clients":
        return df["id"].isin(clients)
    if "client_id" in df.columns:
        return df["client_id"].isin(clients)
    if name == "referrals":
        barriers = read_sql(store, "SELECT id, trajectory_id FROM barriers")
        mine = set(barriers.loc[barriers["trajectory_id"].isin(ids), "id"].astype(int))
        return df["barrier_id"].isin(mine)
    return pd.Series(False, index=df.index)


def scope_frame(store: Store, access: Access, name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return the part of frame ``name`` (a table or ``"cases"``) that ``access`` may see."""
    role = access.role
    if role in ("beheer", "trainer"):
        return df
    if name == "audit_log":
        return privacy.pseudonymise_frame(name, df)  # old -> new values only for beheer
    if role == "analyst":
        return privacy.pseudonymise_frame(name, df)
    if name in REFERENCE_TABLES:
        return df
    ids = trajectory_ids(store, access) or set()
    out = df[_rows_in_scope(store, name, df, ids)].reset_index(drop=True)
    if role == "coach":
        return out
    # team lead: meeting level (pseudonym code + initials), details only via open_case
    if name == "cases":
        return out
    if name == "clients" and {"given_name", "family_name"} <= set(out.columns):
        out = out.copy()
        out.insert(2, "initials", initials(out["given_name"], out["family_name"]))
    out = privacy.pseudonymise_frame(name, out, keep_initials=True)
    return out


def rows(store: Store, df: pd.DataFrame, column: str = "trajectory_id") -> pd.DataFrame:
    """Return the rows of a per-trajectory frame (signals, case states) that the store's user
    may see: a coach their own cases, a team lead the team's, other roles every row."""
    ids = trajectory_ids(store, store.access)
    if ids is None or df.empty:
        return df
    return df[df[column].astype("Int64").isin(ids).fillna(False)].reset_index(drop=True)


def frame(store: Store, name: str) -> pd.DataFrame:
    """Return one table as the store's user may see it, with real dtypes."""
    return scope_frame(store, store.access, name, frames.entity_frame(store, name))


def cases(store: Store, as_of: dt.date | None = None) -> pd.DataFrame:
    """Return the wide ``cases`` frame (one row a trajectory) as the store's user may see it."""
    return scope_frame(store, store.access, "cases", frames.cases(store, as_of or store.today))


__all__ = ["REFERENCE_TABLES", "cases", "frame", "rows", "scope_frame", "trajectory_ids"]
