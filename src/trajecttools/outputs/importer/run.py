"""Running an import: read the file, check every row, write the good ones in one transaction."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.model import Base, Client
from trajecttools.core.names import PSEUDONYM_ALPHABET
from trajecttools.outputs.importer.caseload import prepare_caseload
from trajecttools.outputs.importer.caseload_write import apply_updates, write_new
from trajecttools.outputs.importer.caseload_write import create_coaches as create_coaches_of
from trajecttools.outputs.importer.kinds import KINDS, ORGANISATION_KINDS
from trajecttools.outputs.importer.mapping import SourceMapping, load_mapping
from trajecttools.outputs.importer.organisation import OrganisationRows, prepare_organisation
from trajecttools.outputs.importer.readers import Table, read_single
from trajecttools.outputs.importer.result import (
    ImportFileError,
    ImportResult,
    Prepared,
    Progress,
    Ticker,
    write_rejects,
)
from trajecttools.outputs.importer.roundtrip import prepare_register, read_register
from trajecttools.outputs.importer.rows import prepare_kind
from trajecttools.register.bulk import insert_frame
from trajecttools.register.store import Store
from trajecttools.register.transactions import Tx


def new_pseudonyms(session: Session, count: int) -> list[str]:
    """Return ``count`` new, unused client pseudonyms (K- and 6 random characters)."""
    alphabet = PSEUDONYM_ALPHABET
    assert len(alphabet) == 32  # 256 % 32 == 0: every byte maps to a character without bias
    taken = {p for (p,) in session.execute(select(Client.pseudonym))}
    out: list[str] = []
    while len(out) < count:
        need = count - len(out)
        raw = secrets.token_bytes(6 * need)
        for i in range(need):
            code = "K-" + "".join(alphabet[b % 32] for b in raw[6 * i : 6 * i + 6])
            if code not in taken:
                taken.add(code)
                out.append(code)
    return out


def write_prepared(
    store: Store, session: Session, kind: str, prep: Prepared, source: Path, actor: str
) -> None:
    """Insert every prepared row in the session's (single) transaction, with audit rows."""
    if isinstance(prep, OrganisationRows):  # written row by row while checked
        prep.finish(kind, source)
        return
    conn = session.connection()
    tx = Tx(store, session, actor, store.today)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for table in Base.metadata.sorted_tables:
        rows = prep.inserts.get(table.name)
        if not rows:
            continue
        if kind == "register":
            insert_frame(conn, table, pd.DataFrame(rows, dtype=object))
            tx.log("import", table.name, None, None, None, f"{len(rows)} rijen uit {source.name}")
            continue
        if table.name == "clients":
            for row, code in zip(rows, new_pseudonyms(session, len(rows)), strict=True):
                row["pseudonym"], row["created_at"] = code, now
        before = conn.execute(select(func.max(table.c.id))).scalar() or 0
        insert_frame(conn, table, pd.DataFrame(rows, dtype=object))
        tx.log("import", table.name, None, None, None, f"{len(rows)} rijen uit {source.name}")
        if table.name == "trajectories":
            trajectory_history(conn, table, before, rows, actor)
            tx.log(
                "import",
                "phase_events",
                None,
                None,
                None,
                f"{len(rows)} rijen (begin huidige fase) uit {source.name}",
            )
    if kind == "register" and conn.dialect.name == "postgresql":
        for table in Base.metadata.sorted_tables:
            if prep.inserts.get(table.name):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
                )
    tx.write_audit()


def trajectory_history(
    conn: Any, table: Any, before: int, rows: list[dict[str, Any]], actor: str
) -> None:
    """Give imported trajectories their phase event, an (unsigned) plan and coach assignment."""
    ids = dict(
        conn.execute(select(table.c.external_id, table.c.id).where(table.c.id > before)).all()
    )
    events, plans, assignments = [], [], []
    for row in rows:
        tid = ids[row["external_id"]]
        events.append(
            {
                "trajectory_id": tid,
                "phase": row["phase"],
                "started_on": row["phase_since"],
                "actor": actor,
            }
        )
        plans.append({"trajectory_id": tid})
        if row.get("coach_id") is not None:
            assignments.append(
                {
                    "trajectory_id": tid,
                    "coach_id": row["coach_id"],
                    "assigned_at": row["registered_at"],
                    "reason": "import",
                }
            )
    meta = Base.metadata.tables
    insert_frame(conn, meta["phase_events"], pd.DataFrame(events, dtype=object))
    insert_frame(conn, meta["trajectory_plans"], pd.DataFrame(plans, dtype=object))
    if assignments:
        insert_frame(conn, meta["coach_assignments"], pd.DataFrame(assignments, dtype=object))


def import_caseload(
    store: Store,
    session: Session,
    single: Table,
    maps: SourceMapping,
    ticker: Ticker,
    source: Path,
    actor: str,
    *,
    create_coaches: bool,
    update: bool,
) -> Prepared:
    """Check a caseload file and write it in the session's transaction (rolled back by the
    caller on a dry run): coaches, new cases with their history, then the updates."""
    plan = prepare_caseload(store, session, single, maps, ticker,
                            create_coaches=create_coaches, update=update)
    tx = Tx(store, session, actor, store.today)
    coach_ids = create_coaches_of(tx, plan)
    count = len({c.client_number for c in plan.new if c.client_id is None})
    write_new(tx, plan, coach_ids, source, new_pseudonyms(session, count))
    tx.write_audit()
    apply_updates(store, session, plan, coach_ids, source, actor)
    return plan.prep


def import_file(
    store: Store,
    path: str | os.PathLike[str],
    *,
    kind: str,
    mapping: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    actor: str | None = None,
    progress: Progress | None = None,
    reject_path: str | os.PathLike[str] | None = None,
    create_coaches: bool = False,
    update: bool = False,
) -> ImportResult:
    """Import a CSV or Excel file of one kind (or a whole register export) into the register.

    Every row is validated; valid rows are saved in one transaction, invalid rows are written
    to a reject file next to the input (or ``reject_path``). ``dry_run`` checks everything and
    saves nothing. ``progress(done, total)`` is called while rows are checked.
    ``kind="caseload"`` (client and trajectory in one row) also takes ``create_coaches``
    (coaches the file names and the register lacks are added) and ``update`` (a known
    trajectory whose phase, coach, plan or intake date changed gets that change through the
    register's rules; without it such a row is rejected). Raises
    :class:`ImportFileError` (Dutch message, nothing saved) when the file cannot be read or the
    database refuses the write.
    """
    if kind not in KINDS:
        raise ImportFileError(f"Onbekende soort import '{kind}'; kies uit: {', '.join(KINDS)}.")
    source = Path(path)
    if not source.exists():
        raise ImportFileError(f"Bestand {source} bestaat niet.")
    maps = load_mapping(mapping, kind)
    if kind == "register":
        tables, unknown = read_register(source)
        total = sum(len(t.rows) + len(t.broken) for t in tables.values())
    else:
        single = read_single(source, maps.options)
        total = len(single.rows) + len(single.broken)
    ticker = Ticker(total, progress)
    who = actor or store.actor
    try:
        with Session(store.writer) as session:
            session.begin()
            try:
                if kind == "caseload":  # checked and written together, rolled back if dry
                    prep = import_caseload(store, session, single, maps, ticker, source, who,
                                           create_coaches=create_coaches, update=update)
                elif kind == "register":
                    prep = prepare_register(store, session, tables, ticker)
                    prep.ignored = unknown + prep.ignored
                elif kind in ORGANISATION_KINDS:
                    prep = prepare_organisation(store, session, kind, single, maps, ticker, who)
                else:
                    prep = prepare_kind(store, session, kind, single, maps, ticker)
                if dry_run:
                    session.rollback()
                else:
                    if kind != "caseload":
                        write_prepared(store, session, kind, prep, source, who)
                    session.commit()
            except BaseException:
                session.rollback()
                raise
    except TrajecttoolsError:
        raise
    except Exception as exc:  # database refused the write: the transaction was rolled back
        dbapi = store.engine.dialect.dbapi
        refused: tuple[type[BaseException], ...] = (SQLAlchemyError,)
        if dbapi is not None:
            refused += (dbapi.Error,)
        if not isinstance(exc, refused):
            raise
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise ImportFileError(
            f"Import van {source.name} mislukt: de database weigerde het opslaan ({reason}). "
            "Er is niets opgeslagen; het register is ongewijzigd."
        ) from exc
    if total == 0 and progress is not None:
        progress(0, 0)
    result = ImportResult(
        kind=kind,
        source=source,
        read=prep.read,
        imported=prep.new + prep.unchanged + prep.updated,
        new=prep.new,
        unchanged=prep.unchanged,
        rejected=prep.rejected_rows,
        empty_rows=prep.empty,
        rejects=prep.rejects,
        dry_run=dry_run,
        ignored_columns=prep.ignored,
        per_table=prep.per_table,
        updated=prep.updated,
        changes=prep.changes,
        coaches_created=prep.coaches_created,
    )
    if result.read != result.imported + result.rejected:  # pragma: no cover - invariant
        raise AssertionError("import bookkeeping: read != imported + rejected")
    default_rejects = source.with_name(source.stem + ".afgewezen.csv")
    target = Path(reject_path) if reject_path is not None else default_rejects
    if prep.rejects:
        write_rejects(target, prep)
        result.reject_path = target
    elif reject_path is None:
        default_rejects.unlink(missing_ok=True)
    return result
