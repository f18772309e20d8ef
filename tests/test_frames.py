"""Analyst frames: real dtypes, and the wide cases frame as of a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from conftest import add_staff, register_case
from trajecttools import vocab
from trajecttools.store import Store


def _full_case(store: Store) -> int:
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


def test_entity_frames_have_real_dtypes(store: Store) -> None:
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


def test_cases_frame_holds_the_key_facts(store: Store) -> None:
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


def test_cases_frame_as_of_an_earlier_date_ignores_later_events(store: Store) -> None:
    _full_case(store)
    row = store.cases(as_of=dt.date(2026, 6, 10)).iloc[0]
    assert row["contacts"] == 1
    assert row["zrm_on"] == pd.Timestamp("2026-06-08") and row["zrm_finances"] == 2
    assert row["coach_changes"] == 1
    row = store.cases(as_of=dt.date(2026, 6, 8)).iloc[0]
    assert row["coach_changes"] == 0


def test_cases_frame_dtypes(store: Store) -> None:
    _full_case(store)
    cases = store.cases(as_of=dt.date(2026, 6, 15))
    for col in ("phase_since", "registered_at", "intake_on", "aftercare_on", "closed_on"):
        assert pd.api.types.is_datetime64_any_dtype(cases[col]), col
    for col in ("target_group", "method", "phase", "outcome", "placement_kind", "stage"):
        assert isinstance(cases[col].dtype, pd.CategoricalDtype), col
    assert cases["ladder_rung"].dtype == "Int64"
