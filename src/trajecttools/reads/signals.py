"""Method signals: trajectories that break a deadline rule of their method, as of a date.

Every number comes from the trajectory's method file (``[rules.*]``); a rule a method does not
use (or disables) never fires for that method. Each signal is one Dutch sentence that may be
projected in a meeting: no names, notes or special-category details in it (see
:data:`trajecttools.core.vocab.SPECIAL_CATEGORY_DOMAINS`); the barrier domain of a referral signal is
in ``detail_domain`` for a case card that someone explicitly opens.

The work is split in two: :func:`load_inputs` reads what the rules need with a handful of
aggregated queries (only events dated on or before ``as_of``), :func:`compute` applies the rules
with array operations (no Python loop per trajectory), and :func:`signals` does both.

Facts the register only keeps as their latest value are used as they are now: a referral's
status and its latest follow-up date (a follow-up after ``as_of`` counts as none, so the
referral date is used), and a coach's team.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.method import RULE_PARAMETERS, Method
from trajecttools.core.names import PARTICLES
from trajecttools.reads.caseload import caseload, phase_funnel
from trajecttools.reads.frames import read_many, to_datetime
from trajecttools.register.sql import only_params, only_sql, read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Severities, most urgent first (the order of the ``severity`` categorical).
SEVERITY_ORDER: tuple[str, ...] = ("high", "medium", "low")

#: Columns of the signals frame, in order. ``active`` is false for a signal on a trajectory
#: closed by the as-of date (a revolving door, a missing end report): within a severity those
#: come after the signals of running trajectories.
COLUMNS: tuple[str, ...] = (
    "trajectory_id", "client_id", "pseudonym", "initials", "team", "coach_id", "coach", "method",
    "phase_label", "rule", "rule_label", "severity", "due_on", "days_overdue", "message",
    "detail_domain", "active",
)

_DAY = np.timedelta64(1, "D")
#: Common stages and placement kinds by position: the engine compares small integers.
_STAGES = list(vocab.STAGES)
_STAGE = {code: i for i, code in enumerate(_STAGES)}
_KINDS = list(vocab.PLACEMENT_TYPES)
_KIND = {code: i for i, code in enumerate(_KINDS)}
_NAT = np.datetime64("NaT", "ns")
#: Placement kinds after which a return to benefit counts as a revolving door.
_JOB_KINDS = ("regular", "secondment", "wage_subsidy", "trial", "social_employment")
#: Subject of the duration sentences, by placement kind.
_PLACEMENT_NOUNS = {
    "stepping_stone": "Opstapbaan",
    "secondment": "Inleenvergoeding",
    "wage_subsidy": "Loonkostensubsidie",
    "social_employment": "Tewerkstelling art. 60§7",
}


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignalInputs:
    """The register's facts the rules need, as they stood on ``as_of`` (one frame per source)."""

    as_of: dt.date
    #: One row a trajectory registered on or before ``as_of``: client, method, current phase and
    #: coach (fallbacks without history), plan signatures, end report, pseudonym, initials.
    trajectories: pd.DataFrame
    #: trajectory_id, phase, started_on; sorted by trajectory, date, id.
    phase_events: pd.DataFrame
    #: trajectory_id, coach_id, assigned_at; sorted by trajectory, moment, id. Also assignments
    #: after ``as_of`` (ignored by the rules): a trajectory without any assignment has its
    #: current coach (an import without history).
    coach_assignments: pd.DataFrame
    #: coach_id, coach (name), team (name).
    coaches: pd.DataFrame
    #: trajectory_id, last_contact_on, intake_on, last_weekly_review_on.
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
    #: trajectory_id, referred_on: every referral (hand-off to another agency).
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
    return _with_missing(text.to_numpy(dtype=object), "")[codes]


def _input_queries(only: Sequence[int] | None = None) -> dict[str, str]:
    """The queries of :func:`load_inputs`, slowest first; ``only`` restricts the trajectories."""

    def scope(column: str = "trajectory_id") -> str:
        return only_sql(column, only)

    return {
        "contacts": "SELECT trajectory_id, MAX(held_on) AS last_contact_on,"
        " MIN(CASE WHEN kind = 'intake' THEN held_on END) AS intake_on,"
        " MAX(CASE WHEN kind = 'weekly_review' THEN held_on END) AS last_weekly_review_on"
        f" FROM contacts WHERE held_on <= :as_of{scope()} GROUP BY trajectory_id",
        "phase_events": "SELECT trajectory_id, phase, started_on FROM phase_events"
        f" WHERE started_on <= :as_of{scope()} ORDER BY trajectory_id, started_on, id",
        "trajectories": "SELECT t.id AS trajectory_id, t.client_id, t.method, t.registered_at,"
        " t.closed_on, t.phase, t.phase_since, t.coach_id AS current_coach_id,"
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
            " WHERE id IN (SELECT value FROM json_each(:only)))"
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
    from trajecttools.reads import readmodel

    as_of = as_of or store.today
    frames = readmodel.frames_on(
        store,
        "signals",
        "signals",
        lambda only: _model_frames(store, only),
        _MODEL_FRAMES,
        as_of,
    )
    if frames is None:
        return read_inputs(store, as_of)
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
    from trajecttools.reads.readmodel import FAR

    inputs = read_inputs(store, FAR, only)
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
    contacts = _dates(read["contacts"], "last_contact_on", "intake_on", "last_weekly_review_on")
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


# --------------------------------------------------------------------------------------------
# array helpers
# --------------------------------------------------------------------------------------------
def _ns(values: Any) -> np.ndarray:
    """Return dates as a (writable) datetime64[ns] array."""
    return pd.Series(values).astype("datetime64[ns]").to_numpy(copy=True)


def _days(t64: np.datetime64, dates: np.ndarray) -> np.ndarray:
    """Whole days from ``dates`` to ``t64`` as floats (NaN where a date is missing)."""
    return np.true_divide(t64 - dates, _DAY)


def _add_days(dates: np.ndarray, days: np.ndarray) -> np.ndarray:
    out = np.full(dates.shape, _NAT)
    ok = ~np.isnan(days) & ~np.isnat(dates)
    out[ok] = dates[ok] + days[ok].astype(np.int64) * _DAY
    return out


def add_months(dates: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Add calendar months (pandas DateOffset: clipped to the month's end) row by row."""
    out = np.full(dates.shape, _NAT)
    for n in np.unique(months[~np.isnan(months)]):
        sel = (months == n) & ~np.isnat(dates)
        shifted = pd.DatetimeIndex(dates[sel]) + pd.DateOffset(months=int(n))
        out[sel] = shifted.to_numpy().astype("datetime64[ns]")
    return out


def _indexer(index: pd.Index, values: Any) -> np.ndarray:
    """Positions of ``values`` in ``index`` (-1 where absent)."""
    return np.asarray(index.get_indexer(values), dtype=np.int64)


def _with_missing(values: Any, missing: Any = None) -> np.ndarray:
    """``values`` as an object array with ``missing`` appended (the target of index -1)."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    out[-1] = missing
    return out


def _codes(values: Any, categories: Sequence[str]) -> np.ndarray:
    """Position of each value in ``categories`` (-1 when it is not there)."""
    wanted = pd.Index(list(categories), dtype=object)
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):  # map the few categories
        found = _indexer(wanted, np.asarray(values.cat.categories, dtype=object))
        return np.r_[found, -1][np.asarray(values.cat.codes)]
    return _indexer(wanted, np.asarray(values, dtype=object))


def _first_per(pos: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Indices of the row with the largest ``key`` per ``pos`` (rows sorted by pos)."""
    if len(pos) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-key, pos))
    first = np.r_[True, pos[order][1:] != pos[order][:-1]]
    return order[first]


def _group_rank(pos: np.ndarray) -> np.ndarray:
    """0-based rank of each row within its run of equal ``pos`` (rows sorted by pos)."""
    if len(pos) == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, pos[1:] != pos[:-1]]
    starts = np.flatnonzero(start)
    group = np.cumsum(start) - 1
    return np.arange(len(pos)) - starts[group]


def _sorted_order(pos: np.ndarray, dates: np.ndarray) -> np.ndarray | None:
    """A stable order by (pos, date), or None when the rows are already in that order."""
    if len(pos) < 2:
        return None
    dpos = np.diff(pos)
    ddate = np.diff(dates.astype(np.int64))
    if np.all((dpos > 0) | ((dpos == 0) & (ddate >= 0))):
        return None
    return np.lexsort((dates, pos))


def _fmt_date(dates: np.ndarray) -> np.ndarray:
    """Dates as dd-mm-jjjj strings (formatting each distinct date once)."""
    codes, uniques = pd.factorize(np.asarray(dates, dtype="datetime64[ns]"))
    labels = pd.DatetimeIndex(uniques).strftime("%d-%m-%Y").to_numpy(dtype=object)
    return _with_missing(labels, "")[codes]


def _fmt(values: np.ndarray, fmt: Callable[[int], str]) -> np.ndarray:
    """Format integers with ``fmt`` (each distinct value once)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=np.int64))
    return np.array([fmt(int(u)) for u in uniques] + [""], dtype=object)[codes]


def _n_days(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagen"


def _period_days(n: int) -> str:
    """A rule's number of days in words: whole weeks from two weeks on, else days."""
    if n >= 14 and n % 7 == 0:
        return f"{n // 7} weken"
    return _n_days(n)


def _n_months(n: int) -> str:
    return "1 maand" if n == 1 else f"{n} maanden"


def _n_weeks(n: int) -> str:
    return "1 week" if n == 1 else f"{n} weken"


def _count(n: int, one: str, more: str) -> str:
    """ "1 thing", "n things", or nothing for zero."""
    return "" if n == 0 else f"1 {one}" if n == 1 else f"{n} {more}"


def _late(days: np.ndarray) -> np.ndarray:
    return _fmt(days, lambda n: f"{_n_days(n)} te laat")


# --------------------------------------------------------------------------------------------
# the state of every trajectory on as_of
# --------------------------------------------------------------------------------------------
@dataclass
class _Part:
    """Signals of one rule: positions in the context's trajectories and their facts."""

    rule: str
    pos: np.ndarray
    due: np.ndarray
    days: np.ndarray
    message: np.ndarray
    domain: np.ndarray | None = None
    nearing: np.ndarray | None = None


class _Context:
    """Every trajectory's state on ``as_of`` as arrays (one element a trajectory)."""

    def __init__(self, inputs: SignalInputs, methods: Mapping[str, Method], as_of: dt.date):
        self.inputs = inputs
        self.as_of = as_of
        self.t64 = np.datetime64(as_of.isoformat(), "ns")
        self.methods = list(methods.values())
        tr = inputs.trajectories
        m_all = _codes(tr["method"], list(methods))
        registered = _ns(tr["registered_at"])
        keep = (m_all >= 0) & (registered < self.t64 + _DAY)
        self.tr = tr.loc[keep].reset_index(drop=True)
        self.m = m_all[keep]
        self.n = n = len(self.tr)
        ids = self.tr["trajectory_id"].to_numpy().astype(np.int64)
        self.index = pd.Index(ids)
        # positions by id through a lookup table when ids are dense enough (they usually are)
        self._lut: np.ndarray | None = None
        if n and ids.min() >= 0 and ids.max() < 4 * n + 1024:
            top = int(ids.max()) + 1
            self._lut = np.full(top, -1, dtype=np.int64)
            self._lut[ids] = np.arange(n)
        self.registered_at = registered[keep]
        self.registered_on = self.registered_at.astype("datetime64[D]").astype("datetime64[ns]")

        # phase and stage on as_of, from the phase events
        self._phase_tables()
        phase = _codes(self.tr["phase"], self.all_phases)
        phase_since = _ns(self.tr["phase_since"])
        stage_since = phase_since.copy()
        self.aftercare_start = np.full(n, _NAT)
        self.aftercare_end = np.full(n, _NAT)
        ev = inputs.phase_events
        epos = self.pos(ev["trajectory_id"])
        estart = _ns(ev["started_on"])
        ok = (epos >= 0) & (estart <= self.t64)
        epos, estart = epos[ok], estart[ok]
        ephase = _codes(ev["phase"], self.all_phases)[ok]
        order = _sorted_order(epos, estart)
        if order is not None:
            epos, ephase, estart = epos[order], ephase[order], estart[order]
        if len(epos):
            estage = self.lookup(self.m[epos], ephase)[0]
            first = np.r_[True, epos[1:] != epos[:-1]]
            last = np.r_[epos[1:] != epos[:-1], True]
            new_run = first | np.r_[True, estage[1:] != estage[:-1]]
            run_id = np.cumsum(new_run) - 1
            run_rows = np.flatnonzero(new_run)
            run_start, run_pos, run_stage = estart[run_rows], epos[run_rows], estage[run_rows]
            same = np.r_[run_pos[1:] == run_pos[:-1], False]
            run_end = np.where(same, np.r_[run_start[1:], _NAT], _NAT)
            rows = np.flatnonzero(last)
            phase[epos[rows]] = ephase[rows]
            phase_since[epos[rows]] = estart[rows]
            stage_since[epos[rows]] = run_start[run_id[rows]]
            ac = np.flatnonzero(run_stage == _STAGE["aftercare"])
            latest = ac[np.r_[run_pos[ac][1:] != run_pos[ac][:-1], True]] if len(ac) else ac
            self.aftercare_start[run_pos[latest]] = run_start[latest]
            self.aftercare_end[run_pos[latest]] = run_end[latest]
        names = np.array([*self.all_phases, None], dtype=object)[phase]
        self.phase = np.where(phase < 0, np.asarray(self.tr["phase"], dtype=object), names)
        self.phase_since = phase_since
        self.stage, label = self.lookup(self.m, phase)
        self.stage_since = stage_since
        self.phase_label = np.where(pd.isna(label), self.phase, label)
        closed_on = _ns(self.tr["closed_on"])
        self.closed = (closed_on <= self.t64) | (self.stage == _STAGE["closed"])
        self.active = ~self.closed

        # coach on as_of and coach changes
        ca = inputs.coach_assignments
        apos = self.pos(ca["trajectory_id"])
        aat = _ns(ca["assigned_at"])
        history = np.bincount(apos[apos >= 0], minlength=n) > 0
        ok = (apos >= 0) & (aat < self.t64 + _DAY)
        apos, acoach, aat = apos[ok], ca["coach_id"].to_numpy()[ok], aat[ok]
        order = _sorted_order(apos, aat)
        if order is not None:
            apos, acoach, aat = apos[order], acoach[order], aat[order]
        self.assignments = np.bincount(apos, minlength=n)
        coach_id = np.where(history, np.nan, self.tr["current_coach_id"].to_numpy(dtype=float))
        if len(apos):
            last = np.r_[apos[1:] != apos[:-1], True]
            coach_id[apos[last]] = acoach[last]
        self.coach_id = coach_id
        self.has_coach = ~np.isnan(coach_id)
        self.coach_changes = np.maximum(self.assignments - 1, 0)
        rank = _group_rank(apos)
        self.change_pos = apos[rank >= 1]
        self.change_on = aat[rank >= 1].astype("datetime64[D]").astype("datetime64[ns]")
        self.change_rank = rank[rank >= 1] - 1  # 0 = first change
        coaches = inputs.coaches
        cidx = _indexer(pd.Index(coaches["coach_id"].to_numpy()),
                        np.where(self.has_coach, coach_id, -1).astype(np.int64))
        self.coach = _with_missing(coaches["coach"].to_numpy(dtype=object))[cidx]
        self.team = _with_missing(coaches["team"].to_numpy(dtype=object))[cidx]

        rpos = self.pos(inputs.referrals["trajectory_id"])
        self.referral_pos = rpos[rpos >= 0]
        self.referral_on = _ns(inputs.referrals["referred_on"])[rpos >= 0]
        self.referral_count = np.bincount(self.referral_pos, minlength=n)

        contacts = inputs.contacts.set_index("trajectory_id").reindex(self.index)
        aftercare = inputs.aftercare_contacts.set_index("trajectory_id").reindex(self.index)
        self.last_contact_on = np.fmax(_ns(contacts["last_contact_on"]),
                                       _ns(aftercare["last_aftercare_on"]))
        self.intake_on = _ns(contacts["intake_on"])
        self.last_weekly_review_on = _ns(contacts["last_weekly_review_on"])
        self.last_employee_on = _ns(aftercare["last_employee_on"])
        self.last_employer_on = _ns(aftercare["last_employer_on"])

        pl = inputs.placements
        ppos = self.pos(pl["trajectory_id"])
        pstart = _ns(pl["start_on"])
        ok = (ppos >= 0) & (pstart <= self.t64)
        self.p_pos, self.p_start = ppos[ok], pstart[ok]
        self.p_kind = _codes(pl["kind"], _KINDS)[ok]
        self.p_end = _ns(pl["end_on"])[ok]
        self.p_swc = pl["social_work_company"].to_numpy(dtype=bool)[ok]
        self.p_running = np.isnat(self.p_end) | (self.p_end > self.t64)

    # -- lookups -----------------------------------------------------------------------------
    def _phase_tables(self) -> None:
        self.all_phases = list(dict.fromkeys(p for m in self.methods for p in m.phase_codes))
        shape = (len(self.methods) + 1, len(self.all_phases) + 1)
        self.stage_tab = np.full(shape, -1, dtype=np.int64)
        self.label_tab = np.full(shape, None, dtype=object)
        for i, m in enumerate(self.methods):
            for p in m.phases:
                j = self.all_phases.index(p.code)
                self.stage_tab[i, j], self.label_tab[i, j] = _STAGE[p.stage], p.label

    def lookup(self, m: np.ndarray, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Stage code and label of each (method index, phase index) pair (-1, None: unknown)."""
        return self.stage_tab[m, phase], self.label_tab[m, phase]

    def pos(self, trajectory_ids: pd.Series) -> np.ndarray:
        """Positions of trajectory ids in the context (-1 when not in it)."""
        if not self.n:
            return np.full(len(trajectory_ids), -1, dtype=np.int64)
        if self._lut is None:
            return _indexer(self.index, trajectory_ids.to_numpy())
        ids = np.asarray(trajectory_ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < len(self._lut))
        return np.where(inside, self._lut[np.where(inside, ids, 0)], -1)

    def rule(self, name: str) -> list[Any]:
        """The rule object of each method (None where the method does not use it)."""
        return [m.rule(name) for m in self.methods]

    def param(self, name: str, number: str, pos: np.ndarray | None = None) -> np.ndarray:
        """A rule's number for each trajectory (or for ``pos``): NaN where the rule is off."""
        values = np.array(
            [np.nan if r is None else float(r.number(number)) for r in self.rule(name)]
        )
        return values[self.m if pos is None else self.m[pos]]

    def text(self, name: str, number: str, fmt: Callable[[int], str],
             pos: np.ndarray) -> np.ndarray:
        """A rule's number in words for the trajectories at ``pos``."""
        values = np.array(
            ["" if r is None else fmt(r.number(number)) for r in self.rule(name)], dtype=object
        )
        return values[self.m[pos]]

    def enabled(self, name: str) -> bool:
        return any(r is not None for r in self.rule(name))


# --------------------------------------------------------------------------------------------
# the rules
# --------------------------------------------------------------------------------------------
def _coach_assignment(c: _Context) -> _Part:
    hours = c.param("coach_assignment", "hours")
    sel = np.flatnonzero(c.active & ~c.has_coach & ~np.isnan(hours))
    due = (c.registered_at[sel] + hours[sel].astype(np.int64) * np.timedelta64(1, "h"))
    due = due.astype("datetime64[D]").astype("datetime64[ns]")
    days = _days(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    msg = ("Geen jobcoach toegewezen binnen "
           + c.text("coach_assignment", "hours", lambda n: f"{n} uur", pos)
           + " na aanmelding op " + _fmt_date(c.registered_on[pos]) + " (" + _late(days) + ")")
    return _Part("coach_assignment", pos, due, days, msg)


_SIGNERS = ("casemanager", "jobcoach", "klant")


def _who(missing: tuple[bool, ...]) -> str:
    names = [n for n, m in zip(_SIGNERS, missing, strict=True) if m]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def _signatures(c: _Context) -> tuple[np.ndarray, np.ndarray]:
    """Which of the three signatures are missing on as_of (n x 3), and the full signing date."""
    cols = ("signed_case_manager_on", "signed_coach_on", "signed_client_on")
    signed = np.column_stack([_ns(c.tr[col]) for col in cols])
    missing = np.isnat(signed) | (signed > c.t64)
    full = np.where(missing.any(axis=1), _NAT, signed.max(axis=1))
    return missing, full


def _plan_signatures(c: _Context) -> _Part:
    days_p = c.param("plan_signatures", "days")
    missing, _ = _signatures(c)
    sel = np.flatnonzero(c.active & missing.any(axis=1) & ~np.isnan(days_p))
    due = _add_days(c.registered_on[sel], days_p[sel])
    days = _days(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    code = missing[pos] @ np.array([1, 2, 4])
    who = np.array([""] + [_who(tuple(bool(k >> b & 1) for b in range(3))) for k in range(1, 8)],
                   dtype=object)[code]
    msg = ("Trajectplan niet binnen "
           + c.text("plan_signatures", "days", _period_days, pos)
           + " na aanmelding op " + _fmt_date(c.registered_on[pos]) + " ondertekend door "
           + who + " (" + _late(days) + ")")
    return _Part("plan_signatures", pos, due, days, msg)


def _intake_after_signing(c: _Context) -> _Part:
    days_p = c.param("intake_after_signing", "days")
    _, signed_on = _signatures(c)
    early = (c.stage == _STAGE["registration"]) | (c.stage == _STAGE["intake"])
    sel = np.flatnonzero(c.active & early & ~np.isnat(signed_on) & np.isnat(c.intake_on)
                         & ~np.isnan(days_p))
    due = _add_days(signed_on[sel], days_p[sel])
    days = _days(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    msg = ("Intake niet gehouden binnen "
           + c.text("intake_after_signing", "days", _period_days, pos)
           + " na ondertekening trajectplan op " + _fmt_date(signed_on[pos])
           + " (" + _late(days) + ")")
    return _Part("intake_after_signing", pos, due, days, msg)


def _running(c: _Context, kind: str) -> np.ndarray:
    """Rows of running placements of ``kind`` in active trajectories."""
    return np.flatnonzero(c.p_running & (c.p_kind == _KIND[kind]) & c.active[c.p_pos])


def _placement_limit(c: _Context, rule: str, kind: str, *, social_work_company: bool = False,
                     warn: bool = False) -> _Part:
    rows = _running(c, kind)
    if social_work_company:
        rows = rows[c.p_swc[rows]]
    months = c.param(rule, "months", c.p_pos[rows])
    rows, months = rows[~np.isnan(months)], months[~np.isnan(months)]
    due = add_months(c.p_start[rows], months)
    days = _days(c.t64, due)
    if warn:
        warn_days = c.param(rule, "warn_days", c.p_pos[rows])
        f = days >= -warn_days
    else:
        f = days > 0
    rows, due, days = rows[f], due[f], days[f].astype(np.int64)
    keep = _first_per(c.p_pos[rows], days)
    rows, due, days = rows[keep], due[keep], days[keep]
    pos = c.p_pos[rows]
    noun = _PLACEMENT_NOUNS[kind]
    limit = c.text(rule, "months", _n_months, pos)
    start = _fmt_date(c.p_start[rows])
    if social_work_company:
        msg = (noun + " al langer dan " + limit + " bij het sociaal werkbedrijf (gestart op "
               + start + "; " + _late(days) + ")")
    else:
        msg = (noun + " loopt langer dan " + limit + " (gestart op " + start + "; "
               + _late(days) + ")")
    nearing = days <= 0
    if nearing.any():
        when = _fmt(-days[nearing], lambda n: "vandaag" if n == 0 else f"over {_n_days(n)}")
        msg[nearing] = (noun + " bereikt " + when + " de maximale duur van " + limit[nearing]
                        + " (gestart op " + start[nearing] + ", einddatum "
                        + _fmt_date(due[nearing]) + ")")
    return _Part(rule, pos, due, days, msg, nearing=nearing)


def _contact_gap(c: _Context) -> _Part:
    weeks = c.param("contact_gap", "weeks")
    sel = np.flatnonzero(c.active & ~np.isnan(weeks))
    last = c.last_contact_on[sel]
    none = np.isnat(last)
    ref = np.where(none, c.registered_on[sel], last)
    due = _add_days(ref, weeks[sel] * 7)
    days = _days(c.t64, due)
    f = days > 0
    pos, ref, none, due, days = sel[f], ref[f], none[f], due[f], days[f].astype(np.int64)
    since = np.where(none, "de aanmelding op ", "") + _fmt_date(ref)
    msg = ("Geen contact sinds " + since + ", langer dan "
           + c.text("contact_gap", "weeks", _n_weeks, pos) + " (" + _late(days) + ")")
    return _Part("contact_gap", pos, due, days, msg)


def _weekly_review(c: _Context) -> _Part:
    rows = _running(c, "stepping_stone")
    rows = rows[_first_per(c.p_pos[rows], c.p_start[rows].astype(np.int64))]
    pos = c.p_pos[rows]
    every = c.param("weekly_review", "days", pos)
    grace = c.param("weekly_review", "grace_days", pos)
    ok = ~np.isnan(every)
    rows, pos, every, grace = rows[ok], pos[ok], every[ok], grace[ok]
    start = c.p_start[rows]
    last = c.last_weekly_review_on[pos]
    none = np.isnat(last) | (last < start)
    ref = np.where(none, start, last)
    due = _add_days(ref, every + grace)
    days = _days(c.t64, due)
    f = days > 0
    pos, ref, none, due, days = pos[f], ref[f], none[f], due[f], days[f].astype(np.int64)
    since = np.where(none, "de start op ", "") + _fmt_date(ref)
    msg = ("Geen wekelijkse evaluatie tijdens de opstapbaan sinds " + since + " (norm: elke "
           + c.text("weekly_review", "days", _n_days, pos) + ", "
           + c.text("weekly_review", "grace_days", _n_days, pos) + " marge; "
           + _late(days) + ")")
    return _Part("weekly_review", pos, due, days, msg)


def _aftercare_contact(c: _Context) -> _Part:
    every = c.param("aftercare_contact", "days")
    sel = np.flatnonzero(c.active & (c.stage == _STAGE["aftercare"]) & ~np.isnan(every))
    start = c.stage_since[sel]
    refs = [np.fmax(c.last_employee_on[sel], start), np.fmax(c.last_employer_on[sel], start)]
    dues = [_add_days(r, every[sel]) for r in refs]
    over = [_days(c.t64, d) > 0 for d in dues]
    f = over[0] | over[1]
    # the earliest passed deadline of the parties that are overdue
    due = np.where(over[0] & (~over[1] | (dues[0] <= dues[1])), dues[0], dues[1])[f]
    ref = np.where(over[0] & (~over[1] | (refs[0] <= refs[1])), refs[0], refs[1])[f]
    party = np.array(["", "werknemer", "werkgever", "werknemer en werkgever"], dtype=object)[
        over[0][f] * 1 + over[1][f] * 2]
    pos = sel[f]
    days = _days(c.t64, due).astype(np.int64)
    msg = ("Geen nazorgcontact met " + party + " sinds " + _fmt_date(ref) + ", langer dan "
           + c.text("aftercare_contact", "days", _period_days, pos) + " (" + _late(days) + ")")
    return _Part("aftercare_contact", pos, due, days, msg)


def _aftercare_duration(c: _Context) -> _Part:
    months = c.param("aftercare_duration", "months")
    sel = np.flatnonzero(c.active & (c.stage == _STAGE["aftercare"]) & ~np.isnan(months))
    due = add_months(c.stage_since[sel], months[sel])
    days = _days(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    msg = ("Nazorg loopt langer dan " + c.text("aftercare_duration", "months", _n_months, pos)
           + " (sinds " + _fmt_date(c.stage_since[pos]) + "; " + _late(days) + ")")
    return _Part("aftercare_duration", pos, due, days, msg)


def _end_report(c: _Context) -> _Part:
    days_p = c.param("end_report", "days")
    report = _ns(c.tr["end_report_on"])
    sel = np.flatnonzero(~np.isnat(c.aftercare_start) & np.isnat(report) & ~np.isnan(days_p))
    months = c.param("aftercare_duration", "months")[sel]
    # without an aftercare_duration rule, aftercare ends when the trajectory leaves it
    end = np.where(np.isnan(months), c.aftercare_end[sel],
                   add_months(c.aftercare_start[sel], months))
    due = _add_days(end, days_p[sel])
    days = _days(c.t64, due)
    f = days > 0
    pos, end, due, days = sel[f], end[f], due[f], days[f].astype(np.int64)
    msg = ("Geen beëindigingsrapportage binnen " + c.text("end_report", "days", _period_days, pos)
           + " na het einde van de nazorg op " + _fmt_date(end) + " (" + _late(days) + ")")
    return _Part("end_report", pos, due, days, msg)


def _agreements_overdue(c: _Context) -> _Part:
    ag = c.inputs.open_agreements
    apos = c.pos(ag["trajectory_id"])
    ok = apos >= 0
    apos, due_on, count = apos[ok], _ns(ag["due_on"])[ok], ag["agreements"].to_numpy()[ok]
    grace = c.param("agreements_overdue", "grace_days", apos)
    due = _add_days(due_on, grace)
    f = c.active[apos] & (_days(c.t64, due) > 0)
    apos, due_on, due, count = apos[f], due_on[f], due[f], count[f]
    total = np.bincount(apos, weights=count, minlength=c.n).astype(np.int64)
    oldest = _first_per(apos, -due.astype(np.int64))
    pos, due_on, due = apos[oldest], due_on[oldest], due[oldest]
    days = _days(c.t64, due).astype(np.int64)
    n = total[pos]
    grace = c.text("agreements_overdue", "grace_days",
                   lambda g: "" if g == 0 else f" + {_n_days(g)} marge", pos)
    several = _fmt(n, lambda k: f"{k} afspraken niet op tijd nagekomen (de oudste uiterlijk ")
    msg = (np.where(n == 1, "1 afspraak niet op tijd nagekomen (uiterlijk ", several)
           + _fmt_date(due_on) + grace + "; " + _late(days) + ")")
    return _Part("agreements_overdue", pos, due, days, msg.astype(object))


def _agreements_not_kept(c: _Context) -> _Part:
    ag = c.inputs.not_kept_agreements
    apos = c.pos(ag["trajectory_id"])
    ok = apos >= 0
    apos, closed_on, count = apos[ok], _ns(ag["closed_on"])[ok], ag["agreements"].to_numpy()[ok]
    window = c.param("agreements_not_kept", "window_days", apos)
    ago = _days(c.t64, closed_on)
    f = c.active[apos] & (ago >= 0) & (ago < window)
    apos, closed_on, count = apos[f], closed_on[f], count[f]
    total = np.bincount(apos, weights=count, minlength=c.n).astype(np.int64)
    latest = _first_per(apos, closed_on.astype(np.int64))
    pos, last = apos[latest], closed_on[latest]
    need = c.param("agreements_not_kept", "count", pos)
    f = total[pos] >= need
    pos, last = pos[f], last[f]
    days = _days(c.t64, last).astype(np.int64)
    msg = (_fmt(total[pos], lambda k: f"{k} afspraken niet nagekomen in de afgelopen ")
           + c.text("agreements_not_kept", "window_days", _n_days, pos) + " (norm: minder dan "
           + c.text("agreements_not_kept", "count", str, pos) + "; laatste op "
           + _fmt_date(last) + ")")
    return _Part("agreements_not_kept", pos, last, days, msg)


def _coach_changes(c: _Context) -> _Part:
    most = c.param("coach_changes", "max")
    # the change that went over the maximum
    cmax = most[c.change_pos]
    hit = c.change_rank == cmax
    pos, due = c.change_pos[hit], c.change_on[hit]
    f = c.active[pos]
    pos, due = pos[f], due[f]
    days = _days(c.t64, due).astype(np.int64)
    msg = (_fmt(c.coach_changes[pos], lambda k: f"Jobcoach {k} keer gewisseld, meer dan de norm")
           + " van " + c.text("coach_changes", "max", lambda k: f"{k} keer", pos)
           + " (sinds " + _fmt_date(due) + ")")
    return _Part("coach_changes", pos, due, days, msg)


def _hand_offs(c: _Context) -> _Part:
    most = c.param("hand_offs", "max")
    epos = np.r_[c.change_pos, c.referral_pos]
    eon = np.r_[c.change_on, c.referral_on]
    order = np.lexsort((eon, epos))
    epos, eon = epos[order], eon[order]
    rank = _group_rank(epos)
    hit = rank == most[epos]
    pos, due = epos[hit], eon[hit]
    f = c.active[pos]
    pos, due = pos[f], due[f]
    days = _days(c.t64, due).astype(np.int64)
    changes, referrals = c.coach_changes[pos], c.referral_count[pos]
    msg = (_fmt(changes + referrals, lambda k: f"{k} overdrachten (")
           + _fmt(changes, lambda k: _count(k, "jobcoachwissel", "jobcoachwissels"))
           + np.where((changes > 0) & (referrals > 0), " en ", "")
           + _fmt(referrals, lambda k: _count(k, "doorverwijzing", "doorverwijzingen"))
           + "), meer dan de norm van " + c.text("hand_offs", "max", str, pos)
           + " (sinds " + _fmt_date(due) + ")")
    return _Part("hand_offs", pos, due, days, msg)


def _domain_phrase(domains: np.ndarray, named: str, hidden: str) -> np.ndarray:
    """``named`` with the domain's Dutch label, or ``hidden`` for special-category domains."""
    codes, uniques = pd.factorize(domains)
    out = [
        hidden if d in vocab.SPECIAL_CATEGORY_DOMAINS or d not in vocab.BARRIER_DOMAINS
        else named.format(vocab.BARRIER_DOMAINS[d].lower())
        for d in uniques
    ]
    return np.array([*out, hidden], dtype=object)[codes]


def _referral_follow_up(c: _Context) -> _Part:
    br = c.inputs.open_barriers
    bpos = c.pos(br["trajectory_id"])
    days_p = c.param("referral_follow_up", "days", np.maximum(bpos, 0))
    ok = (bpos >= 0) & ~np.isnan(days_p)
    ok[ok] = c.active[bpos[ok]]
    follow = _ns(br["oldest_follow_up_on"])
    unreferred = (br["referrals"].to_numpy() == 0) & (br["severity"].to_numpy() == 3)
    referred = ~np.isnat(follow)
    ref = np.where(referred, follow, _ns(br["noted_on"]))
    rows = np.flatnonzero(ok & (referred | unreferred))
    due = _add_days(ref[rows], days_p[rows])
    days = _days(c.t64, due)
    f = days > 0
    rows, due, days = rows[f], due[f], days[f].astype(np.int64)
    pos = bpos[rows]
    domain = br["domain"].to_numpy(dtype=object)[rows]
    ago = _fmt(_days(c.t64, ref[rows]).astype(np.int64), lambda k: f" al {_n_days(k)} ")
    norm = (" (norm: " + c.text("referral_follow_up", "days", _period_days, pos) + "; "
            + _late(days) + ")")
    followed = (_domain_phrase(domain, "Doorverwijzing {}", "Doorverwijzing voor een belemmering"
                               " (bijzondere categorie)") + ago + "niet opgevolgd" + norm)
    missing = (_domain_phrase(domain, "Ernstige belemmering {}", "Ernstige belemmering"
                              " (bijzondere categorie)") + ago + "zonder doorverwijzing" + norm)
    msg = np.where(referred[rows], followed, missing)
    return _Part("referral_follow_up", pos, due, days, msg, domain=domain)


def _revolving_door(c: _Context) -> _Part:
    jobs = np.flatnonzero(np.isin(c.p_kind, [_KIND[k] for k in _JOB_KINDS]))
    months = c.param("revolving_door", "months", c.p_pos[jobs])
    jobs = jobs[~np.isnan(months)]
    bp = c.inputs.benefit_periods
    b_start = _ns(bp["start_on"])
    b_ok = b_start <= c.t64
    client = c.tr["client_id"].to_numpy()
    right = pd.DataFrame({"client_id": client[c.p_pos[jobs]].astype(np.int64),
                          "placed_on": c.p_start[jobs], "row": jobs}).sort_values("placed_on")
    left = pd.DataFrame({"client_id": bp["client_id"].to_numpy()[b_ok].astype(np.int64),
                         "benefit_on": b_start[b_ok]}).sort_values("benefit_on")
    both = pd.merge_asof(left, right, left_on="benefit_on", right_on="placed_on",
                         by="client_id", direction="backward", allow_exact_matches=False)
    both = both[both["row"].notna()]
    rows = both["row"].to_numpy().astype(np.int64)
    benefit_on, placed_on = _ns(both["benefit_on"]), c.p_start[rows]
    pos = c.p_pos[rows]
    limit = add_months(placed_on, c.param("revolving_door", "months", pos))
    f = benefit_on <= limit
    pos, benefit_on, placed_on = pos[f], benefit_on[f], placed_on[f]
    keep = _first_per(pos, benefit_on.astype(np.int64))
    pos, benefit_on, placed_on = pos[keep], benefit_on[keep], placed_on[keep]
    days = _days(c.t64, benefit_on).astype(np.int64)
    msg = ("Binnen " + c.text("revolving_door", "months", _n_months, pos)
           + " na plaatsing op " + _fmt_date(placed_on) + " terug in de uitkering (sinds "
           + _fmt_date(benefit_on) + ")")
    return _Part("revolving_door", pos, benefit_on, days, msg)


#: The rule implementations, in the order of :data:`trajecttools.core.method.RULE_PARAMETERS`.
RULES: Mapping[str, Callable[[_Context], _Part]] = {
    "coach_assignment": _coach_assignment,
    "plan_signatures": _plan_signatures,
    "intake_after_signing": _intake_after_signing,
    "stepping_stone_at_social_work_company": partial(
        _placement_limit, rule="stepping_stone_at_social_work_company", kind="stepping_stone",
        social_work_company=True),
    "stepping_stone_max": partial(
        _placement_limit, rule="stepping_stone_max", kind="stepping_stone", warn=True),
    "social_employment_max": partial(
        _placement_limit, rule="social_employment_max", kind="social_employment", warn=True),
    "secondment_max": partial(_placement_limit, rule="secondment_max", kind="secondment"),
    "wage_subsidy_max": partial(_placement_limit, rule="wage_subsidy_max", kind="wage_subsidy"),
    "contact_gap": _contact_gap,
    "weekly_review": _weekly_review,
    "aftercare_contact": _aftercare_contact,
    "aftercare_duration": _aftercare_duration,
    "end_report": _end_report,
    "agreements_overdue": _agreements_overdue,
    "agreements_not_kept": _agreements_not_kept,
    "coach_changes": _coach_changes,
    "hand_offs": _hand_offs,
    "referral_follow_up": _referral_follow_up,
    "revolving_door": _revolving_door,
}
assert tuple(RULES) == tuple(RULE_PARAMETERS), "every rule of the methods needs an implementation"


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def _check_as_of(inputs: SignalInputs, as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return inputs.as_of
    if as_of != inputs.as_of:
        raise ValueError(
            f"as_of {as_of:%d-%m-%Y} wijkt af van de peildatum van de gegevens "
            f"({inputs.as_of:%d-%m-%Y}); lees de gegevens opnieuw met load_inputs"
        )
    return as_of


def _empty() -> pd.DataFrame:
    return _frame({
        "trajectory_id": np.zeros(0, np.int64), "client_id": np.zeros(0, np.int64),
        "pseudonym": np.zeros(0, object), "initials": np.zeros(0, object),
        "team": np.zeros(0, object), "coach_id": np.zeros(0, float),
        "coach": np.zeros(0, object), "method": np.zeros(0, object),
        "phase_label": np.zeros(0, object), "rule": np.zeros(0, object),
        "rule_label": np.zeros(0, object), "severity": np.zeros(0, np.int64),
        "due_on": np.zeros(0, "datetime64[ns]"), "days_overdue": np.zeros(0, np.int64),
        "message": np.zeros(0, object), "detail_domain": np.zeros(0, object),
        "active": np.zeros(0, bool),
    })


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    cols["severity"] = pd.Categorical.from_codes(
        cols["severity"].astype(np.int64), categories=pd.Index(SEVERITY_ORDER), ordered=True)
    cols["coach_id"] = pd.array(cols["coach_id"], dtype="Float64").astype("Int64")
    for name in ("pseudonym", "initials", "method", "phase_label", "rule", "rule_label",
                 "message", "detail_domain", "team", "coach"):
        cols[name] = pd.array(cols[name], dtype="str")
    return pd.DataFrame(cols, columns=list(COLUMNS))


def compute(
    inputs: SignalInputs, methods: Mapping[str, Method], as_of: dt.date | None = None
) -> pd.DataFrame:
    """Apply the methods' rules to the inputs: one row a signal, most urgent first.

    Most urgent first means: by severity; within a severity, signals of running trajectories
    before those of closed ones; then most days overdue first.

    Only trajectories of a method in ``methods`` are considered; ``as_of`` must be the date the
    inputs were read for (None: that date).
    """
    as_of = _check_as_of(inputs, as_of)
    c = _Context(inputs, methods, as_of)
    parts: list[_Part] = []
    for name, implementation in RULES.items():
        if c.n and c.enabled(name):
            part = implementation(c)
            if len(part.pos):
                parts.append(part)
    if not parts:
        return _empty()
    names = list(RULES)
    pos = np.concatenate([p.pos for p in parts])
    rule_ix = np.concatenate([np.full(len(p.pos), names.index(p.rule)) for p in parts])
    days = np.concatenate([p.days for p in parts]).astype(np.int64)
    nearing = np.concatenate([np.zeros(len(p.pos), bool) if p.nearing is None else p.nearing
                              for p in parts])
    domain = np.concatenate([np.full(len(p.pos), "", object) if p.domain is None else p.domain
                             for p in parts])
    sev_code = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    sev_tab = np.zeros((len(names), len(c.methods)), dtype=np.int64)
    label_tab = np.full((len(names), len(c.methods)), "", dtype=object)
    for i, name in enumerate(names):
        for j, rule in enumerate(c.rule(name)):
            if rule is not None:
                sev_tab[i, j], label_tab[i, j] = sev_code[rule.severity], rule.label
    m = c.m[pos]
    severity = sev_tab[rule_ix, m]
    severity = np.where(nearing, np.minimum(severity + 1, len(SEVERITY_ORDER) - 1), severity)
    tid = c.tr["trajectory_id"].to_numpy()[pos]
    active = c.active[pos]
    order = np.lexsort((rule_ix, tid, -days, ~active, severity))
    codes = np.array([mm.code for mm in c.methods], dtype=object)
    cols = {
        "trajectory_id": tid,
        "client_id": c.tr["client_id"].to_numpy()[pos],
        "pseudonym": c.tr["pseudonym"].to_numpy(dtype=object)[pos],
        "initials": c.tr["initials"].to_numpy(dtype=object)[pos],
        "team": c.team[pos],
        "coach_id": c.coach_id[pos],
        "coach": c.coach[pos],
        "method": codes[m],
        "phase_label": c.phase_label[pos],
        "rule": np.array(names, dtype=object)[rule_ix],
        "rule_label": label_tab[rule_ix, m],
        "severity": severity,
        "due_on": np.concatenate([p.due for p in parts]).astype("datetime64[ns]"),
        "days_overdue": days,
        "message": np.concatenate([p.message for p in parts]),
        "detail_domain": domain,
        "active": active,
    }
    return _frame({k: v[order] for k, v in cols.items()})


def signals(
    store: Store, as_of: dt.date | None = None, method: str | None = None
) -> pd.DataFrame:
    """Return the signals of the register on ``as_of`` (default: the store's today).

    ``method`` restricts the list to trajectories of that method (None: every method).
    """
    as_of = as_of or store.today
    methods = store.methods()
    if method is not None:
        methods = {method: store.method(method)}
    return compute(load_inputs(store, as_of), methods, as_of)


def case_states(
    inputs: SignalInputs, methods: Mapping[str, Method], as_of: dt.date | None = None
) -> pd.DataFrame:
    """Return each trajectory's state on ``as_of``: phase, stage, coach, changes, hand-offs."""
    as_of = _check_as_of(inputs, as_of)
    c = _Context(inputs, methods, as_of)
    codes = np.array([m.code for m in c.methods], dtype=object)
    return pd.DataFrame({
        "trajectory_id": c.tr["trajectory_id"].to_numpy(),
        "client_id": c.tr["client_id"].to_numpy(),
        "pseudonym": c.tr["pseudonym"].to_numpy(dtype=object),
        "initials": c.tr["initials"].to_numpy(dtype=object),
        "method": codes[c.m],
        "phase": c.phase,
        "phase_label": c.phase_label,
        "stage": pd.Categorical.from_codes(c.stage.astype(np.int64), categories=pd.Index(_STAGES)),
        "phase_since": c.phase_since,
        "days_in_phase": _days(c.t64, c.phase_since).astype(np.int64),
        "stage_since": c.stage_since,
        "active": c.active,
        "team": c.team,
        "coach_id": pd.array(c.coach_id, dtype="Float64").astype("Int64"),
        "coach": c.coach,
        "coach_changes": c.coach_changes,
        "referrals": c.referral_count,
        "hand_offs": c.coach_changes + c.referral_count,
    })


__all__ = [
    "COLUMNS",
    "RULES",
    "SEVERITY_ORDER",
    "SignalInputs",
    "add_months",
    "case_states",
    "caseload",
    "compute",
    "load_inputs",
    "phase_funnel",
    "signals",
]

