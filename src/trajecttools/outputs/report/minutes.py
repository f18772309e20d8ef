"""What a case meeting (MDO) had on its agenda and what it decided per case.

The register has no meeting table yet, so a meeting is kept as one audited key/value fact in
``register_info``: the key ``mdo:<jjjj-mm-dd>:<team>`` (team ``alle`` for a meeting of every
team) and a JSON value with the agenda in order and, per case, the reason it was put on the
agenda, the decision, who acts on it and by when. Saving a meeting is one transaction and
replaces that day's meeting of that team as a whole. Cases are referred to by trajectory id
only; names are looked up when a report is made, and the MDO summary
(:func:`mdo_summary`, under the organisation's header) shows pseudonyms and initials only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from trajecttools.core import validation
from trajecttools.core.dates import dutch_date
from trajecttools.core.errors import FieldProblem, InvalidRecord, NotFoundError
from trajecttools.core.model import Client, Coach, SchemaInfo, Trajectory
from trajecttools.core.names import initials_of
from trajecttools.outputs.report.document import document, esc, organisation
from trajecttools.outputs.report.pdf import Format, render

if TYPE_CHECKING:
    from trajecttools.register.store import Store

PREFIX = "mdo:"
ALL_TEAMS = "alle"
_LABEL = "MDO-verslag"
_FIELDS = {
    "trajectory_id": "Traject",
    "reason": "Reden van agenderen",
    "decision": "Besluit",
    "owner": "Wie",
    "due_on": "Uiterlijk",
    "held_on": "Datum overleg",
    "team": "Team",
    "chair": "Voorzitter",
}
_MAX_TEXT = 2000


@dataclass(frozen=True)
class AgendaEntry:
    """One case on the meeting's agenda and what was decided about it."""

    trajectory_id: int
    reason: str = ""
    decision: str = ""
    owner: str = ""
    due_on: dt.date | None = None


@dataclass(frozen=True)
class Meeting:
    """A case meeting: its date, team, chair and agenda (in the order discussed)."""

    held_on: dt.date
    team: str | None = None
    chair: str = ""
    items: tuple[AgendaEntry, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return meeting_key(self.held_on, self.team)


def meeting_key(held_on: dt.date, team: str | None) -> str:
    """Return the ``register_info`` key of the meeting of one team on one day."""
    return f"{PREFIX}{held_on:%Y-%m-%d}:{(team or ALL_TEAMS).strip()}"


def _problem(field_name: str, message: str, row: int | None = None) -> InvalidRecord:
    return InvalidRecord(_LABEL, [FieldProblem(field_name, _FIELDS[field_name], message)], row)


def _text(value: object, field_name: str, row: int | None) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > _MAX_TEXT:
        raise _problem(field_name, f"is te lang ({len(text)} tekens, maximaal {_MAX_TEXT})", row)
    return text


def _date(value: object, field_name: str, row: int | None) -> dt.date | None:
    try:
        return validation.parse_date(value)
    except ValueError as exc:
        raise _problem(field_name, f"'{value}' {exc}", row) from None


def entry(values: AgendaEntry | Mapping[str, Any], row: int | None = None) -> AgendaEntry:
    """Return a checked agenda entry from a mapping (Dutch message naming field and row)."""
    if isinstance(values, AgendaEntry):
        values = asdict(values)
    raw = values.get("trajectory_id")
    try:
        tid = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _problem("trajectory_id", f"'{raw}' is geen trajectnummer", row) from None
    return AgendaEntry(
        trajectory_id=tid,
        reason=_text(values.get("reason"), "reason", row),
        decision=_text(values.get("decision"), "decision", row),
        owner=_text(values.get("owner"), "owner", row)[:120],
        due_on=_date(values.get("due_on"), "due_on", row),
    )


def save_meeting(
    store: Store,
    held_on: dt.date | str,
    items: Iterable[AgendaEntry | Mapping[str, Any]],
    *,
    team: str | None = None,
    chair: str | None = None,
    actor: str | None = None,
) -> Meeting:
    """Record a meeting's agenda and decisions in one transaction; return what was stored.

    Every case must exist and appear once; a bad entry raises
    :class:`~trajecttools.core.errors.InvalidRecord` naming the field and the agenda row (1-based),
    and nothing is written.
    """
    day = _date(held_on, "held_on", None)
    if day is None:
        raise _problem("held_on", "is verplicht")
    entries = tuple(entry(v, row=i) for i, v in enumerate(items, start=1))
    seen: set[int] = set()
    for i, e in enumerate(entries, start=1):
        if e.trajectory_id in seen:
            raise _problem("trajectory_id", f"traject {e.trajectory_id} staat al op de agenda", i)
        seen.add(e.trajectory_id)
    meeting = Meeting(held_on=day, team=(team or "").strip() or None,
                      chair=_text(chair, "chair", None)[:120], items=entries)
    payload = json.dumps(
        {
            "held_on": day.isoformat(),
            "team": meeting.team,
            "chair": meeting.chair,
            "items": [
                {**asdict(e), "due_on": e.due_on.isoformat() if e.due_on else None}
                for e in entries
            ],
        },
        ensure_ascii=False,
    )
    with store.transaction(actor) as tx:
        for i, e in enumerate(entries, start=1):
            if tx.session.get(Trajectory, e.trajectory_id) is None:
                raise _problem("trajectory_id", f"traject {e.trajectory_id} bestaat niet", i)
        row = tx.session.execute(
            select(SchemaInfo).where(SchemaInfo.key == meeting.key)
        ).scalar()
        if row is None:
            tx.session.add(SchemaInfo(key=meeting.key, value=payload))
            tx.log("create", "register_info", None, meeting.key, None, payload)
        elif row.value != payload:
            tx.log("update", "register_info", row.id, meeting.key, row.value, payload)
            row.value = payload
    return meeting


def _parse(key: str, value: str) -> Meeting:
    try:
        data = json.loads(value)
        items = tuple(entry(v, row=i) for i, v in enumerate(data["items"], start=1))
        day = validation.parse_date(data["held_on"])
        assert day is not None
        return Meeting(held_on=day, team=data.get("team"), chair=data.get("chair") or "",
                       items=items)
    except (ValueError, KeyError, TypeError, AssertionError, InvalidRecord) as exc:
        raise InvalidRecord(
            _LABEL,
            [FieldProblem("held_on", f"instelling '{key}'", f"is beschadigd ({exc})")],
        ) from None


def load_meeting(store: Store, held_on: dt.date | str, team: str | None = None) -> Meeting:
    """Return the recorded meeting of a team on a day (NotFoundError when none)."""
    day = _date(held_on, "held_on", None)
    if day is None:
        raise _problem("held_on", "is verplicht")
    key = meeting_key(day, team)
    value = store.info().get(key)
    if value is None:
        raise NotFoundError(_LABEL, f"{day:%d-%m-%Y} ({team or 'alle teams'})")
    return _parse(key, value)


def meetings(store: Store) -> list[tuple[dt.date, str | None]]:
    """Return (date, team) of every recorded meeting, newest first."""
    out: list[tuple[dt.date, str | None]] = []
    for key in store.info():
        if not key.startswith(PREFIX):
            continue
        day_text, _, team = key.removeprefix(PREFIX).partition(":")
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            continue
        out.append((day, None if team == ALL_TEAMS else team))
    return sorted(out, key=lambda m: (m[0], m[1] or ""), reverse=True)



# -- the MDO summary (pseudonyms and initials, no names) ---------------------------------------
def _cases(store: Store, ids: list[int]) -> dict[int, dict[str, str]]:
    """Return pseudonym, initials, coach and phase label per trajectory (no names, no BSN)."""
    if not ids:
        return {}
    query = (
        select(Trajectory.id, Trajectory.method, Trajectory.phase, Client.pseudonym,
               Client.given_name, Client.family_name, Coach.name.label("coach"))
        .join(Client, Client.id == Trajectory.client_id)
        .outerjoin(Coach, Coach.id == Trajectory.coach_id)
        .where(Trajectory.id.in_(ids))
    )
    methods = store.methods()
    out: dict[int, dict[str, str]] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(query):
            m = methods.get(r.method)
            out[int(r.id)] = {
                "pseudonym": str(r.pseudonym),
                "initials": initials_of(r.given_name, r.family_name),
                "coach": r.coach or "",
                "phase": m.phase_label(r.phase) if m else str(r.phase),
            }
    return out


def mdo_summary_fragment(store: Store, meeting: Meeting) -> str:
    """Return the MDO summary of a meeting as an HTML fragment (pseudonyms, no names)."""
    cases = _cases(store, [e.trajectory_id for e in meeting.items])
    team = meeting.team or "Alle teams"
    decided = sum(1 for e in meeting.items if e.decision)
    meta = f"{team} · {dutch_date(meeting.held_on)}"
    if meeting.chair:
        meta += f" · voorzitter {meeting.chair}"
    parts = [
        f"<h1>MDO-verslag</h1><p class=\"tt-report-meta\">{esc(meta)}</p>",
        f"<p>{len(meeting.items)} cliënten geagendeerd, over {decided} een besluit "
        "vastgelegd.</p>",
    ]

    def who(tid: int) -> str:
        c = cases.get(tid)
        if c is None:
            return f"traject {tid} (niet meer in het register)"
        return f"{c['pseudonym']} · {c['initials']}" if c["initials"] else c["pseudonym"]

    if not meeting.items:
        parts.append('<h2>Agenda</h2><p class="tt-empty">Niets geagendeerd.</p>')
    else:
        rows = "".join(
            f'<tr><td>{i}</td><td class="tt-who">{esc(who(e.trajectory_id))}</td>'
            f"<td>{esc(cases.get(e.trajectory_id, {}).get('coach', ''))}</td>"
            f"<td>{esc(cases.get(e.trajectory_id, {}).get('phase', ''))}</td>"
            f"<td>{esc(e.reason)}</td></tr>"
            for i, e in enumerate(meeting.items, start=1)
        )
        parts.append(
            "<h2>Agenda</h2><table><thead><tr><th>#</th><th>Cliënt</th><th>Jobcoach</th>"
            f"<th>Fase</th><th>Reden van agenderen</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        decisions = []
        for i, e in enumerate(meeting.items, start=1):
            body = (f'<p class="tt-text">{esc(e.decision)}</p>' if e.decision
                    else '<p class="tt-empty">Geen besluit vastgelegd.</p>')
            follow = [x for x in (f"Wie: {e.owner}" if e.owner else "",
                                  f"Uiterlijk: {dutch_date(e.due_on)}" if e.due_on else "") if x]
            if follow:
                body += f'<p class="tt-report-meta">{esc(" · ".join(follow))}</p>'
            decisions.append(
                f'<div class="tt-decision"><h3>{i}. {esc(who(e.trajectory_id))}</h3>{body}</div>'
            )
        parts.append("<h2>Besluiten</h2>" + "".join(decisions))
    return f'<div class="tt-report tt-mdo-report">{"".join(parts)}</div>'


def mdo_summary(
    store: Store,
    held_on: dt.date | str,
    fmt: Format = "html",
    *,
    team: str | None = None,
) -> str | bytes:
    """Return the MDO summary (agenda and decisions) of a recorded meeting as HTML or PDF."""
    meeting = load_meeting(store, held_on, team)
    html = document(
        mdo_summary_fragment(store, meeting),
        f"MDO-verslag {meeting.team or 'alle teams'} {dutch_date(meeting.held_on)}",
        organisation(store),
    )
    return render(html, fmt)


__all__ = [
    "ALL_TEAMS",
    "AgendaEntry",
    "Meeting",
    "entry",
    "load_meeting",
    "mdo_summary",
    "mdo_summary_fragment",
    "meeting_key",
    "meetings",
    "save_meeting",
]
