"""Retention: anonymise closed trajectories once the retention term has passed.

Anonymising keeps every row (so counts of trajectories, phases, outcomes, placements, ZRM scores
and barrier domains stay the same) and empties what identifies a person or tells their story:
names, BSN, external numbers, birth date (only the year is kept), postcode (4 digits kept),
the pseudonym (replaced by a fresh ``A-`` code, so old printouts no longer link), and every
free-text note (which may hold health, addiction, debt or justice details).

The audit log must not keep what the purge removes: old/new values of earlier audit rows about
the anonymised records (snapshots of created/deleted records, and changes of personal fields) are
redacted. Their SHA-256 digests stay, so the hash chain still verifies (rows written since schema
0004). The purge's own audit rows name only ids and counts, never a removed value.

The term comes from the register setting ``retention_years`` (default :data:`DEFAULT_YEARS`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.orm import Session

from trajecttools.core import privacy
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.model import ENTITIES, AuditEntry, Base, Client, Trajectory
from trajecttools.register import changes
from trajecttools.register.access import AccessDenied

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Register setting holding the retention term in whole years.
SETTING = "retention_years"
#: Default term: five years after closing. Outcome measures (lasting work, revolving door) follow
#: people up to two years after a placement, so the term must be longer than that; five years
#: after the end of the service is the usual term for re-integration files in Dutch municipal
#: practice. An organisation sets its own term with ``retention_years``.
DEFAULT_YEARS = 5
MIN_YEARS = 2
#: Columns naming staff, not the client: kept.
_STAFF_COLUMNS = {("phase_events", "actor"), ("match_decisions", "decided_by")}
_CHUNK = 500


@dataclass
class PurgePlan:
    """What a purge anonymises (dry run) or anonymised (executed)."""

    closed_before: dt.date
    trajectories: list[int] = field(default_factory=list)
    clients: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    audit_rows: int = 0
    legacy_audit_rows: int = 0
    executed: bool = False

    def summary(self) -> str:
        """Return a Dutch summary of the counts."""
        verb = "Geanonimiseerd" if self.executed else "Te anonimiseren (proefdraai)"
        lines = [
            f"{verb}: trajecten afgesloten vóór {self.closed_before:%d-%m-%Y}.",
            f"- trajecten: {len(self.trajectories)}",
            f"- klanten (alle trajecten afgesloten): {len(self.clients)}",
        ]
        for table, count in sorted(self.rows.items()):
            if count:
                lines.append(f"- {table}: {count} rijen met persoonsgegevens of notities")
        lines.append(f"- auditregels waarvan oude/nieuwe waarden worden gewist: {self.audit_rows}")
        if self.legacy_audit_rows:
            lines.append(
                f"- let op: {self.legacy_audit_rows} auditregels van vóór schemaversie 0004 "
                "bevatten nog waarden; die kunnen niet worden gewist zonder de keten te breken"
            )
        if not self.executed:
            lines.append("Er is niets gewijzigd. Voer uit met --execute.")
        return "\n".join(lines)


def retention_years(store: Store) -> int:
    """Return the register's retention term in years (setting ``retention_years``)."""
    raw = store.info().get(SETTING)
    if raw is None:
        return DEFAULT_YEARS
    try:
        years = int(raw)
    except ValueError:
        years = -1
    if years < MIN_YEARS:
        raise TrajecttoolsError(
            f"Registerinstelling {SETTING}: '{raw}' is geen geldige bewaartermijn (een geheel "
            f"aantal jaren, minstens {MIN_YEARS})."
        )
    return years


def default_cutoff(store: Store) -> dt.date:
    """Return the date before which closed trajectories are past the retention term."""
    today, years = store.today, retention_years(store)
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(ids)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _purge_columns(name: str) -> list[str]:
    table = Base.metadata.tables[name]
    cols = privacy.personal_columns(name) - {c for t, c in _STAFF_COLUMNS if t == name}
    return [c.name for c in table.columns if c.name in cols]


def _ids(session: Session, table: Table, column: str, keys: set[int]) -> set[int]:
    found: set[int] = set()
    for part in _chunks(keys):
        found |= set(session.execute(select(table.c.id).where(table.c[column].in_(part))).scalars())
    return found


def _scope(session: Session, cutoff: dt.date) -> tuple[set[int], set[int]]:
    purged = set(
        session.execute(
            select(AuditEntry.entity_id).where(
                AuditEntry.action == "purge", AuditEntry.entity == "trajectories"
            )
        ).scalars()
    )
    due = {
        int(i)
        for i in session.execute(
            select(Trajectory.id).where(
                Trajectory.closed_on.is_not(None), Trajectory.closed_on < cutoff
            )
        ).scalars()
    } - purged
    done = due | purged
    owners: dict[int, set[int]] = {}
    for tid, cid in session.execute(select(Trajectory.id, Trajectory.client_id)):
        owners.setdefault(int(cid), set()).add(int(tid))
    touched = {cid for cid, tids in owners.items() if tids & due}
    clients = {cid for cid in touched if owners[cid] <= done}
    return due, clients


def _affected(session: Session, due: set[int], clients: set[int]) -> dict[str, set[int]]:
    """Return table -> ids of rows whose personal columns the purge empties."""
    out: dict[str, set[int]] = {}
    for name in ENTITIES:
        table = Base.metadata.tables[name]
        if name == "clients":
            out[name] = set(clients)
        elif name == "trajectories":
            out[name] = set(due)
        elif "trajectory_id" in table.c and _purge_columns(name):
            out[name] = _ids(session, table, "trajectory_id", due)
        elif "client_id" in table.c and _purge_columns(name):
            out[name] = _ids(session, table, "client_id", clients)
    return out


def _audit_filter(affected: dict[str, set[int]]) -> list[Any]:
    """Return conditions selecting audit rows that repeat removed values."""
    conds = []
    for name, ids in affected.items():
        if not ids:
            continue
        personal = privacy.personal_columns(name)
        field_cond = or_(AuditEntry.field.is_(None), AuditEntry.field.in_(sorted(personal)))
        for part in _chunks(ids):
            conds.append(
                and_(AuditEntry.entity == name, AuditEntry.entity_id.in_(part), field_cond)
            )
    return conds


def _count_audit(session: Session, conds: list[Any], version: int) -> int:

    total = 0
    has_values = or_(AuditEntry.old.is_not(None), AuditEntry.new.is_not(None))
    version_cond = (
        AuditEntry.hash_version >= 2 if version >= 2 else AuditEntry.hash_version < 2
    )
    for cond in conds:
        total += int(
            session.execute(
                select(func.count()).where(cond, has_values, version_cond)
            ).scalar_one()
        )
    return total


def _anonymise(session: Session, affected: dict[str, set[int]]) -> None:
    for name, ids in affected.items():
        if not ids:
            continue
        table = Base.metadata.tables[name]
        values: dict[str, Any] = {}
        for col in _purge_columns(name):
            if name == "clients" and col in ("birth_date", "postcode"):
                continue
            values[col] = None if table.c[col].nullable else ""
        if "version" in table.c:
            values["version"] = table.c.version + 1
        for part in _chunks(ids):
            session.execute(update(table).where(table.c.id.in_(part)).values(**values))
    clients = affected.get("clients", set())
    for cid in sorted(clients):
        row = session.execute(
            select(Client.birth_date, Client.birth_year, Client.postcode).where(Client.id == cid)
        ).one()
        year = row.birth_date.year if row.birth_date is not None else row.birth_year
        postcode = (row.postcode or "").replace(" ", "")[:4] or None
        session.execute(
            update(Client.__table__)  # type: ignore[arg-type]
            .where(Client.__table__.c.id == cid)
            .values(
                birth_date=None,
                birth_year=year,
                postcode=postcode if postcode and postcode.isdigit() else None,
                pseudonym=_anonymous_code(session),
            )
        )


def _anonymous_code(session: Session) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = "A-" + "".join(secrets.choice(alphabet) for _ in range(8))
        if session.execute(select(Client.id).where(Client.pseudonym == code)).first() is None:
            return code


def _plan(session: Session, cutoff: dt.date) -> tuple[PurgePlan, dict[str, set[int]], list[Any]]:
    due, clients = _scope(session, cutoff)
    affected = _affected(session, due, clients)
    conds = _audit_filter(affected)
    plan = PurgePlan(
        closed_before=cutoff,
        trajectories=sorted(due),
        clients=sorted(clients),
        rows={name: len(ids) for name, ids in affected.items() if ids},
        audit_rows=_count_audit(session, conds, 2),
        legacy_audit_rows=_count_audit(session, conds, 1),
    )
    return plan, affected, conds


def purge(
    store: Store,
    closed_before: dt.date | None = None,
    *,
    execute: bool = False,
    actor: str | None = None,
) -> PurgePlan:
    """Anonymise trajectories closed before ``closed_before`` (default: the retention term).

    Without ``execute`` nothing changes and the plan shows the counts (dry run). With it,
    everything happens in one transaction, audit-logged by ids and counts only.
    """
    cutoff = closed_before or default_cutoff(store)
    if cutoff > store.today:
        raise TrajecttoolsError(
            f"Afgesloten vóór: {cutoff:%d-%m-%Y} ligt in de toekomst; kies een datum tot en met "
            "vandaag."
        )
    if store.role != "beheer":
        raise AccessDenied(
            "Alleen de rol functioneel beheerder (beheer) mag dossiers anonimiseren."
        )
    if not execute:
        with Session(store.engine) as session:
            return _plan(session, cutoff)[0]
    with store.transaction(actor) as tx:
        session = tx.session
        plan, affected, conds = _plan(session, cutoff)
        if not plan.trajectories:
            return plan
        _anonymise(session, affected)
        # the stored frames still hold the removed identities (initials): drop them
        changes.invalidate(session.connection())
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        has_values = or_(AuditEntry.old.is_not(None), AuditEntry.new.is_not(None))
        for cond in conds:
            session.execute(
                update(AuditEntry.__table__)  # type: ignore[arg-type]
                .where(cond, has_values, AuditEntry.hash_version >= 2)
                .values(old=None, new=None, redacted_at=now)
            )
        for tid in plan.trajectories:
            tx.log("purge", "trajectories", tid)
        for cid in plan.clients:
            tx.log("purge", "clients", cid)
        tx.log(
            "purge",
            "register_info",
            None,
            "closed_before",
            None,
            json.dumps(
                {
                    "closed_before": cutoff.isoformat(),
                    "trajectories": len(plan.trajectories),
                    "clients": len(plan.clients),
                    "audit_rows_redacted": plan.audit_rows,
                },
                sort_keys=True,
            ),
        )
        plan.executed = True
    return plan


__all__ = ["DEFAULT_YEARS", "SETTING", "PurgePlan", "default_cutoff", "purge", "retention_years"]
