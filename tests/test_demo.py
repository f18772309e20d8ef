"""The synthetic register: reproducible, schema-exact, consistent, fictional, and late on every
rule of both methods for a few trajectories while most are on time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trajecttools.core import vocab
from trajecttools.core.identifiers import elfproef as bsn_is_valid
from trajecttools.core.method import load_method
from trajecttools.core.model import ENTITIES
from trajecttools.outputs import demo

AS_OF = dt.date(2026, 11, 2)
NOW = pd.Timestamp(AS_OF)
SIZE = 2000
METHODS = {code: load_method(code) for code in ("opstapbaan", "art60")}

Frames = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def frames() -> Frames:
    return demo.generate(SIZE, seed=11, as_of=AS_OF)


# -- reproducibility and shape ---------------------------------------------------------------
def test_same_seed_gives_identical_frames(frames: Frames) -> None:
    again = demo.generate(SIZE, seed=11, as_of=AS_OF)
    assert list(again) == list(frames)
    for name, df in frames.items():
        pd.testing.assert_frame_equal(again[name], df, check_exact=True, obj=name)


def test_other_seed_or_date_gives_other_frames(frames: Frames) -> None:
    other = demo.generate(SIZE, seed=12, as_of=AS_OF)
    assert not other["clients"]["family_name"].equals(frames["clients"]["family_name"])
    assert not other["trajectories"]["registered_at"].equals(
        frames["trajectories"]["registered_at"])
    later = demo.generate(SIZE, seed=11, as_of=AS_OF + dt.timedelta(days=30))
    assert later["trajectories"]["registered_at"].max() > frames["trajectories"][
        "registered_at"].max()


def test_one_frame_per_table_with_exactly_its_columns(frames: Frames) -> None:
    assert set(frames) == set(ENTITIES) - {"audit_log", "register_info"}
    for name, df in frames.items():
        table = ENTITIES[name].__table__  # type: ignore[attr-defined]
        assert list(df.columns) == [c.name for c in table.columns], name
        assert df["id"].tolist() == list(range(1, len(df) + 1)), name
        if "version" in df.columns:
            assert (df["version"] == 1).all(), name
        for col in table.columns:
            if not col.nullable and not col.primary_key:
                assert df[col.name].notna().all(), f"{name}.{col.name} has missing values"
    assert len(frames["trajectories"]) == SIZE


def test_dtypes_follow_the_loader_conventions(frames: Frames) -> None:
    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer

    for name, df in frames.items():
        for col in ENTITIES[name].__table__.columns:  # type: ignore[attr-defined]
            s = df[col.name]
            where = f"{name}.{col.name}"
            if isinstance(col.type, Date | DateTime):
                assert pd.api.types.is_datetime64_dtype(s), where
            elif isinstance(col.type, Boolean):
                assert s.dtype in (np.dtype(bool), pd.BooleanDtype()), where
            elif isinstance(col.type, Integer) and col.nullable:
                assert s.dtype == pd.Int64Dtype(), where
            elif isinstance(col.type, JSON):
                assert s.map(lambda v: v is None or isinstance(v, list)).all(), where


def test_foreign_keys_point_to_existing_rows(frames: Frames) -> None:
    checked = 0
    for name, df in frames.items():
        for col in ENTITIES[name].__table__.columns:  # type: ignore[attr-defined]
            for fk in col.foreign_keys:
                target = frames[fk.column.table.name]["id"]
                values = df[col.name].dropna()
                assert values.isin(target).all(), f"{name}.{col.name} -> {fk.column.table.name}"
                checked += 1
    assert checked >= 25


def test_nothing_happens_after_as_of(frames: Frames) -> None:
    for name, df in frames.items():
        for col in df.columns:
            if pd.api.types.is_datetime64_dtype(df[col]) and (name, col) != ("agreements",
                                                                              "due_on"):
                assert not (df[col] > NOW + pd.Timedelta(days=1)).any(), f"{name}.{col}"


# -- routes ---------------------------------------------------------------------------------
def test_phase_events_follow_the_method_and_match_the_trajectory(frames: Frames) -> None:
    t = frames["trajectories"].set_index("id")
    ev = frames["phase_events"].sort_values(["trajectory_id", "id"])
    allowed = {(m.code, a, b) for m in METHODS.values() for a, bs in m.transitions.items()
               for b in bs}
    ev = ev.assign(method=ev["trajectory_id"].map(t["method"]),
                   prev=ev.groupby("trajectory_id")["phase"].shift(),
                   prev_on=ev.groupby("trajectory_id")["started_on"].shift())
    first = ev[ev["prev"].isna()]
    assert first["trajectory_id"].is_unique and len(first) == len(t)
    initial = first["method"].map({c: m.method.initial_phase for c, m in METHODS.items()})
    assert (first["phase"] == initial).all()
    registered = first["trajectory_id"].map(t["registered_at"]).dt.normalize()
    assert (first["started_on"] == registered).all()
    moves = ev[ev["prev"].notna()]
    legal = [(m, a, b) in allowed for m, a, b in zip(moves["method"], moves["prev"],
                                                     moves["phase"], strict=True)]
    assert all(legal), moves[~np.array(legal)].head()
    assert (moves["started_on"] >= moves["prev_on"]).all()
    last = ev.groupby("trajectory_id").last()
    assert (last["phase"] == t.loc[last.index, "phase"]).all()
    assert (last["started_on"] == t.loc[last.index, "phase_since"]).all()
    closed = t["phase"] == "closed"
    assert (t["closed_on"].notna() == closed).all()
    assert (t["outcome"].notna() == closed).all()
    assert (t.loc[closed, "closed_on"] == t.loc[closed, "phase_since"]).all()
    assert t.loc[closed, "outcome"].isin(list(vocab.OUTCOMES)).all()
    # every phase of both methods is used, and a few loops of the methods occur too
    for code, m in METHODS.items():
        assert set(t.loc[t["method"] == code, "phase"]) <= set(m.phase_codes)
        assert set(ev.loc[ev["method"] == code, "phase"]) == set(m.phase_codes)
    loops = moves[(moves["prev"] == "mapping") & (moves["phase"] == "exploration")]
    assert len(loops) > 0


def test_current_coach_is_the_last_assignment(frames: Frames) -> None:
    t = frames["trajectories"].set_index("id")
    ca = frames["coach_assignments"].sort_values(["trajectory_id", "assigned_at", "id"])
    last = ca.groupby("trajectory_id")["coach_id"].last()
    assert (t.loc[last.index, "coach_id"] == last).all()
    assert t.drop(index=last.index)["coach_id"].isna().all()
    first = ca.groupby("trajectory_id")["assigned_at"].first()
    delay = first - t.loc[first.index, "registered_at"]
    assert (delay > pd.Timedelta(0)).all()
    assert (delay <= pd.Timedelta(hours=48)).mean() > 0.85
    changes = ca.groupby("trajectory_id").size() - 1
    assert 0.1 < (changes >= 1).mean() < 0.35 and 0 < (changes >= 2).mean() < 0.1
    consecutive = ca.groupby("trajectory_id")["coach_id"].shift()
    assert (ca["coach_id"] != consecutive).all()
    coaches = frames["coaches"].set_index("id")
    open_t = t[t["closed_on"].isna() & t["coach_id"].notna()]
    assert coaches.loc[open_t["coach_id"].astype(int), "active"].all()


def test_the_opstapbaan_starts_at_the_social_work_company(frames: Frames) -> None:
    """“Traject Work-2-Gether”: the opstapbaan is at the SDW, “niet langer dan 3 maanden” there
    if possible, “De rest van de periode zien wij hem liever aan het werk bij een reguliere
    werkgever”; at most 6 months in all."""
    pl, emp = frames["placements"], frames["employers"].set_index("id")
    t = frames["trajectories"].set_index("id")
    swc = pl["employer_id"].map(emp["social_work_company"])
    ss = pl["kind"] == "stepping_stone"
    assert not swc[pl["kind"].isin(["regular", "secondment", "wage_subsidy"])].any()
    assert (pl.loc[ss, "trajectory_id"].map(t["method"]) == "opstapbaan").all()
    first = pl[ss].groupby("trajectory_id").head(1)
    assert swc[first.index].all()  # every opstapbaan starts at the SDW ...
    rest = pl[ss & ~swc]  # ... and some go on at a regular employer
    assert 0.1 < rest["trajectory_id"].nunique() / first["trajectory_id"].nunique() < 0.5
    sdw_sectors = set(emp.loc[emp["social_work_company"], "sector"])
    assert {"green", "cleaning", "bicycle", "packaging", "security"} <= sdw_sectors
    done = pl[ss & swc & pl["end_on"].notna()]
    months = (done["end_on"] - done["start_on"]).dt.days / 30.44
    assert (months <= 3).mean() > 0.6 and (months > 6).any()
    at_sdw = pl[ss & swc].set_index("trajectory_id")
    assert ((at_sdw.loc[rest["trajectory_id"], "end_on"]
             - at_sdw.loc[rest["trajectory_id"], "start_on"]).dt.days < 93).all()
    ended = pl[ss & pl["end_on"].notna()]
    total = ((ended["end_on"] - ended["start_on"]).dt.days + 1).groupby(
        ended["trajectory_id"]).sum()
    assert (total <= 184).mean() > 0.95
    first_jobs = pl[pl["kind"] == "regular"]
    assert first_jobs["temporary"].mean() > 0.35
    assert 0.15 < first_jobs["below_level"].mean() < 0.8
    assert 0.3 < first_jobs["outside_field"].mean() < 0.98


def test_wage_subsidy_comes_with_the_promise_of_a_contract(frames: Frames) -> None:
    """“Traject Work-2-Gether”: wage subsidy 'op proef' against “de belofte van een
    arbeidsovereenkomst voor minimaal 6 maanden zonder proeftijd”; no separate trial step."""
    pl, t = frames["placements"], frames["trajectories"].set_index("id")
    method = pl["trajectory_id"].map(t["method"])
    assert not (pl["kind"] == "trial").any()
    wage = pl[(pl["kind"] == "wage_subsidy") & (method == "opstapbaan")]
    assert len(wage) > 50 and (wage["promised_contract_months"] >= 6).all()
    assert pl.loc[pl["kind"] != "wage_subsidy", "promised_contract_months"].isna().all()


def test_agreements_vacancies_and_skills_are_consistent(frames: Frames) -> None:
    ag = frames["agreements"]
    assert (ag["status"] == "kept").mean() > 0.7
    not_kept = ag["status"] == "not_kept"
    assert ag.loc[not_kept, "reason_not_kept"].notna().all()
    assert ag.loc[~not_kept, "reason_not_kept"].isna().all()
    assert ((ag["status"] == "open") == ag["closed_on"].isna()).all()
    contacts = frames["contacts"].set_index("id")
    held = ag["contact_id"].astype(int).map(contacts["held_on"])
    assert (ag["due_on"] > held).all() and (ag["closed_on"].dropna() >= held[ag[
        "closed_on"].notna()]).all()
    skill_names = set(frames["skills"]["name"])
    vac = frames["vacancies"]
    wanted = {s for col in ("required_skills", "wished_skills") for v in vac[col] if v for s in v}
    assert {"VCA", "Heftruckcertificaat"} <= wanted <= skill_names
    assert vac["status"].isin(["open", "closed"]).all() and (vac["status"] == "open").any()
    emp = frames["employers"]
    regular = emp[~emp["social_work_company"] & ~emp["name"].str.startswith(("OCMW", "Krin",
                                                                              "Sociale"))]
    assert 0.25 < regular["inclusive"].mean() < 0.55


def test_benefits_run_until_work_and_some_return(frames: Frames) -> None:
    bp = frames["benefit_periods"]
    assert ((bp["end_on"].isna()) | (bp["end_on"] >= bp["start_on"])).all()
    t = frames["trajectories"].set_index("client_id")
    before = bp["start_on"] < bp["client_id"].map(t["registered_at"])
    # each client's first period starts before the trajectory (more second periods since the
    # benefit pauses during the opstapbaan, “Traject Work-2-Gether”, and resumes without a job)
    assert before.groupby(bp["client_id"]).first().mean() > 0.95 and before.mean() > 0.7
    assert bp.loc[before, "kind"].isin(["social_assistance", "unemployment", "disability",
                                         "leefloon"]).all()
    # a benefit starting during or after the trajectory follows a placement that ended
    later = bp[~before].merge(_job_starts(frames, tuple(vocab.PLACEMENT_TYPES)), on="client_id",
                              suffixes=("", "_job"))
    after_job = later[later["start_on"] > later["start_on_job"]]
    assert set(after_job["id"]) == set(bp.loc[~before, "id"])
    jobs = _job_starts(frames, kinds=("regular",))
    placed = jobs[jobs["start_on"] <= NOW - pd.DateOffset(months=12)]
    back = _back_on_benefit(frames, placed)
    assert 0.05 < placed["client_id"].isin(back).mean() < 0.25


def test_jobs_kept_after_closing_with_work_run_on(frames: Frames) -> None:
    t = frames["trajectories"].set_index("id")
    p = frames["placements"].join(t[["closed_on", "outcome"]], on="trajectory_id")
    closed = p["closed_on"].notna()
    kept = closed & (p["kind"] == "regular") & (p["outcome"] == "work")
    runs_on = p["end_on"].isna() | (p["end_on"] > p["closed_on"])
    # most regular jobs of a trajectory closed with work outlive the trajectory ...
    assert len(p[kept]) > 200
    assert runs_on[kept].mean() > 0.75
    # ... some end later: a temporary contract not renewed, or back on benefit
    assert (kept & p["end_on"].notna() & (p["end_on"] > p["closed_on"])).sum() > 10
    # every other placement ends at the latest when its trajectory closes
    assert not (closed & ~kept & runs_on).any()
    assert (p["end_on"].dropna() <= NOW).all()


def test_wished_hours_and_decision_step_dates(frames: Frames) -> None:
    clients = frames["clients"]
    hours = clients["preferred_hours"]
    assert hours.dtype == pd.Int64Dtype()
    assert 0.85 < hours.notna().mean() < 0.98
    assert hours.dropna().between(0, 40).all() and hours.dropna().nunique() >= 5
    parttime = clients["wishes"].fillna("").str.contains("parttime") & hours.notna()
    assert parttime.any() and (hours[parttime] <= 24).all()
    md = frames["match_decisions"]
    assert md["proposed_on"].notna().all()
    assert (md["proposed_on"] <= md["decided_on"]).all()
    introduced = md["introduced_on"].notna()
    assert (md.loc[introduced, "proposed_on"] <= md.loc[introduced, "introduced_on"]).all()
    assert (md.loc[introduced, "introduced_on"] <= md.loc[introduced, "decided_on"]).all()
    status = md["status"]
    assert introduced[status.isin(["introduced", "hired"])].all()
    assert not introduced[status == "proposed"].any()
    assert (md.loc[status == "proposed", "proposed_on"]
            == md.loc[status == "proposed", "decided_on"]).all()
    assert (md.loc[status == "hired", "proposed_on"] < md.loc[status == "hired",
                                                              "decided_on"]).mean() > 0.9
    assert 0.2 < introduced[status == "declined"].mean() < 0.6
    t = frames["trajectories"]  # a closing with another route is always motivated
    assert t.loc[t["outcome"] == "other_route", "outcome_reason"].notna().all()


def test_retention_after_the_first_job_is_plausible(demo_db: Path) -> None:
    from trajecttools.reads import outcomes
    from trajecttools.workspace import Workspace

    with Workspace(demo_db, today=AS_OF) as store:
        ret = outcomes.retention(store, as_of=AS_OF, min_n=None).set_index("months")
    assert (ret["eligible"] >= 20).all()
    # seed 001: most placed clients still work benefit-independently after 6 and 12 months
    for months in (6, 12):
        assert 50 < ret.loc[months, "sustained_pct"] < 95, ret
        assert ret.loc[months, "at_work_pct"] >= ret.loc[months, "sustained_pct"]


# -- codes and privacy ----------------------------------------------------------------------
CODE_COLUMNS: dict[tuple[str, str], object] = {
    ("clients", "target_group"): vocab.TARGET_GROUPS,
    ("clients", "education_level"): vocab.EDUCATION_LEVELS,
    ("network_members", "relation"): vocab.NETWORK_RELATIONS,
    ("barriers", "domain"): vocab.BARRIER_DOMAINS,
    ("barriers", "severity"): vocab.BARRIER_SEVERITIES,
    ("barriers", "status"): vocab.BARRIER_STATUSES,
    ("referrals", "status"): vocab.REFERRAL_STATUSES,
    ("skills", "kind"): vocab.SKILL_KINDS,
    ("skills", "level"): vocab.SKILL_LEVELS,
    ("ladder_steps", "rung"): vocab.LADDER_RUNGS,
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
    ("trajectories", "outcome"): vocab.OUTCOMES,
    ("benefit_periods", "kind"): vocab.BENEFIT_KINDS,
    ("match_decisions", "status"): vocab.MATCH_STATUSES,
    ("match_decisions", "declined_by"): vocab.MATCH_DECLINED_BY,
}


def test_codes_come_from_the_vocabulary_and_the_methods(frames: Frames) -> None:
    for (name, col), codes in CODE_COLUMNS.items():
        if name in frames:
            values = frames[name][col].dropna()
            assert values.isin(list(codes)).all(), f"{name}.{col}"  # type: ignore[call-overload]
    for zcol in vocab.ZRM_DOMAINS:
        assert frames["zrm_assessments"][zcol].between(1, 5).all()
    t = frames["trajectories"]
    assert set(t["method"]) == set(METHODS)
    for code, m in METHODS.items():
        assert t.loc[t["method"] == code, "phase"].isin(m.phase_codes).all()
        kinds = frames["placements"].merge(t[["id", "method"]], left_on="trajectory_id",
                                           right_on="id")
        used = set(kinds.loc[kinds["method"] == code, "kind"])
        assert used <= set(m.placement_types)
    sectors = {s for v in frames["clients"]["preferred_sectors"] if v for s in v}
    assert sectors <= set(vocab.SECTORS) and len(sectors) == len(vocab.SECTORS)
    basic = frames["skills"].query("kind == 'basic_work_skill'")["name"]
    assert set(basic) <= set(vocab.BASIC_WORK_SKILLS.values()) and len(set(basic)) >= 3
    flemish = t["method"] == "art60"
    assert 0.15 < flemish.mean() < 0.35


def test_people_are_clearly_fictional(frames: Frames) -> None:
    markers = tuple(m.lower() for m in demo.FICTIONAL_MARKERS)
    family = frames["clients"]["family_name"].str.lower()
    assert family.map(lambda name: any(m in name for m in markers)).all()
    for table in ("coaches", "case_managers"):
        names = frames[table]["name"].str.lower()
        assert names.map(lambda name: any(m in name for m in markers)).all(), table
    contacts = frames["employers"]["contact_name"].dropna().str.lower()
    assert contacts.map(lambda name: any(m in name for m in markers)).all()
    clients = frames["clients"]
    assert clients["pseudonym"].is_unique
    assert clients["pseudonym"].str.fullmatch(r"K-\d{6}").all()
    assert clients["given_name"].nunique() > 50


@pytest.mark.parametrize(("size", "seed"), [(SIZE, 11), (300, 7)])
def test_no_coach_or_case_manager_has_a_clients_name(size: int, seed: int) -> None:
    # coaches are shown on the meeting screens; a client's name never may be
    f = demo.generate(size, seed=seed, as_of=AS_OF)
    clients = set(f["clients"]["given_name"] + " " + f["clients"]["family_name"])
    assert not clients & set(f["coaches"]["name"])
    assert not clients & set(f["case_managers"]["name"])


def test_bsn_postcode_and_age_fit_the_client(frames: Frames) -> None:
    clients = frames["clients"]
    t = frames["trajectories"].set_index("client_id")
    flemish = clients["id"].map(t["method"]) == "art60"
    bsn = clients.loc[~flemish, "bsn"]
    assert bsn.map(bsn_is_valid).all() and bsn.is_unique
    assert not bsn.str.startswith("0").any()
    assert clients.loc[flemish, "bsn"].isna().all()
    assert clients.loc[~flemish, "postcode"].str.fullmatch(r"[1-9]\d{3} [A-Z]{2}").all()
    assert clients.loc[flemish, "postcode"].str.fullmatch(r"[1-9]\d{3}").all()
    age = (clients["id"].map(t["registered_at"]) - clients["birth_date"]).dt.days / 365.25
    group = clients["target_group"]
    assert age[group == "young_people"].between(16, 28).all()
    assert age[group == "over_45"].between(45, 65).all()
    assert age[~group.isin(["young_people", "over_45"])].between(20, 61).all()
    parents = frames["network_members"].query("relation == 'parent'")
    assert (parents["client_id"].map(clients.set_index("id")["target_group"])
            == "young_people").all()


# -- deadline rules -------------------------------------------------------------------------
def _stage(t: pd.DataFrame) -> pd.Series:
    lookup = {(c, p.code): p.stage for c, m in METHODS.items() for p in m.phases}
    return pd.Series([lookup[k] for k in zip(t["method"], t["phase"], strict=True)],
                     index=t.index)


def _active(frames: Frames) -> pd.DataFrame:
    t = frames["trajectories"].set_index("id")
    return t[t["closed_on"].isna()].assign(stage=_stage)


def _months(dates: pd.Series, months: int) -> pd.Series:
    return dates + pd.DateOffset(months=months)


def _job_starts(frames: Frames, kinds: tuple[str, ...]) -> pd.DataFrame:
    pl = frames["placements"]
    jobs = pl[pl["kind"].isin(kinds)]
    client = jobs["trajectory_id"].map(frames["trajectories"].set_index("id")["client_id"])
    return jobs.assign(client_id=client)


def _back_on_benefit(frames: Frames, jobs: pd.DataFrame) -> set[int]:
    both = jobs.merge(frames["benefit_periods"], on="client_id", suffixes=("", "_b"))
    hit = (both["start_on_b"] > both["start_on"]) & (
        both["start_on_b"] <= _months(both["start_on"], 12))
    return set(both.loc[hit, "client_id"])


def _running(frames: Frames, kind: str, months: int) -> set[int]:
    pl = frames["placements"]
    run = pl[(pl["kind"] == kind) & pl["end_on"].isna()]
    late = run[_months(run["start_on"], months) < NOW]
    return set(late["trajectory_id"]) & set(_active(frames).index)


def _whole_stepping_stone(frames: Frames, months: int, swc: bool = False) -> set[int]:
    """Running opstapbanen whose placements together last longer than ``months``."""
    pl = frames["placements"]
    emp = frames["employers"].set_index("id")
    ss = pl[pl["kind"] == "stepping_stone"]
    if swc:
        ss = ss[ss["employer_id"].map(emp["social_work_company"]).astype(bool)]
    used = (ss["end_on"].fillna(NOW) - ss["start_on"]).dt.days.groupby(ss["trajectory_id"]).sum()
    first = ss.groupby("trajectory_id")["start_on"].min()
    limit = (_months(first, months) - first).dt.days
    running = set(ss.loc[ss["end_on"].isna(), "trajectory_id"])
    return set(used.index[used > limit]) & running & set(_active(frames).index)


def _regular_contract_min(frames: Frames) -> set[int]:
    pl = frames["placements"]
    regular = pl[(pl["kind"] == "regular") & pl["end_on"].notna()]
    short = regular[regular["end_on"] < _months(regular["start_on"], 6) - pd.Timedelta(days=1)]
    return set(short["trajectory_id"]) & set(_active(frames).index)


def _coach_assignment(frames: Frames) -> set[int]:
    t = _active(frames)
    late = t["coach_id"].isna() & (t["registered_at"] + pd.Timedelta(hours=48) < NOW)
    return set(t.index[late])


def _signatures(frames: Frames) -> pd.DataFrame:
    return frames["trajectory_plans"].set_index("trajectory_id")[
        ["signed_case_manager_on", "signed_coach_on", "signed_client_on"]]


def _plan_signatures(frames: Frames) -> set[int]:
    t = _active(frames)
    missing = _signatures(frames).loc[t.index].isna().any(axis=1)
    return set(t.index[missing & (t["registered_at"].dt.normalize() + pd.Timedelta(days=14)
                                  < NOW)])


def _intake_after_signing(frames: Frames) -> set[int]:
    t = _active(frames)
    signed = _signatures(frames).loc[t.index]
    complete = signed.notna().all(axis=1)
    intakes = set(frames["contacts"].query("kind == 'intake'")["trajectory_id"])
    late = (t["stage"].isin(["registration", "intake"]) & complete & ~t.index.isin(intakes)
            & (signed.max(axis=1) + pd.Timedelta(days=14) < NOW))
    return set(t.index[late])


def _last_contact(frames: Frames) -> pd.Series:
    both = pd.concat([frames["contacts"][["trajectory_id", "held_on"]],
                      frames["aftercare_contacts"][["trajectory_id", "held_on"]]])
    return both.groupby("trajectory_id")["held_on"].max()


def _contact_gap(frames: Frames) -> set[int]:
    t = _active(frames)
    last = _last_contact(frames).reindex(t.index).fillna(t["registered_at"].dt.normalize())
    return set(t.index[last + pd.Timedelta(weeks=4) < NOW])


def _weekly_review(frames: Frames) -> set[int]:
    pl = frames["placements"]
    run = pl[(pl["kind"] == "stepping_stone") & pl["end_on"].isna()].set_index("trajectory_id")
    reviews = frames["contacts"].query("kind == 'weekly_review'")
    last = reviews.groupby("trajectory_id")["held_on"].max().reindex(run.index)
    ref = np.maximum(last.fillna(run["start_on"]), run["start_on"])
    return set(run.index[ref + pd.Timedelta(days=10) < NOW]) & set(_active(frames).index)


def _aftercare_contact(frames: Frames) -> set[int]:
    t = _active(frames)
    t = t[t["stage"] == "aftercare"]
    ac = frames["aftercare_contacts"]
    late = pd.Series(False, index=t.index)
    for parties in (("employee", "both"), ("employer", "both")):
        last = ac[ac["party"].isin(parties)].groupby("trajectory_id")["held_on"].max()
        ref = np.maximum(last.reindex(t.index).fillna(t["phase_since"]), t["phase_since"])
        late |= ref + pd.Timedelta(days=14) < NOW
    return set(t.index[late])


def _aftercare_duration(frames: Frames) -> set[int]:
    t = _active(frames)
    t = t[t["stage"] == "aftercare"]
    return set(t.index[_months(t["phase_since"], 3) < NOW])


def _end_report(frames: Frames) -> set[int]:
    t = frames["trajectories"].set_index("id")
    ev = frames["phase_events"]
    stage = ev.assign(method=ev["trajectory_id"].map(t["method"]))
    stage = stage.assign(stage=_stage(stage))
    start = stage[stage["stage"] == "aftercare"].groupby("trajectory_id")["started_on"].max()
    reported = set(frames["end_reports"]["trajectory_id"])
    due = _months(start, 3) + pd.Timedelta(days=14)
    return set(start.index[(due < NOW) & ~start.index.isin(reported)])


def _agreements_overdue(frames: Frames) -> set[int]:
    ag = frames["agreements"]
    late = ag[(ag["status"] == "open") & (ag["due_on"] < NOW)]
    return set(late["trajectory_id"]) & set(_active(frames).index)


def _agreements_not_kept(frames: Frames) -> set[int]:
    ag = frames["agreements"]
    recent = ag[(ag["status"] == "not_kept") & (ag["closed_on"] > NOW - pd.Timedelta(days=90))]
    counts = recent.groupby("trajectory_id").size()
    return set(counts.index[counts >= 2]) & set(_active(frames).index)


def _changes(frames: Frames) -> pd.Series:
    t = _active(frames)
    n = frames["coach_assignments"].groupby("trajectory_id").size().reindex(t.index)
    return (n.fillna(1) - 1).clip(lower=0)


def _coach_changes(frames: Frames) -> set[int]:
    changes = _changes(frames)
    return set(changes.index[changes > 1])


def _handed_on(frames: Frames) -> pd.Series:
    """Per trajectory: earlier routes of its client handed on to another route."""
    t = frames["trajectories"]
    handed = t[t["outcome"] == "other_route"][["client_id", "closed_on"]]
    pairs = t[["id", "client_id", "registered_at"]].merge(handed, on="client_id")
    pairs = pairs[pairs["closed_on"] <= pairs["registered_at"].dt.normalize()]
    return pairs.groupby("id").size().reindex(t["id"]).fillna(0).set_axis(t["id"])


def _hand_offs(frames: Frames) -> set[int]:
    """Changes of the guide (“Arbeidstoeleiding: aanpak en begeleiding”): coach changes and
    routes handed on; referrals the coach keeps following are none."""
    changes = _changes(frames)
    total = changes + _handed_on(frames).reindex(changes.index).fillna(0)
    return set(total.index[total > 3])


def _referral_follow_up(frames: Frames) -> set[int]:
    b = frames["barriers"]
    open_b = b[(b["status"] != "resolved") & b["resolved_on"].isna()]
    ref = frames["referrals"].merge(open_b[["id", "trajectory_id"]], left_on="barrier_id",
                                    right_on="id")
    ref = ref[ref["status"].isin(["referred", "in_care"])]
    last = ref["last_followed_up_on"].fillna(ref["referred_on"])
    late = ref.loc[last + pd.Timedelta(days=28) < NOW, "trajectory_id"]
    return set(late) & set(_active(frames).index)


def _revolving_door(frames: Frames) -> set[int]:
    # the revolving door of “Traject Work-2-Gether”: after the regular contract (not after a
    # step of the ladder, nor after art. 60§7)
    jobs = _job_starts(frames, ("regular",))
    back = _back_on_benefit(frames, jobs)
    return set(jobs.loc[jobs["client_id"].isin(back), "trajectory_id"])


def _severe_barriers_at_mapping(frames: Frames) -> set[int]:
    t = _active(frames)
    t = t[(t["method"] == "art60") & (t["phase"] == "mapping")]
    b = frames["barriers"]
    open_b = b[(b["severity"] == 3) & (b["status"] != "resolved") & b["resolved_on"].isna()]
    noted = open_b.merge(t[["phase_since"]], left_on="trajectory_id", right_index=True)
    return set(noted.loc[noted["noted_on"] <= noted["phase_since"], "trajectory_id"])


def _in_job_search(frames: Frames) -> pd.DataFrame:
    t = _active(frames)
    return t[(t["method"] == "art60") & (t["phase"] == "end_art60")]


def _job_search_contact(frames: Frames) -> set[int]:
    t = _in_job_search(frames)
    last = _last_contact(frames).reindex(t.index)
    ref = np.maximum(last.fillna(t["phase_since"]), t["phase_since"])
    return set(t.index[ref + pd.Timedelta(days=14) < NOW])


def _job_search_agreements(frames: Frames) -> set[int]:
    t = _in_job_search(frames)
    c = frames["contacts"].set_index("id")
    ag = frames["agreements"].dropna(subset=["contact_id"])
    made = ag["contact_id"].astype(int).map(c["held_on"])
    last = made.groupby(ag["trajectory_id"]).max().reindex(t.index)
    ref = np.maximum(last.fillna(t["phase_since"]), t["phase_since"])
    return set(t.index[ref + pd.Timedelta(days=28) < NOW])


def _placement_missing(frames: Frames) -> set[int]:
    t = _active(frames)
    stage = {(code, p.code): p.stage for code, m in METHODS.items() for p in m.phases}
    working = [stage.get((m, p)) == "employment" for m, p in zip(t["method"], t["phase"],
                                                                  strict=True)]
    pl = frames["placements"]
    running = set(pl.loc[pl["end_on"].isna() | (pl["end_on"] > NOW), "trajectory_id"])
    # the stage began at the latest at phase_since: 14 days after it is late in any case
    late = t.index[np.array(working) & (t["phase_since"] + pd.Timedelta(days=14) < NOW)]
    return set(late) - running


RULE_CHECKS: dict[str, Callable[[Frames], set[int]]] = {
    "coach_assignment": _coach_assignment,
    "plan_signatures": _plan_signatures,
    "intake_after_signing": _intake_after_signing,
    "stepping_stone_at_social_work_company": lambda f: _whole_stepping_stone(f, 3, True),
    "stepping_stone_max": lambda f: _whole_stepping_stone(f, 6),
    "social_employment_max": lambda f: _running(f, "social_employment", 24),
    "regular_contract_min": _regular_contract_min,
    "secondment_max": lambda f: _running(f, "secondment", 3),
    "wage_subsidy_max": lambda f: _running(f, "wage_subsidy", 6),
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
    "severe_barriers_at_mapping": _severe_barriers_at_mapping,
    "job_search_contact": _job_search_contact,
    "job_search_agreements": _job_search_agreements,
    "placement_missing": _placement_missing,
}


def test_every_rule_of_every_method_is_checked_here() -> None:
    for m in METHODS.values():
        assert set(m.rules) <= set(RULE_CHECKS), m.code


@pytest.mark.parametrize(
    ("method", "rule"),
    [(code, rule) for code, m in METHODS.items() for rule in m.rules if m.rule(rule)],
)
def test_some_trajectories_are_late_on_each_rule_and_most_are_not(
    frames: Frames, method: str, rule: str
) -> None:
    t = frames["trajectories"].set_index("id")
    of_method = set(t.index[t["method"] == method])
    late = RULE_CHECKS[rule](frames) & of_method
    assert late, f"{method}: nobody late on {rule}"
    # rules on closed trajectories too are measured against all, the others against the
    # trajectories still running on as_of
    running = set(t.index[t["closed_on"].isna()]) & of_method
    base = of_method if rule in ("end_report", "revolving_door") else running
    assert len(late) < 0.15 * len(base), f"{method}: {len(late)} of {len(base)} late on {rule}"


def test_small_registers_plant_nothing_but_still_work() -> None:
    tiny = demo.generate(40, seed=3, as_of=AS_OF)
    assert len(tiny["trajectories"]) == 40
    assert tiny["clients"]["family_name"].str.len().gt(3).all()


# -- loading --------------------------------------------------------------------------------
def test_build_loads_every_frame_and_the_signals_find_every_rule(tmp_path: Path) -> None:
    from trajecttools.workspace import Workspace

    with Workspace(tmp_path / "demo.db", actor="tester", today=AS_OF) as store:
        counts = demo.build(store, size=SIZE, seed=11)
        expected = {name: len(df) for name, df in demo.generate(SIZE, seed=11,
                                                                as_of=AS_OF).items()}
        assert {k: v for k, v in counts.items() if v} == {k: v for k, v in expected.items()
                                                          if v}
        assert store.count("trajectories") == SIZE
        from trajecttools.reads.signals import signals

        found = signals(store, AS_OF)
    pairs = set(zip(found["method"], found["rule"], strict=True))
    for code, m in METHODS.items():
        used = {rule for rule in m.rules if m.rule(rule)}
        missing = sorted(used - {rule for method, rule in pairs if method == code})
        assert not missing, f"{code}: no signal for {missing}"
