"""The caseload kind: a client and their trajectory in one row, checked against the register.

A row names the client (``Klantnummer`` and the client's fields), the trajectory (method,
registration date, phase and phase date, coach, case manager) and its history (the date the plan
was signed, the date of the intake). The trajectory is recognised by its own number when the
file has a ``Trajectnummer`` column, otherwise by a key: client number and registration date by
default, or the fields of ``[options] key`` in the mapping (e.g. ``key = ["Klantnummer",
"Methode"]``). A known trajectory whose phase, coach, plan or intake date changed is rejected,
unless the import runs with ``update``: then the change is applied through the register's own
rules (a phase change the method allows, a coach change, a signed plan, an intake contact).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import func, select

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.method import Method
from trajecttools.core.model import (
    CaseManager,
    Client,
    Coach,
    Contact,
    Trajectory,
    TrajectoryPlan,
)
from trajecttools.outputs import export as exporter
from trajecttools.outputs.importer.conversion import (
    CONTROL,
    convert,
    same_value,
    text_columns,
    trajectory_defaults,
)
from trajecttools.outputs.importer.kinds import (
    CASELOAD_CLIENT,
    CASELOAD_DEFAULT_KEY,
    CASELOAD_LABELS,
    CASELOAD_TRAJECTORY,
    KIND_SPECS,
)
from trajecttools.outputs.importer.mapping import SourceMapping, field_names, source_columns
from trajecttools.outputs.importer.readers import Table, blank
from trajecttools.outputs.importer.result import ImportFileError, Prepared, Ticker, reject

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from trajecttools.register.store import Store

#: How many known coaches an "unknown coach" message lists.
_KNOWN_SHOWN = 12
_DATES = {"plan_signed_on": "date", "intake_on": "date"}
_CLIENT_BACK = {v: k for k, v in CASELOAD_CLIENT.items()}
_TRAJ_BACK = {v: k for k, v in CASELOAD_TRAJECTORY.items()}


@dataclass
class Case:
    """One checked caseload row: the client, the trajectory and its history to write."""

    number: int
    client_number: str
    client: dict[str, Any]
    client_id: int | None  # None: a client new in this file
    trajectory: dict[str, Any]
    coach_name: str | None  # a coach to create (``create_coaches``), by name
    plan_on: dt.date | None
    intake_on: dt.date | None
    trajectory_id: int | None = None  # a trajectory already in the register (update)
    changes: dict[str, Any] = field(default_factory=dict)  # what ``update`` applies
    cells: list[Any] = field(default_factory=list)


@dataclass
class CaseloadPlan:
    """A checked caseload file: new cases, updates, coaches to create and the bookkeeping."""

    prep: Prepared
    new: list[Case] = field(default_factory=list)
    updates: list[Case] = field(default_factory=list)
    new_coaches: dict[str, str] = field(default_factory=dict)  # casefolded name -> name
    methods: dict[str, Method] = field(default_factory=dict)  # the methods the rows use


def _label(name: str) -> str:
    return CASELOAD_LABELS.get(name, name)


def _ours(problems: list[FieldProblem], back: Mapping[str, str]) -> list[FieldProblem]:
    """Problems named by an entity's fields, renamed to the caseload's fields and labels."""
    out = []
    for p in problems:
        name = back.get(p.field, p.field)
        out.append(FieldProblem(name, CASELOAD_LABELS.get(name, p.label), p.message))
    return out


def _check(entity: str, values: dict[str, Any], today: dt.date) -> tuple[dict[str, Any] | None,
                                                                         list[FieldProblem]]:
    """Validate a record through its model (fast path); on failure, the worded problems."""
    try:
        model = validation.RECORDS[entity]
        return model.model_validate(values, context={"today": today}).model_dump(), []
    except ValidationError:
        try:
            validation.validate(entity, values, today=today)
        except InvalidRecord as exc:
            return None, list(exc.problems)
        raise


def _existing_trajectories(session: Session) -> list[dict[str, Any]]:
    """Every trajectory with its client number, plan date and first intake."""
    intake = (
        select(Contact.trajectory_id, func.min(Contact.held_on).label("intake_on"))
        .where(Contact.kind == "intake")
        .group_by(Contact.trajectory_id)
        .subquery()
    )
    query = (
        select(
            Trajectory.id,
            Trajectory.external_id,
            Trajectory.method,
            Trajectory.registered_at,
            Trajectory.phase,
            Trajectory.phase_since,
            Trajectory.coach_id,
            Trajectory.case_manager_id,
            Trajectory.outcome,
            Client.external_id.label("client_number"),
            TrajectoryPlan.signed_client_on.label("plan_on"),
            intake.c.intake_on,
        )
        .join(Client, Client.id == Trajectory.client_id)
        .outerjoin(TrajectoryPlan, TrajectoryPlan.trajectory_id == Trajectory.id)
        .outerjoin(intake, intake.c.trajectory_id == Trajectory.id)
    )
    return [dict(r) for r in session.execute(query).mappings()]


def _key(key_fields: tuple[str, ...], number: str | None, client_number: str,
         traj: Mapping[str, Any]) -> tuple[Any, ...]:
    """The identity of a trajectory: its number, or the key's fields."""
    if number is not None:
        return ("nr", number)
    parts: dict[str, Any] = {
        "client_number": client_number,
        "registered_at": traj["registered_at"].date(),
        "method": traj["method"],
    }
    return tuple(parts[f] for f in key_fields)


def _coach_index(session: Session) -> tuple[dict[str, int], list[str]]:
    """Coaches by casefolded code and name, and how they are listed in a message."""
    index: dict[str, int] = {}
    shown = []
    for cid, code, name in session.execute(
        select(Coach.id, Coach.code, Coach.name).order_by(Coach.name)
    ):
        index.setdefault(str(name).strip().casefold(), int(cid))
        index[str(code).strip().casefold()] = int(cid)
        shown.append(f"{name} ({code})")
    return index, shown


def _unknown_coach(name: str, shown: list[str]) -> str:
    if not shown:
        known = "er staan nog geen jobcoaches in het register"
    else:
        known = "bekend zijn: " + ", ".join(shown[:_KNOWN_SHOWN])
        if len(shown) > _KNOWN_SHOWN:
            known += f" en nog {len(shown) - _KNOWN_SHOWN}"
    return (f"onbekende jobcoach '{name}'; {known}. Voeg de jobcoach toe "
            "(trajecttools organisation coach add) of importeer met --create-coaches")


def _columns(table_in: Table, mapping: SourceMapping, prep: Prepared) -> list[tuple[int, str]]:
    """Which source column fills which caseload field; a field filled twice is refused."""
    seen = source_columns(table_in, mapping, field_names("caseload"), _label, prep.ignored)
    columns = [(i, target) for target, (i, _head) in seen.items()]
    present = set(seen) | set(mapping.defaults)
    for required in ("client_number", "registered_at", "method"):
        if required not in present:
            hint = (" of zet in de mapping onder [defaults] bv. method = \"opstapbaan\""
                    if required == "method" else "")
            raise ImportFileError(
                f"Bestand {table_in.name}: de kolom '{_label(required)}' ontbreekt{hint}; die is "
                "nodig om klant en traject te herkennen."
            )
    return columns


def _row_shape(prep: Prepared, number: int, cells: list[Any], width: int) -> bool:
    """Reject a row with too few or too many cells; return whether it was rejected."""
    if len(cells) < width:
        message = (f"heeft {len(cells)} van de {width} kolommen (afgebroken of verschoven "
                   "regel)")
    elif len(cells) > width and any(not blank(c) for c in cells[width:]):
        message = f"heeft meer waarden dan de {width} kolommen"
    else:
        return False
    reject(prep, number, [FieldProblem("", "Hele rij", message)], cells)
    return True


def _cross_checks(traj: Mapping[str, Any], plan_on: dt.date | None, intake_on: dt.date | None,
                  failed: set[str], today: dt.date) -> list[FieldProblem]:
    """Dates that cannot be: history before the registration or in the future."""
    problems = []
    registered = traj.get("registered_at")
    reg_day = registered.date() if isinstance(registered, dt.datetime) else None
    reg = _label("registered_at")
    for name, day in (("plan_signed_on", plan_on), ("intake_on", intake_on),
                      ("phase_since", traj.get("phase_since"))):
        if day is None or name in failed:
            continue
        if name != "phase_since" and day > today:
            problems.append(FieldProblem(name, _label(name), "mag niet in de toekomst liggen"))
        elif reg_day is not None and "registered_at" not in failed and day < reg_day:
            problems.append(FieldProblem(
                name, _label(name),
                f"{day:%d-%m-%Y} ligt vóór de {reg} ({reg_day:%d-%m-%Y}); dat kan niet"))
    return problems


def prepare_caseload(
    store: Store,
    session: Session,
    table_in: Table,
    mapping: SourceMapping,
    ticker: Ticker,
    *,
    create_coaches: bool = False,
    update: bool = False,
) -> CaseloadPlan:
    """Check every row of a caseload file against the register; nothing is written here."""
    prep = Prepared(read=len(table_in.rows) + len(table_in.broken), empty=table_in.empty)
    plan = CaseloadPlan(prep)
    spec = KIND_SPECS["caseload"]
    columns = _columns(table_in, mapping, prep)
    present = {f for _, f in columns} | set(mapping.defaults)
    by_number = "trajectory_number" in present
    key_fields: tuple[str, ...] = tuple(mapping.options.get("key") or CASELOAD_DEFAULT_KEY)
    prep.reject_headers = ["Regel", "Veld", "Reden", *table_in.headers]
    today = store.today
    c_types, t_types = exporter.column_types("clients"), exporter.column_types("trajectories")
    c_texts, t_texts = text_columns("clients"), text_columns("trajectories")
    c_codes = {CASELOAD_CLIENT[f]: t for f, t in mapping.codes.items() if f in CASELOAD_CLIENT}
    t_codes = {CASELOAD_TRAJECTORY[f]: t for f, t in mapping.codes.items()
               if f in CASELOAD_TRAJECTORY}
    c_compare = [CASELOAD_CLIENT[f] for f in CASELOAD_CLIENT if f in present]
    clients: dict[str, dict[str, Any]] = {
        str(r["external_id"]): dict(r)
        for r in session.execute(select(Client.__table__)).mappings()
        if r["external_id"] is not None
    }
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in _existing_trajectories(session):
        if by_number:
            if row["external_id"] is not None:
                existing[("nr", row["external_id"])] = row
        elif row["client_number"] is not None:
            existing.setdefault(_key(key_fields, None, row["client_number"], row), row)
    coaches, shown = _coach_index(session)
    managers = {str(n).strip().casefold(): int(i)
                for i, n in session.execute(select(CaseManager.id, CaseManager.name))}
    methods: dict[str, Any] = {}
    seen_keys: dict[tuple[Any, ...], int] = {}
    file_clients: dict[str, tuple[int, dict[str, Any]]] = {}
    width = len(table_in.headers)

    for number, message in table_in.broken:
        reject(prep, number, [FieldProblem("", "Hele rij", message)], [])
        ticker.tick()
    for number, cells in table_in.rows:
        ticker.tick()
        if _row_shape(prep, number, cells, width):
            continue
        raw: dict[str, Any] = dict(mapping.defaults)
        for i, target in columns:
            raw[target] = cells[i]
        c_vals, c_probs = convert("clients", {CASELOAD_CLIENT[f]: raw[f] for f in raw
                                              if f in CASELOAD_CLIENT},
                                  c_types, c_texts, c_codes, lambda n: _label(_CLIENT_BACK[n]))
        t_vals, t_probs = convert("trajectories", {CASELOAD_TRAJECTORY[f]: raw[f] for f in raw
                                                   if f in CASELOAD_TRAJECTORY},
                                  t_types, t_texts, t_codes, lambda n: _label(_TRAJ_BACK[n]))
        d_vals, d_probs = convert("contacts", {f: raw[f] for f in _DATES if f in raw},
                                  _DATES, frozenset(), {}, _label)
        problems = _ours(c_probs, _CLIENT_BACK) + _ours(t_probs, _TRAJ_BACK) + d_probs
        client_number = c_vals.get("external_id")
        if client_number is None and "client_number" not in {p.field for p in problems}:
            problems.append(FieldProblem("client_number", _label("client_number"),
                                         "is verplicht (zo herkent een volgende import de klant)"))
        # references: coach by code or name, case manager by name
        coach_name = None
        for fld, index in (("coach", coaches), ("case_manager", managers)):
            cell = raw.get(fld)
            text = None if blank(cell) else str(cell).strip()
            column = spec.refs[fld].column
            t_vals[column] = None
            if text is None:
                continue
            if CONTROL.search(text):
                problems.append(FieldProblem(fld, _label(fld), "bevat een onzichtbaar stuurteken"))
                continue
            found = index.get(text.casefold())
            if found is not None:
                t_vals[column] = found
            elif fld == "coach" and create_coaches:
                coach_name = text
            elif fld == "coach":
                problems.append(FieldProblem(fld, _label(fld), _unknown_coach(text, shown)))
            else:
                problems.append(FieldProblem(
                    fld, _label(fld), f"onbekende casemanager '{text}'; voeg die eerst toe"))
        failed = {p.field for p in problems}
        # the method gives the phase (label or code) and its first date
        if "method" not in failed and "phase" not in failed:
            phase_problems = trajectory_defaults(store, t_vals, methods)
            problems += _ours(phase_problems, _TRAJ_BACK)
            failed |= {p.field for p in phase_problems}
        method = methods.get(str(t_vals.get("method")))
        if method is not None and not isinstance(method, InvalidRecord):
            plan.methods[method.code] = method
            registered = t_vals.get("registered_at")
            if (blank(raw.get("phase_since")) and isinstance(registered, dt.datetime)
                    and t_vals.get("phase") != method.method.initial_phase):
                # no phase date: the phase began at the latest date the row knows
                known = [d for d in (d_vals.get("plan_signed_on"), d_vals.get("intake_on"))
                         if isinstance(d, dt.date)]
                t_vals["phase_since"] = max([registered.date(), *known])
            if (t_vals.get("phase") in method.phase_codes
                    and method.phase(t_vals["phase"]).stage == "closed"):
                t_vals["closed_on"] = t_vals.get("phase_since")
        # the records themselves
        c_clean, c_more = _check("clients", {k: v for k, v in c_vals.items()
                                             if _CLIENT_BACK[k] not in failed}, today)
        problems += [p for p in _ours(c_more, _CLIENT_BACK) if p.field not in failed]
        t_try = {k: v for k, v in t_vals.items() if _TRAJ_BACK.get(k, k) not in failed}
        t_clean, t_more = _check("trajectories", {**t_try, "client_id": 0}, today)
        t_more = [p for p in _ours(t_more, _TRAJ_BACK) if p.field not in failed]
        if "method" in failed | {p.field for p in t_more}:  # the phase follows from the method
            t_more = [p for p in t_more if p.field not in ("phase", "phase_since")]
        elif "phase" in failed:  # its date follows from the phase
            t_more = [p for p in t_more if p.field != "phase_since"]
        problems += t_more
        failed |= {p.field for p in problems}
        problems += _cross_checks(t_vals, d_vals.get("plan_signed_on"), d_vals.get("intake_on"),
                                  failed, today)
        if problems or c_clean is None or t_clean is None or client_number is None:
            reject(prep, number, problems or [FieldProblem("", "Hele rij", "ongeldige rij")],
                   cells)
            continue
        client_number = str(client_number)
        number_nr = t_clean.get("external_id") if by_number else None
        if by_number and number_nr is None:
            reject(prep, number, [FieldProblem(
                "trajectory_number", _label("trajectory_number"),
                "is verplicht: het bestand heeft trajectnummers")], cells)
            continue
        key = _key(key_fields, number_nr, client_number, t_clean)
        if key in seen_keys:
            what = (_label("trajectory_number") if by_number
                    else " en ".join(_label(f) for f in key_fields))
            reject(prep, number, [FieldProblem(
                key_fields[-1] if not by_number else "trajectory_number",
                what, f"dubbel in het bestand: zelfde {what.lower()} als regel "
                      f"{seen_keys[key]}")], cells)
            continue
        seen_keys[key] = number
        # the client: known, earlier in this file, or new
        client_fields = {k: c_clean.get(k) for k in c_compare}
        old_client = clients.get(client_number)
        earlier = file_clients.get(client_number)
        other = old_client if old_client is not None else (earlier[1] if earlier else None)
        if other is not None:
            diff = [k for k in c_compare if not same_value(other.get(k), client_fields.get(k))]
            if diff:
                where = ("bestaat al in het register" if old_client is not None
                         else f"staat al op regel {earlier[0] if earlier else '?'}")
                reject(prep, number, [FieldProblem(
                    _CLIENT_BACK[diff[0]], _label(_CLIENT_BACK[diff[0]]),
                    f"klant {client_number} {where} met een andere waarde ("
                    + ", ".join(_label(_CLIENT_BACK[d]) for d in diff)
                    + "); een import overschrijft geen klantgegevens")], cells)
                continue
        else:
            file_clients[client_number] = (number, c_clean)
        case = Case(number, client_number, c_clean,
                    int(old_client["id"]) if old_client is not None else None,
                    t_clean, coach_name, d_vals.get("plan_signed_on"), d_vals.get("intake_on"),
                    cells=cells)
        if coach_name is not None:
            plan.new_coaches.setdefault(coach_name.casefold(), coach_name)
        old = existing.get(key)
        if old is None:
            prep.new += 1
            plan.new.append(case)
            continue
        problem = _compare(case, old, present, update)
        if problem is not None:
            reject(prep, number, [problem], cells)
        elif case.changes:
            case.trajectory_id = int(old["id"])
            plan.updates.append(case)
        else:
            prep.unchanged += 1
    imported = prep.new + prep.unchanged + len(plan.updates)
    prep.per_table["caseload"] = (prep.read, imported, prep.rejected_rows)
    return plan


def _compare(case: Case, old: Mapping[str, Any], present: set[str],
             update: bool) -> FieldProblem | None:
    """Compare a row with the trajectory in the register: what changed, or why it is refused."""
    new = case.trajectory
    fixed = [f for f in ("method", "registered_at") if not same_value(old[f], new[f])]
    if "case_manager" in present and not same_value(old["case_manager_id"],
                                                    new["case_manager_id"]):
        fixed.append("case_manager")
    if fixed:
        return FieldProblem(fixed[0], _label(fixed[0]), (
            "het traject bestaat al in het register met een andere waarde ("
            + ", ".join(_label(f) for f in fixed) + "); een import overschrijft dat niet"))
    changes: dict[str, Any] = {}
    if new["phase"] != old["phase"]:
        changes["phase"] = (old["phase"], new["phase"],
                            new["phase_since"] if "phase_since" in present else None,
                            new.get("outcome"))
    if "coach" in present and (case.coach_name is not None
                               or (new["coach_id"] is not None
                                   and new["coach_id"] != old["coach_id"])):
        changes["coach"] = (old["coach_id"], new["coach_id"], case.coach_name)
    for name, before, after in (("plan_signed_on", old["plan_on"], case.plan_on),
                                ("intake_on", old["intake_on"], case.intake_on)):
        if after is None or same_value(before, after):
            continue
        if before is not None:
            return FieldProblem(name, _label(name), (
                f"het traject heeft al {_label(name).lower()} {before:%d-%m-%Y}; een import "
                "overschrijft die niet"))
        changes[name] = after
    if changes and not update:
        what = ", ".join(_label(k) for k in changes)
        return FieldProblem(next(iter(changes)), _label(next(iter(changes))), (
            f"het traject bestaat al in het register en is gewijzigd ({what}); een import "
            "overschrijft niets. Importeer met --update om de wijziging als faseovergang of "
            "jobcoachwissel vast te leggen"))
    case.changes = changes
    return None


__all__ = ["Case", "CaseloadPlan", "prepare_caseload"]
