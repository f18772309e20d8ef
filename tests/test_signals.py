"""Signals: every rule fires just after its deadline and not before, in one private sentence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import BACKENDS, Staff, add_staff, make_store
from trajecttools.core import vocab
from trajecttools.core.dates import add_months_each, parse_date
from trajecttools.core.errors import InvalidRecord
from trajecttools.core.method import RULE_PARAMETERS, parse_method
from trajecttools.reads.caseload import caseload, phase_funnel
from trajecttools.reads.signals import (
    COLUMNS,
    RULES,
    case_states,
    compute,
    load_inputs,
    signals,
)
from trajecttools.workspace import Workspace

TODAY = dt.date(2027, 6, 30)


@dataclass
class World:
    store: Workspace
    staff: Staff


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A fresh register with a team, two coaches and a case manager; today is 30-06-2027."""
    with make_store(request.param, tmp_path, today=TODAY) as store:
        yield World(store, add_staff(store))


def d(text: str) -> dt.date:
    day = parse_date(text)
    assert day is not None
    return day


def new_case(
    w: World,
    registered: str = "02-03-2026 10:00",
    *,
    method: str = "opstapbaan",
    coach: bool = True,
    plan: dict[str, Any] | None = None,
    client: dict[str, Any] | None = None,
) -> int:
    """Register a trajectory (by default with a coach and a plan signed on registration)."""
    day = registered[:10]
    signed = {"signed_case_manager_on": day, "signed_coach_on": day, "signed_client_on": day}
    person = client or {"given_name": "Amira", "family_name": "Proefstra",
                        "target_group": "young_people"}
    return w.store.register(
        person,
        method=method,
        registered_at=registered,
        case_manager_id=w.staff.case_manager,
        coach_id=w.staff.coach if coach else None,
        coach_assigned_at=registered if coach else None,
        plan=signed if plan is None else plan,
    )


def move(w: World, tid: int, *steps: tuple[str, str]) -> None:
    """Walk a trajectory through phases: (phase, dd-mm-jjjj) pairs; closing means work."""
    for phase, on in steps:
        outcome = "work" if phase == "closed" else None
        w.store.change_phase(tid, phase, on=on, outcome=outcome)


def add(w: World, entity: str, **values: Any) -> int:
    return w.store.add(entity, values)


def fired(w: World, on: str, rule: str, tid: int) -> pd.DataFrame:
    """The signals of one rule for one trajectory on a date."""
    found = signals(w.store, d(on))
    return found[(found["rule"] == rule) & (found["trajectory_id"] == tid)]


def one(w: World, on: str, rule: str, tid: int) -> pd.Series:
    rows = fired(w, on, rule, tid)
    assert len(rows) == 1, rows
    return rows.iloc[0]


def nothing(w: World, on: str, rule: str, tid: int) -> bool:
    return fired(w, on, rule, tid).empty


# -- the rules, one by one -------------------------------------------------------------------
def test_coach_assignment(world: World) -> None:
    tid = new_case(world, "02-03-2026 10:00", coach=False)
    assert nothing(world, "04-03-2026", "coach_assignment", tid)
    row = one(world, "05-03-2026", "coach_assignment", tid)
    assert row["days_overdue"] == 1 and row["severity"] == "high"
    assert row["due_on"] == pd.Timestamp("2026-03-04")
    assert row["message"] == ("Geen jobcoach toegewezen binnen 48 uur na aanmelding op "
                              "02-03-2026 (1 dag te laat)")
    assert row["rule_label"] == "Jobcoach toegewezen binnen 48 uur na aanmelding"
    world.store.assign_coach(tid, world.staff.coach, at="09-03-2026 08:00")
    assert nothing(world, "09-03-2026", "coach_assignment", tid)
    assert one(world, "08-03-2026", "coach_assignment", tid)["days_overdue"] == 4


def test_plan_signatures_name_who_has_not_signed(world: World) -> None:
    tid = new_case(world, plan={"signed_coach_on": "03-03-2026"})
    assert nothing(world, "16-03-2026", "plan_signatures", tid)
    row = one(world, "17-03-2026", "plan_signatures", tid)
    assert row["days_overdue"] == 1 and row["severity"] == "medium"
    assert row["message"] == ("Trajectplan niet binnen 2 weken na aanmelding op 02-03-2026 "
                              "ondertekend door casemanager en klant (1 dag te laat)")
    plans = world.store.frame("trajectory_plans")
    plan_id = int(plans.loc[plans["trajectory_id"] == tid, "id"].iloc[0])
    version = world.store.get("trajectory_plans", plan_id)["version"]
    with world.store.transaction() as tx:
        tx.sign_plan(tid, {"signed_case_manager_on": "20-03-2026"}, expected_version=version)
    assert "door klant (" in one(world, "20-03-2026", "plan_signatures", tid)["message"]
    assert "casemanager en klant" in one(world, "19-03-2026", "plan_signatures", tid)["message"]


def test_intake_after_signing(world: World) -> None:
    tid = new_case(world, plan={"signed_case_manager_on": "03-03-2026",
                                "signed_coach_on": "02-03-2026",
                                "signed_client_on": "04-03-2026"})
    assert nothing(world, "18-03-2026", "intake_after_signing", tid)
    row = one(world, "19-03-2026", "intake_after_signing", tid)
    assert row["message"] == ("Intake niet gehouden binnen 2 weken na ondertekening trajectplan"
                              " op 04-03-2026 (1 dag te laat)")
    assert row["severity"] == "high" and row["phase_label"] == "Aanmelding"
    add(world, "contacts", trajectory_id=tid, kind="intake", held_on="25-03-2026")
    assert one(world, "24-03-2026", "intake_after_signing", tid)["days_overdue"] == 6
    assert nothing(world, "25-03-2026", "intake_after_signing", tid)
    moved_on = new_case(world)
    move(world, moved_on, ("intake", "03-03-2026"), ("stepping_stone", "20-03-2026"))
    assert one(world, "19-03-2026", "intake_after_signing", moved_on)["days_overdue"] == 3
    assert nothing(world, "20-03-2026", "intake_after_signing", moved_on)  # past the intake


def _stepping_stone_case(w: World, start: str, *, social_work_company: bool,
                         registered: str = "02-01-2026 09:00") -> tuple[int, int]:
    tid = new_case(w, registered, plan={})
    move(w, tid, ("intake", registered[:10]), ("stepping_stone", start))
    employer = add(w, "employers", name=f"Werkbedrijf {tid}",
                   social_work_company=social_work_company)
    placement = add(w, "placements", trajectory_id=tid, employer_id=employer,
                    kind="stepping_stone", start_on=start)
    return tid, placement


def test_stepping_stone_at_social_work_company(world: World) -> None:
    tid, placement = _stepping_stone_case(world, "15-01-2026", social_work_company=True)
    other, _ = _stepping_stone_case(world, "15-01-2026", social_work_company=False)
    rule = "stepping_stone_at_social_work_company"
    assert nothing(world, "15-04-2026", rule, tid)
    row = one(world, "16-04-2026", rule, tid)
    assert row["message"] == ("Opstapbaan al langer dan 3 maanden bij het sociaal werkbedrijf "
                              "(gestart op 15-01-2026; 1 dag te laat)")
    assert nothing(world, "16-04-2026", rule, other)
    version = world.store.get("placements", placement)["version"]
    world.store.update("placements", placement, {"end_on": "20-04-2026"},
                       expected_version=version)
    assert one(world, "19-04-2026", rule, tid)["days_overdue"] == 4
    assert nothing(world, "20-04-2026", rule, tid)


def test_stepping_stone_max_warns_before_and_signals_after(world: World) -> None:
    tid, _ = _stepping_stone_case(world, "15-01-2026", social_work_company=False)
    rule = "stepping_stone_max"
    assert nothing(world, "30-06-2026", rule, tid)
    near = one(world, "01-07-2026", rule, tid)
    assert near["days_overdue"] == -14 and near["severity"] == "medium"
    assert near["message"] == ("Opstapbaan bereikt over 14 dagen de maximale duur van 6 maanden"
                               " (gestart op 15-01-2026, einddatum 15-07-2026)")
    assert "vandaag" in one(world, "15-07-2026", rule, tid)["message"]
    over = one(world, "16-07-2026", rule, tid)
    assert over["days_overdue"] == 1 and over["severity"] == "high"
    assert over["message"] == ("Opstapbaan loopt langer dan 6 maanden (gestart op 15-01-2026; "
                               "1 dag te laat)")


def test_social_employment_max_in_art60(world: World) -> None:
    tid = new_case(world, "10-01-2024 09:00", method="art60")
    move(world, tid, ("mapping", "01-02-2024"))
    world.store.change_phase(tid, "employment", on="01-02-2024", decision="art60",
                             decision_reason="Regulier werk nog te hoog gegrepen")
    add(world, "placements", trajectory_id=tid, kind="social_employment", start_on="01-02-2024",
        user_organisation="Kringwinkel Gent")
    rule = "social_employment_max"
    assert nothing(world, "02-12-2025", rule, tid)
    near = one(world, "03-12-2025", rule, tid)
    assert near["days_overdue"] == -60 and near["severity"] == "medium"
    assert "over 60 dagen" in near["message"] and "24 maanden" in near["message"]
    assert near["message"].startswith("Tewerkstelling art. 60§7 bereikt")
    over = one(world, "02-02-2026", rule, tid)
    assert over["days_overdue"] == 1 and over["severity"] == "high"
    assert over["method"] == "art60" and over["phase_label"] == "Tewerkstelling"


@pytest.mark.parametrize(
    ("kind", "inside", "outside", "noun", "months"),
    [
        ("secondment", "10-05-2026", "11-05-2026", "Inleenvergoeding", "3 maanden"),
        ("wage_subsidy", "10-08-2026", "11-08-2026", "Loonkostensubsidie", "6 maanden"),
    ],
)
def test_secondment_and_wage_subsidy_max(world: World, kind: str, inside: str, outside: str,
                                         noun: str, months: str) -> None:
    tid = new_case(world, "02-01-2026 09:00")
    move(world, tid, ("intake", "05-01-2026"), ("stepping_stone", "06-01-2026"),
         ("placement", "10-02-2026"))
    promise = {"promised_contract_months": 6} if kind == "wage_subsidy" else {}
    add(world, "placements", trajectory_id=tid, kind=kind, start_on="10-02-2026", **promise)
    rule = f"{kind}_max"
    assert nothing(world, inside, rule, tid)
    row = one(world, outside, rule, tid)
    assert row["days_overdue"] == 1 and row["severity"] == "high"
    assert row["message"] == (f"{noun} loopt langer dan {months} (gestart op 10-02-2026; "
                              "1 dag te laat)")


def test_contact_gap_counts_contacts_and_aftercare_contacts(world: World) -> None:
    tid = new_case(world)
    assert nothing(world, "30-03-2026", "contact_gap", tid)
    row = one(world, "31-03-2026", "contact_gap", tid)
    assert row["message"] == ("Geen contact sinds de aanmelding op 02-03-2026, langer dan 4 weken"
                              " (1 dag te laat)")
    add(world, "contacts", trajectory_id=tid, kind="progress", held_on="05-04-2026",
        notes="Vertrouwelijk verslag")
    add(world, "aftercare_contacts", trajectory_id=tid, held_on="20-04-2026", party="employee")
    assert one(world, "31-03-2026", "contact_gap", tid)["days_overdue"] == 1  # as it stood then
    assert nothing(world, "18-05-2026", "contact_gap", tid)
    row = one(world, "19-05-2026", "contact_gap", tid)
    assert row["message"] == "Geen contact sinds 20-04-2026, langer dan 4 weken (1 dag te laat)"


def test_weekly_review_during_stepping_stone(world: World) -> None:
    tid, _ = _stepping_stone_case(world, "01-04-2026", social_work_company=True,
                                  registered="02-03-2026 10:00")
    add(world, "contacts", trajectory_id=tid, kind="weekly_review", held_on="31-03-2026")
    assert nothing(world, "11-04-2026", "weekly_review", tid)
    row = one(world, "12-04-2026", "weekly_review", tid)
    assert row["message"] == ("Geen wekelijkse evaluatie tijdens de opstapbaan sinds de start op "
                              "01-04-2026 (norm: elke 7 dagen, 3 dagen marge; 1 dag te laat)")
    add(world, "contacts", trajectory_id=tid, kind="weekly_review", held_on="10-04-2026")
    assert nothing(world, "20-04-2026", "weekly_review", tid)
    assert "sinds 10-04-2026" in one(world, "21-04-2026", "weekly_review", tid)["message"]


def _aftercare_case(w: World, since: str = "01-06-2026") -> int:
    tid = new_case(w, "02-01-2026 09:00")
    add(w, "placements", trajectory_id=tid, kind="regular", start_on=since)
    move(w, tid, ("intake", "05-01-2026"), ("stepping_stone", "06-01-2026"),
         ("placement", "01-05-2026"), ("aftercare", since))
    return tid


def test_aftercare_contact_names_the_party(world: World) -> None:
    tid = _aftercare_case(world)
    assert nothing(world, "15-06-2026", "aftercare_contact", tid)
    row = one(world, "16-06-2026", "aftercare_contact", tid)
    assert row["message"] == ("Geen nazorgcontact met werknemer en werkgever sinds 01-06-2026, "
                              "langer dan 2 weken (1 dag te laat)")
    assert row["severity"] == "high" and row["phase_label"] == "Nazorg"
    add(world, "aftercare_contacts", trajectory_id=tid, held_on="10-06-2026", party="employee")
    assert "met werkgever sinds 01-06-2026" in one(
        world, "16-06-2026", "aftercare_contact", tid)["message"]
    both = one(world, "25-06-2026", "aftercare_contact", tid)
    assert "werknemer en werkgever" in both["message"] and both["days_overdue"] == 10
    add(world, "aftercare_contacts", trajectory_id=tid, held_on="20-06-2026", party="both")
    assert nothing(world, "04-07-2026", "aftercare_contact", tid)
    assert one(world, "05-07-2026", "aftercare_contact", tid)["days_overdue"] == 1


def test_aftercare_duration(world: World) -> None:
    tid = _aftercare_case(world)
    assert nothing(world, "01-09-2026", "aftercare_duration", tid)
    row = one(world, "02-09-2026", "aftercare_duration", tid)
    assert row["severity"] == "low"
    assert row["message"] == ("Nazorg loopt langer dan 3 maanden (sinds 01-06-2026; "
                              "1 dag te laat)")


def test_end_report_also_after_closing(world: World) -> None:
    tid = _aftercare_case(world)
    move(world, tid, ("closed", "05-09-2026"))
    assert nothing(world, "15-09-2026", "end_report", tid)
    row = one(world, "16-09-2026", "end_report", tid)
    assert row["message"] == ("Geen beëindigingsrapportage binnen 2 weken na het einde van de "
                              "nazorg op 01-09-2026 (1 dag te laat)")
    assert row["phase_label"] == "Afgesloten"
    add(world, "end_reports", trajectory_id=tid, written_on="20-09-2026", results="Geheim")
    assert one(world, "19-09-2026", "end_report", tid)["days_overdue"] == 4
    assert nothing(world, "20-09-2026", "end_report", tid)


def test_agreements_overdue_counts_open_ones_on_the_date(world: World) -> None:
    tid = new_case(world)
    add(world, "agreements", trajectory_id=tid, what="cv maken", who="client", due_on="10-03-2026")
    add(world, "agreements", trajectory_id=tid, what="bellen", who="coach", due_on="12-03-2026",
        status="kept", closed_on="15-03-2026")
    add(world, "agreements", trajectory_id=tid, what="mailen", who="coach", due_on="09-03-2026",
        status="kept", closed_on="08-03-2026")
    assert nothing(world, "10-03-2026", "agreements_overdue", tid)
    row = one(world, "11-03-2026", "agreements_overdue", tid)
    assert row["message"] == ("1 afspraak niet op tijd nagekomen (uiterlijk 10-03-2026; "
                              "1 dag te laat)")
    row = one(world, "13-03-2026", "agreements_overdue", tid)
    assert row["message"] == ("2 afspraken niet op tijd nagekomen (de oudste uiterlijk "
                              "10-03-2026; 3 dagen te laat)")
    assert row["severity"] == "low"
    assert one(world, "16-03-2026", "agreements_overdue", tid)["message"].startswith("1 afspraak")


def test_agreements_not_kept_within_the_window(world: World) -> None:
    tid = new_case(world, "02-01-2026 09:00")
    for closed in ("01-03-2026", "10-03-2026"):
        add(world, "agreements", trajectory_id=tid, what="solliciteren", who="client",
            due_on=closed, status="not_kept", closed_on=closed, reason_not_kept="Ziek geweest")
    rule = "agreements_not_kept"
    assert nothing(world, "09-03-2026", rule, tid)
    row = one(world, "10-03-2026", rule, tid)
    assert row["message"] == ("2 afspraken niet nagekomen in de afgelopen 90 dagen (norm: minder"
                              " dan 2; laatste op 10-03-2026)")
    assert row["days_overdue"] == 0
    assert one(world, "29-05-2026", rule, tid)["days_overdue"] == 80  # 01-03 is 89 days ago
    assert nothing(world, "30-05-2026", rule, tid)  # 01-03 is 90 days ago: out of the window


def _two_changes(w: World) -> int:
    tid = new_case(w)
    w.store.assign_coach(tid, w.staff.other_coach, at="10-03-2026 09:00")
    w.store.assign_coach(tid, w.staff.coach, at="20-03-2026 09:00")
    return tid


def test_coach_changes(world: World) -> None:
    tid = _two_changes(world)
    assert nothing(world, "19-03-2026", "coach_changes", tid)
    row = one(world, "20-03-2026", "coach_changes", tid)
    assert row["message"] == ("Jobcoach 2 keer gewisseld, meer dan de norm van 1 keer "
                              "(sinds 20-03-2026)")
    assert row["coach"] == "Jet Coach" and row["team"] == "Team Rijnmond"
    assert one(world, "15-04-2026", "coach_changes", tid)["days_overdue"] == 26


def test_hand_offs_count_changes_of_the_guide_not_referrals(world: World) -> None:
    """“Arbeidstoeleiding: aanpak en begeleiding”: “De begeleider mag niet te vaak wisselen” and
    “het aantal schakelmomenten – het doorschuiven naar een andere discipline – te
    minimaliseren”. Referrals the coach keeps following are no hand-off; a coach change or a
    route handed on to another route is. The maximum of 3 is a default of the organisation."""
    tid = _two_changes(world)
    barrier = add(world, "barriers", trajectory_id=tid, domain="debts", severity=2,
                  noted_on="02-03-2026")
    for day in ("03-03-2026", "15-03-2026", "25-03-2026"):
        add(world, "referrals", barrier_id=barrier, agency="Schuldhulp", referred_on=day)
    assert nothing(world, "30-06-2026", "hand_offs", tid)  # 2 changes + 3 referrals: 2 hand-offs
    states = case_states(load_inputs(world.store, d("30-03-2026")), world.store.methods(),
                         d("30-03-2026")).set_index("trajectory_id")
    assert (states.loc[tid, "hand_offs"], states.loc[tid, "referrals"]) == (2, 3)

    person = {"given_name": "Dirk", "family_name": "Doorgeschoven", "target_group": "over_45"}
    first = new_case(world, "05-01-2026 09:00", client=person)
    client_id = int(world.store.get("trajectories", first)["client_id"])
    world.store.change_phase(first, "closed", on="20-01-2026", outcome="other_route",
                             outcome_reason="Voorstel voor een ander traject")
    second = world.store.register(client_id, method="opstapbaan", registered_at="01-02-2026 09:00",
                                  case_manager_id=world.staff.case_manager,
                                  coach_id=world.staff.coach, coach_assigned_at="01-02-2026 09:00")
    world.store.change_phase(second, "closed", on="10-02-2026", outcome="other_route",
                             outcome_reason="Terug naar de casemanager")
    third = world.store.register(client_id, method="opstapbaan", registered_at="01-03-2026 09:00",
                                 case_manager_id=world.staff.case_manager,
                                 coach_id=world.staff.coach, coach_assigned_at="01-03-2026 09:00")
    world.store.assign_coach(third, world.staff.other_coach, at="10-03-2026 09:00")
    assert nothing(world, "31-03-2026", "hand_offs", third)  # 3 hand-offs: the norm
    world.store.assign_coach(third, world.staff.coach, at="01-04-2026 09:00")
    assert nothing(world, "31-03-2026", "hand_offs", third)
    row = one(world, "01-04-2026", "hand_offs", third)
    assert row["message"] == ("4 overdrachten (2 jobcoachwissels en 2 eerdere trajecten "
                              "overgedragen), meer dan de norm van 3 (sinds 01-04-2026)")
    assert row["severity"] == "low"


def test_referral_follow_up_and_unreferred_severe_barriers(world: World) -> None:
    tid = new_case(world)
    debts = add(world, "barriers", trajectory_id=tid, domain="debts", severity=2,
                noted_on="01-03-2026", notes="Schuld bij de buren")
    add(world, "referrals", barrier_id=debts, agency="Schuldhulp Noord", referred_on="05-03-2026",
        last_followed_up_on="10-03-2026", status="in_care")
    mental = add(world, "barriers", trajectory_id=tid, domain="mental_health", severity=3,
                 noted_on="01-03-2026")
    add(world, "barriers", trajectory_id=tid, domain="housing", severity=2, noted_on="01-03-2026")
    rule = "referral_follow_up"
    assert nothing(world, "29-03-2026", rule, tid)
    row = one(world, "30-03-2026", rule, tid)
    assert row["message"] == ("Ernstige belemmering (bijzondere categorie) al 29 dagen zonder "
                              "doorverwijzing (norm: 4 weken; 1 dag te laat)")
    assert row["detail_domain"] == "mental_health"
    rows = fired(world, "08-04-2026", rule, tid)
    assert set(rows["detail_domain"]) == {"mental_health", "debts"}
    debt_row = rows[rows["detail_domain"] == "debts"].iloc[0]
    assert debt_row["message"] == ("Doorverwijzing schulden al 29 dagen niet opgevolgd "
                                   "(norm: 4 weken; 1 dag te laat)")
    early = fired(world, "07-04-2026", rule, tid)
    assert list(early["detail_domain"]) == ["mental_health"]
    add(world, "referrals", barrier_id=mental, agency="GGZ De Linde", referred_on="31-03-2026")
    assert one(world, "30-03-2026", rule, tid)["detail_domain"] == "mental_health"
    assert list(fired(world, "08-04-2026", rule, tid)["detail_domain"]) == ["debts"]
    assert not nothing(world, "28-04-2026", rule, tid)  # debts is still overdue
    row = fired(world, "29-04-2026", rule, tid).set_index("detail_domain").loc["mental_health"]
    assert row["message"] == ("Doorverwijzing voor een belemmering (bijzondere categorie) al 29 "
                              "dagen niet opgevolgd (norm: 4 weken; 1 dag te laat)")


def test_revolving_door_also_for_closed_trajectories(world: World) -> None:
    back = {"given_name": "Bram", "family_name": "Terug", "target_group": "over_45"}
    late = {"given_name": "Cor", "family_name": "Later", "target_group": "over_45"}
    tids = []
    for person, benefit_on in ((back, "01-02-2027"), (late, "02-02-2027")):
        tid = new_case(world, "02-01-2025 09:00", client=person)
        client_id = world.store.get("trajectories", tid)["client_id"]
        add(world, "benefit_periods", client_id=client_id, kind="social_assistance",
            start_on="01-01-2025", end_on="31-01-2026")
        add(world, "benefit_periods", client_id=client_id, kind="none", start_on="01-03-2026")
        add(world, "benefit_periods", client_id=client_id, kind="social_assistance",
            start_on=benefit_on)
        add(world, "placements", trajectory_id=tid, kind="regular", start_on="01-02-2026")
        if person is late:  # a benefit from the placement's own first day is no return
            add(world, "benefit_periods", client_id=client_id, kind="unemployment",
                start_on="01-02-2026", end_on="01-02-2026")
        move(world, tid, ("intake", "05-01-2025"), ("stepping_stone", "06-01-2025"),
             ("placement", "01-02-2026"), ("aftercare", "01-02-2026"), ("closed", "01-05-2026"))
        tids.append(tid)
    rule = "revolving_door"
    assert nothing(world, "31-01-2027", rule, tids[0])
    row = one(world, "01-02-2027", rule, tids[0])
    assert row["message"] == ("Binnen 12 maanden na plaatsing op 01-02-2026 terug in de uitkering"
                              " (sinds 01-02-2027)")
    assert row["severity"] == "high" and row["days_overdue"] == 0
    assert nothing(world, "30-06-2027", rule, tids[1])  # 12 months and a day after placement


def test_running_trajectories_come_before_closed_ones_within_a_severity(world: World) -> None:
    person = {"given_name": "Bram", "family_name": "Terug", "target_group": "over_45"}
    back = new_case(world, "02-01-2025 09:00", client=person)
    client_id = world.store.get("trajectories", back)["client_id"]
    add(world, "benefit_periods", client_id=client_id, kind="social_assistance",
        start_on="01-01-2025", end_on="31-01-2026")
    add(world, "placements", trajectory_id=back, kind="regular", start_on="01-02-2026")
    move(world, back, ("intake", "05-01-2025"), ("stepping_stone", "06-01-2025"),
         ("placement", "01-02-2026"), ("aftercare", "01-02-2026"), ("closed", "01-05-2026"))
    add(world, "benefit_periods", client_id=client_id, kind="social_assistance",
        start_on="01-06-2026")  # a revolving door, long ago: many days "overdue"
    running = new_case(world, "20-06-2027 10:00", coach=False)  # no coach after 48 hours
    found = signals(world.store, d("30-06-2027"))
    high = found[found["severity"] == "high"]
    door = high[high["rule"] == "revolving_door"].iloc[0]
    coach = high[high["rule"] == "coach_assignment"].iloc[0]
    assert door["trajectory_id"] == back and not door["active"]
    assert coach["trajectory_id"] == running and coach["active"]
    assert door["days_overdue"] > coach["days_overdue"]  # overdue alone would put it first
    ids = high["trajectory_id"].tolist()
    assert ids.index(running) < ids.index(back)
    assert not high["active"].iloc[-1] and high["active"].iloc[0]
    assert found["active"].dtype == bool


# -- numbers come from the method ------------------------------------------------------------
def test_every_rule_of_the_methods_is_implemented() -> None:
    assert list(RULES) == list(RULE_PARAMETERS)


def test_changing_a_number_in_the_method_changes_the_result(world: World) -> None:
    tid = new_case(world)  # plan signed 02-03-2026, no intake
    day = d("10-03-2026")
    inputs = load_inputs(world.store, day)
    shipped = world.store.methods()
    stricter = parse_method({"extends": "opstapbaan",
                             "rules": {"intake_after_signing": {"days": 7}}})
    switched_off = parse_method({"extends": "opstapbaan",
                                 "rules": {"intake_after_signing": {"enabled": False}}})

    def intake(methods: dict[str, Any]) -> pd.DataFrame:
        found = compute(inputs, methods, day)
        return found[(found["rule"] == "intake_after_signing") & (found["trajectory_id"] == tid)]

    assert intake(shipped).empty
    row = intake({**shipped, "opstapbaan": stricter}).iloc[0]
    assert row["days_overdue"] == 1 and "binnen 7 dagen" in row["message"]
    assert intake({**shipped, "opstapbaan": switched_off}).empty
    assert intake({"art60": shipped["art60"]}).empty  # not a trajectory of that method


def test_an_installed_method_file_drives_the_signals(world: World, tmp_path: Path) -> None:
    own = tmp_path / "strikt.toml"
    own.write_text(
        'extends = "opstapbaan"\n[method]\ncode = "strikt"\nname = "Strikt"\n'
        '[rules.contact_gap]\nweeks = 2\nseverity = "high"\n',
        encoding="utf-8",
    )
    world.store.install_method(own)
    strict = new_case(world, method="strikt")
    usual = new_case(world)
    assert nothing(world, "16-03-2026", "contact_gap", strict)
    row = one(world, "17-03-2026", "contact_gap", strict)
    assert row["severity"] == "high" and "langer dan 2 weken" in row["message"]
    assert row["method"] == "strikt"
    assert nothing(world, "17-03-2026", "contact_gap", usual)


def test_method_filter(world: World) -> None:
    step = new_case(world)
    art = new_case(world, method="art60")
    everything = signals(world.store, d("01-05-2026"))
    assert {step, art} <= set(everything["trajectory_id"])
    only_art = signals(world.store, d("01-05-2026"), method="art60")
    assert set(only_art["trajectory_id"]) == {art}
    assert set(only_art["method"]) == {"art60"}
    assert len(only_art) == (everything["method"] == "art60").sum()
    with pytest.raises(InvalidRecord, match="onbekende methode 'nergens'"):
        signals(world.store, d("01-05-2026"), method="nergens")


# -- the frame ---------------------------------------------------------------------------------
def test_frame_columns_dtypes_and_order(world: World) -> None:
    _aftercare_case(world)
    new_case(world, coach=False, plan={})
    _two_changes(world)
    found = signals(world.store, d("01-10-2026"))
    assert tuple(found.columns) == COLUMNS
    assert list(found["severity"].cat.categories) == ["high", "medium", "low"]
    assert found["severity"].cat.ordered
    assert pd.api.types.is_datetime64_any_dtype(found["due_on"])
    assert found["days_overdue"].dtype == "int64"
    assert found["coach_id"].dtype == "Int64"
    ranks = found["severity"].cat.codes.to_numpy()
    assert (np.diff(ranks) >= 0).all()
    for _, group in found.groupby("severity", observed=True):
        assert group["days_overdue"].is_monotonic_decreasing
    assert {"high", "medium", "low"} <= set(found["severity"].astype(str))
    no_coach = found[found["rule"] == "coach_assignment"].iloc[0]
    assert pd.isna(no_coach["coach_id"]) and pd.isna(no_coach["coach"])
    assert found["initials"].str.fullmatch(r"A\.P\.").all()
    assert found["pseudonym"].str.startswith("K-").all()


def test_empty_register_gives_an_empty_frame(world: World) -> None:
    found = signals(world.store)
    assert found.empty and tuple(found.columns) == COLUMNS
    assert list(found["severity"].cat.categories) == ["high", "medium", "low"]


def test_as_of_must_match_the_inputs(world: World) -> None:
    inputs = load_inputs(world.store, d("01-03-2026"))
    with pytest.raises(ValueError, match="peildatum"):
        compute(inputs, world.store.methods(), d("02-03-2026"))


def test_add_months_is_pandas_dateoffset() -> None:
    days = pd.to_datetime(["2026-01-31", "2024-02-29", "2026-03-15", "2025-12-31", None])
    months = np.array([1.0, 12.0, 3.0, 2.0, 1.0])
    got = add_months_each(days.to_numpy(dtype="datetime64[ns]"), months)
    for day, n, value in zip(days[:-1], months, got, strict=False):
        assert pd.Timestamp(value) == day + pd.DateOffset(months=int(n))
    assert list(pd.DatetimeIndex(got[:4]).strftime("%d-%m-%Y")) == [
        "28-02-2026", "28-02-2025", "15-06-2026", "28-02-2026"]
    assert pd.isna(got[-1])
    first = days[:1].to_numpy(dtype="datetime64[ns]")
    assert pd.isna(add_months_each(first, np.array([np.nan]))[0])


# -- privacy -------------------------------------------------------------------------------------
def test_messages_hold_no_names_notes_or_special_categories(world: World) -> None:
    person = {"given_name": "Zoë", "family_name": "van der Geheim", "bsn": "111222333",
              "target_group": "young_people", "wishes": "Wil bij de politie"}
    tid = new_case(world, coach=False, plan={}, client=person)
    secrets = ["Zoë", "Geheim", "111222333", "politie"]
    add(world, "contacts", trajectory_id=tid, kind="progress", held_on="03-03-2026",
        notes="Vertelde over opname")
    add(world, "agreements", trajectory_id=tid, what="Naar de reclassering", who="client",
        due_on="05-03-2026", status="not_kept", closed_on="06-03-2026",
        reason_not_kept="Terugval in gebruik")
    add(world, "agreements", trajectory_id=tid, what="Afspraak huisarts", who="client",
        due_on="06-03-2026", status="not_kept", closed_on="07-03-2026",
        reason_not_kept="Te somber")
    add(world, "agreements", trajectory_id=tid, what="Medicatie ophalen", who="client",
        due_on="07-03-2026")
    secrets += ["opname", "reclassering", "Terugval", "huisarts", "somber", "Medicatie"]
    for domain in sorted(vocab.SPECIAL_CATEGORY_DOMAINS):
        barrier = add(world, "barriers", trajectory_id=tid, domain=domain, severity=3,
                      noted_on="02-03-2026", notes=f"Details {domain}")
        if domain == "addiction":
            add(world, "referrals", barrier_id=barrier, agency="Verslavingszorg Tactus",
                referred_on="03-03-2026")
    secrets += ["Details", "Tactus", "Verslavingszorg"]
    found = signals(world.store, d("01-06-2026"))
    mine = found[found["trajectory_id"] == tid]
    assert {"coach_assignment", "plan_signatures", "contact_gap", "agreements_overdue",
            "referral_follow_up"} <= set(mine["rule"])
    assert mine.iloc[0]["initials"] == "Z.G."
    special_words = [*vocab.SPECIAL_CATEGORY_DOMAINS,
                     *(vocab.BARRIER_DOMAINS[k] for k in vocab.SPECIAL_CATEGORY_DOMAINS),
                     "gezondheid", "verslaving", "justitie", "psychisch"]
    for message in found["message"]:
        lowered = message.lower()
        for word in secrets + special_words:
            assert word.lower() not in lowered, (word, message)
    referral_rows = mine[mine["rule"] == "referral_follow_up"]
    assert set(referral_rows["detail_domain"]) == set(vocab.SPECIAL_CATEGORY_DOMAINS)
    assert referral_rows["message"].str.contains("(bijzondere categorie)", regex=False).all()
    assert (mine.loc[mine["rule"] != "referral_follow_up", "detail_domain"] == "").all()


# -- caseload and flow -----------------------------------------------------------------------
def _caseload_world(w: World) -> dict[str, int]:
    intake = new_case(w, "02-03-2026 10:00")
    move(w, intake, ("intake", "10-03-2026"))
    waiting = new_case(w, "02-03-2026 10:00")
    stepping = new_case(w, "02-02-2026 10:00")
    move(w, stepping, ("intake", "03-02-2026"), ("stepping_stone", "01-03-2026"))
    w.store.assign_coach(stepping, w.staff.other_coach, at="05-03-2026 09:00")
    barrier = add(w, "barriers", trajectory_id=stepping, domain="debts", severity=2,
                  noted_on="02-03-2026")
    add(w, "referrals", barrier_id=barrier, agency="Schuldhulp", referred_on="06-03-2026")
    nobody = new_case(w, "16-03-2026 10:00", coach=False)
    closed = new_case(w, "02-02-2026 10:00")
    move(w, closed, ("closed", "01-03-2026"))
    w.store.assign_coach(closed, w.staff.other_coach, at="02-02-2026 12:00")
    return {"intake": intake, "waiting": waiting, "stepping": stepping, "nobody": nobody,
            "closed": closed}


def test_case_states_as_of_a_date(world: World) -> None:
    ids = _caseload_world(world)
    day = d("20-03-2026")
    states = case_states(load_inputs(world.store, day), world.store.methods(), day)
    row = states.set_index("trajectory_id").loc[ids["stepping"]]
    # the referral the coach keeps following is no hand-off (“Arbeidstoeleiding: aanpak en
    # begeleiding”: the guide changing is)
    assert (row["phase"], row["coach"], row["coach_changes"], row["hand_offs"]) == (
        "stepping_stone", "Kees Coach", 1, 1)
    assert row["days_in_phase"] == 19
    earlier = d("05-03-2026")
    states = case_states(load_inputs(world.store, earlier), world.store.methods(), earlier)
    row = states.set_index("trajectory_id").loc[ids["intake"]]
    assert (row["phase"], row["phase_label"], row["active"]) == ("registration", "Aanmelding",
                                                                 True)
    assert ids["nobody"] not in set(states["trajectory_id"])  # registered later
    for day, active in (("28-02-2026", True), ("01-03-2026", False)):
        states = case_states(load_inputs(world.store, d(day)), world.store.methods(), d(day))
        row = states.set_index("trajectory_id").loc[ids["closed"]]
        assert bool(row["active"]) is active
        assert row["phase"] == ("registration" if active else "closed")


def test_caseload_per_coach_and_team(world: World) -> None:
    ids = _caseload_world(world)
    day = d("20-03-2026")
    found = signals(world.store, day)
    load = caseload(world.store, found, as_of=day).set_index(["team", "coach"])
    jet = load.loc[("Team Rijnmond", "Jet Coach")]
    assert jet["active"] == 2 and jet["Aanmelding"] == 1 and jet["Intake"] == 1
    assert jet["Opstapbaan"] == 0
    assert (jet["median_days_in_phase"], jet["max_days_in_phase"]) == (14, 18)
    kees = load.loc[("Team Rijnmond", "Kees Coach")]
    assert (kees["active"], kees["Opstapbaan"], kees["coach_changes"], kees["hand_offs"]) == (
        1, 1, 1, 1)
    nobody = load.loc[("Geen team", "Geen jobcoach")]
    assert nobody["active"] == 1 and nobody["signals_high"] >= 1
    for (team, coach), group in found.assign(
            team=found["team"].fillna("Geen team"),
            coach=found["coach"].fillna("Geen jobcoach")).groupby(["team", "coach"]):
        row = load.loc[(team, coach)]
        for level in ("high", "medium", "low"):
            assert row[f"signals_{level}"] == (group["severity"] == level).sum()
        assert row["with_signals"] == group["trajectory_id"].nunique()
    assert load.attrs["phase_columns"] == [  # by stage, then method
        "Aanmelding", "Verkenning leefsituatie", "Intake", "Kwaliteiten en tekorten in kaart",
        "Opstapbaan", "Tewerkstelling", "Begeleiding tijdens tewerkstelling", "Plaatsing",
        "Einde art. 60: volgende job", "Nazorg"]
    teams = caseload(world.store, found, by=("team",), as_of=day).set_index("team")
    assert teams.loc["Team Rijnmond", "active"] == 3
    assert teams.loc["Team Rijnmond", "signals"] == found["team"].eq("Team Rijnmond").sum()
    from_cases = caseload(world.store.cases(day), found)
    assert from_cases["active"].sum() == 4 and from_cases["hand_offs"].isna().all()
    assert ids["closed"] not in set(found.loc[found["rule"] == "contact_gap", "trajectory_id"])


def test_phase_funnel_in_method_order(world: World) -> None:
    _caseload_world(world)
    funnel = phase_funnel(world.store, as_of=d("20-03-2026"))
    step = funnel[funnel["method"] == "opstapbaan"]
    assert list(step["phase"]) == ["registration", "intake", "stepping_stone", "placement",
                                   "aftercare"]
    assert list(step["step"]) == [1, 2, 3, 4, 5]
    assert list(step["active"]) == [2, 1, 1, 0, 0]
    assert step["share"].iloc[0] == 0.5
    art = funnel[funnel["method"] == "art60"]
    assert len(art) == 5 and art["active"].sum() == 0 and (art["share"] == 0).all()
    from_cases = phase_funnel(world.store.cases(d("20-03-2026")), world.store.methods())
    assert from_cases["active"].sum() == 4


def test_imported_register_without_history_uses_the_current_state(world: World) -> None:
    world.store.bulk_load({
        "clients": pd.DataFrame({
            "id": [1], "pseudonym": ["K-IMPORT"], "given_name": ["Ilse"],
            "family_name": ["de Import"], "target_group": ["over_45"],
            "created_at": [pd.Timestamp("2026-01-05")]}),
        "trajectories": pd.DataFrame({
            "id": [7], "client_id": [1], "method": ["opstapbaan"],
            "registered_at": [pd.Timestamp("2026-01-05 09:00")], "coach_id": [world.staff.coach],
            "phase": ["intake"], "phase_since": [pd.Timestamp("2026-01-20")]}),
    })
    found = signals(world.store, d("01-03-2026"))
    mine = found[found["trajectory_id"] == 7]
    assert "coach_assignment" not in set(mine["rule"])
    gap = mine[mine["rule"] == "contact_gap"].iloc[0]
    assert (gap["coach"], gap["phase_label"], gap["initials"]) == ("Jet Coach", "Intake", "I.I.")
    assert "sinds de aanmelding op 05-01-2026" in gap["message"]
    assert "plan_signatures" in set(mine["rule"])  # no plan at all: nobody signed
