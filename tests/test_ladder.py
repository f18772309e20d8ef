"""The opstapbaan ladder of “Traject Work-2-Gether”: the whole opstapbaan, wage subsidy 'op proef'
with the promised contract, aftercare from a regular contract, its 6-month minimum."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import Staff, add_staff, make_store
from trajecttools.core.dates import parse_date
from trajecttools.core.errors import InvalidRecord
from trajecttools.core.method import load_method, method_to_toml, parse_method
from trajecttools.reads.case.dossier import placement_limit_text, placement_limit_warning
from trajecttools.reads.signals import signals
from trajecttools.widgets.contacts import placement_title
from trajecttools.workspace import Workspace

TODAY = dt.date(2027, 6, 30)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Workspace, Staff]]:
    """A fresh SQLite register with a team, two coaches and a case manager."""
    with make_store("sqlite", tmp_path, today=TODAY) as store:
        yield store, add_staff(store)


def d(text: str) -> dt.date:
    day = parse_date(text)
    assert day is not None
    return day


def case(w: tuple[Workspace, Staff], registered: str = "02-01-2026 09:00") -> int:
    store, staff = w
    day = registered[:10]
    return store.register(
        {"given_name": "Amira", "family_name": "Proefstra", "target_group": "over_45"},
        method="opstapbaan", registered_at=registered, case_manager_id=staff.case_manager,
        coach_id=staff.coach, coach_assigned_at=registered,
        plan={"signed_case_manager_on": day, "signed_coach_on": day, "signed_client_on": day})


def employer(w: tuple[Workspace, Staff], name: str, *, swc: bool) -> int:
    return w[0].add("employers", {"name": name, "social_work_company": swc})


def place(w: tuple[Workspace, Staff], tid: int, kind: str, start: str, end: str | None = None,
          **extra: Any) -> int:
    return w[0].add("placements", {"trajectory_id": tid, "kind": kind, "start_on": start,
                                   "end_on": end, **extra})


def fired(w: tuple[Workspace, Staff], on: str, rule: str, tid: int) -> pd.DataFrame:
    found = signals(w[0], d(on))
    return found[(found["rule"] == rule) & (found["trajectory_id"] == tid)]


def one(w: tuple[Workspace, Staff], on: str, rule: str, tid: int) -> pd.Series:
    rows = fired(w, on, rule, tid)
    assert len(rows) == 1, rows
    return rows.iloc[0]


def stepping_stone(w: tuple[Workspace, Staff]) -> int:
    tid = case(w)
    w[0].change_phase(tid, "intake", on="05-01-2026")
    w[0].change_phase(tid, "stepping_stone", on="15-01-2026")
    return tid


# -- the whole opstapbaan ------------------------------------------------------------------------
def test_stepping_stone_max_counts_the_whole_opstapbaan_across_placements(world: Any) -> None:
    """“Traject Work-2-Gether”: “De maximale periode van een opstapbaan beslaat 6 maanden. […]
    zullen wij trachten hem niet langer dan 3 maanden te laten werken bij SDW. De rest van de
    periode zien wij hem liever aan het werk bij een reguliere werkgever.” 3 months at the SDW
    and the rest at a regular employer are one opstapbaan of at most 6 months."""
    tid = stepping_stone(world)
    sdw, shop = employer(world, "SDW", swc=True), employer(world, "Bakkerij", swc=False)
    place(world, tid, "stepping_stone", "15-01-2026", "15-04-2026", employer_id=sdw)
    place(world, tid, "stepping_stone", "15-04-2026", employer_id=shop)
    rule = "stepping_stone_max"
    # each row alone is far from 6 months; together they reach them on 15-07-2026
    assert fired(world, "30-06-2026", rule, tid).empty
    near = one(world, "01-07-2026", rule, tid)
    assert near["days_overdue"] == -14
    assert near["message"] == ("Opstapbaan bereikt over 14 dagen de maximale duur van 6 maanden "
                               "(2 plaatsingen samen, eerste gestart op 15-01-2026, einddatum "
                               "15-07-2026)")
    over = one(world, "16-07-2026", rule, tid)
    assert over["days_overdue"] == 1 and over["severity"] == "high"
    assert over["message"] == ("Opstapbaan in totaal loopt langer dan 6 maanden (2 plaatsingen "
                               "samen, eerste gestart op 15-01-2026; 1 dag te laat)")


def test_a_gap_between_opstapbaan_placements_does_not_count(world: Any) -> None:
    """“Traject Work-2-Gether”: the opstapbaan lasts at most 6 months: days worked in it count,
    a week between two placements does not."""
    tid = stepping_stone(world)
    place(world, tid, "stepping_stone", "15-01-2026", "15-04-2026")
    place(world, tid, "stepping_stone", "22-04-2026")
    # 90 + 91 days on 22-07-2026: the 181 days of 6 months from 15-01-2026, a week later
    assert "vandaag" in one(world, "22-07-2026", "stepping_stone_max", tid)["message"]
    assert one(world, "23-07-2026", "stepping_stone_max", tid)["days_overdue"] == 1


def test_more_than_3_months_at_the_social_work_company_in_total(world: Any) -> None:
    """“Traject Work-2-Gether”: “zullen wij trachten hem niet langer dan 3 maanden te laten
    werken bij SDW”: the months at the SDW are added up over its placements; time at a
    regular employer does not count."""
    tid = stepping_stone(world)
    sdw, shop = employer(world, "SDW", swc=True), employer(world, "Bakkerij", swc=False)
    place(world, tid, "stepping_stone", "15-01-2026", "15-03-2026", employer_id=sdw)
    place(world, tid, "stepping_stone", "15-03-2026", "01-04-2026", employer_id=shop)
    place(world, tid, "stepping_stone", "01-04-2026", employer_id=sdw)
    rule = "stepping_stone_at_social_work_company"
    # 59 days, then from 01-04: 3 months from 15-01 are 90 days, reached on 02-05-2026
    assert fired(world, "02-05-2026", rule, tid).empty
    row = one(world, "03-05-2026", rule, tid)
    assert row["message"] == ("Opstapbaan in totaal al langer dan 3 maanden bij het sociaal "
                              "werkbedrijf (2 plaatsingen samen, eerste gestart op 15-01-2026; "
                              "1 dag te laat)")
    other = stepping_stone(world)
    place(world, other, "stepping_stone", "15-01-2026", "15-03-2026", employer_id=sdw)
    place(world, other, "stepping_stone", "15-03-2026", employer_id=shop)
    assert fired(world, "02-06-2026", rule, other).empty  # running at the regular employer


# -- wage subsidy 'op proef' and the promise ----------------------------------------------------
def test_wage_subsidy_is_op_proef_with_the_promise_of_a_contract(world: Any) -> None:
    """“Traject Work-2-Gether”: “blijven we gebruik maken van de loonkostensubsidie […] en
    bieden wij de werkgever aan de klant 'op proef' te laten werken. […] de belofte van een
    arbeidsovereenkomst voor minimaal 6 maanden zonder proeftijd.” One step, with the promise
    recorded; no separate trial placement with its own (invented) limit."""
    method = load_method("opstapbaan")
    assert "trial" not in method.placement_types
    assert method.placement_types["wage_subsidy"].promise_min_months == 6
    assert placement_limit_text(method, "wage_subsidy") == (
        "maximaal 6 maanden, op proef, met belofte van een arbeidsovereenkomst van minimaal 6 "
        "maanden zonder proeftijd")
    tid = stepping_stone(world)
    store = world[0]
    with pytest.raises(InvalidRecord) as missing:
        place(world, tid, "wage_subsidy", "01-03-2026")
    assert missing.value.problems[0].field == "promised_contract_months"
    assert "Beloofd contract zonder proeftijd (maanden)" in str(missing.value)
    assert "is verplicht bij loonkostensubsidie" in str(missing.value)
    with pytest.raises(InvalidRecord, match="moet minstens 6 zijn"):
        place(world, tid, "wage_subsidy", "01-03-2026", promised_contract_months=3)
    assert store.count("placements") == 0  # nothing half-written
    pid = place(world, tid, "wage_subsidy", "01-03-2026", promised_contract_months=12)
    row = store.get("placements", pid)
    assert row["promised_contract_months"] == 12
    assert placement_title(row) == ("Loonkostensubsidie, vanaf 01-03-2026; belofte: contract "
                                     "van 12 maanden zonder proeftijd")
    with pytest.raises(InvalidRecord, match="moet minstens 6"):
        store.update("placements", pid, {"promised_contract_months": 2},
                     expected_version=row["version"])
    # the promise belongs to this method: art. 60 has no such rule in its text
    assert load_method("art60").placement_types["wage_subsidy"].promise_min_months is None


def test_the_ladder_settings_survive_storing_a_resolved_method() -> None:
    """Default of the organisation: an inherited method is stored as TOML with its ladder."""
    mine = parse_method({"extends": "opstapbaan", "method": {"code": "eigen"}})
    again = parse_method(tomllib.loads(method_to_toml(mine)))
    assert again.placement_types == mine.placement_types
    assert again.aftercare_placement_types() == ("regular",)


# -- aftercare starts with a regular contract ----------------------------------------------------
def test_aftercare_starts_only_with_a_regular_contract(world: Any) -> None:
    """“Traject Work-2-Gether”: “De nazorg start op het moment dat er sprake is van een reguliere
    arbeidsovereenkomst zonder loonkostensubsidie.” The phase change into aftercare checks it."""
    store = world[0]
    tid = stepping_stone(world)
    store.change_phase(tid, "placement", on="01-03-2026")
    place(world, tid, "wage_subsidy", "01-03-2026", "31-08-2026", promised_contract_months=6)
    with pytest.raises(InvalidRecord) as refused:
        store.change_phase(tid, "aftercare", on="01-04-2026")
    problem = refused.value.problems[0]
    assert problem.field == "phase"
    assert problem.message == ("naar Nazorg kan pas als er op 01-04-2026 een plaatsing loopt met "
                               "Soort plaatsing 'Arbeidsovereenkomst zonder LKS'; registreer die "
                               "eerst onder Plaatsing")
    assert str(refused.value).startswith("Faseovergang: Fase: naar Nazorg")
    assert store.get("trajectories", tid)["phase"] == "placement"
    place(world, tid, "regular", "01-09-2026", promised_contract_months=None)
    with pytest.raises(InvalidRecord):  # the contract starts later than the phase change
        store.change_phase(tid, "aftercare", on="31-08-2026")
    store.change_phase(tid, "aftercare", on="01-09-2026")
    assert store.get("trajectories", tid)["phase"] == "aftercare"


def test_a_regular_contract_shorter_than_6_months_is_signalled(world: Any) -> None:
    """“Traject Work-2-Gether”: “Uitgangspunt is dat wij de werkgever vragen om de klant in dienst
    te nemen op basis van een arbeidsovereenkomst van 6 maanden zonder loonkostensubsidie” and
    “Het resultaat is dat de klant minimaal zes maanden aan het werk is”. A shorter contract is
    registered as it is (it happened), with a warning in the form and a signal."""
    method = load_method("opstapbaan")
    assert placement_limit_warning(method, "regular", d("01-02-2026"), d("31-07-2026")) == ""
    assert placement_limit_warning(method, "regular", d("01-02-2026"), d("30-07-2026")) == (
        "Let op: de einddatum ligt vóór de minimale duur van 6 maanden (op zijn vroegst "
        "31-07-2026).")
    store = world[0]
    short, enough = stepping_stone(world), stepping_stone(world)
    for tid, end in ((short, "30-04-2026"), (enough, "31-07-2026")):
        store.change_phase(tid, "placement", on="25-01-2026")
        place(world, tid, "regular", "01-02-2026", end)
        store.change_phase(tid, "aftercare", on="01-02-2026")
    row = one(world, "01-03-2026", "regular_contract_min", short)
    assert row["message"] == ("Arbeidsovereenkomst zonder loonkostensubsidie korter dan 6 "
                              "maanden (van 01-02-2026 tot 30-04-2026)")
    assert row["severity"] == "low" and row["days_overdue"] == -60  # known ahead: nearing
    assert one(world, "05-05-2026", "regular_contract_min", short)["severity"] == "medium"
    assert fired(world, "05-05-2026", "regular_contract_min", enough).empty


# -- revolving door: after regular work only -----------------------------------------------------
def test_revolving_door_only_after_a_regular_contract(world: Any) -> None:
    """“Traject Work-2-Gether”: nazorg prevents “dat klanten na de eerste periode van hun
    reguliere baan alsnog uitvallen en zogenaamde 'draaideurklanten' worden”: the revolving
    door is back on benefit after the regular contract, not after a step of the ladder."""
    store = world[0]
    tid = stepping_stone(world)
    client_id = store.get("trajectories", tid)["client_id"]
    store.change_phase(tid, "placement", on="01-03-2026")
    place(world, tid, "wage_subsidy", "01-03-2026", "31-05-2026", promised_contract_months=6)
    store.change_phase(tid, "closed", on="31-05-2026", outcome="dropped_out")
    store.add("benefit_periods", {"client_id": client_id, "kind": "social_assistance",
                                  "start_on": "01-06-2026"})
    assert fired(world, "01-07-2026", "revolving_door", tid).empty
