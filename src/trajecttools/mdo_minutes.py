"""What a case meeting (MDO) had on its agenda and what it decided per case.

The register has no meeting table yet, so a meeting is kept as one audited key/value fact in
``register_info``: the key ``mdo:<jjjj-mm-dd>:<team>`` (team ``alle`` for a meeting of every
team) and a JSON value with the agenda in order and, per case, the reason it was put on the
agenda, the decision, who acts on it and by when. Saving a meeting is one transaction and
replaces that day's meeting of that team as a whole. Cases are referred to by trajectory id
only; names are looked up when a report is made, and the MDO summary shows pseudonyms.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord, NotFoundError
from trajecttools.core.model import SchemaInfo, Trajectory

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


__all__ = [
    "ALL_TEAMS",
    "AgendaEntry",
    "Meeting",
    "entry",
    "load_meeting",
    "meeting_key",
    "meetings",
    "save_meeting",
]
