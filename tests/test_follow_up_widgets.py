"""Follow-up forms, driven in-process: the full route to the end report, each field's Dutch
message, and refused stale edits."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import TODAY, Staff, add_staff
from formdriver import BSN, add_row, counts, do_intake, fill, follow, register, shown_texts
from trajecttools.apps.follow_up import follow_up as follow_up_app
from trajecttools.widgets.follow_up import FollowUpApp
from trajecttools.widgets.intake import IntakeApp
from trajecttools.widgets.toolkit import is_shown
from trajecttools.workspace import Workspace


@pytest.fixture
def staff(sqlite_store: Workspace) -> Staff:
    return add_staff(sqlite_store)


@pytest.fixture
def case(sqlite_store: Workspace, staff: Staff) -> int:
    """A case registered and taken in through the intake forms (phase intake on 10-03-2026)."""
    intake = IntakeApp(sqlite_store, actor="jet.coach", today=TODAY)
    tid = register(intake, staff.coach, staff.case_manager)
    do_intake(intake)
    return tid


@pytest.fixture
def app(sqlite_store: Workspace, case: int) -> FollowUpApp:
    return follow(sqlite_store, case, actor="jet.coach", today=TODAY)


def _ok(part: object) -> None:
    status = part.status  # type: ignore[attr-defined]
    errors = [fs.errors() for fs in part.fieldsets()]  # type: ignore[attr-defined]
    assert status.kind == "ok", (status.message, errors)


def test_app_classes_steps_and_header(app: FollowUpApp) -> None:
    assert {"tt-form", "tt-follow-up"} <= set(app._dom_classes)
    assert list(app.steps.buttons) == ["contact", "agreements", "phase", "placement",
                                       "aftercare", "end_report"]
    assert "fase <b>Intake</b> sinds 10-03-2026" in app.head.value
    assert "1 open afspraak" in app.head.value
    assert "Amira" not in app.head.value  # pseudonym and initials only
    assert not any(BSN in text for text in shown_texts(app))


def test_full_route_to_end_report(app: FollowUpApp, sqlite_store: Workspace, case: int,
                                  staff: Staff) -> None:
    store = sqlite_store
    # opstapbaan: a stepping-stone placement at the social work company, with the phase change
    app.steps.buttons["placement"].click()
    p = app.placement
    fill(p.fields, {"kind": "stepping_stone", "employer_name": "SDW Werkbedrijf",
                    "employer_sector": "green", "employer_municipality": "Rotterdam",
                    "social_work_company": True, "start_on": "16-03-2026",
                    "hours_per_week": "32", "to_phase": "stepping_stone"})
    assert "Opstapbaan maximaal 6 maanden" in p.limit.value
    p.save_button.click()
    _ok(p)
    traj = store.get("trajectories", case)
    assert (traj["phase"], traj["phase_since"]) == ("stepping_stone", dt.date(2026, 3, 16))
    # a weekly review with two agreements
    app.steps.buttons["contact"].click()
    c = app.contact
    fill(c.fields, {"kind": "weekly_review", "held_on": "23-03-2026", "location": "SDW",
                    "participants": "klant, jobcoach, consulent SDW",
                    "notes": "Gaat goed; soms te laat."})
    add_row(c.agreements, {"what": "Wekker zetten en op tijd komen", "who": "client",
                           "due_on": "30-03-2026"})
    add_row(c.agreements, {"what": "CV bijwerken", "who": "client", "due_on": "06-04-2026"})
    c.save_button.click()
    _ok(c)
    # agreements kept / not kept (with the reason)
    app.steps.buttons["agreements"].click()
    a = app.agreements
    rows = {r.record["what"]: r for r in a.rows.rows}
    assert set(rows) == {"Schuldhulp bellen voor tweede gesprek",
                         "Wekker zetten en op tijd komen", "CV bijwerken"}
    fill(rows["Wekker zetten en op tijd komen"], {"status": "kept", "closed_on": "30-03-2026"})
    fill(rows["CV bijwerken"], {"status": "not_kept", "closed_on": "06-04-2026",
                                "reason_not_kept": "Geen computer thuis; volgende week bij SDW."})
    a.save_button.click()
    _ok(a)
    # placement at a regular employer: end the opstapbaan, start the contract, phase placement
    app.steps.buttons["placement"].click()
    (stone,) = p.ends.rows
    fill(stone, {"end_on": "30-04-2026"})
    p.end_button.click()
    _ok(p)
    fill(p.fields, {"kind": "regular", "employer_name": "Groen BV", "employer_sector": "green",
                    "employer_municipality": "Capelle aan den IJssel", "inclusive": True,
                    "start_on": "01-05-2026", "end_on": "31-10-2026", "hours_per_week": "36,5",
                    "temporary": True, "to_phase": "placement"})
    assert "minimaal 6 maanden" in p.limit.value
    p.save_button.click()
    _ok(p)
    # aftercare: the phase as the method allows, then contacts
    app.steps.buttons["phase"].click()
    ph = app.phase
    assert [code for _, code in ph.options][1:] == ["aftercare", "stepping_stone", "closed"]
    fill(ph.fields, {"to_phase": "aftercare", "on": "01-05-2026"})
    assert not is_shown(ph.fields["outcome"])
    ph.save_button.click()
    _ok(ph)
    app.steps.buttons["aftercare"].click()
    af = app.aftercare
    regular_id = int(store.frame("placements").query("kind == 'regular'")["id"].iloc[0])
    assert af.fields["placement_id"].get() == regular_id
    fill(af.fields, {"held_on": "14-05-2026", "party": "both",
                     "notes": "Werkgever tevreden; werknemer op tijd."})
    af.save_button.click()
    _ok(af)
    fill(af.fields, {"held_on": "28-05-2026", "party": "employer", "notes": "Geen bijzonderheden."})
    af.save_button.click()
    _ok(af)
    assert "Laatste nazorgcontact: 28-05-2026" in af.info.value
    # the end report, closing the trajectory with outcome work
    app.steps.buttons["end_report"].click()
    er = app.end_report
    assert er.fields["close"].get() is True and er.fields["outcome"].get() == "work"
    texts = {
        "aftercare_summary": "Tweewekelijks contact; geen uitval.",
        "results": "Arbeidsovereenkomst 6 maanden zonder LKS; uitkeringsonafhankelijk.",
        "remaining_points": "Stiptheid <blijft> aandachtspunt.",
        "actions_taken": "Wekker-afspraak, gesprek met leidinggevende.",
        "continuation": "Werkgever verlengt bij goed functioneren.",
    }
    fill(er.fields, {"written_on": "12-06-2026", **texts})
    er.save_button.click()
    _ok(er)
    assert "Stiptheid &lt;blijft&gt; aandachtspunt." in er.view.document
    assert BSN not in er.view.document

    # -- read everything back ------------------------------------------------------------
    traj = store.get("trajectories", case)
    assert traj["phase"] == "closed" and traj["outcome"] == "work"
    assert traj["closed_on"] == dt.date(2026, 6, 12)
    phases = store.frame("phase_events").query(f"trajectory_id == {case}")
    assert list(phases["phase"].astype(str)) == ["registration", "intake", "stepping_stone",
                                                 "placement", "aftercare", "closed"]
    assert [d.date() for d in phases["started_on"]] == [
        dt.date(2026, 3, 2), dt.date(2026, 3, 10), dt.date(2026, 3, 16), dt.date(2026, 5, 1),
        dt.date(2026, 5, 1), dt.date(2026, 6, 12)]
    employers = store.frame("employers").set_index("name")
    assert bool(employers.loc["SDW Werkbedrijf", "social_work_company"])
    assert employers.loc["SDW Werkbedrijf", "sector"] == "green"
    assert bool(employers.loc["Groen BV", "inclusive"])
    assert employers.loc["Groen BV", "municipality"] == "Capelle aan den IJssel"
    placements = store.frame("placements").set_index("kind")
    sdw = placements.loc["stepping_stone"]
    assert sdw["employer_id"] == employers.loc["SDW Werkbedrijf", "id"]
    assert sdw["start_on"].date() == dt.date(2026, 3, 16)
    assert sdw["end_on"].date() == dt.date(2026, 4, 30)
    assert sdw["hours_per_week"] == 32.0
    reg = placements.loc["regular"]
    assert reg["employer_id"] == employers.loc["Groen BV", "id"]
    assert reg["start_on"].date() == dt.date(2026, 5, 1)
    assert reg["end_on"].date() == dt.date(2026, 10, 31)
    assert reg["hours_per_week"] == 36.5
    assert bool(reg["temporary"]) and not bool(reg["below_level"])
    assert not bool(reg["outside_field"])
    contacts = store.frame("contacts")
    review = contacts[contacts["kind"] == "weekly_review"].iloc[0]
    assert review["held_on"].date() == dt.date(2026, 3, 23)
    assert review["location"] == "SDW"
    assert review["participants"] == "klant, jobcoach, consulent SDW"
    assert review["notes"] == "Gaat goed; soms te laat."
    agreements = store.frame("agreements").set_index("what")
    kept = agreements.loc["Wekker zetten en op tijd komen"]
    assert kept["contact_id"] == review["id"] and kept["who"] == "client"
    assert kept["due_on"].date() == dt.date(2026, 3, 30)
    assert kept["status"] == "kept" and kept["closed_on"].date() == dt.date(2026, 3, 30)
    not_kept = agreements.loc["CV bijwerken"]
    assert not_kept["status"] == "not_kept"
    assert not_kept["closed_on"].date() == dt.date(2026, 4, 6)
    assert not_kept["reason_not_kept"] == "Geen computer thuis; volgende week bij SDW."
    assert agreements.loc["Schuldhulp bellen voor tweede gesprek", "status"] == "open"
    aftercare = store.frame("aftercare_contacts")
    assert [d.date() for d in aftercare["held_on"]] == [dt.date(2026, 5, 14),
                                                        dt.date(2026, 5, 28)]
    assert list(aftercare["party"].astype(str)) == ["both", "employer"]
    assert set(aftercare["placement_id"]) == {regular_id}
    assert aftercare["notes"].iloc[0] == "Werkgever tevreden; werknemer op tijd."
    report = store.frame("end_reports").iloc[0]
    assert report["trajectory_id"] == case
    assert report["written_on"].date() == dt.date(2026, 6, 12)
    for key, text in texts.items():
        assert report[key] == text
    audit = store.audit()
    follow_up_rows = audit[audit["entity"].isin(["placements", "agreements", "end_reports",
                                                 "aftercare_contacts", "employers"])]
    assert set(follow_up_rows["actor"].astype(str)) == {"jet.coach"}
    assert not store.verify_audit()
    # closed: no phase change offered any more, and the header says so
    assert ph.options == [("— kies —", "")]
    assert ph.save_button.disabled
    assert "afgesloten op 12-06-2026" in app.head.value


def test_phase_options_follow_the_method(app: FollowUpApp) -> None:
    ph = app.phase
    assert [lbl for lbl, _ in ph.options] == ["— kies —", "Opstapbaan", "Afgesloten"]
    with pytest.raises(Exception, match="Invalid selection"):
        ph.fields["to_phase"].control.value = "aftercare"  # not allowed from intake
    fill(ph.fields, {"to_phase": "closed"})
    assert is_shown(ph.fields["outcome"]) and is_shown(ph.fields["outcome_reason"])


def test_placement_types_show_the_method_limits(app: FollowUpApp) -> None:
    p = app.placement
    labels = dict((code, lbl) for lbl, code in p.fields["kind"].control.options)
    assert labels["secondment"] == "Inleenvergoeding (maximaal 3 maanden)"
    # “Traject Work-2-Gether”: wage subsidy and 'op proef' are one step, with the promise
    assert labels["wage_subsidy"] == ("Loonkostensubsidie (maximaal 6 maanden, op proef, met "
                                      "belofte van een arbeidsovereenkomst van minimaal 6 "
                                      "maanden zonder proeftijd)")
    assert "trial" not in labels
    assert labels["stepping_stone"] == "Opstapbaan (maximaal 6 maanden)"
    assert labels["regular"] == "Arbeidsovereenkomst zonder LKS (minimaal 6 maanden)"
    assert "Inleenvergoeding – maximaal 3 maanden" in p.limits_table.value
    fill(p.fields, {"kind": "secondment", "start_on": "01-04-2026", "end_on": "15-07-2026"})
    assert "Limiet volgens de methode: Inleenvergoeding maximaal 3 maanden" in p.limit.value
    assert "na de maximale duur van 3 maanden (uiterlijk 01-07-2026)" in p.limit.value


def test_placement_over_its_limit_is_saved_with_a_warning(
    app: FollowUpApp, sqlite_store: Workspace
) -> None:
    p = app.placement
    fill(p.fields, {"kind": "wage_subsidy", "employer_name": "Bakkerij", "start_on": "01-04-2026",
                    "end_on": "01-12-2026", "promised_contract_months": "6"})
    p.save_button.click()
    _ok(p)
    assert "maximale duur van 6 maanden" in p.status.message
    assert sqlite_store.count("placements") == 1


INVALID = [
    ("contact", "fields", {}, "kind", "", "Soort contact is verplicht"),
    ("contact", "fields", {}, "held_on", "", "Datum is verplicht"),
    ("contact", "fields", {}, "held_on", "16-06-2026", "Datum mag niet in de toekomst liggen"),
    ("contact", "fields", {}, "held_on", "1-13-2026", "Datum is geen geldige datum"),
    ("contact", "fields", {}, "participants", "x" * 201, "Deelnemers is te lang"),
    ("contact", "fields", {}, "location", "x" * 81, "Locatie is te lang (maximaal 80 tekens)"),
    ("contact", "new", {"who": "client", "due_on": "01-07-2026"}, "what", "",
     "Wat is verplicht"),
    ("contact", "new", {"what": "Bellen", "due_on": "01-07-2026"}, "who", "", "Wie is verplicht"),
    ("contact", "new", {"what": "Bellen", "who": "coach"}, "due_on", "morgen",
     "Uiterlijk op is geen geldige datum"),
    ("agreements", "open", {"status": "not_kept", "closed_on": "14-06-2026"},
     "reason_not_kept", "", "Reden niet nagekomen is verplicht als de afspraak niet is"),
    ("agreements", "open", {"status": "kept"}, "closed_on", "",
     "Afgehandeld op is verplicht als de afspraak is afgehandeld"),
    ("agreements", "open", {"status": "kept"}, "closed_on", "20-06-2026",
     "Afgehandeld op mag niet in de toekomst liggen"),
    ("agreements", "open", {"status": "open"}, "closed_on", "14-06-2026",
     "Afgehandeld op mag alleen bij een afgehandelde afspraak"),
    ("phase", "fields", {}, "to_phase", "", "Naar fase is verplicht"),
    ("phase", "fields", {"to_phase": "stepping_stone"}, "on", "", "Datum faseovergang is verp"),
    ("phase", "fields", {"to_phase": "stepping_stone"}, "on", "09-03-2026",
     "Datum faseovergang ligt vóór het begin van de huidige fase (10-03-2026)"),
    ("phase", "fields", {"to_phase": "stepping_stone"}, "on", "16-06-2026",
     "Datum faseovergang mag niet in de toekomst liggen"),
    ("phase", "fields", {"to_phase": "closed", "on": "12-03-2026"}, "outcome", "",
     "Uitkomst is verplicht"),
    ("phase", "fields", {"to_phase": "closed", "on": "12-03-2026", "outcome": "other_route"},
     "outcome_reason", "", "Toelichting uitkomst is verplicht bij een ander traject"),
    ("placement", "fields", {"start_on": "01-04-2026"}, "kind", "",
     "Soort plaatsing is verplicht"),
    ("placement", "fields", {"kind": "secondment"}, "start_on", "", "Startdatum is verplicht"),
    ("placement", "fields", {"kind": "secondment", "start_on": "01-04-2026"}, "end_on",
     "31-03-2026", "Einddatum (gepland) mag niet vóór de startdatum liggen"),
    ("placement", "fields", {"kind": "secondment", "start_on": "01-04-2026"},
     "hours_per_week", "veel", "Uren per week moet een getal zijn"),
    ("placement", "fields", {"kind": "secondment", "start_on": "01-04-2026"},
     "hours_per_week", "70",
     "Uren per week mag hoogstens 60 zijn"),
    ("placement", "fields", {"kind": "secondment", "start_on": "01-07-2026",
                             "to_phase": "stepping_stone"}, "start_on", "01-07-2026",
     "Startdatum mag bij een faseovergang niet in de toekomst liggen"),
    ("placement", "fields", {"kind": "secondment", "start_on": "01-04-2026"}, "employer_name",
     "x" * 161, "Of nieuwe werkgever: naam is te lang"),
    ("placement", "fields", {"kind": "secondment", "start_on": "01-04-2026",
                             "employer_name": "Ja"}, "employer_municipality", "x" * 81,
     "Gemeente nieuwe werkgever is te lang"),
    # “Traject Work-2-Gether”: wage subsidy 'op proef' only with the promise of a contract of
    # at least 6 months without trial period
    ("placement", "fields", {"kind": "wage_subsidy", "start_on": "01-04-2026"},
     "promised_contract_months", "", "Beloofd contract zonder proeftijd (maanden) is verplicht "
     "bij loonkostensubsidie"),
    ("placement", "fields", {"kind": "wage_subsidy", "start_on": "01-04-2026"},
     "promised_contract_months", "3",
     "Beloofd contract zonder proeftijd (maanden) moet minstens 6"),
    ("aftercare", "fields", {"party": "both"}, "held_on", "16-06-2026",
     "Datum mag niet in de toekomst liggen"),
    ("aftercare", "fields", {"held_on": "01-06-2026"}, "party", "", "Met wie is verplicht"),
    ("aftercare", "fields", {"party": "both"}, "notes", "x" * 8001, "Verslag is te lang"),
    ("end_report", "fields", {}, "written_on", "", "Datum rapportage is verplicht"),
    ("end_report", "fields", {}, "written_on", "16-06-2026", "mag niet in de toekomst liggen"),
    ("end_report", "fields", {}, "results", "x" * 8001, "Welke resultaten zijn behaald? is te"),
    ("end_report", "fields", {"close": True}, "outcome", "", "Uitkomst is verplicht"),
]


@pytest.mark.parametrize(("part_name", "where", "base", "key", "value", "message"), INVALID,
                         ids=[f"{p}-{k}-{i}" for i, (p, _, _, k, _, _) in enumerate(INVALID)])
def test_invalid_field_is_named_in_dutch_and_nothing_is_saved(
    app: FollowUpApp, sqlite_store: Workspace, part_name: str, where: str,
    base: dict[str, object], key: str, value: str, message: str,
) -> None:
    part = app.parts[part_name]
    app.steps.buttons[part_name].click()
    before = counts(sqlite_store)
    phase_before = sqlite_store.get("trajectories", app.dossier.trajectory_id)["version"]
    if where == "new":
        target = add_row(part.agreements, {**base, key: value}).fields  # type: ignore[attr-defined]
    elif where == "open":
        target = part.rows.rows[0].fields  # type: ignore[attr-defined]
        fill(target, {**base, key: value})
    else:
        target = part.fields  # type: ignore[attr-defined]
        fill(target, {**base, key: value})
    part.save_button.click()  # type: ignore[attr-defined]
    errors = target.errors()
    assert key in errors, (errors, part.status.message)
    assert message in errors[key]
    assert part.status.kind == "error"
    assert counts(sqlite_store) == before
    assert sqlite_store.get("trajectories", app.dossier.trajectory_id)["version"] == phase_before
    assert sqlite_store.frame("agreements")["status"].astype(str).tolist() == ["open"]


def test_existing_and_new_employer_together_is_refused(app: FollowUpApp,
                                                       sqlite_store: Workspace) -> None:
    with sqlite_store.transaction() as tx:
        tx.add("employers", {"name": "Bestaand BV"})
    app.reload()
    p = app.placement
    employer = next(v for _, v in p.fields["employer_id"].control.options if v)
    fill(p.fields, {"kind": "secondment", "start_on": "01-04-2026", "employer_id": employer,
                    "employer_name": "Nieuw BV"})
    p.save_button.click()
    assert "vul óf een bestaande óf een nieuwe werkgever in" in \
        p.fields.errors()["employer_name"]
    assert sqlite_store.count("placements") == 0 and sqlite_store.count("employers") == 1


def test_stale_phase_change_is_refused_and_shows_the_other_version(
    app: FollowUpApp, sqlite_store: Workspace, case: int
) -> None:
    version = app.dossier.version
    sqlite_store.change_phase(case, "closed", on="12-03-2026", outcome="moved",
                              outcome_reason="Verhuisd naar Utrecht", expected_version=version,
                              actor="kees.collega")
    before = counts(sqlite_store)
    ph = app.phase
    fill(ph.fields, {"to_phase": "stepping_stone", "on": "16-03-2026"})
    ph.save_button.click()
    assert ph.status.kind == "error"
    assert "Traject" in ph.status.message and "intussen gewijzigd door kees.collega" in \
        ph.status.message
    assert is_shown(ph.stale)
    rows = dict(ph.stale.shown_rows)
    assert rows["Fase"] == "Afgesloten"
    assert rows["Uitkomst"] == "Verhuisd"
    assert rows["Toelichting uitkomst"] == "Verhuisd naar Utrecht"
    assert {"Fase", "Uitkomst", "Afgesloten op"} <= set(ph.stale.changed)
    assert counts(sqlite_store) == before
    traj = sqlite_store.get("trajectories", case)
    assert traj["phase"] == "closed" and traj["outcome"] == "moved"
    ph.stale.reload_button.click()
    assert ph.options == [("— kies —", "")]


def test_stale_agreement_edit_is_refused_and_nothing_is_overwritten(
    app: FollowUpApp, sqlite_store: Workspace
) -> None:
    (row,) = app.agreements.rows.rows
    record = row.record
    assert record is not None
    sqlite_store.update("agreements", int(record["id"]),
                        {"status": "not_kept", "closed_on": "17-03-2026",
                         "reason_not_kept": "Ziek"},
                        expected_version=int(record["version"]), actor="kees.collega")
    fill(row, {"status": "kept", "closed_on": "17-03-2026"})
    app.agreements.save_button.click()
    status = app.agreements.status
    assert status.kind == "error" and "Afspraak" in status.message
    assert "kees.collega" in status.message
    rows = dict(app.agreements.stale.shown_rows)
    assert rows["Status"] == "Niet nagekomen" and rows["Reden niet nagekomen"] == "Ziek"
    stored = sqlite_store.get("agreements", int(record["id"]))
    assert stored["status"] == "not_kept" and stored["reason_not_kept"] == "Ziek"


def test_stale_end_report_edit_is_refused(app: FollowUpApp, sqlite_store: Workspace,
                                          case: int) -> None:
    er = app.end_report
    fill(er.fields, {"written_on": "12-06-2026", "results": "Eerste versie", "close": False})
    er.save_button.click()
    _ok(er)
    report = sqlite_store.frame("end_reports").iloc[0]
    sqlite_store.update("end_reports", int(report["id"]), {"results": "Versie van Kees"},
                        expected_version=int(report["version"]), actor="kees.collega")
    fill(er.fields, {"results": "Mijn versie"})
    er.save_button.click()
    assert er.status.kind == "error"
    assert ("Behaalde resultaten", "Versie van Kees") in er.stale.shown_rows
    assert sqlite_store.frame("end_reports").iloc[0]["results"] == "Versie van Kees"
    assert sqlite_store.get("trajectories", case)["phase"] == "intake"


def test_contact_agreement_count_in_status_and_rows_reset(app: FollowUpApp,
                                                          sqlite_store: Workspace) -> None:
    c = app.contact
    fill(c.fields, {"kind": "phone", "held_on": "12-03-2026"})
    add_row(c.agreements, {"what": "Bellen", "who": "coach", "due_on": "19-03-2026"})
    c.save_button.click()
    _ok(c)
    assert "Contact met 1 afspraak opgeslagen door jet.coach" in c.status.message
    assert c.agreements.rows == []
    assert len(app.agreements.rows.rows) == 2
    contact = sqlite_store.frame("contacts").iloc[-1]
    assert contact["kind"] == "phone" and pd.isna(contact["notes"])


def test_builder_uses_the_environment(sqlite_store: Workspace, monkeypatch: pytest.MonkeyPatch,
                                      case: int) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", sqlite_store.url)
    widget = follow_up_app(actor="env.user", today=TODAY)
    assert isinstance(widget, FollowUpApp)
    widget.picker.pick(case)
    assert widget.dossier is not None and widget.dossier.trajectory_id == case
