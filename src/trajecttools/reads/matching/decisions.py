"""What the Matchtafel decided about a pairing of a client and a vacancy, and what became of it.

A pairing is proposed at the meeting, then introduced to the employer, then hired or declined
(by the client, the employer or the coach, with a reason). Each step is one transaction on the
``match_decisions`` table: validated by :mod:`trajecttools.core.validation` (Dutch messages),
refused when made on an older version of the decision
(:class:`~trajecttools.core.errors.StaleEditError`) and
written to the audit log. A hire that fills the vacancy's last free position closes the vacancy
in the same transaction.

>>> from trajecttools.reads.matching import decisions
>>> d = decisions.propose(store, trajectory_id=7, vacancy_id=16, score=81.5)
>>> decisions.introduce(store, d, expected_version=1)  # the decision's new version
2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
from sqlalchemy import func, select

from trajecttools.core import validation, vocab
from trajecttools.core.errors import FieldProblem, InvalidRecord, NotFoundError
from trajecttools.core.model import MatchDecision, Trajectory, Vacancy
from trajecttools.core.names import initials
from trajecttools.register.sql import read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store
    from trajecttools.register.transactions import Tx

#: Allowed next statuses per status (hired and declined are final).
TRANSITIONS: Final = {
    "proposed": ("introduced", "declined"),
    "introduced": ("hired", "declined"),
    "hired": (),
    "declined": (),
}
#: Statuses of a pairing that is still running.
OPEN_STATUSES: Final = ("proposed", "introduced")
_ENTITY = "match_decisions"
_LABEL = "Matchbesluit"


def _status_label(code: str) -> str:
    return vocab.label(vocab.MATCH_STATUSES, code)


def _problem(field: str, message: str) -> InvalidRecord:
    return InvalidRecord(_LABEL, [FieldProblem(field, validation.field_label(_ENTITY, field),
                                               message)])


def _check_pairing(tx: Tx, trajectory_id: int, vacancy_id: int, day: dt.date) -> None:
    """Refuse a proposal for a closed trajectory, a closed or full vacancy, or a duplicate."""
    traj = tx.session.get(Trajectory, trajectory_id)
    if traj is None:
        raise NotFoundError("Traject", trajectory_id)
    vac = tx.session.get(Vacancy, vacancy_id)
    if vac is None:
        raise NotFoundError("Vacature", vacancy_id)
    if traj.closed_on is not None and traj.closed_on <= day:
        raise _problem("trajectory_id", f"het traject is afgesloten op {traj.closed_on:%d-%m-%Y}")
    if vac.status != "open" or (vac.closed_on is not None and vac.closed_on <= day):
        raise _problem("vacancy_id", "de vacature is niet meer open")
    hired = tx.session.execute(
        select(func.count()).select_from(MatchDecision).where(
            MatchDecision.vacancy_id == vacancy_id, MatchDecision.status == "hired")
    ).scalar_one()
    if hired >= vac.positions:
        raise _problem("vacancy_id", "alle plaatsen van de vacature zijn al vervuld")
    running = tx.session.execute(
        select(MatchDecision.status).where(
            MatchDecision.trajectory_id == trajectory_id,
            MatchDecision.vacancy_id == vacancy_id,
            MatchDecision.status.in_((*OPEN_STATUSES, "hired")))
    ).scalars().first()
    if running is not None:
        raise _problem("vacancy_id", f"deze klant en vacature zijn al gekoppeld (status "
                                     f"'{_status_label(running)}')")


def propose(
    store: Store,
    trajectory_id: int,
    vacancy_id: int,
    *,
    score: float | None = None,
    decided_by: str | None = None,
    on: dt.date | str | None = None,
    actor: str | None = None,
) -> int:
    """Record that the meeting proposes this client for this vacancy; return the decision id."""
    with store.transaction(actor) as tx:
        day = validation.parse_date(on) or tx.today
        _check_pairing(tx, int(trajectory_id), int(vacancy_id), day)
        return tx.add(_ENTITY, {
            "trajectory_id": int(trajectory_id),
            "vacancy_id": int(vacancy_id),
            "status": "proposed",
            "proposed_on": day,
            "decided_on": day,
            "decided_by": decided_by,
            "score": None if score is None else round(float(score), 1),
        })


def decide(
    store: Store,
    decision_id: int,
    status: str,
    *,
    expected_version: int,
    declined_by: str | None = None,
    reason: str | None = None,
    decided_by: str | None = None,
    on: dt.date | str | None = None,
    actor: str | None = None,
    close_when_filled: bool = True,
) -> int:
    """Move a decision to its next status in one transaction; return the new version.

    Allowed: proposed -> introduced or declined; introduced -> hired or declined. A decline
    needs ``declined_by`` (client, employer, coach) and a ``reason``. An edit made on an older
    version raises :class:`~trajecttools.core.errors.StaleEditError` and changes nothing.
    """
    with store.transaction(actor) as tx:
        obj = tx.session.get(MatchDecision, int(decision_id))
        if obj is None:
            raise NotFoundError(_LABEL, decision_id)
        tx.check_version(_ENTITY, obj, expected_version)
        target = _status_code(status)
        allowed = TRANSITIONS.get(obj.status, ())
        if target not in allowed:
            options = ", ".join(f"'{_status_label(s)}'" for s in allowed) or "geen (eindstatus)"
            raise _problem("status", f"kan niet van '{_status_label(obj.status)}' naar "
                                     f"'{_status_label(target)}'; mogelijk: {options}")
        day = validation.parse_date(on) or tx.today
        if day < obj.decided_on:
            raise _problem("decided_on", f"ligt vóór de vorige stap ({obj.decided_on:%d-%m-%Y})")
        changes: dict[str, Any] = {"status": target, "decided_on": day}
        if target == "introduced":
            changes["introduced_on"] = day
        if decided_by is not None:
            changes["decided_by"] = decided_by
        if target == "declined":
            changes["declined_by"] = declined_by
            changes["reason"] = reason
        version = tx.update(_ENTITY, obj.id, changes, expected_version=expected_version)
        if target == "hired" and close_when_filled:
            _close_when_filled(tx, obj.vacancy_id, day)
        return version


def _status_code(status: str) -> str:
    text = str(status).strip()
    if text in vocab.MATCH_STATUSES:
        return text
    by_label = {lbl.casefold(): code for code, lbl in vocab.MATCH_STATUSES.items()}
    if text.casefold() in by_label:
        return by_label[text.casefold()]
    options = ", ".join(vocab.MATCH_STATUSES.values())
    raise _problem("status", f"onbekende waarde '{status}'; kies uit: {options}")


def _close_when_filled(tx: Tx, vacancy_id: int, day: dt.date) -> None:
    vac = tx.session.get(Vacancy, vacancy_id)
    if vac is None or vac.status != "open":
        return
    hired = tx.session.execute(
        select(func.count()).select_from(MatchDecision).where(
            MatchDecision.vacancy_id == vacancy_id, MatchDecision.status == "hired")
    ).scalar_one()
    if hired >= vac.positions:
        tx.update("vacancies", vacancy_id, {"status": "closed", "closed_on": day},
                  expected_version=vac.version)


def introduce(store: Store, decision_id: int, *, expected_version: int, **kw: Any) -> int:
    """Record that the client was introduced to the employer; return the new version."""
    return decide(store, decision_id, "introduced", expected_version=expected_version, **kw)


def hire(store: Store, decision_id: int, *, expected_version: int, **kw: Any) -> int:
    """Record that the employer hired the client; return the new version."""
    return decide(store, decision_id, "hired", expected_version=expected_version, **kw)


def decline(
    store: Store,
    decision_id: int,
    *,
    expected_version: int,
    declined_by: str | None,
    reason: str | None,
    **kw: Any,
) -> int:
    """Record that the pairing was declined, by whom and why; return the new version."""
    return decide(store, decision_id, "declined", expected_version=expected_version,
                  declined_by=declined_by, reason=reason, **kw)


#: Columns of :func:`decisions_frame`.
COLUMNS: Final = (
    "id", "version", "trajectory_id", "pseudonym", "initials", "vacancy_id", "title",
    "employer", "status", "status_label", "decided_on", "decided_by", "score", "declined_by",
    "declined_by_label", "reason", "proposed_on", "introduced_on",
)


def decisions_frame(
    store: Store,
    *,
    trajectory_id: int | Iterable[int] | None = None,
    vacancy_id: int | Iterable[int] | None = None,
    status: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return match decisions (latest first) with pseudonym, initials, vacancy and employer.

    ``decided_on`` is the date of the latest step; ``proposed_on`` and ``introduced_on`` the
    dates of those steps (empty when not taken, or not recorded before schema 0005).

    Filter by trajectory, vacancy or status (one value or several). ``reason`` is free text
    written at the meeting: a dashboard should not project it.
    """
    where: list[str] = []
    params: dict[str, Any] = {}
    filters: tuple[tuple[str, str, Any], ...] = (
        ("t", "d.trajectory_id", trajectory_id),
        ("v", "d.vacancy_id", vacancy_id),
        ("s", "d.status", status),
    )
    for name, column, value in filters:
        if value is None:
            continue
        values = [value] if isinstance(value, int | str) else list(value)
        if not values:
            return pd.DataFrame(columns=list(COLUMNS))
        marks = []
        for i, v in enumerate(values):
            params[f"{name}{i}"] = v if name == "s" else int(v)
            marks.append(f":{name}{i}")
        where.append(f"{column} IN ({', '.join(marks)})")
    sql = (
        "SELECT d.id, d.version, d.trajectory_id, c.pseudonym, c.given_name, c.family_name,"
        " d.vacancy_id, v.title, e.name AS employer, d.status, d.decided_on, d.decided_by,"
        " d.score, d.declined_by, d.reason, d.proposed_on, d.introduced_on"
        " FROM match_decisions d"
        " JOIN trajectories t ON t.id = d.trajectory_id JOIN clients c ON c.id = t.client_id"
        " JOIN vacancies v ON v.id = d.vacancy_id JOIN employers e ON e.id = v.employer_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.decided_on DESC, d.id DESC"
    df = read_sql(store, sql, **params)
    df.insert(4, "initials", initials(df.pop("given_name"), df.pop("family_name")))
    for col in ("decided_on", "proposed_on", "introduced_on"):
        df[col] = pd.to_datetime(df[col], format="ISO8601", errors="coerce")
    df["status_label"] = df["status"].map(_status_label)
    df["declined_by_label"] = df["declined_by"].map(
        lambda v: None if v is None or pd.isna(v) else vocab.label(vocab.MATCH_DECLINED_BY, v))
    df["status"] = pd.Categorical(df["status"], categories=list(vocab.MATCH_STATUSES))
    return df[list(COLUMNS)]


def trajectory_decisions(store: Store, trajectory_id: int) -> pd.DataFrame:
    """Return the match decisions of one trajectory, for its case file (latest first)."""
    return decisions_frame(store, trajectory_id=int(trajectory_id))


def latest_by_pair(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the latest decision per (trajectory, vacancy) pair of a decisions frame."""
    if frame.empty:
        return frame
    return (frame.sort_values(["decided_on", "id"], ascending=[False, False])
            .drop_duplicates(["trajectory_id", "vacancy_id"]).reset_index(drop=True))


def decision_counts(
    store: Store | pd.DataFrame,
    by: str | list[str] | None = None,
    *,
    period: tuple[dt.date | None, dt.date | None] | None = None,
) -> pd.DataFrame:
    """Return how many pairings are in each status (all statuses, zeros included).

    ``store`` may be a register or a frame from :func:`decisions_frame`. ``by`` groups (e.g.
    ``"employer"``); ``period`` keeps decisions whose latest step falls in it (inclusive).
    Columns: the groups, status, status_label, count, share (of the group's pairings).
    """
    frame = store if isinstance(store, pd.DataFrame) else decisions_frame(store)
    if period is not None:
        start, end = period
        day = pd.to_datetime(frame["decided_on"])
        keep = pd.Series(True, index=frame.index)
        if start is not None:
            keep &= day >= pd.Timestamp(start)
        if end is not None:
            keep &= day <= pd.Timestamp(end)
        frame = frame[keep]
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    statuses = list(vocab.MATCH_STATUSES)
    status = pd.Categorical(frame["status"].astype(str), categories=statuses)
    data = frame.assign(status=status)
    if groups:
        counts = data.groupby([*groups, "status"], observed=False).size().rename("count")
    else:
        counts = data.groupby("status", observed=False).size().rename("count")
    out = counts.reset_index()
    total = out.groupby(groups)["count"].transform("sum") if groups else out["count"].sum()
    out["share"] = (out["count"] / pd.Series(total, index=out.index).where(
        pd.Series(total, index=out.index) > 0)).round(3)
    out["status"] = out["status"].astype(str)
    out["status_label"] = out["status"].map(_status_label)
    return out[[*groups, "status", "status_label", "count", "share"]]


def pending(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the decisions still running (proposed or introduced) of a decisions frame."""
    return frame[frame["status"].astype(str).isin(OPEN_STATUSES)]


def version_of(store: Store, decision_id: int) -> int:
    """Return the current version of a decision (for the next edit)."""
    return int(store.get(_ENTITY, int(decision_id))["version"])


__all__ = [
    "COLUMNS",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "decide",
    "decision_counts",
    "decisions_frame",
    "decline",
    "hire",
    "introduce",
    "latest_by_pair",
    "pending",
    "propose",
    "trajectory_decisions",
    "version_of",
]
