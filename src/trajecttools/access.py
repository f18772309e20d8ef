"""Roles: who may see which rows and columns of the register's frames.

=============  ==============================================================================
role           what ``store.frame()`` / ``store.cases()`` return
=============  ==============================================================================
``analyst``    every row, pseudonymised (no names, BSN, contact details or notes; birth year,
               4-digit postcode). **The default** when no role is given or configured.
``coach``      only the coach's own cases (trajectories whose current coach is theirs), in full.
``team_lead``  only the team's cases, pseudonymised with initials (meeting level); details of
               one case only through :meth:`Store.open_case`, which is logged.
``trainer``    everything, but only in a register marked synthetic (``synthetic = true``);
               opening any other register is refused.
``beheer``     everything (functional administrator / privacy officer: audit, purge, full
               export). Must be asked for explicitly.
=============  ==============================================================================

The role comes from, in order: the ``role`` argument of :class:`~trajecttools.store.Store` /
:func:`trajecttools.open`; the register's user mapping (``register_info`` key ``user:<login>``,
value ``coach:<coach code>``, ``team_lead:<team name>``, ``analyst``, ...); the environment
variable ``TRAJECTTOOLS_ROLE``; else ``analyst``. A coach is found by their coach code (the
mapping's or else the login name); a team lead by the mapping's team name or else the team of
the coach whose code is the login name.

Roles guard against showing too much by accident in notebooks and dashboards; someone with the
database URL and its password can read every table. On a shared server give analysts and
trainers their own database login (see docs/deployment.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from trajecttools import privacy
from trajecttools.errors import TrajecttoolsError

if TYPE_CHECKING:
    from trajecttools.store import Store

ENV_ROLE = "TRAJECTTOOLS_ROLE"
DEFAULT_ROLE = "analyst"
ROLES: Mapping[str, str] = {
    "coach": "jobcoach",
    "team_lead": "teamleider",
    "analyst": "analist",
    "trainer": "trainer",
    "beheer": "functioneel beheerder",
}
#: Tables that describe the organisation, not a client: not narrowed to a caseload.
REFERENCE_TABLES = frozenset(
    {"teams", "coaches", "case_managers", "employers", "vacancies", "register_info"}
)
USER_KEY = "user:"


class AccessDenied(TrajecttoolsError):
    """The role does not allow this; nothing was shown or written."""


@dataclass
class Access:
    """The resolved role of one store: who, which role, which caseload."""

    role: str
    actor: str
    coach_id: int | None = None
    team_id: int | None = None
    opened: set[int] = field(default_factory=set)

    @property
    def label(self) -> str:
        """Dutch name of the role."""
        return ROLES[self.role]


def parse_role(value: str, *, source: str) -> tuple[str, str | None]:
    """Split ``"team_lead:Team Noord"`` into (role, scope); unknown roles raise a Dutch error."""
    role, _, scope = value.strip().partition(":")
    role = role.strip()
    if role not in ROLES:
        known = ", ".join(ROLES)
        raise AccessDenied(f"{source}: onbekende rol '{role}'; bekend zijn: {known}.")
    return role, (scope.strip() or None)


def resolve(
    store: Store, role: str | None, *, coach: str | None = None, team: str | None = None
) -> Access:
    """Work out the role, caseload and permission of ``store``'s user (see the module doc)."""
    info = store.info()
    scope: str | None = None
    if role is not None:
        role, scope = parse_role(role, source="Rol")
    elif f"{USER_KEY}{store.actor}" in info:
        role, scope = parse_role(
            info[f"{USER_KEY}{store.actor}"], source=f"Gebruiker {store.actor} in het register"
        )
    elif os.environ.get(ENV_ROLE):
        role, scope = parse_role(os.environ[ENV_ROLE], source=ENV_ROLE)
    else:
        role = DEFAULT_ROLE
    access = Access(role=role, actor=store.actor)
    if role == "trainer" and info.get("synthetic", "").lower() != "true":
        raise AccessDenied(
            "Een trainer mag alleen een synthetisch register (demodata) openen; dit register "
            "is niet als synthetisch gemarkeerd. Maak er een met 'trajecttools demo'."
        )
    if role == "coach":
        access.coach_id, _ = _coach(store, coach or scope or store.actor)
    elif role == "team_lead":
        access.team_id = _team(store, team or scope)
    return access


def _coach(store: Store, code: str) -> tuple[int, int | None]:
    from trajecttools.frames import read_sql

    found = read_sql(
        store, "SELECT id, team_id FROM coaches WHERE LOWER(code) = LOWER(:c)", c=code
    )
    if found.empty:
        raise AccessDenied(
            f"Rol jobcoach: er is geen jobcoach met code '{code}' in dit register; vraag de "
            "beheerder u als gebruiker te koppelen."
        )
    team = found["team_id"].iloc[0]
    return int(found["id"].iloc[0]), None if pd.isna(team) else int(team)


def _team(store: Store, name: str | None) -> int:
    from trajecttools.frames import read_sql

    if name is None:
        _, team_id = _coach(store, store.actor)
        if team_id is None:
            raise AccessDenied(
                f"Rol teamleider: jobcoach '{store.actor}' hoort bij geen team; geef het team op."
            )
        return team_id
    found = read_sql(store, "SELECT id FROM teams WHERE LOWER(name) = LOWER(:n)", n=name)
    if found.empty:
        raise AccessDenied(f"Rol teamleider: team '{name}' bestaat niet in dit register.")
    return int(found["id"].iloc[0])


def set_user_role(store: Store, login: str, role: str, *, actor: str | None = None) -> None:
    """Map a login name to a role (and caseload) in the register, e.g. ``coach:JB01`` (audited)."""
    parse_role(role, source="Rol")
    store.set_info(f"{USER_KEY}{login}", role, actor=actor)


# -- scoping frames --------------------------------------------------------------------------
def trajectory_ids(store: Store, access: Access) -> set[int] | None:
    """Return the trajectories this role may see rows of (None: all of them)."""
    from trajecttools.frames import read_sql

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
    from trajecttools.frames import read_sql

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
        from trajecttools.frames import initials

        out = out.copy()
        out.insert(2, "initials", initials(out["given_name"], out["family_name"]))
    out = privacy.pseudonymise_frame(name, out, keep_initials=True)
    return out


def open_case(store: Store, access: Access, trajectory_id: int) -> dict[str, pd.DataFrame]:
    """Return every row of one case, in full, after logging that ``access``'s user opened it."""
    from trajecttools.frames import apply_dtypes, read_sql
    from trajecttools.model import ENTITIES, Base

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
        tx._get("trajectories", trajectory_id)  # NotFoundError for an unknown case
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


__all__ = [
    "DEFAULT_ROLE",
    "ENV_ROLE",
    "ROLES",
    "Access",
    "AccessDenied",
    "open_case",
    "resolve",
    "scope_frame",
    "set_user_role",
]
