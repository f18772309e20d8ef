"""Outcome measures on hand-built cohorts whose answers were worked out by hand.

The cohort: five trajectories registered on 01-01-2025, looked at on 31-12-2025.

==  ======  =====  ================================================================
T   group   coach  story
==  ======  =====  ================================================================
1   young   A      regular job 31-01-2025 (day 30), open-ended; closed with work 30-06
2   young   A      opstapbaan only; closed without work 20-02-2025 (day 50)
3   young   B      trial 20-01-2025 to 11-03 (a step), regular from 12-03 (day 70), open-ended
4   45+     B      still open, never a job (censored at as_of, day 364)
5   45+     none   regular job 11-04-2025 (day 100) to 31-08; benefit again from 15-09
6   45+     B      registered 15-01-2026: after as_of, so not there yet
==  ======  =====  ================================================================
"""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from trajecttools.core.dates import add_months_grid, dutch_date
from trajecttools.outputs.report import charts as outcome_charts
from trajecttools.outputs.report import outcomes as outcome_report
from trajecttools.reads import outcomes
from trajecttools.workspace import Workspace

AS_OF = "31-12-2025"
LATER = "30-04-2026"
NaT = pd.NaT


def _tables() -> dict[str, pd.DataFrame]:
    """The cohort as register tables (ids included), for the store and for frames alike."""
    d = pd.Timestamp
    teams = pd.DataFrame({"id": [1, 2], "name": ["Team Noord", "Team Zuid"],
                          "region": ["Noord", "Zuid"]})
    coaches = pd.DataFrame({"id": [1, 2], "code": ["JC01", "JC02"], "active": [True, True],
                            "name": ["Jet Coach", "Kees Coach"], "team_id": [1, 2]})
    clients = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "pseudonym": [f"K-{i:04d}" for i in range(1, 7)],
        "given_name": ["Anna", "Bert", "Cem", "Dina", "Eef", "Fien"],
        "family_name": ["Proef"] * 6,
        "target_group": ["young_people"] * 3 + ["over_45"] * 3,
        "region": ["Noord", "Noord", "Zuid", "Zuid", None, "Zuid"],
        "created_at": [d("2025-01-01 09:00")] * 5 + [d("2026-01-15 09:00")],
    })
    trajectories = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "client_id": [1, 2, 3, 4, 5, 6],
        "method": ["opstapbaan"] * 6,
        "registered_at": [d("2025-01-01 09:00")] * 5 + [d("2026-01-15 10:00")],
        "coach_id": pd.array([1, 1, 2, 2, None, 2], dtype="Int64"),
        "phase": ["closed", "closed", "aftercare", "intake", "aftercare", "registration"],
        "phase_since": [d("2025-06-30"), d("2025-02-20"), d("2025-06-01"), d("2025-01-10"),
                        d("2025-05-01"), d("2026-01-15")],
        "closed_on": [d("2025-06-30"), d("2025-02-20"), NaT, NaT, NaT, NaT],
        "outcome": ["work", "dropped_out", None, None, None, None],
    })
    placements = pd.DataFrame({
        "id": [1, 2, 3, 4, 5],
        "trajectory_id": [1, 2, 3, 3, 5],
        "kind": ["regular", "stepping_stone", "trial", "regular", "regular"],
        "start_on": [d("2025-01-31"), d("2025-01-10"), d("2025-01-20"), d("2025-03-12"),
                     d("2025-04-11")],
        "end_on": [NaT, d("2025-02-20"), d("2025-03-11"), NaT, d("2025-08-31")],
        "temporary": pd.array([True, True, None, False, None], dtype="boolean"),
        "below_level": pd.array([True, None, False, True, False], dtype="boolean"),
        "outside_field": pd.array([False, None, False, None, False], dtype="boolean"),
    })
    benefits = pd.DataFrame({
        "id": [1, 2, 3, 4, 5],
        "client_id": [1, 5, 5, 3, 1],
        "kind": ["social_assistance", "social_assistance", "social_assistance", "none",
                 "unemployment"],
        "start_on": [d("2024-06-01"), d("2024-01-01"), d("2025-09-15"), d("2025-06-01"),
                     d("2026-03-01")],
        "end_on": [d("2025-01-30"), d("2025-04-10"), NaT, NaT, NaT],
    })
    zrm = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "trajectory_id": [1, 1, 1, 3, 3, 4, 5, 5, 2, 2],
        "assessed_on": [d("2025-01-05"), d("2025-03-01"), d("2025-06-01"), d("2025-01-10"),
                        d("2025-05-01"), d("2025-01-10"), d("2025-02-01"), d("2025-02-01"),
                        d("2025-01-15"), d("2026-01-10")],
        "finances": [2, 3, 4, 3, 2, 3, 2, 4, 1, 5],
        "work_education": [2, None, 3, None, None, 3, None, None, None, None],
        "housing": [None, None, None, 4, 4, None, None, None, None, None],
        "justice": [None, None, None, None, 5, None, None, None, None, None],
    })
    ladder = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "trajectory_id": [1, 1, 3, 3, 4, 4],
        "assessed_on": [d("2025-01-05"), d("2025-06-01"), d("2025-01-10"), d("2025-05-01"),
                        d("2025-02-01"), d("2025-08-01")],
        "rung": [2, 5, 3, 3, 4, 2],
    })
    return {"teams": teams, "coaches": coaches, "clients": clients,
            "trajectories": trajectories, "placements": placements,
            "benefit_periods": benefits, "zrm_assessments": zrm, "ladder_steps": ladder}


def _cases(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A frame shaped like ``store.cases()`` (the columns the measures read)."""
    coaches = t["coaches"].merge(t["teams"].rename(columns={"id": "team_id", "name": "team"}),
                                 on="team_id")
    cases = t["trajectories"].rename(columns={"id": "trajectory_id"}).merge(
        t["clients"][["id", "target_group", "region"]].rename(columns={"id": "client_id"}),
        on="client_id")
    cases = cases.merge(coaches[["id", "name", "team"]].rename(
        columns={"id": "coach_id", "name": "coach"}), on="coach_id", how="left")
    return cases


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return _tables()


@pytest.fixture
def reg(tables: dict[str, pd.DataFrame]) -> outcomes.Register:
    return outcomes.from_frames(_cases(tables), tables["placements"], tables["benefit_periods"],
                                tables["zrm_assessments"], tables["ladder_steps"], as_of=AS_OF)


def _row(df: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for key, value in where.items():
        mask &= (df[key] == value).to_numpy()
    assert mask.sum() == 1, df
    return df[mask].iloc[0]


# -- facts -------------------------------------------------------------------------------------
def test_facts_first_job_censoring_and_as_of(reg: outcomes.Register) -> None:
    f = outcomes.facts(reg).set_index("trajectory_id")
    assert list(f.index) == [1, 2, 3, 4, 5]  # T6 registered after as_of
    assert f["days"].tolist() == [30, 50, 70, 364, 100]
    assert f["placed"].tolist() == [True, False, True, False, True]
    # "Traject Work-2-Gether": work is a contract without wage subsidy; the trial is a step
    assert f.loc[3, "first_job_kind"] == "regular"
    assert f.loc[3, "first_step"] == "in een opstap"
    assert f.loc[3, "first_step_on"] == pd.Timestamp("2025-01-20")
    assert f["first_job_on"].isna().tolist()[1]  # an opstapbaan is not a job
    assert f.loc[2, "first_step"] == "in een opstap" and pd.isna(f.loc[1, "first_step"])
    assert f["event"].tolist() == [outcomes.WORK, outcomes.STOPPED, outcomes.WORK,
                                   outcomes.CENSORED, outcomes.WORK]
    assert f.loc[5, "coach"] == outcomes.UNKNOWN
    later = outcomes.facts(reg, LATER).set_index("trajectory_id")
    assert 6 in later.index and later.loc[6, "days"] == 105
    early = outcomes.facts(reg, "01-03-2025").set_index("trajectory_id")
    assert early.loc[3, "days"] == 59 and not early.loc[3, "placed"]  # job after as_of: not yet


def test_job_after_closing_is_censored_at_closing(tables: dict[str, pd.DataFrame]) -> None:
    extra = pd.DataFrame({"id": [9], "trajectory_id": [2], "kind": ["regular"],
                          "start_on": [pd.Timestamp("2025-03-01")], "end_on": [NaT],
                          "temporary": [True], "below_level": [True], "outside_field": [True]})
    place = pd.concat([tables["placements"], extra], ignore_index=True)
    reg = outcomes.from_frames(_cases(tables), place, as_of=AS_OF)
    row = outcomes.facts(reg).set_index("trajectory_id").loc[2]
    assert not row["placed"] and row["days"] == 50


# -- Kaplan-Meier ------------------------------------------------------------------------------
def test_km_five_people_by_hand(reg: outcomes.Register) -> None:
    curve = outcomes.km_curve(reg, min_n=None)
    assert curve["days"].tolist() == [0, 30, 50, 70, 100, 364]
    assert curve["at_risk"].tolist() == [5, 5, 4, 3, 2, 1]
    assert curve["events"].tolist() == [0, 1, 0, 1, 1, 0]
    assert curve["censored"].tolist() == [0, 0, 1, 0, 0, 1]
    expected = [1, 4 / 5, 4 / 5, 4 / 5 * 2 / 3, 4 / 5 * 2 / 3 * 1 / 2, 4 / 15]
    assert np.allclose(curve["survival"], expected)
    assert np.allclose(curve["job_pct"], 100 * (1 - np.array(expected)))
    # Greenwood with the log-log transform at day 30: S = 0.8, sum d/(n(n-d)) = 1/20
    sigma = math.sqrt(1 / 20) / abs(math.log(0.8))
    z = 1.959963984540054
    assert curve["ci_low"].iloc[1] == pytest.approx(0.8 ** math.exp(z * sigma))
    assert curve["ci_high"].iloc[1] == pytest.approx(0.8 ** math.exp(-z * sigma))

    summary = outcomes.time_to_first_job(reg, min_n=None).iloc[0]
    assert (summary["n"], summary["events"], summary["censored"]) == (5, 3, 2)
    assert summary["median_days"] == 100  # first day with S <= 0.5
    assert summary["median_low"] == 30  # where the lower band crosses one half
    assert np.isnan(summary["median_high"])  # the upper band never does
    assert summary["job_6m_pct"] == pytest.approx(100 * (1 - 4 / 15))
    assert np.isnan(summary["job_12m_pct"])  # follow-up ends at day 364
    assert summary["naive_mean_days"] == pytest.approx((30 + 70 + 100) / 3)


def test_aalen_johansen_stopping_without_work_competes(reg: outcomes.Register) -> None:
    """By hand: S(t-) d_work / n summed. Day 30: 1/5; day 50 T2 stops (S = 3/5); day 70:
    + 3/5 * 1/3; day 100: + 2/5 * 1/2. Kaplan-Meier (T2 censored) is higher."""
    ci = outcomes.cumulative_incidence(reg, min_n=None)
    assert ci["days"].tolist() == [0, 30, 50, 70, 100, 364]
    assert ci["at_risk"].tolist() == [5, 5, 4, 3, 2, 1]
    assert (ci["work"].tolist(), ci["stopped"].tolist()) == ([0, 1, 0, 1, 1, 0],
                                                             [0, 0, 1, 0, 0, 0])
    assert np.allclose(ci["work_pct"], [0, 20, 20, 40, 60, 60])
    assert np.allclose(ci["stopped_pct"], [0, 0, 20, 20, 20, 20])
    assert np.allclose(ci["km_work_pct"], 100 * (1 - np.array(
        [1, 4 / 5, 4 / 5, 8 / 15, 4 / 15, 4 / 15])))
    assert (ci["work_pct"] <= ci["km_work_pct"] + 1e-12).all()
    curve = outcomes.km_curve(reg, min_n=None, closed_without_job="competing")
    assert np.allclose(curve["job_pct"], [0, 20, 20, 40, 60, 60])
    summary = outcomes.time_to_first_job(reg, min_n=None, closed_without_job="competing")
    assert summary["median_days"].iloc[0] == 100
    assert summary["job_6m_pct"].iloc[0] == pytest.approx(60)
    with pytest.raises(ValueError, match="closed_without_job"):
        outcomes.time_to_first_job(reg, closed_without_job="no_job")


def test_km_curve_on_a_grid(reg: outcomes.Register) -> None:
    grid = outcomes.km_curve(reg, grid=range(0, 1000, 50), min_n=None)
    assert grid["days"].tolist() == [0, 50, 100, 150, 200, 250, 300, 350]  # up to day 364
    assert np.allclose(grid["survival"], [1, 0.8, 4 / 15, 4 / 15, 4 / 15, 4 / 15, 4 / 15, 4 / 15])
    assert grid["at_risk"].tolist() == [5, 4, 2, 1, 1, 1, 1, 1]


def test_km_split_by_group_equals_each_group_alone(reg: outcomes.Register) -> None:
    split = outcomes.time_to_first_job(reg, "target_group", min_n=None)
    young = _row(split, target_group="young_people")
    old = _row(split, target_group="over_45")
    assert (young["n"], young["events"], young["median_days"]) == (3, 2, 70)
    assert (old["n"], old["events"], old["median_days"]) == (2, 1, 100)
    assert list(split["target_group"]) == ["young_people", "over_45"]  # code-list order
    curve = outcomes.km_curve(reg, "target_group", min_n=None)
    young_curve = curve[curve["target_group"] == "young_people"]
    assert np.allclose(young_curve["survival"], [1, 2 / 3, 2 / 3, 0])


def test_period_selects_registrations(reg: outcomes.Register) -> None:
    none = outcomes.time_to_first_job(reg, period=("01-02-2025", "31-12-2025"), min_n=None)
    assert none["n"].tolist() == [0] and np.isnan(none["median_days"].iloc[0])
    later = outcomes.time_to_first_job(reg, period=("01-01-2026", None), as_of=LATER,
                                       min_n=None)
    assert later["n"].tolist() == [1] and later["censored"].tolist() == [1]


# -- flow --------------------------------------------------------------------------------------
def test_flow_per_month(reg: outcomes.Register) -> None:
    flow = outcomes.flow(reg, min_n=None).set_index("month")
    assert len(flow) == 12 and flow.index[0] == pd.Timestamp("2025-01-01")
    assert flow["inflow"].sum() == 5 and flow.loc["2025-01-01", "inflow"] == 5
    assert flow.loc["2025-02-01", "outflow"] == 1 and flow.loc["2025-06-01", "outflow"] == 1
    assert flow.loc["2025-06-01", "outflow_work"] == 1 and flow["outflow_work"].sum() == 1
    assert flow["open_at_end"].tolist() == [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3]
    assert flow["n"].iloc[0] == 5
    part = outcomes.flow(reg, period=("01-06-2025", "31-08-2025"), min_n=None)
    assert part["month"].dt.month.tolist() == [6, 7, 8]
    assert part["open_at_end"].tolist() == [3, 3, 3]  # counted from the whole history
    assert part["n"].iloc[0] == 1  # only T1 moved (closed) within the period
    later = outcomes.flow(reg, "target_group", as_of=LATER, min_n=None)
    jan = _row(later, target_group="over_45", month=pd.Timestamp("2026-01-01"))
    assert jan["inflow"] == 1 and jan["open_at_end"] == 3


# -- quality of the first job ------------------------------------------------------------------
def test_first_job_quality_counts_known_flags_only(reg: outcomes.Register) -> None:
    q = outcomes.first_job_quality(reg, min_n=None).iloc[0]
    assert q["first_jobs"] == 3
    assert (q["temporary"], q["temporary_known"], q["temporary_pct"]) == (1, 2, 50)
    assert (q["below_level"], q["below_level_known"]) == (2, 3)
    assert q["below_level_pct"] == pytest.approx(200 / 3)
    assert (q["outside_field"], q["outside_field_known"], q["outside_field_pct"]) == (0, 2, 0)
    spring = outcomes.first_job_quality(reg, period=("01-03-2025", "30-04-2025"), min_n=None)
    assert spring["first_jobs"].tolist() == [2]  # T3 and T5 started then


# -- sustainable work --------------------------------------------------------------------------
def test_add_months_clips_to_month_end() -> None:
    days = np.array(["2025-01-31", "2024-02-29", "2025-08-31"], dtype="datetime64[D]")
    out = add_months_grid(days, [1, 6, 12])
    assert out[0].tolist() == [dt.date(2025, 2, 28), dt.date(2025, 7, 31), dt.date(2026, 1, 31)]
    assert out[1, 2] == np.datetime64("2025-02-28")
    assert out[2, 0] == np.datetime64("2025-09-30")


def test_retention_denominator_only_counts_passed_horizons(reg: outcomes.Register) -> None:
    ret = outcomes.retention(reg, min_n=None)
    six = _row(ret, months=6)
    # T1 (31-07), T3 (12-09), T5 (11-10) have reached 6 months by 31-12-2025
    assert six["eligible"] == 3
    assert six["at_work"] == 2  # T5's job ended 31-08
    assert six["benefit_free"] == 2  # T5 is back on benefit since 15-09
    assert six["sustained"] == 2 and six["sustained_pct"] == pytest.approx(200 / 3)
    twelve = _row(ret, months=12)
    assert twelve["eligible"] == 0 and np.isnan(twelve["sustained_pct"])
    later = _row(outcomes.retention(reg, as_of=LATER, min_n=None), months=12)
    assert (later["eligible"], later["at_work"], later["benefit_free"],
            later["sustained"]) == (3, 2, 2, 2)


def test_retention_curve_counts_each_month(reg: outcomes.Register) -> None:
    curve = outcomes.retention_curve(reg, months=range(0, 13), min_n=None).set_index("months")
    assert curve.loc[0, "eligible"] == 3 and curve.loc[0, "at_work"] == 3
    assert curve.loc[0, "benefit_free"] == 3  # T5's first benefit ended the day before
    # T3 at 2 months (12-05-2025): in the contract that started 12-03
    assert curve.loc[2, "at_work"] == 3
    assert curve.loc[5, "at_work"] == 2  # T5 (11-09-2025): the job ended 31-08
    assert curve.loc[9, "eligible"] == 2  # T5 reaches 9 months on 11-01-2026
    assert curve.loc[11, "eligible"] == 1 and curve.loc[11, "sustained"] == 1


def test_revolving_door(reg: outcomes.Register) -> None:
    now = outcomes.revolving_door(reg, min_n=None).iloc[0]
    assert now["placed"] == 0 and np.isnan(now["returned_pct"])  # no 12-month window passed
    later = outcomes.revolving_door(reg, as_of=LATER, min_n=None).iloc[0]
    # T5 back on benefit 5 months after the job; T1's new benefit (01-03-2026) came after
    # its 12 months; T3's "none" period is no benefit; T1's old benefit started before
    assert (later["placed"], later["returned"]) == (3, 1)
    assert later["returned_pct"] == pytest.approx(100 / 3)
    six = outcomes.revolving_door(reg, within_months=6, min_n=None).iloc[0]
    assert (six["placed"], six["returned"]) == (3, 1)


# -- ZRM and ladder ----------------------------------------------------------------------------
def test_zrm_change_first_and_last_assessment(reg: outcomes.Register) -> None:
    z = outcomes.zrm_change(reg, min_n=None).iloc[0]
    # T1: mean 2 -> 3.5; T3: 3.5 -> 11/3; T4 once, T5 twice on one day, T2's second later
    assert z["n"] == 2
    assert z["mean_first"] == pytest.approx((2 + 3.5) / 2)
    assert z["mean_last"] == pytest.approx((3.5 + 11 / 3) / 2)
    assert z["mean_change"] == pytest.approx((1.5 + 1 / 6) / 2)
    assert (z["improved"], z["worsened"]) == (2, 0)
    assert outcomes.zrm_change(reg, as_of=LATER, min_n=None)["n"].iloc[0] == 3  # T2 now too


def test_zrm_change_per_domain(reg: outcomes.Register) -> None:
    d = outcomes.zrm_domain_change(reg, min_n=None).set_index("domain")
    assert len(d) == 13 and d.loc["finances", "domain_label"] == "Financiën"
    assert d.loc["finances", "n"] == 2 and d.loc["finances", "mean_change"] == pytest.approx(0.5)
    assert (d.loc["finances", "improved"], d.loc["finances", "worsened"]) == (1, 1)
    assert d.loc["work_education", "n"] == 1 and d.loc["work_education", "mean_change"] == 1
    assert d.loc["housing", "n"] == 1 and d.loc["housing", "mean_change"] == 0
    assert d.loc["justice", "n"] == 0 and d["mean_change"].isna()["justice"]


def test_ladder_change(reg: outcomes.Register) -> None:
    lad = outcomes.ladder_change(reg, min_n=None).iloc[0]
    assert lad["n"] == 3 and lad["mean_change"] == pytest.approx(1 / 3)
    assert (lad["mean_first"], lad["mean_last"]) == (3, pytest.approx(10 / 3))
    assert (lad["up"], lad["down"]) == (1, 1)
    by_coach = outcomes.ladder_change(reg, "coach", min_n=None)
    assert _row(by_coach, coach="Kees Coach")["mean_change"] == -1  # T3 0, T4 -2


# -- splits and suppression --------------------------------------------------------------------
def test_splits_by_several_groups_and_unknown_values(reg: outcomes.Register) -> None:
    q = outcomes.first_job_quality(reg, ["target_group", "coach"], min_n=None)
    assert set(zip(q["target_group"], q["coach"], strict=True)) == {
        ("young_people", "Jet Coach"), ("young_people", "Kees Coach"),
        ("over_45", outcomes.UNKNOWN)}
    for by in ("method", "cohort", "region", "team"):
        frame = outcomes.time_to_first_job(reg, by, min_n=None)
        assert frame["n"].sum() == 5, by
    assert outcomes.time_to_first_job(reg, "cohort", min_n=None)["cohort"].tolist() == [2025]
    with pytest.raises(ValueError, match="Onbekende uitsplitsing"):
        outcomes.flow(reg, "postcode")


def test_small_groups_are_suppressed(reg: outcomes.Register) -> None:
    shown = outcomes.time_to_first_job(reg, "target_group", min_n=3)
    young = _row(shown, target_group="young_people")
    old = _row(shown, target_group="over_45")
    assert not young["suppressed"] and young["median_days"] == 70
    assert old["suppressed"]
    assert pd.isna(old["n"]) and pd.isna(old["events"]) and np.isnan(old["median_days"])
    assert shown["n"].dtype == "Int64"
    raw = outcomes.time_to_first_job(reg, "target_group", min_n=None)
    assert not raw["suppressed"].any() and raw["n"].tolist() == [3, 2]
    # the default threshold is 10: the whole cohort is too small to show
    assert outcomes.time_to_first_job(reg)["suppressed"].tolist() == [True]
    # the helper on its own, with the rules the measure left in attrs
    again = outcomes.suppress(raw, min_n=3)
    assert again["suppressed"].tolist() == [False, True]
    assert outcomes.suppress(raw, min_n=None)["suppressed"].tolist() == [False, False]


def test_suppression_uses_each_percentage_own_denominator(reg: outcomes.Register) -> None:
    q = outcomes.first_job_quality(reg, min_n=3).iloc[0]
    assert q["first_jobs"] == 3 and q["below_level_pct"] == pytest.approx(200 / 3)
    assert pd.isna(q["temporary_known"]) and np.isnan(q["temporary_pct"])  # 2 known < 3
    assert q["suppressed"]
    ret = outcomes.retention_curve(reg, months=[0, 11], min_n=2).set_index("months")
    assert not ret.loc[0, "suppressed"] and ret.loc[11, "suppressed"]


def test_summary_agrees_with_the_measures(reg: outcomes.Register) -> None:
    s = outcomes.summary(reg, as_of=LATER, min_n=None).iloc[0]
    assert (s["registered"], s["found_job"], s["median_days"]) == (6, 3, 100)
    assert (s["eligible_12m"], s["sustained_12m"]) == (3, 2)
    assert (s["placed"], s["returned"]) == (3, 1)
    assert s["first_jobs"] == 3 and s["temporary_pct"] == 50
    assert s["zrm_n"] == 3 and s["ladder_n"] == 3
    split = outcomes.summary(reg, "target_group", min_n=3)
    assert split["registered"].tolist()[0] == 3 and pd.isna(split["registered"].iloc[1])
    assert split["suppressed"].tolist() == [True, True]  # the young have only 2 first jobs
    assert np.isnan(split["temporary_pct"].iloc[0])
    assert list(split.columns[:2]) == ["target_group", "inflow"]


# -- through a real store ----------------------------------------------------------------------
def test_measures_read_from_a_real_store(sqlite_store: Workspace,
                                         tables: dict[str, pd.DataFrame],
                                         reg: outcomes.Register) -> None:
    sqlite_store.bulk_load(tables)
    loaded = outcomes.load(sqlite_store, AS_OF)
    assert loaded.method_names["opstapbaan"].startswith("Opstapbaan")
    assert loaded.as_of == pd.Timestamp("2025-12-31")
    for name in ("time_to_first_job", "km_curve", "first_job_quality", "retention_curve",
                 "revolving_door", "zrm_change", "zrm_domain_change", "ladder_change", "flow"):
        fn = outcomes.MEASURES[name]
        for by in (None, "coach", "target_group"):
            got = fn(loaded, by, min_n=None, as_of=LATER)
            want = fn(reg, by, min_n=None, as_of=LATER)
            pd.testing.assert_frame_equal(got, want, check_dtype=False,
                                          check_categorical=False, obj=f"{name} by {by}")
    # the cases frame shows the first placement of any job kind (the trial for T3); the
    # outcomes count work as the method defines it (the contract without wage subsidy)
    cases = sqlite_store.cases(dt.date(2025, 12, 31))
    facts = outcomes.facts(loaded)
    shown = cases["first_job_on"].iloc[:5].reset_index(drop=True)
    same = [0, 1, 3, 4]
    pd.testing.assert_series_equal(shown.iloc[same], facts["first_job_on"].iloc[same],
                                   check_names=False)
    assert shown.iloc[2] == pd.Timestamp("2025-01-20")
    assert facts["first_job_on"].iloc[2] == pd.Timestamp("2025-03-12")
    # and a store can be passed directly
    direct = outcomes.time_to_first_job(sqlite_store, as_of=AS_OF, min_n=None)
    assert direct["median_days"].tolist() == [100]


def test_cases_frame_can_be_the_input(sqlite_store: Workspace,
                                      tables: dict[str, pd.DataFrame]) -> None:
    sqlite_store.bulk_load(tables)
    reg = outcomes.from_frames(sqlite_store.cases(dt.date(2025, 12, 31)),
                               sqlite_store.frame("placements"),
                               sqlite_store.frame("benefit_periods"),
                               sqlite_store.frame("zrm_assessments"),
                               sqlite_store.frame("ladder_steps"), as_of=AS_OF)
    assert outcomes.time_to_first_job(reg, min_n=None)["median_days"].tolist() == [100]
    assert outcomes.zrm_change(reg, min_n=None)["n"].tolist() == [2]


# -- reports -----------------------------------------------------------------------------------
def test_dutch_formats() -> None:
    assert outcome_report.fmt_number(1234.5, 1) == "1.234,5"
    assert outcome_report.fmt_number(1234567) == "1.234.567"
    assert outcome_report.fmt_pct(37.54) == "37,5%"
    assert outcome_report.fmt_month(pd.Timestamp("2026-03-01")) == "mrt 2026"
    assert dutch_date(pd.Timestamp("2026-03-01")) == "01-03-2026"
    assert outcome_report.fmt_pct(np.nan) == ""


def test_excel_export_has_dutch_headers_dates_and_suppression(reg: outcomes.Register) -> None:
    frames = {
        "summary": outcomes.summary(reg, "target_group", min_n=3),
        "flow": outcomes.flow(reg, "target_group", min_n=3),
        "first_job_quality": outcomes.first_job_quality(reg, "target_group", min_n=3),
        "retention_curve": outcomes.retention_curve(reg, "target_group", min_n=None),
    }
    content = outcome_report.write_excel(frames, by=["target_group"],
                                         as_of=pd.Timestamp("2025-12-31"),
                                         period=("01-01-2025", None), min_n=3)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Toelichting", "Overzicht", "Instroom en uitstroom",
                             "Kwaliteit eerste baan", "Duurzaam werk"]
    info = wb["Toelichting"]
    assert info["B2"].value == dt.datetime(2025, 12, 31) and info["B2"].number_format == \
        "DD-MM-YYYY"
    assert info["B3"].value == "01-01-2025 t/m 31-12-2025"
    overview = wb["Overzicht"]
    headers = [c.value for c in overview[1]]
    assert headers[0] == "Doelgroep" and "Mediaan dagen tot eerste baan (Kaplan-Meier)" in headers
    rows = {r[0].value: r for r in overview.iter_rows(min_row=2)}
    assert set(rows) == {"Jongeren (school naar werk)", "45-plussers"}
    small = rows["45-plussers"][headers.index("Aangemeld in periode")]
    assert small.value == "n < 3"
    assert rows["Jongeren (school naar werk)"][headers.index("% onder niveau")].value == "n < 3"
    lasting = wb["Duurzaam werk"]
    head = [c.value for c in lasting[1]]
    first = next(lasting.iter_rows(min_row=2))
    assert first[head.index("Maanden na eerste baan")].value == 0
    pct = first[head.index("% aan het werk")]
    assert pct.value == pytest.approx(1.0) and pct.number_format == "0.0%"
    month = wb["Instroom en uitstroom"]["B2"]
    assert isinstance(month.value, dt.datetime) and month.number_format == "MM-YYYY"


# -- charts ------------------------------------------------------------------------------------
def _big_register(n: int, seed: int = 1) -> outcomes.Register:
    """A random register of ``n`` trajectories (for size, not for meaning)."""
    rng = np.random.default_rng(seed)
    day = np.datetime64("2026-11-02")
    reg_on = day - rng.integers(0, 1100, n).astype("timedelta64[D]")
    placed = rng.random(n) < 0.6
    start = reg_on + rng.integers(10, 400, n).astype("timedelta64[D]")
    placed &= start <= day
    ids = np.flatnonzero(placed)
    cases = pd.DataFrame({
        "trajectory_id": np.arange(1, n + 1), "client_id": np.arange(1, n + 1),
        "registered_at": reg_on.astype("datetime64[ns]"),
        "closed_on": pd.Series(np.where(rng.random(n) < 0.5, reg_on + 500, np.datetime64("NaT"))
                               ).astype("datetime64[ns]"),
        "outcome": np.where(placed, "work", "dropped_out"),
        "target_group": rng.choice(["young_people", "over_45", "refugees"], n),
        "coach": rng.choice([f"Coach {i:03d}" for i in range(300)], n),
        "method": "opstapbaan", "region": rng.choice(list("ABCDEFGHIJKL"), n),
        "team": rng.choice(list("TUVW"), n),
    })
    place = pd.DataFrame({
        "id": np.arange(len(ids)), "trajectory_id": ids + 1, "kind": "regular",
        "start_on": start[ids], "end_on": NaT, "temporary": rng.random(len(ids)) < 0.5,
        "below_level": rng.random(len(ids)) < 0.4, "outside_field": rng.random(len(ids)) < 0.3,
    })
    owner = rng.integers(1, n + 1, 3 * n)
    zrm = pd.DataFrame({"id": np.arange(3 * n), "trajectory_id": owner,
                        "assessed_on": reg_on[owner - 1] + rng.integers(0, 300, 3 * n)
                        .astype("timedelta64[D]"),
                        "finances": rng.integers(1, 6, 3 * n)})
    ladder = zrm[["id", "trajectory_id", "assessed_on"]].assign(rung=rng.integers(1, 7, 3 * n))
    return outcomes.from_frames(cases, place, None, zrm, ladder, as_of="02-11-2026")


@pytest.mark.parametrize("by", [None, "coach", "region", "cohort"])
def test_charts_stay_far_below_altairs_row_limit(by: str | None) -> None:
    reg = _big_register(20_000)
    grid = range(0, 1100, 7)
    charts = [
        outcome_charts.flow_chart(outcomes.flow(reg, by), by),
        outcome_charts.km_chart(outcomes.km_curve(reg, by, grid=grid), by, min_at_risk=10),
        outcome_charts.retention_chart(outcomes.retention_curve(reg, by), by),
        outcome_charts.quality_chart(outcomes.first_job_quality(reg, by), by),
        outcome_charts.progress_chart(outcomes.zrm_domain_change(reg, by),
                                      outcomes.zrm_change(reg, by),
                                      outcomes.ladder_change(reg, by), by),
    ]
    for chart in charts:
        spec = chart.to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows <= 2_000, rows


def test_chart_files_for_reports(reg: outcomes.Register, tmp_path: object) -> None:
    from pathlib import Path

    chart = outcome_charts.quality_chart(outcomes.first_job_quality(reg, min_n=None))
    png = outcome_charts.save(chart, Path(str(tmp_path)) / "kwaliteit.png", ppi=100)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = outcome_charts.to_bytes(chart, "svg")
    assert b"<svg" in svg and b"Tijdelijk contract" in svg
    assert "50%" in svg.decode("utf-8")
    with pytest.raises(ValueError, match=r"\.png of \.svg"):
        outcome_charts.save(chart, Path(str(tmp_path)) / "x.pdf")


def test_suppressed_groups_are_left_out_of_charts(reg: outcomes.Register) -> None:
    quality = outcomes.first_job_quality(reg, "target_group", min_n=2)
    spec = outcome_charts.quality_chart(quality, "target_group").to_dict()
    text = str(spec)
    assert "Jongeren (school naar werk)" in text and "45-plussers" not in text
    empty = outcome_charts.quality_chart(outcomes.first_job_quality(reg, min_n=10))
    assert "Te weinig" in str(empty.to_dict())
