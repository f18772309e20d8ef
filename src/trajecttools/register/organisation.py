"""The organisation in the register: teams, coaches, case managers and users with their role.

Only the functional administrator (role ``beheer``) changes the organisation; every change is one
transaction and audited. Functions taking a :class:`~trajecttools.register.transactions.Tx`
(``create_team``, ``create_coach``, ``put_user`` …) write inside a transaction someone else
opened (an import of a whole file); the others open their own.

Coaches carry an ``active`` flag in their table. Teams and case managers have none: their
deactivation is a register fact (``register_info`` key ``inactive:teams:<id>`` or
``inactive:case_managers:<id>``, value the date), so no schema change was needed. A user is a
login mapped to a role (``user:<login>``, see :mod:`trajecttools.register.access`); a deactivated
user's mapping becomes ``inactive`` and opening the register as that user is refused.

Deactivating a coach with open cases is refused unless another (active) coach takes them over:
each case then gets a coach change (:meth:`Tx.assign_coach`, audited) in the same transaction,
so no case is ever left without a coach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, select

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord, TrajecttoolsError
from trajecttools.core.model import CaseManager, Coach, SchemaInfo, Team, Trajectory
from trajecttools.register.access import INACTIVE, ROLES, USER_KEY, AccessDenied, parse_role
from trajecttools.register.transactions import Tx

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Prefix of the register facts that mark a team or case manager inactive.
INACTIVE_KEY = "inactive:"
#: Why a case changed coach when its coach was deactivated (stored with the assignment).
HAND_OVER_REASON = "overdracht: jobcoach {code} gedeactiveerd"


class OpenCasesError(TrajecttoolsError):
    """A coach still has open cases and nobody was named to take them over; nothing changed."""

    def __init__(self, code: str, count: int, others: list[str]) -> None:
        self.code, self.count, self.others = code, count, others
        cases = "open traject" if count == 1 else "open trajecten"
        choice = (f" Actieve jobcoaches: {', '.join(others)}." if others
                  else " Voeg eerst een andere jobcoach toe.")
        super().__init__(
            f"Jobcoach {code} heeft nog {count} {cases}; niet gedeactiveerd. Draag ze over aan "
            f"een andere jobcoach.{choice}"
        )


@dataclass
class Deactivated:
    """What a deactivation did: which record, and which cases went to which coach."""

    what: str
    name: str
    handed_over: list[int] = field(default_factory=list)
    to: str | None = None
    already: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return the Dutch one-line account of the deactivation."""
        if self.already:
            return f"{self.what} {self.name} was al gedeactiveerd; niets gewijzigd."
        text = f"{self.what} {self.name} is gedeactiveerd."
        if self.handed_over:
            n = len(self.handed_over)
            cases = "open traject" if n == 1 else "open trajecten"
            text += f" {n} {cases} overgedragen aan {self.to}."
        return " ".join([text, *self.notes])


def require_beheer(store: Store, action: str) -> None:
    """Refuse (Dutch :class:`AccessDenied`) unless the store's role is ``beheer``."""
    if store.role != "beheer":
        label = ROLES.get(store.role, store.role)
        raise AccessDenied(
            f"Alleen de rol functioneel beheerder (beheer) mag {action}; uw rol is {label}."
        )


@contextmanager
def _change(store: Store, action: str, actor: str | None) -> Iterator[Tx]:
    require_beheer(store, action)
    with store.transaction(actor) as tx:
        yield tx


def _problem(record: str, fld: str, label: str, message: str) -> InvalidRecord:
    return InvalidRecord(record, [FieldProblem(fld, label, message)])


def _known(values: list[str]) -> str:
    return ", ".join(values) if values else "(nog geen)"


# -- lookups inside a transaction -----------------------------------------------------------
def find_team(tx: Tx, name: str, *, fld: str = "team_id", label: str = "Team",
              record: str = "Jobcoach") -> Team:
    """Return the team with this name (case-insensitive); a Dutch error names the known ones."""
    text = str(name).strip()
    team = tx.session.execute(
        select(Team).where(func.lower(Team.name) == text.lower())
    ).scalar()
    if team is None:
        known = list(tx.session.execute(select(Team.name).order_by(Team.name)).scalars())
        raise _problem(record, fld, label, f"onbekend team '{text}'; bekend zijn: {_known(known)}")
    return team


def find_coach(tx: Tx, code: str, *, fld: str = "code", label: str = "Code",
               record: str = "Jobcoach") -> Coach:
    """Return the coach with this code (case-insensitive); a Dutch error names the known ones."""
    text = str(code).strip()
    coach = tx.session.execute(
        select(Coach).where(func.lower(Coach.code) == text.lower())
    ).scalar()
    if coach is None:
        known = list(tx.session.execute(select(Coach.code).order_by(Coach.code)).scalars())
        raise _problem(record, fld, label,
                       f"onbekende jobcoach '{text}'; bekend zijn: {_known(known)}")
    return coach


def _inactive(tx: Tx, entity: str, entity_id: int) -> SchemaInfo | None:
    key = f"{INACTIVE_KEY}{entity}:{entity_id}"
    return tx.session.execute(select(SchemaInfo).where(SchemaInfo.key == key)).scalar()


def _set_info(tx: Tx, key: str, value: str) -> None:
    row = tx.session.execute(select(SchemaInfo).where(SchemaInfo.key == key)).scalar()
    if row is None:
        tx.session.add(SchemaInfo(key=key, value=value))
        tx.log("create", "register_info", None, key, None, value)
    elif row.value != value:
        tx.log("update", "register_info", row.id, key, row.value, value)
        row.value = value


# -- writes inside a transaction ------------------------------------------------------------
def create_team(tx: Tx, name: str, region: str | None = None, *, row: int | None = None) -> int:
    """Add a team in ``tx``; a name already taken (any case) is refused in Dutch."""
    clean = validation.validate("teams", {"name": name, "region": region}, row=row)
    taken = tx.session.execute(
        select(Team.name).where(func.lower(Team.name) == clean["name"].lower())
    ).scalar()
    if taken is not None:
        raise InvalidRecord("Team", [FieldProblem("name", "Teamnaam",
                                                  f"team '{taken}' bestaat al")], row=row)
    return tx.add("teams", clean, row=row)


def create_coach(
    tx: Tx,
    code: str,
    name: str,
    team: str | None = None,
    *,
    active: bool = True,
    row: int | None = None,
) -> int:
    """Add a coach in ``tx`` (team by name); a code already taken (any case) is refused."""
    values = {"code": code, "name": name, "team_id": None, "active": active}
    clean = validation.validate("coaches", values, row=row)
    problems = []
    taken = tx.session.execute(
        select(Coach.code, Coach.name).where(func.lower(Coach.code) == clean["code"].lower())
    ).first()
    if taken is not None:
        problems.append(FieldProblem(
            "code", "Code", f"'{clean['code']}' bestaat al (jobcoach {taken.name})"))
    if team is not None and str(team).strip():
        try:
            found = find_team(tx, team)
        except InvalidRecord as exc:
            problems += exc.problems
        else:
            if _inactive(tx, "teams", found.id) is not None:
                problems.append(FieldProblem("team_id", "Team",
                                             f"team '{found.name}' is gedeactiveerd"))
            clean["team_id"] = found.id
    if problems:
        raise InvalidRecord("Jobcoach", problems, row=row)
    return tx.add("coaches", clean, row=row)


def create_case_manager(tx: Tx, name: str, organisation: str, *, row: int | None = None) -> int:
    """Add a case manager in ``tx``; the same name at the same organisation is refused."""
    clean = validation.validate("case_managers", {"name": name, "organisation": organisation},
                                row=row)
    taken = tx.session.execute(
        select(CaseManager.id).where(
            func.lower(CaseManager.name) == clean["name"].lower(),
            func.lower(CaseManager.organisation) == clean["organisation"].lower(),
        )
    ).scalar()
    if taken is not None:
        raise InvalidRecord("Casemanager", [FieldProblem(
            "name", "Naam", f"'{clean['name']}' van {clean['organisation']} bestaat al")], row=row)
    return tx.add("case_managers", clean, row=row)


def check_login(login: str) -> str:
    """Return a login name trimmed; empty, too long or with spaces raises a Dutch error."""
    text = str(login or "").strip()
    problem = None
    if not text:
        problem = "is verplicht"
    elif any(c.isspace() for c in text):
        problem = "mag geen spaties bevatten"
    elif len(text) > 60 - len(USER_KEY):
        problem = f"is te lang (hoogstens {60 - len(USER_KEY)} tekens)"
    if problem:
        raise InvalidRecord("Gebruiker", [FieldProblem("login", "Gebruikersnaam", problem)])
    return text


def check_role(tx: Tx, login: str, role: str) -> str:
    """Return the role string normalised; an unknown role, coach or team raises a Dutch error."""
    try:
        name, scope = parse_role(str(role or ""), source="Rol")
    except AccessDenied as exc:
        message = str(exc).removeprefix("Rol: ").rstrip(".")
        raise InvalidRecord("Gebruiker", [FieldProblem("role", "Rol", message)]) from None
    if name == "coach":
        coach = find_coach(tx, scope or login, fld="role", label="Rol", record="Gebruiker")
        if not coach.active:
            raise InvalidRecord("Gebruiker", [FieldProblem(
                "role", "Rol", f"jobcoach '{coach.code}' is gedeactiveerd")])
        return f"coach:{coach.code}"
    if name == "team_lead":
        if scope is None:
            raise InvalidRecord("Gebruiker", [FieldProblem(
                "role", "Rol", "geef het team: team_lead:TEAMNAAM")])
        team = find_team(tx, scope, fld="role", label="Rol", record="Gebruiker")
        return f"team_lead:{team.name}"
    if scope is not None:
        raise InvalidRecord("Gebruiker", [FieldProblem(
            "role", "Rol", f"rol '{name}' heeft geen deel na de dubbele punt ('{scope}')")])
    return name


def put_user(tx: Tx, login: str, role: str) -> tuple[str, str | None]:
    """Map a login to a role in ``tx``; return (the stored role, the previous one or None)."""
    user = check_login(login)
    stored = check_role(tx, user, role)
    key = f"{USER_KEY}{user}"
    old = tx.session.execute(select(SchemaInfo.value).where(SchemaInfo.key == key)).scalar()
    _set_info(tx, key, stored)
    return stored, old


def hand_over(tx: Tx, coach: Coach, to: Coach) -> list[int]:
    """Give every open case of ``coach`` to ``to`` (a coach change each, audited); their ids."""
    if to.id == coach.id:
        raise InvalidRecord("Jobcoach", [FieldProblem(
            "hand_over_to", "Overdragen aan", "kies een andere jobcoach dan de te deactiveren")])
    if not to.active:
        raise InvalidRecord("Jobcoach", [FieldProblem(
            "hand_over_to", "Overdragen aan", f"jobcoach '{to.code}' is gedeactiveerd")])
    ids = list(tx.session.execute(
        select(Trajectory.id).where(Trajectory.coach_id == coach.id,
                                    Trajectory.closed_on.is_(None)).order_by(Trajectory.id)
    ).scalars())
    for tid in ids:
        tx.assign_coach(tid, to.id, reason=HAND_OVER_REASON.format(code=coach.code))
    return ids


# -- the store-level operations (beheer only) -----------------------------------------------
def add_team(store: Store, name: str, region: str | None = None, *,
             actor: str | None = None) -> int:
    """Add a team; return its id."""
    with _change(store, "teams toevoegen", actor) as tx:
        return create_team(tx, name, region)


def add_coach(store: Store, code: str, name: str, team: str | None = None, *,
              active: bool = True, actor: str | None = None) -> int:
    """Add a coach (team by its name); return the coach's id."""
    with _change(store, "jobcoaches toevoegen", actor) as tx:
        return create_coach(tx, code, name, team, active=active)


def add_case_manager(store: Store, name: str, organisation: str, *,
                     actor: str | None = None) -> int:
    """Add a case manager of an organisation (municipality, UWV, OCMW); return the id."""
    with _change(store, "casemanagers toevoegen", actor) as tx:
        return create_case_manager(tx, name, organisation)


def set_user(store: Store, login: str, role: str, *,
             actor: str | None = None) -> tuple[str, str | None]:
    """Map a login to a role (``coach:CODE``, ``team_lead:TEAM``, ``analyst``, ``beheer``).

    Returns the stored role and the previous mapping (None for a new user).
    """
    with _change(store, "gebruikers en rollen instellen", actor) as tx:
        return put_user(tx, login, role)


def open_cases(store: Store, code: str) -> int:
    """Return how many open (not closed) trajectories the coach with this code has."""
    with store.sessions() as session:
        return int(session.execute(
            select(func.count()).select_from(Trajectory).join(
                Coach, Coach.id == Trajectory.coach_id
            ).where(func.lower(Coach.code) == str(code).strip().lower(),
                    Trajectory.closed_on.is_(None))
        ).scalar_one())


def deactivate_coach(store: Store, code: str, *, hand_over_to: str | None = None,
                     actor: str | None = None) -> Deactivated:
    """Deactivate a coach; open cases go to ``hand_over_to`` (else refused, nothing changed)."""
    with _change(store, "jobcoaches deactiveren", actor) as tx:
        coach = find_coach(tx, code)
        done = Deactivated("Jobcoach", f"{coach.code} ({coach.name})")
        count = tx.session.execute(
            select(func.count()).select_from(Trajectory).where(
                Trajectory.coach_id == coach.id, Trajectory.closed_on.is_(None))
        ).scalar_one()
        if count and hand_over_to is None:
            others = [f"{c.code} ({c.name})" for c in tx.session.execute(
                select(Coach).where(Coach.active.is_(True), Coach.id != coach.id)
                .order_by(Coach.code)).scalars()]
            raise OpenCasesError(coach.code, int(count), others)
        if hand_over_to is not None:
            other = find_coach(tx, hand_over_to, fld="hand_over_to", label="Overdragen aan")
            done.handed_over = hand_over(tx, coach, other)
            done.to = f"{other.code} ({other.name})"
        if not coach.active:
            done.already = not done.handed_over
            return done
        tx.update("coaches", coach.id, {"active": False}, expected_version=coach.version)
        users = [
            key.removeprefix(USER_KEY) for key, value in tx.session.execute(
                select(SchemaInfo.key, SchemaInfo.value).where(SchemaInfo.key.like(f"{USER_KEY}%"))
            ) if value.lower() == f"coach:{coach.code.lower()}"
        ]
        if users:
            done.notes.append(
                f"Let op: gebruiker {', '.join(users)} heeft nog de rol coach:{coach.code}; "
                "deactiveer die gebruiker of geef een andere rol.")
        return done


def _mark_inactive(tx: Tx, entity: str, record_id: int, done: Deactivated) -> Deactivated:
    if _inactive(tx, entity, record_id) is not None:
        done.already = True
    else:
        _set_info(tx, f"{INACTIVE_KEY}{entity}:{record_id}", tx.today.isoformat())
    return done


def deactivate_team(store: Store, name: str, *, actor: str | None = None) -> Deactivated:
    """Deactivate a team (refused while it has active coaches)."""
    with _change(store, "teams deactiveren", actor) as tx:
        team = find_team(tx, name, fld="name", label="Teamnaam", record="Team")
        active = tx.session.execute(
            select(Coach.code).where(Coach.team_id == team.id, Coach.active.is_(True))
            .order_by(Coach.code)).scalars().all()
        if active:
            raise InvalidRecord("Team", [FieldProblem(
                "name", "Teamnaam",
                f"team '{team.name}' heeft nog {len(active)} actieve "
                f"{'jobcoach' if len(active) == 1 else 'jobcoaches'} ({', '.join(active)}); "
                "deactiveer die eerst of geef ze een ander team")])
        return _mark_inactive(tx, "teams", team.id, Deactivated("Team", team.name))


def deactivate_case_manager(store: Store, name: str, organisation: str | None = None, *,
                            actor: str | None = None) -> Deactivated:
    """Deactivate a case manager by name (and organisation when the name is not unique)."""
    with _change(store, "casemanagers deactiveren", actor) as tx:
        query = select(CaseManager).where(
            func.lower(CaseManager.name) == str(name).strip().lower())
        if organisation:
            query = query.where(
                func.lower(CaseManager.organisation) == organisation.strip().lower())
        found = list(tx.session.execute(query).scalars())
        if not found:
            known = list(tx.session.execute(
                select(CaseManager.name).order_by(CaseManager.name)).scalars())
            raise _problem("Casemanager", "name", "Naam", f"onbekende casemanager "
                           f"'{str(name).strip()}'; bekend zijn: {_known(known)}")
        if len(found) > 1:
            orgs = ", ".join(sorted(cm.organisation for cm in found))
            raise _problem("Casemanager", "organisation", "Organisatie",
                           f"'{str(name).strip()}' bestaat bij meer organisaties ({orgs}); geef "
                           "de organisatie op")
        cm = found[0]
        return _mark_inactive(tx, "case_managers", cm.id,
                              Deactivated("Casemanager", f"{cm.name} ({cm.organisation})"))


def deactivate_user(store: Store, login: str, *, actor: str | None = None) -> Deactivated:
    """Deactivate a user: opening the register under this login is refused from now on."""
    user = check_login(login)
    with _change(store, "gebruikers deactiveren", actor) as tx:
        key = f"{USER_KEY}{user}"
        old = tx.session.execute(select(SchemaInfo.value).where(SchemaInfo.key == key)).scalar()
        if old is None:
            raise InvalidRecord("Gebruiker", [FieldProblem(
                "login", "Gebruikersnaam", f"onbekende gebruiker '{user}'")])
        done = Deactivated("Gebruiker", user, already=old == INACTIVE)
        _set_info(tx, key, INACTIVE)
        return done


# -- lists -----------------------------------------------------------------------------------
def _inactive_since(store: Store, entity: str) -> dict[int, dt.date]:
    prefix = f"{INACTIVE_KEY}{entity}:"
    return {int(k.removeprefix(prefix)): dt.date.fromisoformat(v)
            for k, v in store.info().items() if k.startswith(prefix)}


def teams_frame(store: Store) -> pd.DataFrame:
    """Return the teams: id, name, region, number of active coaches, active."""
    with store.sessions() as session:
        teams = session.execute(select(Team.id, Team.name, Team.region).order_by(Team.name)).all()
        counts = dict(session.execute(
            select(Coach.team_id, func.count()).where(Coach.active.is_(True))
            .group_by(Coach.team_id)).all())
    off = _inactive_since(store, "teams")
    return pd.DataFrame(
        [{"id": t.id, "name": t.name, "region": t.region, "coaches": int(counts.get(t.id, 0)),
          "active": t.id not in off} for t in teams],
        columns=["id", "name", "region", "coaches", "active"])


def coaches_frame(store: Store) -> pd.DataFrame:
    """Return the coaches: id, code, name, team, active, number of open cases."""
    with store.sessions() as session:
        rows = session.execute(
            select(Coach.id, Coach.code, Coach.name, Team.name.label("team"), Coach.active,
                   Coach.version)
            .outerjoin(Team, Team.id == Coach.team_id).order_by(Coach.code)).all()
        counts = dict(session.execute(
            select(Trajectory.coach_id, func.count()).where(Trajectory.closed_on.is_(None))
            .group_by(Trajectory.coach_id)).all())
    return pd.DataFrame(
        [{"id": r.id, "code": r.code, "name": r.name, "team": r.team, "active": bool(r.active),
          "open_cases": int(counts.get(r.id, 0)), "version": r.version} for r in rows],
        columns=["id", "code", "name", "team", "active", "open_cases", "version"])


def case_managers_frame(store: Store) -> pd.DataFrame:
    """Return the case managers: id, name, organisation, active."""
    with store.sessions() as session:
        rows = session.execute(select(CaseManager.id, CaseManager.name, CaseManager.organisation)
                               .order_by(CaseManager.organisation, CaseManager.name)).all()
    off = _inactive_since(store, "case_managers")
    return pd.DataFrame(
        [{"id": r.id, "name": r.name, "organisation": r.organisation, "active": r.id not in off}
         for r in rows], columns=["id", "name", "organisation", "active"])


def users_frame(store: Store) -> pd.DataFrame:
    """Return the users: login, role (as stored), Dutch role label, active."""
    rows = []
    for key, value in sorted(store.info().items()):
        if not key.startswith(USER_KEY):
            continue
        role = value.partition(":")[0].strip()
        rows.append({"login": key.removeprefix(USER_KEY), "role": value,
                     "label": "gedeactiveerd" if value == INACTIVE else ROLES.get(role, role),
                     "active": value != INACTIVE})
    return pd.DataFrame(rows, columns=["login", "role", "label", "active"])


__all__ = [
    "HAND_OVER_REASON",
    "INACTIVE_KEY",
    "Deactivated",
    "OpenCasesError",
    "add_case_manager",
    "add_coach",
    "add_team",
    "case_managers_frame",
    "check_login",
    "check_role",
    "coaches_frame",
    "create_case_manager",
    "create_coach",
    "create_team",
    "deactivate_case_manager",
    "deactivate_coach",
    "deactivate_team",
    "deactivate_user",
    "find_coach",
    "find_team",
    "hand_over",
    "open_cases",
    "put_user",
    "require_beheer",
    "set_user",
    "teams_frame",
    "users_frame",
]
