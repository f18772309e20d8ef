"""Transactions: one database transaction of validated, audited writes, with the workflow rules
(registration, plan signatures, coach assignment, phase changes)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from trajecttools.core import validation, vocab
from trajecttools.core.dates import now_on, parse_date, parse_datetime, utcnow
from trajecttools.core.errors import (
    FieldProblem,
    IllegalTransitionError,
    InvalidRecord,
    NotFoundError,
    TrajecttoolsError,
)
from trajecttools.core.model import (
    ENTITIES,
    AuditEntry,
    Base,
    Client,
    CoachAssignment,
    PhaseEvent,
    Placement,
    Trajectory,
    TrajectoryPlan,
)
from trajecttools.core.names import new_pseudonym
from trajecttools.register.audit import GENESIS_HASH, as_text, audit_hash, value_digest
from trajecttools.register.bsn import refuse_bsn_for_method, refuse_unconfigured_bsn
from trajecttools.register.interfaces import Workflow

_PG_AUDIT_LOCK = 7_301_948

#: Fields that only a domain operation may change (phase changes, coach assignment).
PROTECTED_FIELDS: Mapping[str, frozenset[str]] = {
    "trajectories": frozenset({"phase", "phase_since", "coach_id", "closed_on", "outcome"}),
}
_PROTECTED_HINT = {
    "phase": "wijzig de fase met een faseovergang",
    "phase_since": "wijzig de fase met een faseovergang",
    "closed_on": "sluit het traject af met een faseovergang naar de eindfase",
    "outcome": "sluit het traject af met een faseovergang naar de eindfase",
    "coach_id": "wijs een jobcoach toe (de toewijzing wordt bewaard)",
}


def _outcome_code(value: str | None) -> str | None:
    """Return the outcome code for a code or its Dutch label (None when unknown)."""
    if value is None:
        return None
    text_value = str(value).strip()
    if text_value in vocab.OUTCOMES:
        return text_value
    by_label = {lbl.casefold(): code for code, lbl in vocab.OUTCOMES.items()}
    return by_label.get(text_value.casefold())


_UNIQUE = (re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+)"),
           re.compile(r'unique constraint "uq_(\w+)"'))


def integrity_message(exc: IntegrityError) -> str:
    """Return the Dutch reason a write broke a database rule (never the SQL or the value)."""
    text = str(exc.orig)
    for pattern in _UNIQUE:
        found = pattern.search(text)
        if found is None:
            continue
        name = "_".join(found.groups())  # "teams_name", "trajectory_plans_trajectory_id"
        parts = name.split("_")
        table, column = parts[0], "_".join(parts[1:])
        for i in range(1, len(parts)):
            if "_".join(parts[:i]) in validation.ENTITY_LABELS:
                table, column = "_".join(parts[:i]), "_".join(parts[i:])
        entity = validation.ENTITY_LABELS.get(table, table)
        return (f"Niet opgeslagen: {entity}: {validation.field_label(table, column)} bestaat al "
                "in het register; kies een andere waarde.")
    return ("Niet opgeslagen: de gegevens verwijzen naar iets dat niet (meer) bestaat of botsen "
            "met wat er al in het register staat.")


class Tx:
    """One transaction of writes; obtain it from :meth:`Store.transaction`."""

    def __init__(self, store: Workflow, session: Session, actor: str, today: dt.date) -> None:
        self.store, self.session, self.actor, self.today = store, session, actor, today
        self._audit: list[dict[str, Any]] = []

    # -- audit ---------------------------------------------------------------------------
    def log(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
    ) -> None:
        """Add an audit row to this transaction (written, chained, at commit)."""
        self._audit.append(
            {
                "at": utcnow(),
                "actor": self.actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "field": field,
                "old": as_text(old),
                "new": as_text(new),
            }
        )

    def write_audit(self) -> None:
        if not self._audit:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text(f"SELECT pg_advisory_xact_lock({_PG_AUDIT_LOCK})"))
        head = self.session.execute(
            select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
        ).scalar()
        prev = head or GENESIS_HASH
        rows = []
        for entry in self._audit:
            entry["hash_version"] = 2
            entry["old_digest"] = value_digest(entry["old"])
            entry["new_digest"] = value_digest(entry["new"])
            digest = audit_hash(prev, entry)
            rows.append(AuditEntry(**entry, prev_hash=prev, hash=digest))
            prev = digest
        self.session.add_all(rows)
        self.session.flush()
        self._audit.clear()

    # -- helpers -------------------------------------------------------------------------
    def _cls(self, entity: str) -> type[Base]:
        try:
            return ENTITIES[entity]
        except KeyError:
            raise TrajecttoolsError(f"Onbekende soort gegevens: '{entity}'.") from None

    def _label(self, entity: str) -> str:
        return validation.ENTITY_LABELS.get(entity, entity)

    def _check_references(self, entity: str, clean: Mapping[str, Any], row: int | None) -> None:
        table = self._cls(entity).__table__
        problems = []
        for col in table.columns:
            value = clean.get(col.name)
            for fk in col.foreign_keys:
                if value is None:
                    continue
                target = fk.column.table.name
                if self.session.get(ENTITIES[target], value) is None:
                    problems.append(
                        FieldProblem(
                            col.name,
                            validation.field_label(entity, col.name),
                            f"verwijst naar een onbekende {self._label(target).lower()} ({value})",
                        )
                    )
        if problems:
            raise InvalidRecord(self._label(entity), problems, row=row)

    def get(self, entity: str, entity_id: int) -> Any:
        obj = self.session.get(self._cls(entity), entity_id)
        if obj is None:
            raise NotFoundError(self._label(entity), entity_id)
        return obj

    def check_version(self, entity: str, obj: Any, expected_version: int | None) -> None:
        """Refuse an edit of ``obj`` made from another version than its stored one.

        ``expected_version`` None skips the check (a write that does not come from a form).
        Raises :class:`StaleEditError` naming who changed the record in the meantime.
        """
        if expected_version is None or not hasattr(obj, "version"):
            return
        if obj.version != expected_version:
            raise self.store.stale_error(entity, obj.id, expected_version)

    def _flush(self, entity: str, entity_id: int, expected_version: int | None) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise self.store.stale_error(entity, entity_id, expected_version or 0) from None

    # -- generic writes ------------------------------------------------------------------
    def add(self, entity: str, values: Mapping[str, Any], *, row: int | None = None) -> int:
        """Validate and insert one record; return its id."""
        if entity in PROTECTED_FIELDS or entity not in validation.RECORDS:
            raise TrajecttoolsError(
                f"{self._label(entity)} wordt niet los toegevoegd; gebruik de bijbehorende actie."
            )
        clean = validation.validate(entity, values, row=row, today=self.today)
        refuse_unconfigured_bsn(self.session, entity, clean, row=row)
        if entity == "clients" and not clean.get("pseudonym"):
            clean["pseudonym"] = self._unique_pseudonym()
        if entity == "clients":
            clean["created_at"] = utcnow()
        self._check_references(entity, clean, row)
        if entity == "placements":
            self._check_promise(clean, row)
        obj: Any = self._cls(entity)(**clean)
        self.session.add(obj)
        self.session.flush()
        self.log("create", entity, obj.id, new={k: v for k, v in clean.items() if v is not None})
        return int(obj.id)

    def _check_promise(self, clean: Mapping[str, Any], row: int | None) -> None:
        """Refuse a placement type that needs the employer's promise of a contract without it.

        “Traject Work-2-Gether”: wage subsidy 'op proef' only against “de belofte van een
        arbeidsovereenkomst voor minimaal 6 maanden zonder proeftijd” (``promise_min_months``
        of the placement type in the method).
        """
        traj = self.session.get(Trajectory, clean["trajectory_id"])
        if traj is None:
            return
        limit = self.store.method(traj.method).placement_types.get(clean["kind"])
        need = None if limit is None else limit.promise_min_months
        promised = clean.get("promised_contract_months")
        if need is None or (promised is not None and promised >= need):
            return
        kind = vocab.label(vocab.PLACEMENT_TYPES, clean["kind"]).lower()
        message = (f"is verplicht bij {kind}: de werkgever belooft een arbeidsovereenkomst van "
                   f"minimaal {need} maanden zonder proeftijd" if promised is None
                   else f"moet minstens {need} zijn (belofte bij {kind})")
        raise InvalidRecord(self._label("placements"), [FieldProblem(
            "promised_contract_months",
            validation.field_label("placements", "promised_contract_months"), message)], row=row)

    def _unique_pseudonym(self) -> str:
        while True:
            code = new_pseudonym()
            if (
                self.session.execute(select(Client.id).where(Client.pseudonym == code)).first()
                is None
            ):
                return code

    def update(
        self,
        entity: str,
        entity_id: int,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None,
        row: int | None = None,
    ) -> int:
        """Change fields of one record edited from ``expected_version``; return the new version.

        ``expected_version`` is required for versioned records (pass the version the form was
        filled from); an edit of an older version raises :class:`StaleEditError`.
        """
        cls = self._cls(entity)
        if entity not in validation.RECORDS:
            raise TrajecttoolsError(f"{self._label(entity)} kan niet worden gewijzigd.")
        protected = PROTECTED_FIELDS.get(entity, frozenset()) & set(changes)
        if protected:
            raise InvalidRecord(
                self._label(entity),
                [
                    FieldProblem(f, validation.field_label(entity, f), _PROTECTED_HINT[f])
                    for f in sorted(protected)
                ],
                row=row,
            )
        versioned = hasattr(cls, "version")
        if versioned and expected_version is None:
            raise TrajecttoolsError(
                f"Wijziging van {self._label(entity).lower()} {entity_id} zonder versienummer: "
                "geef de versie mee waarvan de wijziging uitgaat."
            )
        obj = self.get(entity, entity_id)
        self.check_version(entity, obj, expected_version)
        model_fields = validation.RECORDS[entity].model_fields
        current = {f: getattr(obj, f) for f in model_fields if hasattr(obj, f)}
        clean = validation.validate(entity, {**current, **changes}, row=row, today=self.today)
        refuse_unconfigured_bsn(
            self.session, entity, {k: clean.get(k) for k in changes}, row=row
        )
        self._check_references(entity, {k: clean[k] for k in changes if k in clean}, row)
        if entity == "placements" and {"kind", "promised_contract_months"} & set(changes):
            self._check_promise(clean, row)
        for field in changes:
            old, new = current.get(field), clean.get(field)
            if old != new:
                setattr(obj, field, new)
                self.log("update", entity, entity_id, field, old, new)
        self._flush(entity, entity_id, expected_version)
        return int(getattr(obj, "version", 0))

    def delete(self, entity: str, entity_id: int, *, expected_version: int | None) -> None:
        """Delete one record edited from ``expected_version`` (refused when stale)."""
        if entity in PROTECTED_FIELDS or entity not in validation.RECORDS:
            raise TrajecttoolsError(f"{self._label(entity)} kan niet worden verwijderd.")
        obj = self.get(entity, entity_id)
        self.check_version(entity, obj, expected_version)
        fields = validation.RECORDS[entity].model_fields
        old = {f: getattr(obj, f) for f in fields if hasattr(obj, f)}
        self.session.delete(obj)
        self._flush(entity, entity_id, expected_version)
        self.log("delete", entity, entity_id, old=old)

    def record_access(self, entity: str, entity_id: int, purpose: str = "open_case") -> None:
        """Log that someone opened a record (e.g. a case card in a meeting)."""
        self.log(purpose, entity, entity_id)

    # -- domain operations ---------------------------------------------------------------
    def register(
        self,
        client: Mapping[str, Any] | int,
        *,
        method: str,
        registered_at: Any,
        case_manager_id: int | None = None,
        coach_id: int | None = None,
        coach_assigned_at: Any = None,
        plan: Mapping[str, Any] | None = None,
        external_id: str | None = None,
    ) -> int:
        """Register a trajectory (and a new client when given as a dict); return its id."""
        m = self.store.method(method, field="method")
        if not isinstance(client, int):
            refuse_bsn_for_method(client, m.words.identifier, m.name)
        client_id = client if isinstance(client, int) else self.add("clients", client)
        values = {
            "client_id": client_id,
            "method": method,
            "registered_at": registered_at,
            "case_manager_id": case_manager_id,
            "external_id": external_id,
            "phase": m.method.initial_phase,
            "phase_since": parse_date(parse_datetime(registered_at)) or self.today,
        }
        clean = validation.validate("trajectories", values, today=self.today)
        self._check_references("trajectories", clean, None)
        traj = Trajectory(**clean)
        self.session.add(traj)
        self.session.flush()
        self.log("create", "trajectories", traj.id, new={k: v for k, v in clean.items() if v})
        self.session.add(
            PhaseEvent(
                trajectory_id=traj.id,
                phase=traj.phase,
                started_on=traj.phase_since,
                actor=self.actor,
            )
        )
        plan_values = {"trajectory_id": traj.id, **(plan or {})}
        self.sign_plan(traj.id, plan_values, _new=True)
        if coach_id is not None:
            self.assign_coach(traj.id, coach_id, at=coach_assigned_at or clean["registered_at"])
        return int(traj.id)

    def sign_plan(
        self,
        trajectory_id: int,
        values: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        _new: bool = False,
    ) -> int:
        """Set goals, rules and signature dates of a trajectory's plan; return its version."""
        traj = self.get("trajectories", trajectory_id)
        values = {**values, "trajectory_id": trajectory_id}
        if _new:
            clean = validation.validate("trajectory_plans", values, today=self.today)
            self._check_signatures(traj, clean)
            plan = TrajectoryPlan(**clean)
            self.session.add(plan)
            self.session.flush()
            self.log(
                "create", "trajectory_plans", plan.id, new={k: v for k, v in clean.items() if v}
            )
            return 1
        plan = self.session.execute(
            select(TrajectoryPlan).where(TrajectoryPlan.trajectory_id == trajectory_id)
        ).scalar_one()
        merged = {f: getattr(plan, f) for f in validation.TrajectoryPlanRecord.model_fields}
        merged.update(values)
        signed = validation.validate("trajectory_plans", merged, today=self.today)
        self._check_signatures(traj, signed)
        return self.update("trajectory_plans", plan.id, values, expected_version=expected_version)

    def _check_signatures(self, traj: Trajectory, clean: Mapping[str, Any]) -> None:
        registered = traj.registered_at.date()
        problems = [
            FieldProblem(
                f,
                validation.field_label("trajectory_plans", f),
                f"mag niet vóór de aanmelding ({registered:%d-%m-%Y}) liggen",
            )
            for f in ("signed_case_manager_on", "signed_coach_on", "signed_client_on")
            if clean.get(f) is not None and clean[f] < registered
        ]
        if problems:
            raise InvalidRecord("Trajectplan", problems)

    def assign_coach(
        self,
        trajectory_id: int,
        coach_id: int,
        *,
        at: Any = None,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Assign a coach to a trajectory from a moment on; return the trajectory's version."""
        traj = self.get("trajectories", trajectory_id)
        self.check_version("trajectories", traj, expected_version)
        when = validation.parse_datetime(at) if at is not None else max(
            now_on(self.today), traj.registered_at)
        problems = []
        if self.session.get(ENTITIES["coaches"], coach_id) is None:
            problems.append(
                FieldProblem("coach_id", "Jobcoach", f"onbekende jobcoach ({coach_id})")
            )
        if when is not None and when < traj.registered_at:
            problems.append(FieldProblem("assigned_at", "Toegewezen op", "ligt vóór de aanmelding"))
        if when is not None and when.date() > self.today:
            problems.append(
                FieldProblem("assigned_at", "Toegewezen op", "mag niet in de toekomst liggen")
            )
        if traj.coach_id == coach_id:
            problems.append(
                FieldProblem("coach_id", "Jobcoach", "is al de jobcoach van dit traject")
            )
        if problems:
            raise InvalidRecord("Toewijzing jobcoach", problems)
        self.session.add(
            CoachAssignment(
                trajectory_id=trajectory_id, coach_id=coach_id, assigned_at=when, reason=reason
            )
        )
        old = traj.coach_id
        traj.coach_id = coach_id
        self.log("assign_coach", "trajectories", trajectory_id, "coach_id", old, coach_id)
        self._flush("trajectories", trajectory_id, expected_version)
        return int(traj.version)

    def _runs_placement(self, trajectory_id: int, kinds: tuple[str, ...], day: dt.date) -> bool:
        """Whether a placement of one of ``kinds`` runs on ``day`` in the trajectory."""
        found = self.session.execute(
            select(Placement.id).where(
                Placement.trajectory_id == trajectory_id,
                Placement.kind.in_(kinds),
                Placement.start_on <= day,
                (Placement.end_on.is_(None)) | (Placement.end_on >= day),
            )
        ).first()
        return found is not None

    def change_phase(
        self,
        trajectory_id: int,
        to_phase: str,
        *,
        on: Any = None,
        outcome: str | None = None,
        outcome_reason: str | None = None,
        expected_version: int | None = None,
        decision: str | None = None,
        decision_reason: str | None = None,
    ) -> int:
        """Move a trajectory to another phase if its method allows it; return the new version.

        A phase with ``choices`` (art. 60: regular work or art. 60§7) needs ``decision`` and
        ``decision_reason``; both are kept on the phase event and in the audit log.
        """
        traj = self.get("trajectories", trajectory_id)
        self.check_version("trajectories", traj, expected_version)
        m = self.store.method(traj.method)
        if to_phase not in m.phase_codes:
            raise InvalidRecord(
                "Faseovergang",
                [
                    FieldProblem(
                        "phase", "Fase", f"'{to_phase}' is geen fase van methode '{m.name}'"
                    )
                ],
            )
        if not m.can_move(traj.phase, to_phase):
            raise IllegalTransitionError(
                m.name,
                m.phase_label(traj.phase),
                m.phase_label(to_phase),
                [m.phase_label(p) for p in m.allowed_next(traj.phase)],
            )
        day = validation.parse_date(on) if on is not None else self.today
        problems = []
        if day is None or day > self.today:
            problems.append(
                FieldProblem("phase_since", "Datum faseovergang", "mag niet in de toekomst liggen")
            )
        elif day < traj.phase_since:
            problems.append(
                FieldProblem(
                    "phase_since",
                    "Datum faseovergang",
                    f"ligt vóór het begin van de huidige fase ({traj.phase_since:%d-%m-%Y})",
                )
            )
        closing = m.phase(to_phase).stage == "closed"
        outcome_code = _outcome_code(outcome)
        if closing and outcome is None:
            problems.append(FieldProblem("outcome", "Uitkomst", "is verplicht bij afsluiten"))
        elif closing and outcome_code is None:
            problems.append(
                FieldProblem(
                    "outcome",
                    "Uitkomst",
                    f"onbekende waarde '{outcome}'; kies uit: {', '.join(vocab.OUTCOMES.values())}",
                )
            )
        elif not closing and outcome is not None:
            problems.append(
                FieldProblem("outcome", "Uitkomst", "alleen bij afsluiten van het traject")
            )
        starters = m.aftercare_placement_types()
        if (starters and day is not None and m.phase(to_phase).stage == "aftercare"
                and m.phase(traj.phase).stage != "aftercare"
                and not self._runs_placement(trajectory_id, starters, day)):
            kinds = " of ".join(f"'{vocab.label(vocab.PLACEMENT_TYPES, k)}'" for k in starters)
            problems.append(FieldProblem(
                "phase", "Fase",
                f"naar {m.phase_label(to_phase)} kan pas als er op {day:%d-%m-%Y} een plaatsing "
                f"loopt met Soort plaatsing {kinds}; registreer die eerst onder Plaatsing"))
        if closing and outcome_code == "other_route" and not (outcome_reason or "").strip():
            problems.append(FieldProblem(
                "outcome_reason", validation.field_label("trajectories", "outcome_reason"),
                validation.OTHER_ROUTE_REASON_MESSAGE))
        choices = m.phase(to_phase).choices
        reason_text = (decision_reason or "").strip() or None
        if choices:
            label = m.phase_label(to_phase)
            if decision is None or not str(decision).strip():
                problems.append(FieldProblem(
                    "decision", "Keuze",
                    f"is verplicht bij de overgang naar '{label}': kies uit "
                    + ", ".join(choices.values())))
            elif decision not in choices:
                problems.append(FieldProblem(
                    "decision", "Keuze",
                    f"onbekende waarde '{decision}'; kies uit {', '.join(choices)}"))
            if reason_text is None:
                problems.append(FieldProblem(
                    "decision_reason", "Reden van de keuze",
                    f"is verplicht bij de overgang naar '{label}'"))
        elif decision is not None or reason_text is not None:
            problems.append(FieldProblem(
                "decision", "Keuze",
                f"de fase '{m.phase_label(to_phase)}' vraagt geen keuze"))
        if problems:
            raise InvalidRecord("Faseovergang", problems)
        self.log("phase", "trajectories", trajectory_id, "phase", traj.phase, to_phase)
        if choices:
            self.log("update", "trajectories", trajectory_id, "decision", None,
                     f"{decision}: {reason_text}")
        traj.phase, traj.phase_since = to_phase, day
        if closing:
            traj.closed_on, traj.outcome = day, outcome_code
            traj.outcome_reason = (outcome_reason or "").strip() or None
            self.log("update", "trajectories", trajectory_id, "outcome", None, outcome_code)
        self.session.add(
            PhaseEvent(
                trajectory_id=trajectory_id, phase=to_phase, started_on=day, actor=self.actor,
                decision=decision if choices else None,
                decision_reason=reason_text if choices else None,
            )
        )
        self._flush("trajectories", trajectory_id, expected_version)
        return int(traj.version)


