"""Analyst frames: real dtypes, and the wide cases frame as of a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from conftest import DEMO_AS_OF, add_staff, register_case
from trajecttools.core import vocab
from trajecttools.workspace import Workspace


def _full_case(store: Workspace) -> int:
    staff = add_staff(store)
    tid = register_case(store, staff)
    v = store.get("trajectories", tid)["version"]
    v = store.change_phase(tid, "intake", on="04-06-2026", expected_version=v)
    with store.transaction() as tx:
        tx.add(
            "contacts",
            {
                "trajectory_id": tid,
                "kind": "intake",
                "held_on": "08-06-2026",
                "location": "thuis",
                "notes": "Geheime notitie",
            },
        )
        tx.add("contacts", {"trajectory_id": tid, "kind": "progress", "held_on": "12-06-2026"})
        tx.add(
            "agreements",
            {"trajectory_id": tid, "what": "cv maken", "who": "client", "due_on": "10-06-2026"},
        )
        tx.add(
            "agreements",
            {"trajectory_id": tid, "what": "bellen", "who": "coach", "due_on": "20-06-2026"},
        )
        tx.add(
            "zrm_assessments",
            {"trajectory_id": tid, "assessed_on": "08-06-2026", "finances": 2, "work_education": 2},
        )
        tx.add(
            "zrm_assessments",
            {"trajectory_id": tid, "assessed_on": "14-06-2026", "finances": 3, "work_education": 4},
        )
        tx.add("ladder_steps", {"trajectory_id": tid, "assessed_on": "08-06-2026", "rung": 2})
        tx.add(
            "barriers",
            {"trajectory_id": tid, "domain": "debts", "severity": 3, "noted_on": "08-06-2026"},
        )
        tx.add(
            "barriers",
            {
                "trajectory_id": tid,
                "domain": "transport",
                "severity": 1,
                "noted_on": "08-06-2026",
                "status": "resolved",
                "resolved_on": "10-06-2026",
            },
        )
    store.assign_coach(tid, staff.other_coach, at="09-06-2026 09:00", expected_version=v)
    return tid


def test_entity_frames_have_real_dtypes(store: Workspace) -> None:
    _full_case(store)
    clients = store.frame("clients")
    assert pd.api.types.is_datetime64_any_dtype(clients["birth_date"])
    assert isinstance(clients["target_group"].dtype, pd.CategoricalDtype)
    assert list(clients["target_group"].cat.categories) == list(vocab.TARGET_GROUPS)
    barriers = store.frame("barriers")
    assert list(barriers["domain"].cat.categories) == list(vocab.BARRIER_DOMAINS)
    assert barriers["severity"].dtype == "int64"
    zrm = store.frame("zrm_assessments")
    assert zrm["mental_health"].dtype == "Int64" and zrm["mental_health"].isna().all()
    trajectories = store.frame("trajectories")
    assert "stepping_stone" in trajectories["phase"].cat.categories
    assert pd.api.types.is_datetime64_any_dtype(trajectories["registered_at"])
    employers = store.frame("employers")
    assert employers.empty and "inclusive" in employers.columns


def test_cases_frame_holds_the_key_facts(store: Workspace) -> None:
    tid = _full_case(store)
    cases = store.cases(as_of=dt.date(2026, 6, 15))
    assert len(cases) == 1
    row = cases.iloc[0]
    assert row["trajectory_id"] == tid
    assert row["initials"] == "A.P."
    assert row["phase"] == "intake" and row["phase_label"] == "Intake"
    assert row["stage"] == "intake"
    assert row["days_in_phase"] == 11
    assert row["plan_complete"] and row["plan_signed_on"] == pd.Timestamp("2026-06-04")
    assert row["intake_on"] == pd.Timestamp("2026-06-08")
    assert row["coach_changes"] == 1 and row["coach_code"] == "JC02"
    assert row["contacts"] == 2 and row["last_contact_on"] == pd.Timestamp("2026-06-12")
    assert (row["open_agreements"], row["overdue_agreements"]) == (2, 1)
    assert row["zrm_on"] == pd.Timestamp("2026-06-14") and row["zrm_finances"] == 3
    assert row["zrm_mean"] == 3.5
    assert row["ladder_rung"] == 2
    assert (row["open_barriers"], row["open_barrier_domains"]) == (1, "debts")
    assert row["active"] and pd.isna(row["outcome"])
    for identity in ("given_name", "family_name", "bsn", "birth_date", "notes"):
        assert identity not in cases.columns


def test_cases_frame_as_of_an_earlier_date_ignores_later_events(store: Workspace) -> None:
    _full_case(store)
    row = store.cases(as_of=dt.date(2026, 6, 10)).iloc[0]
    assert row["contacts"] == 1
    assert row["zrm_on"] == pd.Timestamp("2026-06-08") and row["zrm_finances"] == 2
    assert row["coach_changes"] == 1
    row = store.cases(as_of=dt.date(2026, 6, 8)).iloc[0]
    assert row["coach_changes"] == 0


def test_cases_frame_dtypes(store: Workspace) -> None:
    _full_case(store)
    cases = store.cases(as_of=dt.date(2026, 6, 15))
    for col in ("phase_since", "registered_at", "intake_on", "aftercare_on", "closed_on"):
        assert pd.api.types.is_datetime64_any_dtype(cases[col]), col
    for col in ("target_group", "method", "phase", "outcome", "placement_kind", "stage"):
        assert isinstance(cases[col].dtype, pd.CategoricalDtype), col
    assert cases["ladder_rung"].dtype == "Int64"


def test_cases_frame_as_of_a_past_date_shows_the_phase_and_coach_of_that_day(
    store: Workspace,
) -> None:
    tid = _full_case(store)  # intake from 04-06, coach JC01 from 02-06, JC02 from 09-06
    now = store.cases(as_of=dt.date(2026, 6, 15)).iloc[0]
    assert (now["phase"], now["coach_code"], now["team"]) == ("intake", "JC02", "Team Rijnmond")
    row = store.cases(as_of=dt.date(2026, 6, 3)).iloc[0]
    assert row["trajectory_id"] == tid
    assert row["phase"] == "registration" and row["phase_label"] == "Aanmelding"
    assert row["stage"] == "registration"
    assert row["phase_since"] == pd.Timestamp("2026-06-01") and row["days_in_phase"] == 2
    assert row["coach_code"] == "JC01" and row["coach"] == "Jet Coach"
    assert row["coach_changes"] == 0
    assert row["coach_assigned_at"] == pd.Timestamp("2026-06-02 10:00")
    row = store.cases(as_of=dt.date(2026, 6, 8)).iloc[0]
    assert (row["phase"], row["days_in_phase"], row["coach_code"]) == ("intake", 4, "JC01")
    row = store.cases(as_of=dt.date(2026, 6, 9)).iloc[0]
    assert (row["coach_code"], row["coach_changes"]) == ("JC02", 1)
    # registered, but no coach assigned yet on that day
    row = store.cases(as_of=dt.date(2026, 6, 1)).iloc[0]
    assert pd.isna(row["coach_id"]) and pd.isna(row["coach_code"]) and pd.isna(row["team"])
    assert row["phase"] == "registration" and row["days_in_phase"] == 0


def test_cases_frame_leaves_out_trajectories_registered_after_as_of(store: Workspace) -> None:
    _full_case(store)
    before = store.cases(as_of=dt.date(2026, 5, 31))
    assert before.empty and list(before.columns) == list(store.cases().columns)
    assert len(store.cases(as_of=dt.date(2026, 6, 1))) == 1


def _reference_cases(store: Workspace, as_of: dt.date) -> pd.DataFrame:
    """The as-of columns of the cases frame, derived trajectory by trajectory in plain Python."""
    day = pd.Timestamp(as_of)
    trajectories = store.frame("trajectories")
    events = store.frame("phase_events").sort_values(["trajectory_id", "started_on", "id"])
    assignments = store.frame("coach_assignments").sort_values(
        ["trajectory_id", "assigned_at", "id"]
    )
    coaches = store.frame("coaches").set_index("id")
    zrm = store.frame("zrm_assessments").sort_values(["assessed_on", "id"])
    ladder = store.frame("ladder_steps").sort_values(["assessed_on", "id"])
    placements = store.frame("placements").sort_values(["start_on", "id"])
    stage_of = {(m.code, p.code): p.stage for m in store.methods().values() for p in m.phases}
    by_tid = {
        name: dict(tuple(frame.groupby("trajectory_id")))
        for name, frame in (
            ("events", events),
            ("assignments", assignments),
            ("zrm", zrm),
            ("ladder", ladder),
            ("placements", placements),
        )
    }
    empty = pd.DataFrame()
    rows = []
    every: list[Any] = list(trajectories.itertuples())
    for t in every:
        if t.registered_at >= day + pd.Timedelta(days=1):
            continue
        evs = by_tid["events"].get(t.id, empty)
        evs = evs[evs["started_on"] <= day] if len(evs) else evs
        phase, since = (evs["phase"].iloc[-1], evs["started_on"].iloc[-1]) if len(evs) else (
            t.phase, t.phase_since)
        stages: dict[Any, Any] = {}
        phase_rows: list[Any] = list(evs.itertuples())
        for e in phase_rows:
            stages.setdefault(stage_of.get((t.method, e.phase)), e.started_on)
        history = by_tid["assignments"].get(t.id, empty)
        done = history[history["assigned_at"] < day + pd.Timedelta(days=1)] if len(history) else (
            history)
        if len(history) == 0:
            coach_id = t.coach_id
        else:
            coach_id = done["coach_id"].iloc[-1] if len(done) else pd.NA
        latest = {}
        for name, col in (("zrm", "assessed_on"), ("ladder", "assessed_on"),
                          ("placements", "start_on")):
            part = by_tid[name].get(t.id, empty)
            part = part[part[col] <= day] if len(part) else part
            latest[name] = part.iloc[-1] if len(part) else None
        rows.append({
            "trajectory_id": t.id,
            "phase": phase,
            "phase_since": since,
            "days_in_phase": (day - since).days,
            "preparation_on": stages.get("preparation", pd.NaT),
            "employment_on": stages.get("employment", pd.NaT),
            "aftercare_on": stages.get("aftercare", pd.NaT),
            "coach_id": coach_id,
            "coach_code": coaches["code"].get(coach_id) if pd.notna(coach_id) else None,
            "coach_changes": max(len(done) - 1, 0),
            "coach_assigned_at": done["assigned_at"].iloc[0] if len(done) else pd.NaT,
            "zrm_on": latest["zrm"]["assessed_on"] if latest["zrm"] is not None else pd.NaT,
            "zrm_finances": latest["zrm"]["finances"] if latest["zrm"] is not None else pd.NA,
            "ladder_rung": latest["ladder"]["rung"] if latest["ladder"] is not None else pd.NA,
            "placement_kind": (latest["placements"]["kind"]
                               if latest["placements"] is not None else None),
        })
    return pd.DataFrame(rows)


def test_cases_frame_matches_a_per_trajectory_reference_on_demo_data(demo_db: Path) -> None:
    with Workspace(demo_db, today=DEMO_AS_OF) as store:
        for as_of in (DEMO_AS_OF, DEMO_AS_OF - dt.timedelta(days=150),
                      DEMO_AS_OF - dt.timedelta(days=400)):
            got = store.cases(as_of).reset_index(drop=True)
            want = _reference_cases(store, as_of)
            assert len(got) == len(want) > 0, as_of
            assert got["trajectory_id"].tolist() == want["trajectory_id"].tolist()
            for col in want.columns:
                left = got[col].astype(object).where(got[col].notna(), None).tolist()
                right = want[col].astype(object).where(want[col].notna(), None).tolist()
                assert left == right, f"{col} on {as_of}"
            # a past date really differs from today for some trajectories
            if as_of != DEMO_AS_OF:
                today = store.cases(DEMO_AS_OF).set_index("trajectory_id")
                past = got.set_index("trajectory_id")
                changed = past["phase"].astype(str) != today.loc[past.index, "phase"].astype(str)
                assert changed.any(), as_of
