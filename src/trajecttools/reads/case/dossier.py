"""One case as the coach works it: every record of a trajectory, for forms and reports.

The coach's forms edit the full case, so the dossier holds names and free text; it never holds
the BSN (only whether one is recorded). Rows that can be edited keep their ``version``, the
optimistic-lock number a form hands back when it saves. Pick lists name a client by pseudonym
and initials only (:func:`case_choices`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, select

from trajecttools.core import validation, vocab
from trajecttools.core.dates import add_months, dutch_date, dutch_moment
from trajecttools.core.errors import NotFoundError
from trajecttools.core.method import Method
from trajecttools.core.model import ENTITIES
from trajecttools.core.names import initials_of
from trajecttools.reads.frames import CATEGORIES

if TYPE_CHECKING:
    from trajecttools.register.store import Store

Row = dict[str, Any]

#: Integer-coded columns and their Dutch code lists (the string-coded ones are in CATEGORIES).
INT_CODES: Mapping[tuple[str, str], Mapping[Any, str]] = {
    ("barriers", "severity"): vocab.BARRIER_SEVERITIES,
    ("skills", "level"): vocab.SKILL_LEVELS,
    ("ladder_steps", "rung"): vocab.LADDER_RUNGS,
    **{("zrm_assessments", d): vocab.ZRM_LEVELS for d in vocab.ZRM_DOMAINS},
}
#: Columns never shown back in a form, a report or a "the other version" panel.
HIDDEN_COLUMNS = frozenset({"bsn", "id", "version", "created_at"})
_NAME_OF = {"coach_id": "coaches", "case_manager_id": "case_managers", "employer_id": "employers"}


def code_label(entity: str, column: str, value: object, method: Method | None = None) -> str:
    """Return the Dutch label of a coded value (phases by the method, codes by vocab)."""
    if value is None:
        return ""
    if column == "phase" and method is not None:
        return method.phase_label(str(value))
    codes = CATEGORIES.get((entity, column)) or INT_CODES.get((entity, column))
    if codes is not None:
        return vocab.label(codes, value)  # type: ignore[arg-type]
    return str(value)


def display_value(entity: str, column: str, value: object, method: Method | None = None) -> str:
    """Return a value as a person reads it: labels for codes, Dutch dates, ja/nee."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        return dutch_moment(value)
    if isinstance(value, dt.date):
        return dutch_date(value)
    if isinstance(value, list | tuple):
        return ", ".join(code_label(entity, column, v, method) for v in value)
    if column == "preferred_sectors":
        return str(value)
    return code_label(entity, column, value, method)


def describe(
    store: Store, entity: str, values: Mapping[str, Any], method: Method | None = None
) -> list[tuple[str, str]]:
    """Return (Dutch label, shown value) pairs of a record, without BSN and technical columns.

    Used to show "the other version" when an edit was refused: people, not ids.
    """
    out: list[tuple[str, str]] = []
    for column, value in values.items():
        if column in HIDDEN_COLUMNS or column in ("trajectory_id", "client_id"):
            continue
        if column in _NAME_OF and value is not None:
            try:
                shown = str(store.get(_NAME_OF[column], int(value)).get("name", value))
            except NotFoundError:
                shown = str(value)
        elif column in ("phase_since", "closed_on") or column.endswith(("_on", "_at")):
            shown = dutch_moment(value) if isinstance(value, dt.datetime) else dutch_date(value)
        elif column == "preferred_sectors" and isinstance(value, list):
            shown = ", ".join(vocab.label(vocab.SECTORS, v) for v in value)
        else:
            shown = display_value(entity, column, value, method)
        out.append((validation.field_label(entity, column), shown))
    return out


def entity_of_label(label: str) -> str | None:
    """Return the table name whose Dutch label this is (for errors that carry the label)."""
    for entity, text in validation.ENTITY_LABELS.items():
        if text == label:
            return entity
    return None


@dataclass(frozen=True)
class CaseChoice:
    """One entry of a pick list: a trajectory named by pseudonym and initials only."""

    trajectory_id: int
    pseudonym: str
    initials: str
    method_name: str
    phase_label: str
    registered_on: dt.date | None
    closed: bool

    @property
    def label(self) -> str:
        """Return the text shown in a pick list (never a full name)."""
        who = f"{self.pseudonym} · {self.initials}" if self.initials else self.pseudonym
        when = f", aangemeld {dutch_date(self.registered_on)}" if self.registered_on else ""
        closed = " (afgesloten)" if self.closed else ""
        return f"{who} — {self.phase_label}{closed}{when}"


def _table(entity: str) -> Table:
    return ENTITIES[entity].__table__  # type: ignore[return-value]


def case_choices(store: Store, *, search: str = "", limit: int = 300) -> list[CaseChoice]:
    """Return trajectories to pick from, newest first, filtered by (part of) the pseudonym."""
    t, c = _table("trajectories"), _table("clients")
    query = (
        select(
            t.c.id, t.c.method, t.c.phase, t.c.registered_at, t.c.closed_on,
            c.c.pseudonym, c.c.given_name, c.c.family_name,
        )
        .join(c, c.c.id == t.c.client_id)
        .order_by(t.c.registered_at.desc(), t.c.id.desc())
        .limit(limit)
    )
    term = search.strip()
    if term:
        query = query.where(func.upper(c.c.pseudonym).contains(term.upper()))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    methods = store.methods()
    out = []
    for r in rows:
        m = methods.get(r.method)
        out.append(
            CaseChoice(
                trajectory_id=int(r.id),
                pseudonym=str(r.pseudonym),
                initials=initials_of(r.given_name, r.family_name),
                method_name=m.name if m else str(r.method),
                phase_label=m.phase_label(r.phase) if m else str(r.phase),
                registered_on=r.registered_at.date() if r.registered_at else None,
                closed=r.closed_on is not None,
            )
        )
    return out


@dataclass(frozen=True)
class Dossier:
    """Every record of one trajectory, as the coach's forms and reports need them."""

    trajectory: Row
    client: Row
    has_bsn: bool
    method: Method
    plan: Row | None
    coach: Row | None
    case_manager: Row | None
    phases: list[Row] = field(default_factory=list)
    barriers: list[Row] = field(default_factory=list)
    zrm: list[Row] = field(default_factory=list)
    ladder: list[Row] = field(default_factory=list)
    skills: list[Row] = field(default_factory=list)
    network: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    agreements: list[Row] = field(default_factory=list)
    placements: list[Row] = field(default_factory=list)
    aftercare: list[Row] = field(default_factory=list)
    end_report: Row | None = None

    @property
    def trajectory_id(self) -> int:
        return int(self.trajectory["id"])

    @property
    def client_id(self) -> int:
        return int(self.client["id"])

    @property
    def pseudonym(self) -> str:
        return str(self.client["pseudonym"])

    @property
    def initials(self) -> str:
        return initials_of(self.client.get("given_name"), self.client.get("family_name"))

    @property
    def display_name(self) -> str:
        """Return "pseudonym · initials", how a case is named outside the form itself."""
        return f"{self.pseudonym} · {self.initials}" if self.initials else self.pseudonym

    @property
    def full_name(self) -> str:
        return f"{self.client.get('given_name') or ''} {self.client.get('family_name') or ''}"

    @property
    def phase(self) -> str:
        return str(self.trajectory["phase"])

    @property
    def phase_label(self) -> str:
        return self.method.phase_label(self.phase)

    @property
    def version(self) -> int:
        """The trajectory's version as loaded (for phase changes and coach assignments)."""
        return int(self.trajectory["version"])

    @property
    def closed(self) -> bool:
        return self.trajectory.get("closed_on") is not None

    def allowed_next(self) -> list[tuple[str, str]]:
        """Return (phase code, Dutch label) of the phases the method allows next."""
        return [(p, self.method.phase_label(p)) for p in self.method.allowed_next(self.phase)]

    def next_in_stage(self, stage: str) -> str | None:
        """Return the first allowed next phase that belongs to a common stage, if any."""
        for code in self.method.allowed_next(self.phase):
            if self.method.phase(code).stage == stage:
                return code
        return None

    @property
    def latest_zrm(self) -> Row | None:
        return self.zrm[-1] if self.zrm else None

    @property
    def latest_ladder(self) -> Row | None:
        return self.ladder[-1] if self.ladder else None

    @property
    def open_agreements(self) -> list[Row]:
        return [a for a in self.agreements if a["status"] == "open"]

    def row_of(self, entity: str, entity_id: int) -> Row | None:
        """Return the stored row of one record of this case as loaded (None when unknown)."""
        singles = {"trajectories": self.trajectory, "clients": self.client,
                   "trajectory_plans": self.plan, "end_reports": self.end_report}
        if entity in singles:
            row = singles[entity]
            return row if row is not None and row.get("id") == entity_id else None
        lists = {"barriers": self.barriers, "agreements": self.agreements,
                 "placements": self.placements, "contacts": self.contacts,
                 "referrals": [r for b in self.barriers for r in b.get("referrals", [])]}
        for row in lists.get(entity, []):
            if row.get("id") == entity_id:
                return row
        return None

    def intake_contact(self) -> Row | None:
        """Return the latest intake conversation or home visit, if held."""
        found = [c for c in self.contacts if c["kind"] in ("intake", "home_visit")]
        return found[-1] if found else None


def _rows(conn: Any, entity: str, where: Any, *order: Any) -> list[Row]:
    table = _table(entity)
    result = conn.execute(select(table).where(where).order_by(*order, table.c.id))
    return [dict(r._mapping) for r in result]


def load_dossier(store: Store, trajectory_id: int) -> Dossier:
    """Return every record of one trajectory (read only; the BSN is never read)."""
    tid = int(trajectory_id)
    t, c = _table("trajectories"), _table("clients")
    with store.engine.connect() as conn:
        traj = conn.execute(select(t).where(t.c.id == tid)).first()
        if traj is None:
            raise NotFoundError("Traject", tid)
        trajectory = dict(traj._mapping)
        cid = trajectory["client_id"]
        cols = [col for col in c.columns if col.name != "bsn"]
        client_row = conn.execute(
            select(*cols, c.c.bsn.is_not(None).label("has_bsn")).where(c.c.id == cid)
        ).first()
        assert client_row is not None
        client = dict(client_row._mapping)
        has_bsn = bool(client.pop("has_bsn"))
        plans = _rows(conn, "trajectory_plans", _table("trajectory_plans").c.trajectory_id == tid)

        def one(entity: str, key: Any) -> Row | None:
            if key is None:
                return None
            found = _rows(conn, entity, _table(entity).c.id == key)
            return found[0] if found else None

        coach = one("coaches", trajectory["coach_id"])
        case_manager = one("case_managers", trajectory["case_manager_id"])

        def of_traj(entity: str, *order: str) -> list[Row]:
            table = _table(entity)
            return _rows(
                conn, entity, table.c.trajectory_id == tid, *[table.c[o] for o in order]
            )

        barriers = of_traj("barriers", "noted_on")
        ref = _table("referrals")
        ids = [b["id"] for b in barriers]
        referrals = (
            _rows(conn, "referrals", ref.c.barrier_id.in_(ids), ref.c.referred_on) if ids else []
        )
        for b in barriers:
            b["referrals"] = [r for r in referrals if r["barrier_id"] == b["id"]]
        placements = of_traj("placements", "start_on")
        emp_ids = {p["employer_id"] for p in placements if p["employer_id"] is not None}
        employers = {}
        if emp_ids:
            emp = _table("employers")
            employers = {e["id"]: e for e in _rows(conn, "employers", emp.c.id.in_(emp_ids))}
        for p in placements:
            e = employers.get(p["employer_id"])
            p["employer_name"] = e["name"] if e else None
            p["social_work_company"] = bool(e["social_work_company"]) if e else False
        skill = _table("skills")
        net = _table("network_members")
        end_reports = of_traj("end_reports")
        return Dossier(
            trajectory=trajectory,
            client=client,
            has_bsn=has_bsn,
            method=store.method(str(trajectory["method"])),
            plan=plans[0] if plans else None,
            coach=coach,
            case_manager=case_manager,
            phases=of_traj("phase_events", "started_on"),
            barriers=barriers,
            zrm=of_traj("zrm_assessments", "assessed_on"),
            ladder=of_traj("ladder_steps", "assessed_on"),
            skills=_rows(conn, "skills", skill.c.client_id == cid, skill.c.recorded_on),
            network=_rows(conn, "network_members", net.c.client_id == cid),
            contacts=of_traj("contacts", "held_on"),
            agreements=of_traj("agreements", "due_on"),
            placements=placements,
            aftercare=of_traj("aftercare_contacts", "held_on"),
            end_report=end_reports[0] if end_reports else None,
        )


def listing(store: Store, entity: str, columns: Sequence[str], *,
            order_by: str = "name") -> list[Row]:
    """Return id and some columns of every row of a small table (staff, employers)."""
    table = _table(entity)
    query = select(table.c.id, *[table.c[c] for c in columns]).order_by(
        table.c[order_by], table.c.id
    )
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def placement_limit_text(method: Method, kind: str) -> str:
    """Return the method's duration limit of a placement type in Dutch ("" when none)."""
    limit = method.placement_types.get(kind)
    if limit is None:
        return ""
    parts = []
    if limit.min_months is not None:
        parts.append(f"minimaal {limit.min_months} maanden")
    if limit.max_months is not None:
        parts.append(f"maximaal {limit.max_months} maanden")
    text = " en ".join(parts)
    if limit.promise_min_months is not None:
        promise = (f"op proef, met belofte van een arbeidsovereenkomst van minimaal "
                   f"{limit.promise_min_months} maanden zonder proeftijd")
        text = f"{text}, {promise}" if text else promise
    return text


def placement_limits(method: Method) -> list[tuple[str, str, str]]:
    """Return (type code, Dutch label, limit text) of every placement type the method uses."""
    return [
        (kind, vocab.label(vocab.PLACEMENT_TYPES, kind), placement_limit_text(method, kind))
        for kind in method.placement_types
    ]


def placement_limit_warning(
    method: Method, kind: str, start_on: dt.date | None, end_on: dt.date | None
) -> str:
    """Return a Dutch warning when a planned placement exceeds the method's maximum.

    Also when it ends before the method's minimum (a contract shorter than the minimum is
    registered as it is, with this warning; the signal ``regular_contract_min`` follows it).
    """
    limit = method.placement_types.get(kind)
    if limit is None or start_on is None or end_on is None:
        return ""
    if limit.min_months is not None:
        earliest = add_months(start_on, limit.min_months) - dt.timedelta(days=1)
        if end_on < earliest:
            return (
                f"Let op: de einddatum ligt vóór de minimale duur van {limit.min_months} "
                f"maanden (op zijn vroegst {dutch_date(earliest)})."
            )
    if limit.max_months is None:
        return ""
    latest = add_months(start_on, limit.max_months)
    if end_on > latest:
        return (
            f"Let op: de einddatum ligt na de maximale duur van {limit.max_months} maanden "
            f"(uiterlijk {dutch_date(latest)})."
        )
    return ""


__all__ = [
    "CaseChoice",
    "Dossier",
    "case_choices",
    "code_label",
    "describe",
    "display_value",
    "entity_of_label",
    "listing",
    "load_dossier",
    "placement_limit_text",
    "placement_limit_warning",
    "placement_limits",
]
