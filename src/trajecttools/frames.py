"""DataFrames of the register for analysts and dashboards, with real dtypes.

Dates become ``datetime64``, code columns categoricals with the full code list (so empty
categories still show in counts), nullable integers ``Int64`` and flags ``boolean``. The wide
``cases`` frame aggregates in the database and joins in pandas: one row a trajectory.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Integer, SmallInteger, text
from sqlalchemy.types import JSON

from trajecttools import vocab
from trajecttools.model import ENTITIES

if TYPE_CHECKING:
    from trajecttools.store import Store

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


def _to_datetime(values: pd.Series) -> pd.Series:
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
            df[col.name] = _to_datetime(series)
        elif isinstance(ctype, Boolean):
            df[col.name] = series.astype("boolean")
        elif isinstance(ctype, JSON):
            df[col.name] = series.map(_json_list)
        elif isinstance(ctype, Integer | SmallInteger) and not col.primary_key:
            df[col.name] = series.astype("Int64" if col.nullable else "int64")
        elif col.name in _FOUND_CATEGORIES:
            df[col.name] = series.astype("category")
    return df


def read_sql(store: Store, sql: str, **params: Any) -> pd.DataFrame:
    """Run a read-only SQL query and return the raw result as a DataFrame."""
    with store.engine.connect() as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def entity_frame(store: Store, name: str) -> pd.DataFrame:
    """Return one whole table as a DataFrame with real dtypes, ordered by id."""
    if name not in ENTITIES:
        known = ", ".join(sorted(ENTITIES))
        raise KeyError(f"Onbekende tabel '{name}'; bekend zijn: {known}")
    df = read_sql(store, f'SELECT * FROM "{name}" ORDER BY id')
    return apply_dtypes(store, name, df)


_PARTICLES = {"van", "de", "der", "den", "het", "ten", "ter", "te", "op", "in", "'t", "la", "le"}


def initials(given: pd.Series, family: pd.Series) -> pd.Series:
    """Return initials like "A.P." from given and family names, ignoring Dutch particles."""
    first = given.fillna("").str.strip().str[:1].str.upper()

    def family_initial(name: str) -> str:
        words = [w for w in re.split(r"[\s-]+", name or "") if w]
        core = [w for w in words if w.lower() not in _PARTICLES] or words
        return core[0][:1].upper() if core else ""

    fam = family.fillna("").map(family_initial)
    return (first + ".").where(first != "", "") + (fam + ".").where(fam != "", "")


def _stage_dates(store: Store, base: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """First date each trajectory entered each common stage (by its method's phase map)."""
    events = read_sql(
        store,
        "SELECT trajectory_id, phase, MIN(started_on) AS started_on FROM phase_events "
        "WHERE started_on <= :as_of GROUP BY trajectory_id, phase",
        as_of=as_of,
    )
    stage_of = {(m.code, p.code): p.stage for m in store.methods().values() for p in m.phases}
    events = events.merge(base[["trajectory_id", "method"]], on="trajectory_id", how="left")
    keys = list(zip(events["method"].astype(str), events["phase"], strict=True))
    events["stage"] = [stage_of.get(k) for k in keys]
    events["started_on"] = _to_datetime(events["started_on"])
    wide = events.pivot_table(
        index="trajectory_id", columns="stage", values="started_on", aggfunc="min"
    )
    wide = wide.reindex(columns=list(_STAGE_COLUMNS))
    return wide.rename(columns=_STAGE_COLUMNS)


#: Stages whose first date the cases frame shows (intake comes from the intake contact).
_STAGE_COLUMNS = {
    "preparation": "preparation_on",
    "employment": "employment_on",
    "aftercare": "aftercare_on",
}


def _latest(store: Store, table: str, cols: str, date_col: str, as_of: str) -> pd.DataFrame:
    return read_sql(
        store,
        f"SELECT trajectory_id, {date_col}, {cols} FROM ("
        f" SELECT *, ROW_NUMBER() OVER (PARTITION BY trajectory_id "
        f" ORDER BY {date_col} DESC, id DESC) AS rn FROM {table} WHERE {date_col} <= :as_of"
        f") AS ranked WHERE rn = 1",
        as_of=as_of,
    )


def cases_frame(store: Store, as_of: dt.date) -> pd.DataFrame:
    """Return one row a trajectory: client, coach, phase, key dates, latest ZRM and ladder,
    open barriers, placement and outcome, as they stood on ``as_of``."""
    day = as_of.isoformat()
    base = read_sql(
        store,
        "SELECT t.id AS trajectory_id, t.client_id, c.pseudonym, c.given_name, c.family_name,"
        " c.target_group, c.region, c.municipality, c.education_level, t.method, t.phase,"
        " t.phase_since, t.registered_at, t.closed_on, t.outcome, t.coach_id,"
        " co.code AS coach_code, co.name AS coach, tm.name AS team, t.case_manager_id,"
        " p.signed_case_manager_on, p.signed_coach_on, p.signed_client_on"
        " FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " LEFT JOIN coaches co ON co.id = t.coach_id"
        " LEFT JOIN teams tm ON tm.id = co.team_id"
        " LEFT JOIN trajectory_plans p ON p.trajectory_id = t.id"
        " ORDER BY t.id",
    )
    base["initials"] = initials(base.pop("given_name"), base.pop("family_name"))
    for col in (
        "phase_since",
        "registered_at",
        "closed_on",
        "signed_case_manager_on",
        "signed_coach_on",
        "signed_client_on",
    ):
        base[col] = _to_datetime(base[col])
    signatures = base[["signed_case_manager_on", "signed_coach_on", "signed_client_on"]]
    base["plan_complete"] = signatures.notna().all(axis=1)
    base["plan_signed_on"] = signatures.max(axis=1).where(base["plan_complete"])
    ts = pd.Timestamp(as_of)
    base["days_in_phase"] = (ts - base["phase_since"]).dt.days.astype("Int64")
    base["cohort"] = base["registered_at"].dt.year.astype("Int64")

    methods = store.methods()
    label = {(m.code, p.code): p.label for m in methods.values() for p in m.phases}
    stage = {(m.code, p.code): p.stage for m in methods.values() for p in m.phases}
    keys = list(zip(base["method"], base["phase"], strict=True))
    base["phase_label"] = [label.get(k, k[1]) for k in keys]
    base["stage"] = pd.Categorical([stage.get(k) for k in keys], categories=list(vocab.STAGES))

    coach = read_sql(
        store,
        "SELECT trajectory_id, MIN(assigned_at) AS coach_assigned_at, COUNT(*) AS assignments"
        " FROM coach_assignments WHERE assigned_at < :next_day GROUP BY trajectory_id",
        next_day=(as_of + dt.timedelta(days=1)).isoformat(),
    )
    coach["coach_assigned_at"] = _to_datetime(coach["coach_assigned_at"])
    coach["coach_changes"] = (coach.pop("assignments") - 1).clip(lower=0)

    contacts = read_sql(
        store,
        "SELECT trajectory_id, COUNT(*) AS contacts, MAX(held_on) AS last_contact_on,"
        " MIN(CASE WHEN kind = 'intake' THEN held_on END) AS intake_on"
        " FROM contacts WHERE held_on <= :as_of GROUP BY trajectory_id",
        as_of=day,
    )
    agreements = read_sql(
        store,
        "SELECT trajectory_id,"
        " SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open_agreements,"
        " SUM(CASE WHEN status = 'open' AND due_on < :as_of THEN 1 ELSE 0 END)"
        "   AS overdue_agreements,"
        " SUM(CASE WHEN status = 'not_kept' THEN 1 ELSE 0 END) AS agreements_not_kept"
        " FROM agreements GROUP BY trajectory_id",
        as_of=day,
    )
    placement = _latest(
        store,
        "placements",
        "kind AS placement_kind, end_on AS placement_end, employer_id",
        "start_on",
        day,
    ).rename(columns={"start_on": "placement_start"})
    first_job = read_sql(
        store,
        "SELECT trajectory_id, MIN(start_on) AS first_job_on FROM placements"
        " WHERE kind <> 'stepping_stone' AND start_on <= :as_of GROUP BY trajectory_id",
        as_of=day,
    )
    end_reports = read_sql(
        store,
        "SELECT trajectory_id, written_on AS end_report_on FROM end_reports"
        " WHERE written_on <= :as_of",
        as_of=day,
    )
    zrm_cols = ", ".join(vocab.ZRM_DOMAINS)
    zrm = _latest(store, "zrm_assessments", zrm_cols, "assessed_on", day).rename(
        columns={"assessed_on": "zrm_on", **{d: f"zrm_{d}" for d in vocab.ZRM_DOMAINS}}
    )
    zrm_values = zrm[[f"zrm_{d}" for d in vocab.ZRM_DOMAINS]].astype("Float64")
    zrm["zrm_mean"] = zrm_values.mean(axis=1).round(2)
    ladder = _latest(store, "ladder_steps", "rung AS ladder_rung", "assessed_on", day).rename(
        columns={"assessed_on": "ladder_on"}
    )
    barriers = read_sql(
        store,
        "SELECT trajectory_id, domain FROM barriers WHERE status <> 'resolved'"
        " AND noted_on <= :as_of ORDER BY trajectory_id, severity DESC, domain",
        as_of=day,
    )
    open_barriers = barriers.groupby("trajectory_id").agg(
        open_barriers=("domain", "size"), open_barrier_domains=("domain", ", ".join)
    )

    out = base.set_index("trajectory_id")
    for part in (coach, contacts, agreements, placement, first_job, end_reports, zrm, ladder):
        out = out.join(part.set_index("trajectory_id"), how="left")
    out = out.join(open_barriers, how="left")
    out = out.join(_stage_dates(store, base, day), how="left")

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
        out[col] = _to_datetime(out[col])
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
    phases = dict.fromkeys(p for m in methods.values() for p in m.phase_codes)
    out["phase"] = _categorical(out["phase"], phases)
    for col in ("region", "municipality", "team", "coach", "coach_code"):
        out[col] = out[col].astype("category")
    out = out.drop(columns=["case_manager_id"])
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
