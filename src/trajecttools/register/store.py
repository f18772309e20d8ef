"""The case register in one database: opening, migrating, writing, auditing.

Every write goes through a :class:`Tx` (one database transaction): records are validated first,
edits of versioned rows must name the version they started from (a stale edit is refused), and
every change leaves hash-chained rows in ``audit_log`` (who, when, what, old -> new).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from trajecttools.core import validation
from trajecttools.core.errors import (
    FieldProblem,
    InvalidRecord,
    NotFoundError,
    SchemaError,
    StaleEditError,
    TrajecttoolsError,
)
from trajecttools.core.method import (
    Method,
    builtin_methods,
    load_method,
    method_to_toml,
    parse_method,
)
from trajecttools.core.model import ENTITIES, AuditEntry, Base, SchemaInfo
from trajecttools.register import access, audit, changes
from trajecttools.register.bulk import insert_frame
from trajecttools.register.database import (
    default_actor,
    make_engine,
    resolve_url,
    schema_revisions,
    upgrade,
)
from trajecttools.register.transactions import Tx, integrity_message


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
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._methods: dict[str, Method] | None = None
        #: The user's role and caseload (see :mod:`trajecttools.register.access`); default analyst.
        self.access = access.resolve(self, role, coach=coach, team=team)

    @property
    def role(self) -> str:
        """The role frames are shown for: coach, team_lead, analyst, trainer or beheer."""
        return self.access.role

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> Self:
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
                found[key.removeprefix("method:")] = parse_method(
                    tomllib.loads(value), key, stored=True
                )
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
        m = load_method(Path(path))
        data = Path(path).read_text("utf-8")
        if "extends" in tomllib.loads(data):  # store the resolved method, independent of parent
            data = method_to_toml(m)
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
            with Session(self.writer, expire_on_commit=False) as session, session.begin():
                tx = Tx(self, session, actor or self.actor, self.today)
                yield tx
                tx.write_audit()
        except IntegrityError as exc:  # a unique value taken meanwhile: Dutch, not SQL
            raise TrajecttoolsError(integrity_message(exc)) from None

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
        with self.sessions() as session:
            obj = session.get(cls, entity_id)
            if obj is None:
                raise NotFoundError(validation.ENTITY_LABELS.get(entity, entity), entity_id)
            return {c.key: getattr(obj, c.key) for c in cls.__mapper__.column_attrs}

    def stale_error(self, entity: str, entity_id: int, expected: int) -> StaleEditError:
        label = validation.ENTITY_LABELS.get(entity, entity)
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

    def verify_audit(self) -> list[str]:
        """Check the audit log's hash chain; return Dutch descriptions of every break."""
        return audit.verify(self.engine)

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
        with Session(self.writer) as session, session.begin():
            tx = Tx(self, session, actor or self.actor, self.today)
            conn = session.connection()
            # no change log row per loaded row: the read models are dropped and rebuilt instead
            changes.drop_triggers(conn)
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
                insert_frame(conn, table, df)
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
            changes.install(conn)
            tx.write_audit()
        self._methods = None
        return counts

