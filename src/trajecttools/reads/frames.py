"""DataFrames of the register for analysts and dashboards, with real dtypes.

Dates become ``datetime64``, code columns categoricals with the full code list (so empty
categories still show in counts), nullable integers ``Int64`` and flags ``boolean``. The wide
``cases`` frame aggregates in the database and joins in pandas: one row a trajectory.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Integer, SmallInteger
from sqlalchemy.types import JSON

from trajecttools.core import vocab
from trajecttools.core.model import ENTITIES
from trajecttools.core.names import initials
from trajecttools.reads import readmodel
from trajecttools.register.sql import one_snapshot, only_params, only_sql, read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: (table, column) -> the code list whose codes are that column's categories.
CATEGORIES: Mapping[tuple[str, str], Mapping[Any, str]] = {
    ("clients", "target_group"): vocab.TARGET_GROUPS,
    ("clients", "education_level"): vocab.EDUCATION_LEVELS,
    ("network_members", "relation"): vocab.NETWORK_RELATIONS,
    ("trajectories", "outcome"): vocab.OUTCOMES,
    ("barriers", "domain"): vocab.BARRIER_DOMAINS,
    ("barriers", "status"): vocab.BARRIER_STATUSES,
    ("referrals", "status"): vocab.REFERRAL_STATUSES,
    ("skills", "kind"): vocab.SKILL_KINDS,
    ("contacts", "kind"): vocab.CONTACT_KINDS,
    ("agreements", "who"): vocab.AGREEMENT_PARTIES,
    ("agreements", "status"): vocab.AGREEMENT_STATUSES,
    ("employers", "sector"): vocab.SECTORS,
    ("vacancies", "sector"): vocab.SECTORS,
    ("vacancies", "education_level"): vocab.EDUCATION_LEVELS,
    ("vacancies", "language_level"): vocab.LANGUAGE_LEVELS,
    ("vacancies", "status"): vocab.VACANCY_STATUSES,
    ("placements", "kind"): vocab.PLACEMENT_TYPES,
    ("aftercare_contacts", "party"): vocab.AFTERCARE_PARTIES,
    ("benefit_periods", "kind"): vocab.BENEFIT_KINDS,
    ("match_decisions", "status"): vocab.MATCH_STATUSES,
    ("match_decisions", "declined_by"): vocab.MATCH_DECLINED_BY,
}
#: Free-form columns that still repeat a lot: categoricals with the categories found.
_FOUND_CATEGORIES = {
    "municipality",
    "region",
    "method",
    "phase",
    "agency",
    "actor",
    "action",
    "entity",
    "organisation",
}


def _categorical(values: pd.Series, codes: Any) -> pd.Series:
    return pd.Categorical(values, categories=list(codes))  # type: ignore[return-value]


def to_datetime(values: pd.Series) -> pd.Series:
    """Return the values as ``datetime64[ns]``; text in ISO 8601, unreadable values NaT."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, format="ISO8601", errors="coerce")
    return values.astype("datetime64[ns]")


def _json_list(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        return json.loads(value)
    return list(value)


def apply_dtypes(store: Store, name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give a frame read from table ``name`` its real dtypes."""
    table = ENTITIES[name].__table__
    methods = store.methods()
    for col in table.columns:
        if col.name not in df.columns:
            continue
        series = df[col.name]
        ctype = col.type
        key = (name, col.name)
        if key in CATEGORIES:
            df[col.name] = _categorical(series, CATEGORIES[key])
        elif col.name == "phase":
            phases = dict.fromkeys(p for m in methods.values() for p in m.phase_codes)
            df[col.name] = _categorical(series, phases)
        elif col.name == "method" and name == "trajectories":
            df[col.name] = _categorical(series, methods)
        elif isinstance(ctype, Date | DateTime):
            df[col.name] = to_datetime(series)
        elif isinstance(ctype, Boolean):
            df[col.name] = series.astype("boolean")
        elif isinstance(ctype, JSON):
            df[col.name] = series.map(_json_list)
        elif isinstance(ctype, Integer | SmallInteger) and not col.primary_key:
            df[col.name] = series.astype("Int64" if col.nullable else "int64")
        elif col.name in _FOUND_CATEGORIES:
            df[col.name] = series.astype("category")
    return df


def entity_frame(store: Store, name: str) -> pd.DataFrame:
    """Return one whole table as a DataFrame with real dtypes, ordered by id."""
    if name not in ENTITIES:
        known = ", ".join(sorted(ENTITIES))
        raise KeyError(f"Onbekende tabel '{name}'; bekend zijn: {known}")
    df = read_sql(store, f'SELECT * FROM "{name}" ORDER BY id')
    return apply_dtypes(store, name, df)


#: Stages whose first date the cases frame shows (intake comes from the intake contact).
_STAGE_COLUMNS = {
    "preparation": "preparation_on",
    "employment": "employment_on",
    "aftercare": "aftercare_on",
}


def _phases_as_of(store: Store, base: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each trajectory's phase, phase start and first date of each stage on ``as_of``.

    From the phase history: the latest phase event on or before ``as_of`` (the highest id
    among events of one day). A trajectory without any such event keeps its current phase.
    """
    out = pd.DataFrame(index=base.index)
    out["phase"] = base["phase"].to_numpy(dtype=object)
    out["phase_since"] = to_datetime(base["phase_since"]).to_numpy()
    pos = base.index.get_indexer(pd.Index(events["trajectory_id"]))
    known = pos >= 0
    pos = pos[known]
    phase = events["phase"].to_numpy(dtype=object)[known]
    started = to_datetime(events["started_on"]).to_numpy()[known]
    last = np.r_[pos[1:] != pos[:-1], True] if len(pos) else np.zeros(0, dtype=bool)
    out.iloc[pos[last], 0] = phase[last]
    out.iloc[pos[last], 1] = started[last]
    # the first date each stage was entered, by the trajectory's method
    methods = list(store.methods().values())
    all_phases = list(dict.fromkeys(p for m in methods for p in m.phase_codes))
    stages = list(_STAGE_COLUMNS)
    table = np.full((len(methods) + 1, len(all_phases) + 1), -1, dtype=np.int64)
    for i, m in enumerate(methods):
        for p in m.phases:
            if p.stage in _STAGE_COLUMNS:
                table[i, all_phases.index(p.code)] = stages.index(p.stage)
    m_codes = pd.Categorical(base["method"], categories=[m.code for m in methods]).codes
    p_codes = pd.Categorical(phase, categories=all_phases).codes
    stage = table[np.asarray(m_codes, dtype=np.int64)[pos], p_codes]
    for i, col in enumerate(stages):
        hit = stage == i
        first = np.r_[True, pos[hit][1:] != pos[hit][:-1]] if hit.any() else hit[hit]
        values = np.full(len(base), np.datetime64("NaT"), dtype="datetime64[ns]")
        values[pos[hit][first]] = started[hit][first]  # events are in date order
        out[_STAGE_COLUMNS[col]] = values
    return out


def _coaches_as_of(base: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Each trajectory's coach, first assignment and coach changes on ``as_of``.

    From the assignment history: the latest assignment before ``next_day``. A trajectory
    without any assignment (an import without history) keeps its current coach; one whose
    assignments all came later has none yet.
    """
    n = len(base)
    pos = base.index.get_indexer(pd.Index(rows["trajectory_id"]))
    history = np.bincount(pos[pos >= 0], minlength=n) > 0
    due = (pos >= 0) & rows["due"].astype(bool).to_numpy()
    pos = pos[due]
    coach = rows["coach_id"].to_numpy(dtype=float)[due]
    at = to_datetime(rows["assigned_at"]).to_numpy()[due]
    counts = np.bincount(pos, minlength=n)
    coach_id = np.where(history, np.nan, base["coach_id"].to_numpy(dtype=float))
    assigned_at = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(pos):
        last = np.r_[pos[1:] != pos[:-1], True]
        first = np.r_[True, pos[1:] != pos[:-1]]
        coach_id[pos[last]] = coach[last]
        assigned_at[pos[first]] = at[first]
    out = pd.DataFrame(index=base.index)
    out["coach_id"] = pd.array(coach_id, dtype="Float64").astype("Int64")
    out["coach_assigned_at"] = assigned_at
    out["coach_changes"] = np.maximum(counts - 1, 0).astype("int64")
    return out


def _latest_sql(table: str, cols: str, date_col: str, only: Sequence[int] | None = None) -> str:
    """SQL for, per trajectory, the row with the latest ``date_col`` on or before ``:as_of``
    (of one day's rows the one with the highest id)."""
    return (
        f"SELECT z.trajectory_id, z.{date_col}, {cols} FROM ("
        f" SELECT MAX(x.id) AS id FROM {table} x WHERE x.{date_col} <= :as_of"
        f"{only_sql('x.trajectory_id', only)} AND NOT EXISTS ("
        f"  SELECT 1 FROM {table} y WHERE y.trajectory_id = x.trajectory_id"
        f"  AND y.{date_col} > x.{date_col} AND y.{date_col} <= :as_of)"
        f" GROUP BY x.trajectory_id) m JOIN {table} z ON z.id = m.id"
    )


#: Coaches with their code, name and team (joined to the cases frame by ``coach_id``).
STAFF_SQL = (
    "SELECT co.id AS coach_id, co.code AS coach_code, co.name AS coach,"
    " tm.name AS team FROM coaches co LEFT JOIN teams tm ON tm.id = co.team_id"
)


def read_many(store: Store, queries: Mapping[str, str], **params: Any) -> dict[str, pd.DataFrame]:
    """Run several read-only queries (each given only the parameters it names) and return
    their frames by name; on a database file two at a time, each on its own connection.

    On PostgreSQL all of them read one snapshot (:func:`~trajecttools.register.sql.one_snapshot`):
    a write committed meanwhile is in every frame or in none."""

    def run(sql: str) -> pd.DataFrame:
        named = {k: v for k, v in params.items() if f":{k}" in sql}
        return read_sql(store, sql, **named)

    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return {name: run(sql) for name, sql in queries.items()}  # one shared connection
    with one_snapshot(store), ThreadPoolExecutor(max_workers=2) as pool:
        futures = {  # each thread in a copy of this context: it sees the shared snapshot
            name: pool.submit(contextvars.copy_context().run, run, sql)
            for name, sql in queries.items()
        }
        return {name: future.result() for name, future in futures.items()}


def _joined_per_trajectory(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ids (rows sorted by id) and each id's values joined with ", "."""
    if not len(ids):
        return ids, np.zeros(0, dtype=object)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)] - 1
    pieces = values.astype(object)
    pieces[np.setdiff1d(np.arange(len(ids)), ends)] += ", "
    return ids[starts], np.add.reduceat(pieces, starts)


def cases_frame(store: Store, as_of: dt.date, only: Sequence[int] | None = None) -> pd.DataFrame:
    """Return one row a trajectory registered by ``as_of``: client, coach, phase, key dates,
    latest ZRM and ladder, open barriers, placement and outcome, as they stood on ``as_of``.

    Phase, days in phase and coach come from the phase and coach-assignment history, so an
    earlier ``as_of`` shows the phase and coach of that day. Trajectories registered after
    ``as_of`` are left out (they did not exist yet). ``only`` restricts the frame to those
    trajectory ids (the read model recomputes changed trajectories this way).
    """
    zrm_cols = ", ".join(f"z.{d}" for d in vocab.ZRM_DOMAINS)

    def scope(column: str = "trajectory_id") -> str:
        return only_sql(column, only)

    queries = {  # the slowest first
        "contacts": "SELECT trajectory_id, COUNT(*) AS contacts, MAX(held_on) AS last_contact_on,"
        " MIN(CASE WHEN kind = 'intake' THEN held_on END) AS intake_on"
        f" FROM contacts WHERE held_on <= :as_of{scope()} GROUP BY trajectory_id",
        "base": "SELECT t.id AS trajectory_id, t.client_id, c.pseudonym, c.given_name,"
        " c.family_name, c.target_group, c.region, c.municipality, c.education_level, t.method,"
        " t.phase, t.phase_since, t.registered_at, t.closed_on, t.outcome, t.coach_id,"
        " p.signed_case_manager_on, p.signed_coach_on, p.signed_client_on"
        " FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " LEFT JOIN trajectory_plans p ON p.trajectory_id = t.id"
        f" WHERE t.registered_at < :next_day{scope('t.id')} ORDER BY t.id",
        "events": "SELECT trajectory_id, phase, started_on FROM phase_events"
        f" WHERE started_on <= :as_of{scope()} ORDER BY trajectory_id, started_on, id",
        "zrm": _latest_sql("zrm_assessments", zrm_cols, "assessed_on", only),
        "assignments": "SELECT trajectory_id, coach_id, assigned_at < :next_day AS due,"
        f" assigned_at FROM coach_assignments WHERE 1 = 1{scope()}"
        " ORDER BY trajectory_id, assigned_at, id",
        "ladder": _latest_sql("ladder_steps", "z.rung AS ladder_rung", "assessed_on", only),
        "placement": _latest_sql(
            "placements",
            "z.kind AS placement_kind, z.end_on AS placement_end, z.employer_id",
            "start_on",
            only,
        ),
        "agreements": "SELECT trajectory_id,"
        " SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open_agreements,"
        " SUM(CASE WHEN status = 'open' AND due_on < :as_of THEN 1 ELSE 0 END)"
        "   AS overdue_agreements,"
        " SUM(CASE WHEN status = 'not_kept' THEN 1 ELSE 0 END) AS agreements_not_kept"
        f" FROM agreements WHERE 1 = 1{scope()} GROUP BY trajectory_id",
        "barriers": "SELECT trajectory_id, domain FROM barriers WHERE status <> 'resolved'"
        f" AND noted_on <= :as_of{scope()} ORDER BY trajectory_id, severity DESC, domain",
        "first_job": "SELECT trajectory_id, MIN(start_on) AS first_job_on FROM placements"
        f" WHERE kind <> 'stepping_stone' AND start_on <= :as_of{scope()}"
        " GROUP BY trajectory_id",
        "end_reports": "SELECT trajectory_id, written_on AS end_report_on FROM end_reports"
        f" WHERE written_on <= :as_of{scope()}",
        "staff": STAFF_SQL,
    }
    read = read_many(
        store,
        queries,
        as_of=as_of.isoformat(),
        next_day=(as_of + dt.timedelta(days=1)).isoformat(),
        **only_params(only),
    )
    base = read["base"]
    base = base.set_index("trajectory_id")
    base["initials"] = initials(base.pop("given_name"), base.pop("family_name"))
    for col in (
        "registered_at",
        "closed_on",
        "signed_case_manager_on",
        "signed_coach_on",
        "signed_client_on",
    ):
        base[col] = to_datetime(base[col])
    phases = _phases_as_of(store, base, read["events"])
    base["phase"] = phases.pop("phase")
    base["phase_since"] = phases.pop("phase_since")
    coaches = _coaches_as_of(base, read["assignments"])
    base["coach_id"] = coaches.pop("coach_id")
    signatures = base[["signed_case_manager_on", "signed_coach_on", "signed_client_on"]]
    base["plan_complete"] = signatures.notna().all(axis=1)
    base["plan_signed_on"] = signatures.max(axis=1).where(base["plan_complete"])
    ts = pd.Timestamp(as_of)
    base["days_in_phase"] = (ts - base["phase_since"]).dt.days.astype("Int64")
    base["cohort"] = base["registered_at"].dt.year.astype("Int64")

    methods = store.methods()
    label = {(m.code, p.code): p.label for m in methods.values() for p in m.phases}
    stage = {(m.code, p.code): p.stage for m in methods.values() for p in m.phases}
    pairs = pd.MultiIndex.from_arrays(
        [base["method"].to_numpy(dtype=object), base["phase"].to_numpy(dtype=object)]
    )
    phase_label = pd.Series(label, dtype=object).reindex(pairs).to_numpy(dtype=object)
    base["phase_label"] = np.where(pd.isna(phase_label), base["phase"].to_numpy(), phase_label)
    base["stage"] = pd.Categorical(
        pd.Series(stage, dtype=object).reindex(pairs).to_numpy(dtype=object),
        categories=list(vocab.STAGES),
    )

    staff = read["staff"].set_index("coach_id")
    for col in ("coach_code", "coach", "team"):
        base[col] = staff[col].reindex(base["coach_id"].astype("float64")).to_numpy(dtype=object)

    contacts, agreements, first_job, end_reports = (
        read[k] for k in ("contacts", "agreements", "first_job", "end_reports")
    )
    placement = read["placement"].rename(columns={"start_on": "placement_start"})
    zrm = read["zrm"].rename(
        columns={"assessed_on": "zrm_on", **{d: f"zrm_{d}" for d in vocab.ZRM_DOMAINS}}
    )
    zrm_values = zrm[[f"zrm_{d}" for d in vocab.ZRM_DOMAINS]].astype("Float64")
    zrm["zrm_mean"] = zrm_values.mean(axis=1).round(2)
    ladder = read["ladder"].rename(columns={"assessed_on": "ladder_on"})
    barriers = read["barriers"]
    barrier_ids = barriers["trajectory_id"].to_numpy()
    ids, domains = _joined_per_trajectory(barrier_ids, barriers["domain"].to_numpy(dtype=object))
    open_barriers = pd.DataFrame(
        {
            "open_barriers": np.bincount(np.searchsorted(ids, barrier_ids), minlength=len(ids)),
            "open_barrier_domains": domains,
        },
        index=pd.Index(ids, name="trajectory_id"),
    )

    out = base.join(coaches, how="left").join(phases, how="left")
    for part in (contacts, agreements, placement, first_job, end_reports, zrm, ladder):
        out = out.join(part.set_index("trajectory_id"), how="left")
    out = out.join(open_barriers, how="left")
    out.index.name = "trajectory_id"

    for col in (
        "last_contact_on",
        "intake_on",
        "placement_start",
        "placement_end",
        "first_job_on",
        "end_report_on",
        "zrm_on",
        "ladder_on",
        "coach_assigned_at",
        *_STAGE_COLUMNS.values(),
    ):
        out[col] = to_datetime(out[col])
    for col in (
        "contacts",
        "open_agreements",
        "overdue_agreements",
        "agreements_not_kept",
        "coach_changes",
        "open_barriers",
    ):
        out[col] = out[col].fillna(0).astype("int64")
    for col in [f"zrm_{d}" for d in vocab.ZRM_DOMAINS] + ["ladder_rung"]:
        out[col] = out[col].astype("Int64")
    out["zrm_mean"] = out["zrm_mean"].astype("Float64")
    out["employer_id"] = out["employer_id"].astype("Int64")
    out["open_barrier_domains"] = out["open_barrier_domains"].fillna("")
    out["active"] = out["closed_on"].isna() | (out["closed_on"] > ts)
    out["days_since_contact"] = (ts - out["last_contact_on"]).dt.days.astype("Int64")
    out["target_group"] = _categorical(out["target_group"], vocab.TARGET_GROUPS)
    out["education_level"] = _categorical(out["education_level"], vocab.EDUCATION_LEVELS)
    out["outcome"] = _categorical(out["outcome"], vocab.OUTCOMES)
    out["placement_kind"] = _categorical(out["placement_kind"], vocab.PLACEMENT_TYPES)
    out["method"] = _categorical(out["method"], methods)
    phases_all = dict.fromkeys(p for m in methods.values() for p in m.phase_codes)
    out["phase"] = _categorical(out["phase"], phases_all)
    for col in ("region", "municipality", "team", "coach", "coach_code"):
        out[col] = out[col].astype("category")
    return out.reset_index()[_CASES_ORDER]


_CASES_ORDER = [
    "trajectory_id",
    "client_id",
    "pseudonym",
    "initials",
    "target_group",
    "education_level",
    "region",
    "municipality",
    "team",
    "coach_id",
    "coach_code",
    "coach",
    "method",
    "phase",
    "phase_label",
    "stage",
    "phase_since",
    "days_in_phase",
    "active",
    "registered_at",
    "cohort",
    "coach_assigned_at",
    "coach_changes",
    "signed_case_manager_on",
    "signed_coach_on",
    "signed_client_on",
    "plan_complete",
    "plan_signed_on",
    "intake_on",
    "preparation_on",
    "employment_on",
    "aftercare_on",
    "first_job_on",
    "placement_kind",
    "placement_start",
    "placement_end",
    "employer_id",
    "end_report_on",
    "contacts",
    "last_contact_on",
    "days_since_contact",
    "open_agreements",
    "overdue_agreements",
    "agreements_not_kept",
    "zrm_on",
    "zrm_mean",
    *[f"zrm_{d}" for d in vocab.ZRM_DOMAINS],
    "ladder_on",
    "ladder_rung",
    "open_barriers",
    "open_barrier_domains",
    "closed_on",
    "outcome",
]


#: Open agreements by due date (the read model counts the overdue ones on any ``as_of``).
_OPEN_AGREEMENTS_SQL = (
    "SELECT trajectory_id, due_on, COUNT(*) AS agreements FROM agreements"
    " WHERE status = 'open' AND due_on IS NOT NULL{scope} GROUP BY trajectory_id, due_on"
    " ORDER BY trajectory_id, due_on"
)


def _cases_model(store: Store, only: Sequence[int] | None) -> dict[str, pd.DataFrame]:
    """The cases read model's frames as of the far future, for all or ``only`` trajectories."""
    agreements = read_sql(
        store, _OPEN_AGREEMENTS_SQL.format(scope=only_sql("trajectory_id", only)),
        **only_params(only),
    )
    agreements["due_on"] = to_datetime(agreements["due_on"])
    agreements["agreements"] = agreements["agreements"].astype("int64")
    return {"cases": cases_frame(store, readmodel.FAR, only), "open_agreements": agreements}


def _cases_on(store: Store, frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """The cases frame on ``as_of`` from the read model (nothing in it is dated later)."""
    out = frames["cases"].copy()
    ts = pd.Timestamp(as_of)
    out["days_in_phase"] = (ts - out["phase_since"]).dt.days.astype("Int64")
    out["active"] = out["closed_on"].isna() | (out["closed_on"] > ts)
    out["days_since_contact"] = (ts - out["last_contact_on"]).dt.days.astype("Int64")
    agreements = frames["open_agreements"]
    due = (agreements["due_on"] < ts).to_numpy()
    ids = out["trajectory_id"].to_numpy(dtype=np.int64)
    who = agreements["trajectory_id"].to_numpy(dtype=np.int64)[due]
    pos = np.searchsorted(ids, who)
    known = (pos < len(ids)) & (ids[np.minimum(pos, len(ids) - 1)] == who) if len(ids) else pos < 0
    weights = agreements["agreements"].to_numpy(dtype=np.int64)[due][known]
    out["overdue_agreements"] = np.bincount(pos[known], weights=weights, minlength=len(ids)).astype(
        "int64"
    )
    for col in ("region", "municipality"):  # the categories found, as a fresh read finds them
        out[col] = out[col].astype(object).astype("category")
    staff = read_sql(store, STAFF_SQL).set_index("coach_id")  # names and teams may change
    for col in ("coach_code", "coach", "team"):
        values = staff[col].reindex(out["coach_id"].astype("float64")).to_numpy(dtype=object)
        out[col] = pd.Series(values, index=out.index, dtype=object).astype("category")
    return out


def cases(store: Store, as_of: dt.date) -> pd.DataFrame:
    """Return the cases frame on ``as_of``: from the read model when it can answer for that
    date (nothing in the register dated later), else built from the tables. On PostgreSQL
    every part reads one snapshot: a write committed meanwhile shows whole or not at all."""
    key = readmodel.methods_key(store)
    with one_snapshot(store):
        frames = readmodel.frames_on(
            store,
            "cases",
            key,
            lambda only: _cases_model(store, only),
            {"cases": "trajectory_id", "open_agreements": "trajectory_id"},
            as_of,
        )
        if frames is None:
            return cases_frame(store, as_of)
        return _cases_on(store, frames, as_of)
