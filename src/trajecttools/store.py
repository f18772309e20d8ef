"""The case register in one database: opening, migrating, writing, auditing.

Every write goes through a :class:`Tx` (one database transaction): records are validated first,
edits of versioned rows must name the version they started from (a stale edit is refused), and
every change leaves hash-chained rows in ``audit_log`` (who, when, what, old -> new).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Engine, create_engine, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import JSON, Boolean

from trajecttools import privacy, readmodel, records, vocab
from trajecttools.errors import (
    FieldProblem,
    IllegalTransitionError,
    InvalidRecord,
    NotFoundError,
    SchemaError,
    StaleEditError,
    TrajecttoolsError,
)
from trajecttools.method import Method, builtin_methods, parse_method
from trajecttools.model import (
    ENTITIES,
    AuditEntry,
    Base,
    CoachAssignment,
    PhaseEvent,
    SchemaInfo,
    Trajectory,
    TrajectoryPlan,
)

DEFAULT_PATH = "trajecttools.db"
ENV_URL = "TRAJECTTOOLS_DATABASE_URL"
GENESIS_HASH = "0" * 64
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


def default_actor() -> str:
    """Return who is working: ``TRAJECTTOOLS_USER`` or the login name."""
    try:
        return os.environ.get("TRAJECTTOOLS_USER") or getpass.getuser()
    except OSError:  # no login name (containers)
        return "onbekend"


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Return a database URL for a URL, a file path, or (None) the environment/default."""
    if target is None:
        target = os.environ.get(ENV_URL) or DEFAULT_PATH
    value = os.fspath(target)
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and immediate write transactions."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("trajecttools") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration (creates it when empty)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """Return (the database's migration revision, the newest revision of this version)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(_alembic_config(conn)).get_current_head()
    return current, str(head)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(_jsonable(value), ensure_ascii=False, default=_jsonable, sort_keys=True)


def value_digest(value: str | None) -> str | None:
    """Return the SHA-256 digest of an audit value (None for None)."""
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def audit_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """Return the chain hash of an audit row given the previous row's hash.

    Version 2 rows chain the digests of old/new (kept when a purge redacts the values);
    version 1 rows (written before schema 0004) chain the values themselves.
    """
    at = entry["at"]
    if (entry.get("hash_version") or 1) >= 2:
        parts = [
            prev_hash,
            "v2",
            at.isoformat() if isinstance(at, dt.datetime) else str(at),
            entry["actor"],
            entry["action"],
            entry["entity"],
            "" if entry["entity_id"] is None else str(int(entry["entity_id"])),
            entry["field"] or "",
            entry["old_digest"] or "",
            entry["new_digest"] or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    parts = [
        prev_hash,
        at.isoformat() if isinstance(at, dt.datetime) else str(at),
        entry["actor"],
        entry["action"],
        entry["entity"],
        "" if entry["entity_id"] is None else str(int(entry["entity_id"])),
        entry["field"] or "",
        "" if entry["old"] is None else entry["old"],
        "" if entry["new"] is None else entry["new"],
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _now_on(day: dt.date) -> dt.datetime:
    """Return ``day`` at the current local time of day (whole seconds)."""
    return dt.datetime.combine(day, dt.datetime.now().time().replace(microsecond=0))


_PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _outcome_code(value: str | None) -> str | None:
    """Return the outcome code for a code or its Dutch label (None when unknown)."""
    if value is None:
        return None
    text_value = str(value).strip()
    if text_value in vocab.OUTCOMES:
        return text_value
    by_label = {lbl.casefold(): code for code, lbl in vocab.OUTCOMES.items()}
    return by_label.get(text_value.casefold())


def _new_pseudonym() -> str:
    return "K-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))


_UNIQUE = (re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+)"),
           re.compile(r'unique constraint "uq_(\w+)"'))


def _integrity_message(exc: IntegrityError) -> str:
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
            if "_".join(parts[:i]) in records.ENTITY_LABELS:
                table, column = "_".join(parts[:i]), "_".join(parts[i:])
        entity = records.ENTITY_LABELS.get(table, table)
        return (f"Niet opgeslagen: {entity}: {records.field_label(table, column)} bestaat al "
                "in het register; kies een andere waarde.")
    return ("Niet opgeslagen: de gegevens verwijzen naar iets dat niet (meer) bestaat of botsen "
            "met wat er al in het register staat.")


class Tx:
    """One transaction of writes; obtain it from :meth:`Store.transaction`."""

    def __init__(self, store: Store, session: Session, actor: str, today: dt.date) -> None:
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
                "at": _utcnow(),
                "actor": self.actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "field": field,
                "old": _as_text(old),
                "new": _as_text(new),
            }
        )

    def _write_audit(self) -> None:
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
        return records.ENTITY_LABELS.get(entity, entity)

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
                            records.field_label(entity, col.name),
                            f"verwijst naar een onbekende {self._label(target).lower()} ({value})",
                        )
                    )
        if problems:
            raise InvalidRecord(self._label(entity), problems, row=row)

    def _get(self, entity: str, entity_id: int) -> Any:
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
            raise self.store._stale(entity, obj.id, expected_version)

    def _flush(self, entity: str, entity_id: int, expected_version: int | None) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise self.store._stale(entity, entity_id, expected_version or 0) from None

    # -- generic writes ------------------------------------------------------------------
    def add(self, entity: str, values: Mapping[str, Any], *, row: int | None = None) -> int:
        """Validate and insert one record; return its id."""
        if entity in PROTECTED_FIELDS or entity not in records.RECORDS:
            raise TrajecttoolsError(
                f"{self._label(entity)} wordt niet los toegevoegd; gebruik de bijbehorende actie."
            )
        clean = records.validate(entity, values, row=row, today=self.today)
        privacy.refuse_unconfigured_bsn(self.session, entity, clean, row=row)
        if entity == "clients" and not clean.get("pseudonym"):
            clean["pseudonym"] = self._unique_pseudonym()
        if entity == "clients":
            clean["created_at"] = _utcnow()
        self._check_references(entity, clean, row)
        obj: Any = self._cls(entity)(**clean)
        self.session.add(obj)
        self.session.flush()
        self.log("create", entity, obj.id, new={k: v for k, v in clean.items() if v is not None})
        return int(obj.id)

    def _unique_pseudonym(self) -> str:
        from trajecttools.model import Client

        while True:
            code = _new_pseudonym()
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
        if entity not in records.RECORDS:
            raise TrajecttoolsError(f"{self._label(entity)} kan niet worden gewijzigd.")
        protected = PROTECTED_FIELDS.get(entity, frozenset()) & set(changes)
        if protected:
            raise InvalidRecord(
                self._label(entity),
                [
                    FieldProblem(f, records.field_label(entity, f), _PROTECTED_HINT[f])
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
        obj = self._get(entity, entity_id)
        self.check_version(entity, obj, expected_version)
        model_fields = records.RECORDS[entity].model_fields
        current = {f: getattr(obj, f) for f in model_fields if hasattr(obj, f)}
        clean = records.validate(entity, {**current, **changes}, row=row, today=self.today)
        privacy.refuse_unconfigured_bsn(
            self.session, entity, {k: clean.get(k) for k in changes}, row=row
        )
        self._check_references(entity, {k: clean[k] for k in changes if k in clean}, row)
        for field in changes:
            old, new = current.get(field), clean.get(field)
            if old != new:
                setattr(obj, field, new)
                self.log("update", entity, entity_id, field, old, new)
        self._flush(entity, entity_id, expected_version)
        return int(getattr(obj, "version", 0))

    def delete(self, entity: str, entity_id: int, *, expected_version: int | None) -> None:
        """Delete one record edited from ``expected_version`` (refused when stale)."""
        if entity in PROTECTED_FIELDS or entity not in records.RECORDS:
            raise TrajecttoolsError(f"{self._label(entity)} kan niet worden verwijderd.")
        obj = self._get(entity, entity_id)
        self.check_version(entity, obj, expected_version)
        old = {f: getattr(obj, f) for f in records.RECORDS[entity].model_fields if hasattr(obj, f)}
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
        client_id = client if isinstance(client, int) else self.add("clients", client)
        m = self.store.method(method, field="method")
        values = {
            "client_id": client_id,
            "method": method,
            "registered_at": registered_at,
            "case_manager_id": case_manager_id,
            "external_id": external_id,
            "phase": m.method.initial_phase,
            "phase_since": records.parse_date(records.parse_datetime(registered_at)) or self.today,
        }
        clean = records.validate("trajectories", values, today=self.today)
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
        traj = self._get("trajectories", trajectory_id)
        values = {**values, "trajectory_id": trajectory_id}
        if _new:
            clean = records.validate("trajectory_plans", values, today=self.today)
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
        merged = {f: getattr(plan, f) for f in records.TrajectoryPlanRecord.model_fields}
        merged.update(values)
        self._check_signatures(traj, records.validate("trajectory_plans", merged, today=self.today))
        return self.update("trajectory_plans", plan.id, values, expected_version=expected_version)

    def _check_signatures(self, traj: Trajectory, clean: Mapping[str, Any]) -> None:
        registered = traj.registered_at.date()
        problems = [
            FieldProblem(
                f,
                records.field_label("trajectory_plans", f),
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
        traj = self._get("trajectories", trajectory_id)
        self.check_version("trajectories", traj, expected_version)
        when = records.parse_datetime(at) if at is not None else max(
            _now_on(self.today), traj.registered_at)
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

    def change_phase(
        self,
        trajectory_id: int,
        to_phase: str,
        *,
        on: Any = None,
        outcome: str | None = None,
        outcome_reason: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Move a trajectory to another phase if its method allows it; return the new version."""
        traj = self._get("trajectories", trajectory_id)
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
        day = records.parse_date(on) if on is not None else self.today
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
        if closing and outcome_code == "other_route" and not (outcome_reason or "").strip():
            problems.append(FieldProblem(
                "outcome_reason", records.field_label("trajectories", "outcome_reason"),
                records.OTHER_ROUTE_REASON_MESSAGE))
        if problems:
            raise InvalidRecord("Faseovergang", problems)
        self.log("phase", "trajectories", trajectory_id, "phase", traj.phase, to_phase)
        traj.phase, traj.phase_since = to_phase, day
        if closing:
            traj.closed_on, traj.outcome = day, outcome_code
            traj.outcome_reason = (outcome_reason or "").strip() or None
            self.log("update", "trajectories", trajectory_id, "outcome", None, outcome_code)
        self.session.add(
            PhaseEvent(
                trajectory_id=trajectory_id, phase=to_phase, started_on=day, actor=self.actor
            )
        )
        self._flush("trajectories", trajectory_id, expected_version)
        return int(traj.version)


class Store:
    """A case register in one database (a SQLite file by default, any database by URL)."""

    def __init__(
        self,
        target: str | os.PathLike[str] | None = None,
        *,
        actor: str | None = None,
        migrate: bool = True,
        today: dt.date | None = None,
        role: str | None = None,
        coach: str | None = None,
        team: str | None = None,
    ) -> None:
        self.url = resolve_url(target)
        self.engine = make_engine(self.url)
        self.actor = actor or default_actor()
        self._today = today
        if migrate:
            upgrade(self.engine)
        else:
            current, head = schema_revisions(self.engine)
            if current != head:
                raise SchemaError(
                    f"De database staat op schemaversie {current or 'leeg'}, deze versie van "
                    f"trajecttools verwacht {head}. Voer 'trajecttools migrate' uit."
                )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._methods: dict[str, Method] | None = None
        from trajecttools import access

        #: The user's role and caseload (see :mod:`trajecttools.access`); default analyst.
        self.access = access.resolve(self, role, coach=coach, team=team)

    @property
    def role(self) -> str:
        """The role frames are shown for: coach, team_lead, analyst, trainer or beheer."""
        return self.access.role

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @property
    def today(self) -> dt.date:
        """The date that counts as today (fixed in tests and demos, else the real date)."""
        return self._today or dt.date.today()

    # -- methods -------------------------------------------------------------------------
    def methods(self) -> dict[str, Method]:
        """Return the methods this register knows: built-in plus installed ones."""
        if self._methods is None:
            found = dict(builtin_methods())
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(SchemaInfo.key, SchemaInfo.value).where(SchemaInfo.key.like("method:%"))
                ).all()
            for key, value in rows:
                import tomllib

                found[key.removeprefix("method:")] = parse_method(tomllib.loads(value), key)
            self._methods = found
        return self._methods

    def method(self, code: str, *, field: str | None = None) -> Method:
        """Return the method with this code; unknown codes raise a Dutch error."""
        try:
            return self.methods()[code]
        except KeyError:
            known = ", ".join(sorted(self.methods()))
            problem = FieldProblem(
                field or "method", "Methode", f"onbekende methode '{code}'; bekend zijn: {known}"
            )
            raise InvalidRecord("Traject", [problem]) from None

    def install_method(self, path: str | os.PathLike[str]) -> Method:
        """Validate an organisation's own method file and store it in the register."""
        import tomllib

        from trajecttools.method import load_method

        m = load_method(Path(path))
        data = Path(path).read_text("utf-8")
        if "extends" in tomllib.loads(data):  # store the resolved method, independent of parent
            data = _method_to_toml(m)
        with self.transaction() as tx:
            key = f"method:{m.code}"
            row = tx.session.execute(select(SchemaInfo).where(SchemaInfo.key == key)).scalar()
            if row is None:
                tx.session.add(SchemaInfo(key=key, value=data))
                tx.log("create", "register_info", None, key, None, data)
            else:
                tx.log("update", "register_info", row.id, key, row.value, data)
                row.value = data
        self._methods = None
        return m

    # -- transactions --------------------------------------------------------------------
    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Tx]:
        """Open one write transaction; everything in the block is saved together or not at all."""
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                tx = Tx(self, session, actor or self.actor, self.today)
                yield tx
                tx._write_audit()
        except IntegrityError as exc:  # a unique value taken meanwhile: Dutch, not SQL
            raise TrajecttoolsError(_integrity_message(exc)) from None

    def add(self, entity: str, values: Mapping[str, Any], *, actor: str | None = None) -> int:
        """Validate and insert one record in its own transaction; return its id."""
        with self.transaction(actor) as tx:
            return tx.add(entity, values)

    def update(
        self,
        entity: str,
        entity_id: int,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None,
        actor: str | None = None,
    ) -> int:
        """Change one record edited from ``expected_version``; return the new version."""
        with self.transaction(actor) as tx:
            return tx.update(entity, entity_id, changes, expected_version=expected_version)

    def register(self, client: Mapping[str, Any] | int, **kw: Any) -> int:
        """Register a trajectory in its own transaction (see :meth:`Tx.register`)."""
        actor = kw.pop("actor", None)
        with self.transaction(actor) as tx:
            return tx.register(client, **kw)

    def change_phase(self, trajectory_id: int, to_phase: str, **kw: Any) -> int:
        """Change a trajectory's phase in its own transaction (see :meth:`Tx.change_phase`)."""
        actor = kw.pop("actor", None)
        with self.transaction(actor) as tx:
            return tx.change_phase(trajectory_id, to_phase, **kw)

    def assign_coach(self, trajectory_id: int, coach_id: int, **kw: Any) -> int:
        """Assign a coach in its own transaction (see :meth:`Tx.assign_coach`)."""
        actor = kw.pop("actor", None)
        with self.transaction(actor) as tx:
            return tx.assign_coach(trajectory_id, coach_id, **kw)

    def sign_plan(self, trajectory_id: int, values: Mapping[str, Any], **kw: Any) -> int:
        """Change a trajectory's plan in its own transaction (see :meth:`Tx.sign_plan`)."""
        actor = kw.pop("actor", None)
        with self.transaction(actor) as tx:
            return tx.sign_plan(trajectory_id, values, **kw)

    # -- reading -------------------------------------------------------------------------
    def get(self, entity: str, entity_id: int) -> dict[str, Any]:
        """Return one record as a dict of its columns (including ``version``)."""
        cls = ENTITIES.get(entity)
        if cls is None:
            raise TrajecttoolsError(f"Onbekende soort gegevens: '{entity}'.")
        with self._sessions() as session:
            obj = session.get(cls, entity_id)
            if obj is None:
                raise NotFoundError(records.ENTITY_LABELS.get(entity, entity), entity_id)
            return {c.key: getattr(obj, c.key) for c in cls.__mapper__.column_attrs}

    def _stale(self, entity: str, entity_id: int, expected: int) -> StaleEditError:
        label = records.ENTITY_LABELS.get(entity, entity)
        try:
            current = self.get(entity, entity_id)
        except NotFoundError:
            current = {"version": 0}
        with self.engine.connect() as conn:
            last = conn.execute(
                select(AuditEntry.actor, AuditEntry.at)
                .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            ).first()
        by = last.actor if last else None
        at = f"{last.at:%d-%m-%Y %H:%M} (UTC)" if last else None
        return StaleEditError(label, entity_id, expected, current, by, at)

    def frame(self, name: str) -> pd.DataFrame:
        """Return one table as a DataFrame with real dtypes (dates, categoricals, nullable ints)."""
        from trajecttools.access import scope_frame
        from trajecttools.frames import entity_frame

        return scope_frame(self, self.access, name, entity_frame(self, name))

    def cases(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Return the wide ``cases`` frame: one row a trajectory with its key facts."""
        from trajecttools.access import scope_frame
        from trajecttools.frames import cases

        return scope_frame(self, self.access, "cases", cases(self, as_of or self.today))

    def open_case(self, trajectory_id: int) -> dict[str, pd.DataFrame]:
        """Return every row of one case in full (one frame a table); the opening is logged."""
        from trajecttools.access import open_case

        return open_case(self, self.access, trajectory_id)

    def audit(self) -> pd.DataFrame:
        """Return the audit log as a DataFrame, oldest first."""
        return self.frame("audit_log")

    def verify_audit(self) -> list[str]:
        """Check the audit log's hash chain; return Dutch descriptions of every break."""
        problems: list[str] = []
        prev = GENESIS_HASH
        cols = [
            "id",
            "at",
            "actor",
            "action",
            "entity",
            "entity_id",
            "field",
            "old",
            "new",
            "prev_hash",
            "hash",
            "hash_version",
            "old_digest",
            "new_digest",
            "redacted_at",
        ]
        with self._sessions() as session:
            result = session.execute(
                select(*[getattr(AuditEntry, c) for c in cols]).order_by(AuditEntry.id)
            )
            for row in result:
                entry = row._asdict()
                if entry["prev_hash"] != prev:
                    problems.append(
                        f"Auditregel {entry['id']}: verwijst niet naar de vorige regel "
                        "(regel verwijderd of ingevoegd)."
                    )
                changed = audit_hash(entry["prev_hash"], entry) != entry["hash"]
                if (entry["hash_version"] or 1) >= 2:
                    for side in ("old", "new"):
                        value, digest = entry[side], entry[f"{side}_digest"]
                        if value is not None and value_digest(value) != digest:
                            changed = True
                        elif value is None and digest is not None and entry["redacted_at"] is None:
                            changed = True  # value removed outside a purge
                if changed:
                    problems.append(f"Auditregel {entry['id']}: inhoud gewijzigd na het schrijven.")
                prev = entry["hash"]
        return problems

    def info(self) -> dict[str, str]:
        """Return the register's key/value facts (e.g. ``synthetic``)."""
        with self.engine.connect() as conn:
            return {k: v for k, v in conn.execute(select(SchemaInfo.key, SchemaInfo.value))}

    def set_info(self, key: str, value: str, *, actor: str | None = None) -> None:
        """Set one key/value fact of the register (audited)."""
        with self.transaction(actor) as tx:
            row = tx.session.execute(select(SchemaInfo).where(SchemaInfo.key == key)).scalar()
            if row is None:
                tx.session.add(SchemaInfo(key=key, value=value))
                tx.log("create", "register_info", None, key, None, value)
            elif row.value != value:
                tx.log("update", "register_info", row.id, key, row.value, value)
                row.value = value

    def count(self, entity: str) -> int:
        """Return the number of rows of one table."""
        table = ENTITIES[entity].__table__
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    # -- bulk ----------------------------------------------------------------------------
    def bulk_load(
        self, frames: Mapping[str, pd.DataFrame], *, actor: str | None = None
    ) -> dict[str, int]:
        """Load whole tables (ids included) into an empty register in one transaction.

        Meant for demo data and migrations between databases; one audit row per table records
        who loaded how many rows. Returns the row count per table.
        """
        unknown = set(frames) - set(ENTITIES)
        if unknown:
            raise TrajecttoolsError(f"Onbekende tabellen: {', '.join(sorted(unknown))}.")
        counts: dict[str, int] = {}
        with Session(self._writer) as session, session.begin():
            tx = Tx(self, session, actor or self.actor, self.today)
            conn = session.connection()
            # no change log row per loaded row: the read models are dropped and rebuilt instead
            readmodel.drop_triggers(conn)
            for table in Base.metadata.sorted_tables:
                df = frames.get(table.name)
                if df is None or df.empty:
                    continue
                existing = conn.execute(select(func.count()).select_from(table)).scalar_one()
                if existing:
                    raise TrajecttoolsError(
                        f"Tabel {table.name} is niet leeg ({existing} rijen): laad alleen in een "
                        "lege database."
                    )
                missing = [c.name for c in table.columns if c.name not in df.columns]
                required = [c for c in missing if not table.c[c].nullable and c != "version"]
                if required:
                    raise TrajecttoolsError(
                        f"Tabel {table.name}: kolommen ontbreken: {', '.join(required)}."
                    )
                _insert_frame(conn, table, df)
                counts[table.name] = len(df)
                tx.log("bulk_load", table.name, None, None, None, f"{len(df)} rijen")
            if conn.dialect.name == "postgresql":
                for table in Base.metadata.sorted_tables:
                    if table.name in counts:
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"(SELECT MAX(id) FROM {table.name}))"
                            )
                        )
            readmodel.install(conn)
            tx._write_audit()
        self._methods = None
        return counts


def _column_values(col: Any, series: pd.Series, sqlite: bool) -> list[Any]:
    """Convert one DataFrame column to a list of DB-API values for its SQL column type."""
    ctype = col.type
    if isinstance(ctype, Date | DateTime):
        ts = pd.to_datetime(series, errors="raise")
        mask = ts.isna().to_numpy()
        if isinstance(ctype, DateTime):
            if sqlite:
                arr = ts.to_numpy(dtype="datetime64[us]").astype(str)
                out = np.char.replace(arr, "T", " ").astype(object)
            else:
                out = np.array(ts.dt.to_pydatetime(), dtype=object)
        elif sqlite:
            out = ts.to_numpy(dtype="datetime64[D]").astype(str).astype(object)
        else:
            out = np.array([t.date() if t is not pd.NaT else None for t in ts], dtype=object)
        out[mask] = None
        return list(out)
    if isinstance(ctype, JSON):
        return [
            None
            if v is None or (isinstance(v, float) and np.isnan(v))
            else (json.dumps(list(v), ensure_ascii=False) if sqlite else list(v))
            for v in series
        ]
    if isinstance(ctype, Boolean):
        vals = series.astype("boolean")
        return [None if v is pd.NA else (int(v) if sqlite else bool(v)) for v in vals]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
        arr = series.to_numpy()
        scalars: list[Any] = arr.tolist()  # Python scalars, converted in C
        if arr.dtype.kind == "f":
            for i in np.flatnonzero(np.isnan(arr)).tolist():
                scalars[i] = None
        return scalars
    values = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.tolist()  # text and None only: nothing to convert
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _insert_frame(conn: Any, table: Any, df: pd.DataFrame) -> None:
    sqlite = conn.dialect.name == "sqlite"
    df = df.copy()
    if "version" in table.c and "version" not in df.columns:
        df["version"] = 1
    cols = [c for c in table.columns if c.name in df.columns]
    columns = [_column_values(c, df[c.name], sqlite) for c in cols]
    if sqlite:
        names = ", ".join(f'"{c.name}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        raw = conn.connection.driver_connection
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        raw.executemany(sql, zip(*columns, strict=True))
    else:
        keys = [c.name for c in cols]
        rows = [dict(zip(keys, vals, strict=True)) for vals in zip(*columns, strict=True)]
        for start in range(0, len(rows), 20_000):
            conn.execute(table.insert(), rows[start : start + 20_000])


def _method_to_toml(m: Method) -> str:
    """Serialise a resolved method back to TOML text (for storing inherited methods)."""
    lines = [
        "[method]",
        f"code = {json.dumps(m.method.code)}",
        f"name = {json.dumps(m.method.name, ensure_ascii=False)}",
        f"description = {json.dumps(m.method.description, ensure_ascii=False)}",
        f"initial_phase = {json.dumps(m.method.initial_phase)}",
        "",
    ]
    for p in m.phases:
        lines += [
            "[[phases]]",
            f"code = {json.dumps(p.code)}",
            f"label = {json.dumps(p.label, ensure_ascii=False)}",
            f"stage = {json.dumps(p.stage)}",
            "",
        ]
    lines.append("[transitions]")
    lines += [f"{k} = {json.dumps(list(v))}" for k, v in m.transitions.items()]
    lines.append("")
    for name, limit in m.placement_types.items():
        lines.append(f"[placement_types.{name}]")
        lines += [f"{k} = {v}" for k, v in limit.model_dump().items() if v is not None]
        lines.append("")
    for name, rule in m.rules.items():
        lines.append(f"[rules.{name}]")
        for k, v in rule.model_dump().items():
            if v is None:
                continue
            value = json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else str(v).lower()
            lines.append(f"{k} = {value}")
        lines.append("")
    return "\n".join(lines)


def open(
    target: str | os.PathLike[str] | None = None,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
    role: str | None = None,
    user: str | None = None,
    coach: str | None = None,
    team: str | None = None,
) -> Store:
    """Open (and if needed create or migrate) a register by file path or database URL.

    ``role`` decides what frames show (default analyst: pseudonymised, see
    :mod:`trajecttools.access`); ``user`` is another name for ``actor``.
    """
    return Store(target, actor=actor or user, today=today, role=role, coach=coach, team=team)
