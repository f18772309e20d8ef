"""Writing a checked caseload: new coaches, clients and trajectories with their history in bulk,
and (with ``update``) phase and coach changes through the register's own rules."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trajecttools.core.errors import FieldProblem, IllegalTransitionError, TrajecttoolsError
from trajecttools.core.method import Method
from trajecttools.core.model import Base, Coach, Trajectory, TrajectoryPlan
from trajecttools.outputs.importer.caseload import Case, CaseloadPlan
from trajecttools.outputs.importer.result import reject
from trajecttools.register import changes
from trajecttools.register.bulk import insert_frame
from trajecttools.register.transactions import Tx

if TYPE_CHECKING:
    from trajecttools.register.store import Store


def coach_code(name: str, taken: set[str]) -> str:
    """Return a new coach code from a name: its initials in capitals, numbered when taken
    (``taken``: the codes in use, casefolded; the new one is added).

    >>> coach_code("Jan de Vries", {"jdv"})
    'JDV2'
    """
    words = re.findall(r"[^\W\d_]+", name)
    base = ("".join(w[0] for w in words).upper() or "JC")[:16]
    code, n = base, 1
    while code.casefold() in taken:
        n += 1
        code = f"{base}{n}"
    taken.add(code.casefold())
    return code


def phase_path(method: Method, target: str) -> list[str]:
    """Return the shortest route the method allows from its first phase to ``target``."""
    start = method.method.initial_phase
    routes = {start: [start]}
    queue = [start]
    while queue:
        here = queue.pop(0)
        if here == target:
            return routes[here]
        for nxt in method.transitions.get(here, ()):
            if nxt not in routes:
                routes[nxt] = [*routes[here], nxt]
                queue.append(nxt)
    return [start, target] if target != start else [start]


def history(method: Method, traj: dict[str, Any],
            intake_on: dt.date | None) -> list[tuple[str, dt.date]]:
    """The phase events of an imported case: the method's route from its first phase (on the
    registration date) to the current phase (on its date); an intake phase on the way starts on
    the intake date when the file has one, the other phases in between when the one before
    them started."""
    registered_on = traj["registered_at"].date()
    since = traj["phase_since"]
    path = phase_path(method, traj["phase"])
    out = [(path[0], registered_on)]
    day = registered_on
    for phase in path[1:-1]:
        if method.phase(phase).stage == "intake" and intake_on is not None:
            day = min(max(day, intake_on), since)
        out.append((phase, day))
    if len(path) > 1:
        out.append((path[-1], since))
    return out


def _new_ids(conn: Any, table: Any, before: int) -> list[int]:
    """Ids inserted after ``before``, in insertion order."""
    rows = conn.execute(select(table.c.id).where(table.c.id > before).order_by(table.c.id))
    return [int(r[0]) for r in rows]


def _max_id(conn: Any, table: Any) -> int:
    return int(conn.execute(select(func.max(table.c.id))).scalar() or 0)


def create_coaches(tx: Tx, plan: CaseloadPlan) -> dict[str, int]:
    """Add the coaches the file names and the register lacks; return casefolded name -> id."""
    taken = {str(c).casefold() for (c,) in tx.session.execute(select(Coach.code))}
    out = {}
    for key, name in plan.new_coaches.items():
        code = coach_code(name, taken)
        out[key] = tx.add("coaches", {"code": code, "name": name, "active": True})
        plan.prep.coaches_created.append(f"{name} ({code})")
    return out


def write_new(tx: Tx, plan: CaseloadPlan, coach_ids: dict[str, int], source: Path,
              pseudonyms: list[str]) -> None:
    """Insert the new clients, trajectories, phase events, plans, intakes and assignments."""
    conn = tx.session.connection()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    cases = plan.new
    # A large file (an organisation's first caseload) logs no change per row: the read models
    # are rebuilt once on the next read instead, as after a bulk load (same transaction).
    rebuild = len(cases) >= REBUILD_FROM
    if rebuild:
        changes.drop_triggers(conn)
    _insert_new(tx, plan, coach_ids, source, pseudonyms, now)
    if rebuild:
        changes.install(conn)


#: From this many new trajectories on, an import rebuilds the read models once instead of
#: logging every row it writes (a default of ours, measured in ``benchmarks/bench_import.py``).
REBUILD_FROM = 5_000


def _insert_new(tx: Tx, plan: CaseloadPlan, coach_ids: dict[str, int], source: Path,
                pseudonyms: list[str], now: dt.datetime) -> None:
    conn = tx.session.connection()
    meta = Base.metadata.tables
    cases = plan.new
    for case in cases:
        if case.coach_name is not None:
            case.trajectory["coach_id"] = coach_ids[case.coach_name.casefold()]
    new_clients: dict[str, dict[str, Any]] = {}
    for case in cases:
        if case.client_id is None and case.client_number not in new_clients:
            new_clients[case.client_number] = {**case.client, "created_at": now}
    for row, code in zip(new_clients.values(), pseudonyms, strict=False):
        row["pseudonym"] = code
    client_ids: dict[str, int] = {}
    if new_clients:
        before = _max_id(conn, meta["clients"])
        insert_frame(conn, meta["clients"], pd.DataFrame(list(new_clients.values()), dtype=object))
        client_ids = dict(zip(new_clients, _new_ids(conn, meta["clients"], before), strict=True))
        tx.log("import", "clients", None, None, None,
               f"{len(new_clients)} rijen uit {source.name}")
    if not cases:
        return
    rows = []
    for case in cases:
        cid = case.client_id if case.client_id is not None else client_ids[case.client_number]
        rows.append({**case.trajectory, "client_id": cid})
    before = _max_id(conn, meta["trajectories"])
    insert_frame(conn, meta["trajectories"], pd.DataFrame(rows, dtype=object))
    ids = _new_ids(conn, meta["trajectories"], before)
    tx.log("import", "trajectories", None, None, None, f"{len(rows)} rijen uit {source.name}")
    events, plans, intakes, assignments = [], [], [], []
    for case, tid in zip(cases, ids, strict=True):
        traj = case.trajectory
        for phase, day in history(plan.methods[traj["method"]], traj, case.intake_on):
            events.append({"trajectory_id": tid, "phase": phase, "started_on": day,
                           "actor": tx.actor})
        signed = case.plan_on
        plans.append({"trajectory_id": tid, "signed_case_manager_on": signed,
                      "signed_coach_on": signed, "signed_client_on": signed})
        if case.intake_on is not None:
            intakes.append({"trajectory_id": tid, "kind": "intake", "held_on": case.intake_on,
                            "coach_id": traj.get("coach_id")})
        if traj.get("coach_id") is not None:
            assignments.append({"trajectory_id": tid, "coach_id": traj["coach_id"],
                                "assigned_at": traj["registered_at"], "reason": "import"})
    for name, table_rows, what in (
        ("phase_events", events, "fasegeschiedenis"),
        ("trajectory_plans", plans, "trajectplannen (getekend op de plandatum)"),
        ("contacts", intakes, "intakegesprekken"),
        ("coach_assignments", assignments, "toewijzingen jobcoach"),
    ):
        if table_rows:
            insert_frame(conn, meta[name], pd.DataFrame(table_rows, dtype=object))
            tx.log("import", name, None, None, None,
                   f"{len(table_rows)} rijen ({what}) uit {source.name}")


def _apply(tx: Tx, case: Case, coach_ids: dict[str, int], source: Path) -> list[str]:
    """Apply one row's changes through the register's rules; return them in Dutch."""
    assert case.trajectory_id is not None
    tid = case.trajectory_id
    done = []
    method = tx.store.method(case.trajectory["method"])
    if "plan_signed_on" in case.changes:
        day = case.changes["plan_signed_on"]
        version = tx.session.execute(select(TrajectoryPlan.version).where(
            TrajectoryPlan.trajectory_id == tid)).scalar_one()
        tx.sign_plan(tid, {"signed_case_manager_on": day, "signed_coach_on": day,
                           "signed_client_on": day}, expected_version=int(version))
        done.append(f"plan getekend op {day:%d-%m-%Y}")
    if "intake_on" in case.changes:
        day = case.changes["intake_on"]
        tx.add("contacts", {"trajectory_id": tid, "kind": "intake", "held_on": day,
                            "coach_id": case.trajectory.get("coach_id")})
        done.append(f"intake op {day:%d-%m-%Y}")
    if "phase" in case.changes:
        old, new, on, outcome = case.changes["phase"]
        tx.change_phase(tid, new, on=on, outcome=outcome)
        traj = tx.session.get(Trajectory, tid)
        since = traj.phase_since if traj is not None else on
        done.append(f"fase '{method.phase_label(old)}' → '{method.phase_label(new)}' "
                    f"op {since:%d-%m-%Y}")
    if "coach" in case.changes:
        old_id, new_id, name = case.changes["coach"]
        coach_id = coach_ids[name.casefold()] if name is not None else new_id
        tx.assign_coach(tid, coach_id, reason=f"import {source.name}"[:200])
        old_coach = tx.session.get(Coach, old_id) if old_id is not None else None
        new_coach = tx.session.get(Coach, coach_id)
        before = old_coach.name if old_coach is not None else "geen"
        after = new_coach.name if new_coach is not None else str(coach_id)
        done.append(f"jobcoach {before} → {after}")
    return done


def apply_updates(store: Store, session: Session, plan: CaseloadPlan, coach_ids: dict[str, int],
                  source: Path, actor: str) -> None:
    """Apply every changed row (``update``), each all or nothing; a refused change rejects it."""
    prep = plan.prep
    for case in plan.updates:
        nested = session.begin_nested()
        tx = Tx(store, session, actor, store.today)
        try:
            done = _apply(tx, case, coach_ids, source)
            tx.write_audit()
        except TrajecttoolsError as exc:
            nested.rollback()
            problems = getattr(exc, "problems", None) or [
                FieldProblem("phase", "Fase", str(exc)) if isinstance(exc, IllegalTransitionError)
                else FieldProblem("", "Hele rij", str(exc))]
            reject(prep, case.number, problems, case.cells)
            continue
        nested.commit()
        prep.updated += 1
        prep.changes.append(f"rij {case.number} (klant {case.client_number}): "
                            + "; ".join(done))


__all__ = ["apply_updates", "coach_code", "create_coaches", "write_new"]
