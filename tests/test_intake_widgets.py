"""Registration and intake forms, driven in-process: fill widgets, click, read the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from conftest import TODAY, Staff, add_staff
from formdriver import (
    BSN,
    REGISTRATION,
    add_row,
    counts,
    do_intake,
    fill,
    register,
    shown_texts,
)
from trajecttools.apps.intake import intake as intake_app
from trajecttools.core import vocab
from trajecttools.widgets.intake import IntakeApp
from trajecttools.widgets.toolkit import is_shown
from trajecttools.workspace import Workspace


@pytest.fixture
def staff(sqlite_store: Workspace) -> Staff:
    return add_staff(sqlite_store)


@pytest.fixture
def app(sqlite_store: Workspace, staff: Staff) -> IntakeApp:
    return IntakeApp(sqlite_store, actor="jet.coach", today=TODAY)


def test_app_has_stable_classes_and_starts_with_a_new_registration(app: IntakeApp) -> None:
    assert {"tt-form", "tt-intake"} <= set(app._dom_classes)
    assert app.steps.current == "registration"
    assert app.dossier is None
    save = app.registration.save_button
    assert {"tt-save", "tt-save-registration"} <= set(save._dom_classes)
    assert "tt-status" in app.registration.status._dom_classes
    assert "tt-field-error" in app.registration.fields["given_name"].error._dom_classes
    # labels come from the records' Dutch titles; required fields carry a star
    caption = app.registration.fields["given_name"].caption.value
    assert "Voornaam" in caption and "*" in caption
    assert app.registration.fields["birth_date"].control.placeholder == "dd-mm-jjjj"


def test_registration_saves_client_trajectory_plan_and_coach(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    tid = register(app, staff.coach, staff.case_manager)
    store = sqlite_store
    traj = store.get("trajectories", tid)
    client = store.get("clients", traj["client_id"])
    assert client["given_name"] == "Amira"
    assert client["family_name"] == "van der Proef"
    assert client["birth_date"] == dt.date(2001, 3, 14)
    assert client["target_group"] == "young_people"
    assert client["education_level"] == "mbo2"
    assert client["education_field"] == "Logistiek"
    assert client["postcode"] == "3011 AB"
    assert client["municipality"] == "Rotterdam"
    assert client["region"] == "Rijnmond"
    assert client["bsn"] == BSN
    assert traj["method"] == "opstapbaan"
    assert traj["registered_at"] == dt.datetime(2026, 3, 2, 9, 30)
    assert traj["phase"] == "registration"
    assert traj["coach_id"] == staff.coach
    assert traj["case_manager_id"] == staff.case_manager
    plan = store.frame("trajectory_plans").iloc[0]
    assert plan["trajectory_id"] == tid
    assert plan["goals"] == REGISTRATION["goals"]
    assert plan["rules"] == REGISTRATION["rules"]
    assert plan["signed_case_manager_on"].date() == dt.date(2026, 3, 4)
    assert plan["signed_coach_on"].date() == dt.date(2026, 3, 4)
    assert plan["signed_client_on"].date() == dt.date(2026, 3, 5)
    assignment = store.frame("coach_assignments").iloc[0]
    assert assignment["coach_id"] == staff.coach
    assert assignment["assigned_at"] == dt.datetime(2026, 3, 3, 10, 0)
    # one transaction, and the audit log names who did it
    audit = store.audit()
    mine = audit[audit["entity"].isin(["clients", "trajectories", "trajectory_plans"])]
    assert set(mine["actor"].astype(str)) == {"jet.coach"}
    assert not store.verify_audit()
    # the case is open, in edit mode, and the BSN is never shown back
    assert app.dossier is not None and app.dossier.has_bsn
    assert app.registration.fields["bsn"].control.value == ""
    assert not any(BSN in text for text in shown_texts(app))
    assert "BSN (vastgelegd)" in app.registration.fields["bsn"].caption.value
    assert "jet.coach" in app.registration.status.message
    # the pick list names the case by pseudonym and initials, never the full name
    labels = app.picker.labels
    assert any(client["pseudonym"] in label and "A.P." in label for label in labels)
    assert not any("Amira" in label or "Proef" in label for label in labels)


INVALID_REGISTRATION = [
    ("given_name", "", "Voornaam is verplicht"),
    ("given_name", "x" * 81, "Voornaam is te lang (maximaal 80 tekens)"),
    ("family_name", "  ", "Achternaam is verplicht"),
    ("birth_date", "31-02-2001", "Geboortedatum is geen geldige datum (gebruik dd-mm-jjjj)"),
    ("birth_date", "16-06-2026", "Geboortedatum mag niet in de toekomst liggen"),
    ("birth_date", "01-01-1920", "Geboortedatum geeft een leeftijd van 106 jaar"),
    ("target_group", "", "Doelgroep is verplicht"),
    ("education_field", "x" * 81, "Opleidingsrichting is te lang"),
    ("postcode", "12AB", "Postcode is geen geldige postcode"),
    ("municipality", "x" * 81, "Gemeente is te lang"),
    ("region", "x" * 81, "Regio is te lang"),
    ("bsn", "123456789", "voldoet niet aan de elfproef"),
    ("bsn", "12345", "moet uit 9 cijfers bestaan"),
    ("registered_at", "", "Aanmelding (datum en tijd) is verplicht"),
    ("registered_at", "gisteren", "is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)"),
    ("registered_at", "16-06-2026 09:00", "mag niet in de toekomst liggen"),
    ("coach_assigned_at", "16-06-2026 09:00", "Jobcoach toegewezen op mag niet in de toekomst"),
    ("coach_assigned_at", "01-03-2026 08:00", "Jobcoach toegewezen op ligt vóór de aanmelding"),
    ("goals", "x" * 4001, "Doelen is te lang (maximaal 4000 tekens)"),
    ("rules", "x" * 4001, "Spelregels is te lang"),
    ("signed_case_manager_on", "4 maart", "Getekend door casemanager is geen geldige datum"),
    ("signed_coach_on", "20-06-2026", "Getekend door jobcoach mag niet in de toekomst liggen"),
    ("signed_client_on", "01-03-2026",
     "Getekend door klant mag niet vóór de aanmelding (02-03-2026) liggen"),
]


@pytest.mark.parametrize(("key", "value", "message"), INVALID_REGISTRATION,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(INVALID_REGISTRATION)])
def test_invalid_registration_field_is_named_in_dutch_and_nothing_is_saved(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff, key: str, value: str, message: str
) -> None:
    before = counts(sqlite_store)
    values = {**REGISTRATION, "coach_id": staff.coach, "case_manager_id": staff.case_manager,
              key: value}
    fill(app.registration.fields, values)
    app.registration.save_button.click()
    errors = app.registration.fields.errors()
    assert key in errors, (errors, app.registration.status.message)
    assert message in errors[key]
    assert is_shown(app.registration.fields[key].error)
    assert "tt-invalid" in app.registration.fields[key]._dom_classes
    assert app.registration.status.kind == "error"
    assert "Niet opgeslagen" in app.registration.status.message
    assert counts(sqlite_store) == before
    assert app.dossier is None


def test_all_problems_of_a_form_show_at_once(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    fill(app.registration.fields, {"birth_date": "99-99-9999", "postcode": "x",
                                   "signed_client_on": "morgen"})
    app.registration.save_button.click()
    errors = app.registration.fields.errors()
    assert {"given_name", "family_name", "birth_date", "target_group", "postcode",
            "signed_client_on"} <= set(errors)
    assert "6 velden kloppen niet" in app.registration.status.message
    assert sqlite_store.count("clients") == 0
    # correcting the form clears the messages on the next save
    fill(app.registration.fields, {**REGISTRATION, "coach_id": staff.coach})
    app.registration.save_button.click()
    assert app.registration.fields.errors() == {}
    assert sqlite_store.count("clients") == 1


def test_full_intake_is_saved_in_one_transaction(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    store = sqlite_store
    tid = register(app, staff.coach, staff.case_manager)
    audit_before = len(store.audit())
    do_intake(app)
    d = app.dossier
    assert d is not None
    cid = d.client_id
    traj = store.get("trajectories", tid)
    assert traj["phase"] == "intake"
    assert traj["phase_since"] == dt.date(2026, 3, 10)
    contact = store.frame("contacts").iloc[0]
    assert contact["kind"] == "home_visit"
    assert contact["held_on"].date() == dt.date(2026, 3, 10)
    assert contact["location"] == "Bij de klant thuis"
    assert contact["participants"] == "klant, moeder, jobcoach"
    assert contact["notes"] == "Gemotiveerd; schulden <zorg> & geen rijbewijs."
    assert contact["coach_id"] == staff.coach
    barriers = store.frame("barriers")
    assert list(barriers["domain"].astype(str)) == ["debts", "transport"]
    assert list(barriers["severity"]) == [3, 1]
    assert list(barriers["status"].astype(str)) == ["open", "in_progress"]
    assert barriers["notes"].iloc[0] == "Betalingsachterstand huur"
    assert all(barriers["noted_on"].dt.date == dt.date(2026, 3, 10))
    referrals = store.frame("referrals")
    assert len(referrals) == 1
    ref = referrals.iloc[0]
    assert ref["barrier_id"] == barriers["id"].iloc[0]
    assert ref["agency"] == "Schuldhulpverlening Rotterdam"
    assert ref["referred_on"].date() == dt.date(2026, 3, 10)
    assert ref["last_followed_up_on"].date() == dt.date(2026, 3, 12)
    assert ref["status"] == "in_care"
    zrm = store.frame("zrm_assessments").iloc[0]
    assert zrm["assessed_on"].date() == dt.date(2026, 3, 10)
    expected = {"finances": 2, "work_education": 2, "time_use": 3, "housing": 4,
                "mental_health": 4, "social_network": 3}
    for domain in vocab.ZRM_DOMAINS:
        value = zrm[domain]
        assert (None if pd.isna(value) else int(value)) == expected.get(domain)
    ladder = store.frame("ladder_steps").iloc[0]
    assert ladder["rung"] == 3 and ladder["assessed_on"].date() == dt.date(2026, 3, 10)
    skills = store.frame("skills")
    got = {(str(k), n, None if pd.isna(lv) else int(lv))
           for k, n, lv in zip(skills["kind"], skills["name"], skills["level"], strict=True)}
    assert got == {
        ("diploma", "Mbo-2 Logistiek", None),
        ("work_experience", "1 jaar orderpicker", None),
        ("language", "Nederlands", 4),
        ("language", "Arabisch", 5),
        ("driving_licence", "Rijbewijs AM", None),
        ("computer", "Computervaardigheden", 3),
        ("basic_work_skill", "Op tijd komen", 4),
        ("basic_work_skill", "Sociale vaardigheden", 4),
        ("basic_work_skill", "Communicatieve vaardigheden", 3),
        ("basic_work_skill", "Afspraken nakomen", 4),
        ("motivation", "Motivatie", 5),
    }
    assert set(skills["client_id"]) == {cid}
    client = store.get("clients", cid)
    assert client["wishes"] == "Werken met de handen, liefst buiten."
    assert client["preferred_hours"] == 32
    assert sorted(client["preferred_sectors"]) == ["green", "logistics"]
    network = store.frame("network_members").iloc[0]
    assert network["relation"] == "parent" and bool(network["involved"])
    assert network["note"] == "Moeder helpt met vervoer"
    agreement = store.frame("agreements").iloc[0]
    assert agreement["what"] == "Schuldhulp bellen voor tweede gesprek"
    assert agreement["who"] == "client"
    assert agreement["due_on"].date() == dt.date(2026, 3, 17)
    assert agreement["contact_id"] == contact["id"]
    assert agreement["status"] == "open"
    audit = store.audit().iloc[audit_before:]
    assert set(audit["actor"].astype(str)) == {"jet.coach"}
    assert not store.verify_audit()
    # the intake form now shows the stored ZRM and barriers; saving again adds no duplicates
    assert app.intake.zrm["finances"].get() == 2
    assert len(app.intake.barriers.rows) == 2


def test_intake_report_is_escaped_dutch_and_without_bsn(
    app: IntakeApp, staff: Staff
) -> None:
    register(app, staff.coach, staff.case_manager)
    do_intake(app)
    app.steps.buttons["report"].click()
    app.report.make_button.click()
    assert app.report.status.kind == "ok"
    doc = app.report.view.document
    assert doc.startswith("<!DOCTYPE html>")
    assert "Intakerapportage" in doc
    assert "schulden &lt;zorg&gt; &amp; geen rijbewijs" in doc
    assert "<zorg>" not in doc
    assert "10-03-2026" in doc and "2026-03-10" not in doc
    assert "Beperkt zelfredzaam" in doc and "Niet zelfredzaam" in doc
    assert "Schuldhulpverlening Rotterdam" in doc
    assert "Deelname georganiseerde activiteiten" in doc
    assert "Schuldhulp bellen voor tweede gesprek" in doc
    assert BSN not in doc
    assert "@media print" in doc
    assert "download=" in app.report.view.download.value


def test_existing_barrier_referral_follow_up_is_updated_not_duplicated(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    register(app, staff.coach, staff.case_manager)
    do_intake(app)
    row = app.intake.barriers.rows[0]
    assert not row.is_new and row["agency"].get() == "Schuldhulpverlening Rotterdam"
    fill(row, {"last_followed_up_on": "01-04-2026", "referral_status": "completed",
               "status": "resolved", "resolved_on": "01-04-2026"})
    fill(app.intake.contact, {"held_on": "01-04-2026", "kind": "intake"})
    app.intake.save_button.click()
    assert app.intake.status.kind == "ok", app.intake.status.message
    assert sqlite_store.count("barriers") == 2
    assert sqlite_store.count("referrals") == 1
    assert sqlite_store.count("zrm_assessments") == 1  # unchanged matrix: no new assessment
    ref = sqlite_store.frame("referrals").iloc[0]
    assert ref["last_followed_up_on"].date() == dt.date(2026, 4, 1)
    assert ref["status"] == "completed"
    barrier = sqlite_store.get("barriers", int(ref["barrier_id"]))
    assert barrier["status"] == "resolved" and barrier["resolved_on"] == dt.date(2026, 4, 1)


def _intake_ready(app: IntakeApp, staff: Staff) -> None:
    register(app, staff.coach, staff.case_manager)
    app.steps.buttons["intake"].click()
    fill(app.intake.contact, {"held_on": "10-03-2026"})


INVALID_INTAKE = [
    ("contact", None, "held_on", "", "Datum intakegesprek is verplicht"),
    ("contact", None, "held_on", "32-01-2026", "Datum intakegesprek is geen geldige datum"),
    ("contact", None, "held_on", "16-06-2026", "Datum intakegesprek mag niet in de toekomst"),
    ("contact", None, "held_on", "01-03-2026",
     "Datum intakegesprek ligt vóór het begin van de huidige fase (02-03-2026)"),
    ("contact", None, "location", "x" * 81, "Locatie is te lang (maximaal 80 tekens)"),
    ("contact", None, "participants", "x" * 201, "Deelnemers is te lang"),
    ("barriers", {"severity": 2}, "domain", "", "Leefgebied is verplicht"),
    ("barriers", {"domain": "debts"}, "severity", "", "Ernst is verplicht"),
    ("barriers", {"domain": "debts", "severity": 2, "status": "resolved"}, "resolved_on", "",
     "Opgelost op is verplicht als de belemmering is opgelost"),
    ("barriers", {"domain": "debts", "severity": 2}, "resolved_on", "01-03-2026",
     "Opgelost op mag niet vóór de signaleringsdatum liggen"),
    ("barriers", {"domain": "debts", "severity": 2, "referred_on": "10-03-2026"}, "agency", "",
     "Doorverwezen naar is verplicht"),
    ("barriers", {"domain": "debts", "severity": 2, "agency": "GGD",
                  "referred_on": "10-03-2026"},
     "last_followed_up_on", "09-03-2026", "mag niet vóór de doorverwijzing liggen"),
    ("barriers", {"domain": "debts", "severity": 2, "agency": "GGD"}, "referred_on", "",
     "Doorverwezen op is verplicht"),
    ("zrm", None, "finances", "?", None),
    ("diplomas", {"kind": "diploma"}, "name", "", "Omschrijving is verplicht"),
    ("languages", {"level": 3}, "name", "", "Taal is verplicht"),
    ("skills", {"driving_licence": True}, "driving_category", "x" * 120,
     "Rijbewijs: categorie is te lang"),
    ("wishes", None, "wishes", "x" * 2001, "Wensen van de klant (werk, uren, omgeving) is te lang"),
    ("wishes", None, "preferred_hours", "41", "Gewenste uren per week mag hoogstens 40 zijn"),
    ("wishes", None, "preferred_hours", "-2", "Gewenste uren per week moet minstens 0 zijn"),
    ("wishes", None, "preferred_hours", "24,5", "Gewenste uren per week moet een geheel getal"),
    ("network", {"involved": True}, "relation", "", "Relatie is verplicht"),
    ("network", {"relation": "parent"}, "note", "x" * 2001, "is te lang"),
    ("plan", {"who": "client", "due_on": "17-03-2026"}, "what", "", "Wat is verplicht"),
    ("plan", {"what": "Bellen", "due_on": "17-03-2026"}, "who", "", "Wie is verplicht"),
    ("plan", {"what": "Bellen", "who": "coach"}, "due_on", "17-3", "Uiterlijk op is geen geldige"),
]


@pytest.mark.parametrize(("part", "base", "key", "value", "message"), INVALID_INTAKE,
                         ids=[f"{p}-{k}-{i}" for i, (p, _, k, _, _) in enumerate(INVALID_INTAKE)])
def test_invalid_intake_field_is_named_in_dutch_and_nothing_is_saved(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff, part: str,
    base: dict[str, object] | None,
    key: str, value: str, message: str | None
) -> None:
    _intake_ready(app, staff)
    i = app.intake
    if message is None:  # a dropdown only accepts its own options, whatever a browser sends
        with pytest.raises(Exception, match="Invalid selection"):
            fill(i.zrm, {key: value})
        return
    before = counts(sqlite_store)
    lists = {"barriers": i.barriers, "diplomas": i.diplomas, "languages": i.languages,
             "network": i.network, "plan": i.plan}
    if part in lists:
        target = add_row(lists[part], {**(base or {}), key: value}).fields
    else:
        target = {"contact": i.contact, "skills": i.skills, "wishes": i.wishes}[part]
        fill(target, {**(base or {}), key: value})
    i.save_button.click()
    errors = target.errors()
    assert key in errors, (errors, i.status.message)
    assert message in errors[key]
    assert i.status.kind == "error"
    assert counts(sqlite_store) == before
    assert sqlite_store.get("trajectories", app.dossier.trajectory_id)["phase"] == "registration"


def test_other_route_closes_with_a_motivated_proposal(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    tid = register(app, staff.coach, staff.case_manager)
    do_intake(app)
    app.steps.buttons["other_route"].click()
    part = app.other_route
    before = counts(sqlite_store)
    fill(part.fields, {"closed_on": "12-03-2026", "outcome_reason": ""})
    part.save_button.click()
    assert "Gemotiveerd voorstel voor een ander traject is verplicht" in \
        part.fields.errors()["outcome_reason"]
    fill(part.fields, {"closed_on": "20-06-2026", "outcome_reason": "Eerst zorg"})
    part.save_button.click()
    assert "Datum afsluiting mag niet in de toekomst liggen" in part.fields.errors()["closed_on"]
    assert counts(sqlite_store) == before
    reason = "Eerst traject bij de GGZ; daarna opnieuw aanmelden via de gemeente."
    fill(part.fields, {"closed_on": "12-03-2026", "outcome_reason": reason})
    part.save_button.click()
    assert part.status.kind == "ok", part.status.message
    traj = sqlite_store.get("trajectories", tid)
    assert traj["phase"] == "closed"
    assert traj["outcome"] == "other_route"
    assert traj["outcome_reason"] == reason
    assert traj["closed_on"] == dt.date(2026, 3, 12)
    assert part.save_button.disabled  # closed: nothing more to close
    app.report.make_button.click()
    assert "Voorstel ander traject" in app.report.view.document
    assert "GGZ" in app.report.view.document


def test_stale_client_edit_is_refused_and_shows_the_other_version(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    tid = register(app, staff.coach, staff.case_manager)
    d = app.dossier
    assert d is not None
    # someone else saves first
    sqlite_store.update("clients", d.client_id, {"municipality": "Schiedam"},
                        expected_version=int(d.client["version"]), actor="kees.collega")
    before = counts(sqlite_store)
    fill(app.registration.fields, {"municipality": "Delft"})
    app.registration.save_button.click()
    status = app.registration.status
    assert status.kind == "error"
    assert "is intussen gewijzigd door kees.collega" in status.message
    assert "niet opgeslagen" in status.message
    stale = app.registration.stale
    assert is_shown(stale)
    assert ("Gemeente", "Schiedam") in stale.shown_rows
    assert stale.changed == ["Gemeente"]  # marked against the version the form was loaded with
    assert "gewijzigd (was: Rotterdam)" in stale.table.value
    assert not any(BSN in v for _, v in stale.shown_rows)
    assert BSN not in stale.table.value
    assert "tt-stale" in stale._dom_classes
    assert sqlite_store.get("clients", d.client_id)["municipality"] == "Schiedam"
    assert counts(sqlite_store) == before
    # the form keeps what was typed until the new version is loaded
    assert app.registration.fields["municipality"].get() == "Delft"
    stale.reload_button.click()
    assert app.registration.fields["municipality"].get() == "Schiedam"
    assert not is_shown(stale)
    # editing from the new version works, and the audit log names the editor
    fill(app.registration.fields, {"municipality": "Delft"})
    app.registration.save_button.click()
    assert app.registration.status.kind == "ok"
    assert sqlite_store.get("clients", d.client_id)["municipality"] == "Delft"
    audit = sqlite_store.audit()
    last = audit[(audit["entity"] == "clients") & (audit["field"] == "municipality")].iloc[-1]
    assert last["actor"] == "jet.coach" and last["new"] == "Delft"
    assert sqlite_store.get("trajectories", tid)["phase"] == "registration"


def test_edit_changes_coach_case_manager_and_plan_in_one_go(
    app: IntakeApp, sqlite_store: Workspace, staff: Staff
) -> None:
    tid = register(app, staff.coach, staff.case_manager,
                   signed_client_on="", coach_assigned_at="")
    assert sqlite_store.frame("coach_assignments").iloc[0]["assigned_at"] == \
        dt.datetime(2026, 3, 2, 9, 30)  # empty: the moment of registration
    with sqlite_store.transaction() as tx:
        other_cm = tx.add("case_managers", {"name": "Bert Consulent", "organisation": "UWV"})
    app.picker.refresh_button.click()
    app.picker.pick(tid)
    fill(app.registration.fields, {"coach_id": staff.other_coach,
                                   "coach_assigned_at": "06-03-2026 11:00",
                                   "signed_client_on": "06-03-2026",
                                   "bsn": "123456782"})
    app.registration.fields["case_manager_id"].set_options(
        [*app.registration.fields["case_manager_id"].control.options, ("Bert", other_cm)])
    fill(app.registration.fields, {"case_manager_id": other_cm})
    app.registration.save_button.click()
    assert app.registration.status.kind == "ok", app.registration.status.message
    traj = sqlite_store.get("trajectories", tid)
    assert traj["coach_id"] == staff.other_coach
    assert traj["case_manager_id"] == other_cm
    assert sqlite_store.count("coach_assignments") == 2
    plan = sqlite_store.frame("trajectory_plans").iloc[0]
    assert plan["signed_client_on"].date() == dt.date(2026, 3, 6)
    assert sqlite_store.get("clients", traj["client_id"])["bsn"] == "123456782"
    assert app.registration.fields["bsn"].control.value == ""


def test_intake_needs_an_open_case(app: IntakeApp) -> None:
    app.steps.buttons["intake"].click()
    assert is_shown(app.intake.notice)
    assert not is_shown(app.intake.main)


def test_picker_searches_by_pseudonym(app: IntakeApp, staff: Staff) -> None:
    tid = register(app, staff.coach, staff.case_manager)
    pseudonym = app.dossier.pseudonym
    app.new_button.click()
    assert app.dossier is None
    app.picker.search.value = pseudonym[-4:].lower()
    assert [c.trajectory_id for c in app.picker.choices] == [tid]
    app.picker.search.value = "ZZZZZZZ"
    assert app.picker.choices == []
    app.picker.search.value = ""
    app.picker.pick(tid)
    assert app.dossier.trajectory_id == tid


def test_unexpected_error_is_logged_and_shown_in_dutch(
    app: IntakeApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("database weg")

    monkeypatch.setattr(app.registration, "_register", broken)
    app.registration.save_button.click()
    assert app.registration.status.kind == "error"
    assert "Opslaan aanmelding is niet gelukt" in app.registration.status.message
    assert "database weg" not in app.registration.status.message


def test_builder_opens_the_register_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", url)
    widget = intake_app(actor="env.user", today=TODAY)
    assert isinstance(widget, IntakeApp)
    assert widget.store.url == url and widget.actor == "env.user"
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", "nosuchdb://x")
    failed = intake_app()
    assert "tt-intake" in failed._dom_classes
    assert "kon niet worden geladen" in failed.children[1].value
