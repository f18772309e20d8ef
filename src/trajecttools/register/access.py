"""Roles: who may see which rows and columns of the register's frames.

=============  ==============================================================================
role           what ``ws.frame()`` / ``ws.cases()`` return (``ws = tt.open(...)``)
=============  ==============================================================================
``analyst``    every row, pseudonymised (no names, BSN, contact details or notes; birth year,
               4-digit postcode). **The default** when no role is given or configured.
``coach``      only the coach's own cases (trajectories whose current coach is theirs), in full.
``team_lead``  only the team's cases, pseudonymised with initials (meeting level); details of
               one case only through ``ws.open_case(id)``, which is logged.
``trainer``    everything, but only in a register marked synthetic (``synthetic = true``);
               opening any other register is refused.
``beheer``     everything (functional administrator / privacy officer: audit, purge, full
               export). Must be asked for explicitly.
=============  ==============================================================================

This module resolves the role; :mod:`trajecttools.reads.scope` applies it to frames and
:mod:`trajecttools.reads.case.opening` to opening a case. The role comes from, in order: the
``role`` argument of :class:`~trajecttools.register.store.Store` / :func:`trajecttools.open`;
the register's user mapping (``register_info`` key ``user:<login>``, value
``coach:<coach code>``, ``team_lead:<team name>``, ``analyst``, ...); the environment variable
``TRAJECTTOOLS_ROLE``; else ``analyst``. A coach is found by their coach code (the
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

import pandas as pd

from trajecttools.core.errors import TrajecttoolsError
from trajecttools.register.interfaces import Settings
from trajecttools.register.sql import read_sql

ENV_ROLE = "TRAJECTTOOLS_ROLE"
DEFAULT_ROLE = "analyst"
ROLES: Mapping[str, str] = {
    "coach": "jobcoach",
    "team_lead": "teamleider",
    "analyst": "analist",
    "trainer": "trainer",
    "beheer": "functioneel beheerder",
}
USER_KEY = "user:"
#: The user mapping of a deactivated user: opening the register as them is refused.
INACTIVE = "inactive"


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
    store: Settings, role: str | None, *, coach: str | None = None, team: str | None = None
) -> Access:
    """Work out the role, caseload and permission of ``store``'s user (see the module doc)."""
    info = store.info()
    scope: str | None = None
    if role is not None:
        role, scope = parse_role(role, source="Rol")
    elif info.get(f"{USER_KEY}{store.actor}") == INACTIVE:
        raise AccessDenied(
            f"Gebruiker {store.actor} is gedeactiveerd in dit register; vraag de functioneel "
            "beheerder om een rol."
        )
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


def _coach(store: Settings, code: str) -> tuple[int, int | None]:
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


def _team(store: Settings, name: str | None) -> int:
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


def set_user_role(store: Settings, login: str, role: str, *, actor: str | None = None) -> None:
    """Map a login name to a role (and caseload) in the register, e.g. ``coach:JB01`` (audited)."""
    parse_role(role, source="Rol")
    store.set_info(f"{USER_KEY}{login}", role, actor=actor)


__all__ = [
    "DEFAULT_ROLE",
    "ENV_ROLE",
    "INACTIVE",
    "ROLES",
    "USER_KEY",
    "Access",
    "AccessDenied",
    "parse_role",
    "resolve",
    "set_user_role",
]
