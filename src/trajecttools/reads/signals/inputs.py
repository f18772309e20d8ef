"""Inputs of the signal rules: the register's facts as they stood on a date, one frame a source.

:func:`load_inputs` reads them from the stored read model when it can answer for the date (see
:mod:`trajecttools.reads.readmodel`), else :func:`read_inputs` reads them straight from the tables
with a handful of aggregated queries (only events dated on or before ``as_of``).

Facts the register only keeps as their latest value are used as they are now: a referral's
status and its latest follow-up date (a follow-up after ``as_of`` counts as none, so the
referral date is used), and a coach's team.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trajecttools.core.names import PARTICLES
from trajecttools.reads import readmodel
from trajecttools.reads.frames import read_many, to_datetime
from trajecttools.reads.signals.arrays import with_missing
from trajecttools.register.sql import one_snapshot, only_params, only_sql, read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store


@dataclass(frozen=True)
class SignalInputs:
    """The register's facts the rules need, as they stood on ``as_of`` (one frame per source)."""

    as_of: dt.date
    #: One row a trajectory registered on or before ``as_of``: client, method, current phase and
    #: coach (fallbacks without history), closing date and outcome, plan signatures, end report,
    #: pseudonym, initials.
    trajectories: pd.DataFrame
    #: trajectory_id, phase, started_on; sorted by trajectory, date, id.
    phase_events: pd.DataFrame
    #: trajectory_id, coach_id, assigned_at; sorted by trajectory, moment, id. Also assignments
    #: after ``as_of`` (ignored by the rules): a trajectory without any assignment has its
    #: current coach (an import without history).
    coach_assignments: pd.DataFrame
    #: coach_id, coach (name), team (name).
    coaches: pd.DataFrame
    #: trajectory_id, last_contact_on, intake_on, last_weekly_review_on, last_agreement_on (the
    #: latest contact in which agreements were made).
    contacts: pd.DataFrame
    #: trajectory_id, last_aftercare_on, last_employee_on, last_employer_on.
    aftercare_contacts: pd.DataFrame
    #: trajectory_id, kind, start_on, end_on, social_work_company.
    placements: pd.DataFrame
    #: client_id, start_on (real benefits only, not kind "none").
    benefit_periods: pd.DataFrame
    #: trajectory_id, due_on, agreements: agreements open on ``as_of`` and due before it.
    open_agreements: pd.DataFrame
    #: trajectory_id, closed_on, agreements: agreements closed as not kept.
    not_kept_agreements: pd.DataFrame
    #: barrier_id, trajectory_id, domain, severity, noted_on, referrals, oldest_follow_up_on.
    open_barriers: pd.DataFrame
    #: trajectory_id, referred_on: every referral to another agency (the coach keeps following
    #: it up: no hand-off).
    referrals: pd.DataFrame


def _dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        df[col] = to_datetime(df[col])
    return df


_PARTICLE_WORDS = "|".join(re.escape(p) for p in sorted(PARTICLES, key=len, reverse=True))
#: First letter of the given name, and of the family name after its leading particles.
_INITIALS = re.compile(rf"^\s*(\S)?[^\x1f]*\x1f[\s-]*(?:(?:{_PARTICLE_WORDS})[\s-]+)*([^\s-])?",
                       re.IGNORECASE)


def _initials(given: pd.Series, family: pd.Series) -> np.ndarray:
    """Initials like "A.P." (Dutch particles skipped, as frames.initials), per distinct name."""
    both = given.fillna("").astype(str) + "\x1f" + family.fillna("").astype(str)
    codes, uniques = pd.factorize(both)
    found = pd.Series(uniques, dtype=object).str.extract(_INITIALS).fillna("")
    first, fam = found[0].str.upper(), found[1].str.upper()
    text = (first + ".").where(first != "", "") + (fam + ".").where(fam != "", "")
    return with_missing(text.to_numpy(dtype=object), "")[codes]


def _input_queries(only: Sequence[int] | None = None) -> dict[str, str]:
    """The queries of :func:`load_inputs`, slowest first; ``only`` restricts the trajectories."""

    def scope(column: str = "trajectory_id") -> str:
        return only_sql(column, only)

    return {
        "contacts": "SELECT trajectory_id, MAX(held_on) AS last_contact_on,"
        " MIN(CASE WHEN kind = 'intake' THEN held_on END) AS intake_on,"
        " MAX(CASE WHEN kind = 'weekly_review' THEN held_on END) AS last_weekly_review_on,"
        " MAX(CASE WHEN id IN (SELECT contact_id FROM agreements) THEN held_on END)"
        " AS last_agreement_on"
        f" FROM contacts WHERE held_on <= :as_of{scope()} GROUP BY trajectory_id",
        "phase_events": "SELECT trajectory_id, phase, started_on FROM phase_events"
        f" WHERE started_on <= :as_of{scope()} ORDER BY trajectory_id, started_on, id",
        "trajectories": "SELECT t.id AS trajectory_id, t.client_id, t.method, t.registered_at,"
        " t.closed_on, t.outcome, t.phase, t.phase_since, t.coach_id AS current_coach_id,"
        " c.pseudonym, c.given_name, c.family_name,"
        " p.signed_case_manager_on, p.signed_coach_on, p.signed_client_on,"
        " er.written_on AS end_report_on"
        " FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " LEFT JOIN trajectory_plans p ON p.trajectory_id = t.id"
        " LEFT JOIN end_reports er ON er.trajectory_id = t.id AND er.written_on <= :as_of"
        f" WHERE t.registered_at < :next_day{scope('t.id')} ORDER BY t.id",
        "placements": "SELECT p.trajectory_id, p.kind, p.start_on, p.end_on,"
        " CASE WHEN e.social_work_company THEN 1 ELSE 0 END AS social_work_company"
        " FROM placements p LEFT JOIN employers e ON e.id = p.employer_id"
        f" WHERE p.start_on <= :as_of{scope('p.trajectory_id')}"
        " ORDER BY p.trajectory_id, p.start_on, p.id",
        "open_barriers": "SELECT b.id AS barrier_id, b.trajectory_id, b.domain, b.severity,"
        " b.noted_on, COALESCE(r.referrals, 0) AS referrals, r.oldest_follow_up_on"
        " FROM barriers b LEFT JOIN ("
        "  SELECT barrier_id, COUNT(*) AS referrals,"
        "  MIN(CASE WHEN status IN ('referred', 'in_care') THEN"
        "   CASE WHEN last_followed_up_on <= :as_of THEN last_followed_up_on ELSE referred_on END"
        "  END) AS oldest_follow_up_on"
        "  FROM referrals WHERE referred_on <= :as_of GROUP BY barrier_id"
        " ) r ON r.barrier_id = b.id"
        " WHERE b.noted_on <= :as_of AND (b.resolved_on IS NULL OR b.resolved_on > :as_of)"
        f" AND NOT (b.status = 'resolved' AND b.resolved_on IS NULL){scope('b.trajectory_id')}"
        " ORDER BY b.trajectory_id, b.id",
        "aftercare_contacts": "SELECT trajectory_id, MAX(held_on) AS last_aftercare_on,"
        " MAX(CASE WHEN party IN ('employee', 'both') THEN held_on END) AS last_employee_on,"
        " MAX(CASE WHEN party IN ('employer', 'both') THEN held_on END) AS last_employer_on"
        f" FROM aftercare_contacts WHERE held_on <= :as_of{scope()} GROUP BY trajectory_id",
        # later assignments too: without any, the current coach counts (imports)
        "coach_assignments": "SELECT trajectory_id, coach_id, assigned_at FROM coach_assignments"
        f" WHERE 1 = 1{scope()} ORDER BY trajectory_id, assigned_at, id",
        "benefit_periods": "SELECT client_id, start_on FROM benefit_periods"
        " WHERE start_on <= :as_of AND kind <> 'none'"
        + (
            ""
            if only is None
            else " AND client_id IN (SELECT client_id FROM trajectories"
            f" WHERE 1 = 1{only_sql('id', only)})"
        ),
        "open_agreements": "SELECT trajectory_id, due_on, COUNT(*) AS agreements FROM agreements"
        f" WHERE due_on < :as_of AND (status = 'open' OR closed_on > :as_of){scope()}"
        " GROUP BY trajectory_id, due_on",
        "not_kept_agreements": "SELECT trajectory_id, closed_on, COUNT(*) AS agreements"
        f" FROM agreements WHERE status = 'not_kept' AND closed_on <= :as_of{scope()}"
        " GROUP BY trajectory_id, closed_on",
        "referrals": "SELECT b.trajectory_id, r.referred_on FROM referrals r"
        f" JOIN barriers b ON b.id = r.barrier_id WHERE r.referred_on <= :as_of"
        f"{scope('b.trajectory_id')}",
        "coaches": _COACHES_SQL,
    }


#: Every coach with the name of their team (not dated: a coach's team is used as it is now).
_COACHES_SQL = (
    "SELECT co.id AS coach_id, co.name AS coach, tm.name AS team FROM coaches co"
    " LEFT JOIN teams tm ON tm.id = co.team_id ORDER BY co.id"
)
#: The frames of :class:`SignalInputs` a read model keeps, with the column they are spliced by.
_MODEL_FRAMES = {
    "trajectories": "trajectory_id",
    "phase_events": "trajectory_id",
    "coach_assignments": "trajectory_id",
    "contacts": "trajectory_id",
    "aftercare_contacts": "trajectory_id",
    "placements": "trajectory_id",
    "benefit_periods": "client_id",
    "open_agreements": "trajectory_id",
    "not_kept_agreements": "trajectory_id",
    "open_barriers": "trajectory_id",
    "referrals": "trajectory_id",
}


def load_inputs(store: Store, as_of: dt.date | None = None) -> SignalInputs:
    """Read what the rules need from the register, as it stood on ``as_of``.

    From the stored read model when it can answer for that date (nothing in the register dated
    later, see :mod:`trajecttools.reads.readmodel`), else straight from the tables.
    """
    as_of = as_of or store.today
    with one_snapshot(store):  # PostgreSQL: one snapshot for the model and the coaches
        frames = readmodel.frames_on(
            store,
            "signals",
            "signals:agreements",  # the key changes with the frames' columns
            lambda only: _model_frames(store, only),
            _MODEL_FRAMES,
            as_of,
        )
        if frames is None:
            return read_inputs(store, as_of)
        return _inputs_on(store, frames, as_of)


def _inputs_on(
    store: Store, frames: dict[str, pd.DataFrame], as_of: dt.date
) -> SignalInputs:
    """The signal inputs on ``as_of`` from the read model (nothing in it is dated later)."""
    ts = pd.Timestamp(as_of)
    agreements = frames["open_agreements"]
    frames["open_agreements"] = agreements[agreements["due_on"] < ts].reset_index(drop=True)
    for name, col in (
        ("trajectories", "method"),
        ("trajectories", "phase"),
        ("phase_events", "phase"),
        ("placements", "kind"),
        ("open_barriers", "domain"),
    ):  # categories found in the data, as a fresh read would find them
        frames[name][col] = frames[name][col].astype(object).astype("category")
    coaches = read_sql(store, _COACHES_SQL)
    return SignalInputs(as_of=as_of, coaches=coaches, **frames)


def _model_frames(store: Store, only: Sequence[int] | None) -> dict[str, pd.DataFrame]:
    """The signals read model's frames as of the far future (all or ``only`` trajectories)."""
    inputs = read_inputs(store, readmodel.FAR, only)
    return {name: getattr(inputs, name) for name in _MODEL_FRAMES}


def read_inputs(
    store: Store, as_of: dt.date, only: Sequence[int] | None = None
) -> SignalInputs:
    """Read what the rules need straight from the tables, as it stood on ``as_of``."""
    read = read_many(
        store,
        _input_queries(only),
        as_of=as_of.isoformat(),
        next_day=(as_of + dt.timedelta(days=1)).isoformat(),
        **only_params(only),
    )
    traj = read["trajectories"]
    traj["initials"] = _initials(traj.pop("given_name"), traj.pop("family_name"))
    traj["method"] = traj["method"].astype("category")
    traj["phase"] = traj["phase"].astype("category")
    _dates(traj, "registered_at", "closed_on", "phase_since", "signed_case_manager_on",
           "signed_coach_on", "signed_client_on", "end_report_on")
    events = _dates(read["phase_events"], "started_on")
    events["phase"] = events["phase"].astype("category")
    assignments = _dates(read["coach_assignments"], "assigned_at")
    coaches = read["coaches"]
    contacts = _dates(read["contacts"], "last_contact_on", "intake_on", "last_weekly_review_on",
                      "last_agreement_on")
    aftercare = _dates(read["aftercare_contacts"], "last_aftercare_on", "last_employee_on",
                       "last_employer_on")
    placements = _dates(read["placements"], "start_on", "end_on")
    placements["social_work_company"] = placements["social_work_company"].astype(bool)
    placements["kind"] = placements["kind"].astype("category")
    benefits = _dates(read["benefit_periods"], "start_on")
    open_agreements = _dates(read["open_agreements"], "due_on")
    not_kept = _dates(read["not_kept_agreements"], "closed_on")
    barriers = _dates(read["open_barriers"], "noted_on", "oldest_follow_up_on")
    barriers["domain"] = barriers["domain"].astype("category")
    referrals = _dates(read["referrals"], "referred_on")
    return SignalInputs(
        as_of=as_of, trajectories=traj, phase_events=events, coach_assignments=assignments,
        coaches=coaches, contacts=contacts, aftercare_contacts=aftercare, placements=placements,
        benefit_periods=benefits, open_agreements=open_agreements, not_kept_agreements=not_kept,
        open_barriers=barriers, referrals=referrals,
    )


__all__ = ["SignalInputs", "load_inputs", "read_inputs"]
