"""Screens speak the words of the case's method (issue 15, item 2): an art. 60§7 case has a
trajectbegeleider and a cliënt, an opstapbaan case a jobcoach and a klant; an art. 60 case has no
aftercare step, and the demo's art. 60 contracts are with the OCMW."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest

from conftest import Staff, add_staff, make_store
from formdriver import fill, follow
from trajecttools.outputs.report import end_report_fragment, intake_report_fragment
from trajecttools.reads.case.dossier import load_dossier
from trajecttools.reads.caseload import caseload
from trajecttools.reads.frames import entity_frame
from trajecttools.reads.matching.assignment import congestion
from trajecttools.widgets.intake import IntakeApp
from trajecttools.widgets.matchtafel import MatchtafelDashboard
from trajecttools.widgets.toolkit import is_shown
from trajecttools.workspace import Workspace

TODAY = dt.date(2027, 6, 30)


@pytest.fixture
def w(tmp_path: Path) -> Iterator[tuple[Workspace, Staff]]:
    with make_store("sqlite", tmp_path, today=TODAY) as store:
        yield store, add_staff(store)


def _visible_text(widget: widgets.Widget) -> str:
    """Every value, option label and description of the widgets a person can see."""
    if not is_shown(widget):
        return ""
    out = [str(getattr(widget, k, "") or "") for k in ("value", "description", "placeholder")
           if isinstance(getattr(widget, k, None), str)]
    out += [str(label) for label in getattr(widget, "_options_labels", ()) or ()]
    out += [_visible_text(c) for c in getattr(widget, "children", ()) or ()]
    return " ".join(out)


def _case(store: Workspace, staff: Staff, method: str) -> int:
    day = "02-03-2026"
    return store.register(
        {"given_name": "Lotte", "family_name": "Peeters", "target_group": "long_term_benefit"},
        method=method, registered_at=f"{day} 10:00", case_manager_id=staff.case_manager,
        coach_id=staff.coach, coach_assigned_at=f"{day} 10:00",
        plan={"signed_case_manager_on": day, "signed_coach_on": day, "signed_client_on": day})


def test_registration_form_speaks_the_chosen_methods_words(w: tuple[Workspace, Staff]) -> None:
    """Art. 60§7 (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”): the
    arbeidstrajectbegeleider guides the cliënt; opstapbaan (“Traject Work-2-Gether”): the
    jobcoach and the klant. The form follows the method chosen, back and forth."""
    store, _ = w
    app = IntakeApp(store, actor="jet.coach", today=TODAY)
    app.new_button.click()
    reg = app.registration
    fill(reg.fields, {"method": "art60"})
    text = _visible_text(reg)
    assert "Trajectbegeleider" in text and "Cliënt" in text
    assert "Getekend door cliënt" in text and "maatschappelijk werker" in text
    assert "jobcoach" not in text.lower() and "klant" not in text.lower()
    assert "BSN" not in text
    fill(reg.fields, {"method": "opstapbaan"})
    text = _visible_text(reg)
    assert "Jobcoach" in text and "Getekend door klant" in text
    assert "trajectbegeleider" not in text.lower() and "cliënt" not in text.lower()
    # the check on a save speaks the same words
    fill(reg.fields, {"method": "art60", "coach_assigned_at": "01-03-2026 10:00"})
    reg.save_button.click()
    assert "kan alleen met een gekozen trajectbegeleider" in reg.fields.errors()[
        "coach_assigned_at"]


def test_intake_of_an_art60_case_speaks_its_words(w: tuple[Workspace, Staff]) -> None:
    """Art. 60§7 (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”): the intake screens of
    an art. 60 case name the cliënt and the trajectbegeleider; an opstapbaan case the klant and
    the jobcoach."""
    store, staff = w
    app = IntakeApp(store, actor="jet.coach", today=TODAY)
    app.picker.pick(_case(store, staff, "art60"))
    assert "trajectbegeleider" in app.head.value and "jobcoach" not in app.head.value
    for part in (app.intake, app.other_route):
        text = _visible_text(part)
        assert "cliënt" in text and "trajectbegeleider" in text, part
        assert "jobcoach" not in text.lower(), part
    assert "Wensen van de cliënt" in _visible_text(app.intake)
    app.picker.pick(_case(store, staff, "opstapbaan"))
    assert "Wensen van de klant" in _visible_text(app.intake)
    assert "de jobcoach een gemotiveerd voorstel" in _visible_text(app.other_route)


def test_follow_up_of_an_art60_case_has_no_aftercare_step(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 4: following up regular
    work “is facultatief” (``follow_up_after_work`` off for art60), and fase 5 is a job search:
    no “Nazorg” step, the end report asks how the trajectory went; an opstapbaan case (“Traject
    Work-2-Gether”) keeps its aftercare step."""
    store, staff = w
    art = follow(store, _case(store, staff, "art60"), actor="jet.coach", today=TODAY)
    assert not is_shown(art.steps.buttons["aftercare"])
    assert "Nazorg" not in _visible_text(art.steps)
    assert "trajectbegeleider" in art.head.value and "jobcoach" not in art.head.value
    assert "Bijv. cliënt, trajectbegeleider, maatschappelijk werker." in _visible_text(
        art.contact)
    art.steps.go("end_report")
    text = _visible_text(art.end_report)
    assert "Hoe is het traject verlopen?" in text and "nazorg" not in text.lower()
    assert "verder met de cliënt" in text
    # the same app opening an opstapbaan case shows the step again
    art.picker.pick(_case(store, staff, "opstapbaan"))
    assert is_shown(art.steps.buttons["aftercare"])
    assert "Hoe is de nazorg verlopen?" in _visible_text(art.end_report)
    assert "jobcoach" in art.head.value
    # and opening an art. 60 case while on the aftercare step leaves it for the first step
    art.steps.go("aftercare")
    art.picker.pick(_case(store, staff, "art60"))
    assert art.steps.current == "contact" and not is_shown(art.steps.buttons["aftercare"])


def test_demo_art60_contracts_are_with_the_ocmw(demo_db: Path) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”: under art. 60§7 the OCMW is the
    employer; the client works at its own services or at a user organisation
    (terbeschikkingstelling), recorded separately."""
    with Workspace(demo_db, today=dt.date(2026, 11, 2), migrate=False) as store:
        placements = entity_frame(store, "placements")
        employers = entity_frame(store, "employers").set_index("id")["name"]
        methods = entity_frame(store, "trajectories").set_index("id")["method"]
    art = placements[placements["trajectory_id"].map(methods) == "art60"]
    social = art[art["kind"] == "social_employment"]
    assert len(social) > 5
    names = social["employer_id"].map(employers)
    assert names.str.startswith("OCMW ").all(), names[~names.str.startswith("OCMW ")].head()
    assert social["user_organisation"].notna().all()
    # the workplace is not always the OCMW itself: some are at a user organisation
    elsewhere = ~social["user_organisation"].str.startswith("OCMW ")
    assert 0 < elsewhere.sum() < len(social)
    # where the client works at the OCMW's own services, they are those of the employer
    own = social[~elsewhere]
    assert (own["user_organisation"] == own["employer_id"].map(employers)).all()
    # placements of other kinds record no user organisation
    assert placements.loc[placements["kind"] != "social_employment",
                          "user_organisation"].isna().all()


def test_caseload_names_a_missing_coach_in_the_methods_word(w: tuple[Workspace, Staff]) -> None:
    """Default of the organisation (words): a trajectory without a coach is grouped as “Geen
    trajectbegeleider” (art. 60§7) or “Geen jobcoach” (opstapbaan), each in its own words."""
    store, staff = w
    for method in ("art60", "opstapbaan", "art60"):
        store.register({"given_name": "Sam", "family_name": "Janssens",
                        "target_group": "long_term_benefit"}, method=method,
                       registered_at="02-03-2026 10:00", case_manager_id=staff.case_manager)
    _case(store, staff, "art60")
    load = caseload(store, as_of=TODAY, by=("coach",)).set_index("coach")["active"]
    assert load["Geen trajectbegeleider"] == 2 and load["Geen jobcoach"] == 1
    assert load.sum() == 4


def test_matchtafel_speaks_of_the_clients_in_their_methods_words(
        w: tuple[Workspace, Staff]) -> None:
    """Default of the organisation (words): a table of art. 60 cases speaks of “cliënten”, of
    opstapbaan cases of “klanten”, of both of the neutral “deelnemers”."""
    store, staff = w
    _case(store, staff, "art60")
    board = MatchtafelDashboard(store, as_of=TODAY)
    text = _visible_text(board)
    assert "Cliënten van zorg" in text and "1 actieve cliënten" in text
    assert "klant" not in text.lower().replace("klantgegevens", "")
    assert board.back_button.description == "◀ Terug naar cliënt"
    _case(store, staff, "opstapbaan")
    board = MatchtafelDashboard(store, as_of=TODAY)
    assert "Deelnemers van zorg" in _visible_text(board)


def test_congestion_summary_in_the_given_words() -> None:
    """Default of the organisation (words): the Matchtafel's crowd summary names the clients in
    the words of the methods at the table."""
    pairs = pd.DataFrame({"trajectory_id": [1, 2, 2], "vacancy_id": [7, 7, 8],
                          "title": ["Magazijn"] * 2 + ["Groen"], "employer": ["A", "A", "B"],
                          "positions": [1, 1, 1], "rank": [1, 1, 2]})
    assert congestion(pairs, words=("cliënt", "cliënten")).attrs["summary"].startswith(
        "2 cliënten wijzen")
    assert congestion(pairs).attrs["summary"].startswith("2 klanten wijzen")


def test_case_reports_speak_the_methods_words(w: tuple[Workspace, Staff]) -> None:
    """Art. 60§7 (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”): the intake and end
    reports of an art. 60 case name the cliënt and the trajectbegeleider, and (follow-up of
    work being “facultatief” and off) ask how the trajectory went, not the aftercare."""
    store, staff = w
    art = load_dossier(store, _case(store, staff, "art60"))
    intake, end = intake_report_fragment(art), end_report_fragment(art)
    assert "<th>Trajectbegeleider</th>" in intake or "Trajectbegeleider<" in intake
    assert "getekend door cliënt" in intake and "Cliënt" in intake
    assert "jobcoach" not in intake.lower() and "klant" not in intake.lower()
    assert "Hoe is het traject verlopen" in end and "verder met de cliënt" in end
    op = intake_report_fragment(load_dossier(store, _case(store, staff, "opstapbaan")))
    assert "getekend door jobcoach" in op and "getekend door klant" in op

