"""The art. 60§7 route follows its text: phase 5 is a job search, follow-up of work is optional,
side problems first, and every rule names its origin (“Trajectbegeleiding in vijf fasen (OCMW,
art. 60§7)”)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import Staff, add_staff, make_store
from formdriver import fill, follow, register
from trajecttools.cli import main
from trajecttools.core.errors import InvalidRecord, MethodError
from trajecttools.core.identifiers import normalise_rrn, rrn_check, rrn_problem
from trajecttools.core.method import (
    FOLLOW_UP_RULES,
    builtin_methods,
    explain,
    parse_method,
    rule_numbers,
)
from trajecttools.outputs import demo
from trajecttools.outputs.importer.run import import_file
from trajecttools.reads.frames import entity_frame
from trajecttools.reads.signals import case_states, load_inputs, signals
from trajecttools.register.bsn import enable_bsn, enable_rrn
from trajecttools.widgets.intake import IntakeApp
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.widgets.toolkit import is_shown
from trajecttools.workspace import Workspace

TODAY = dt.date(2027, 6, 30)
AFTERCARE = set(FOLLOW_UP_RULES)


@pytest.fixture
def w(tmp_path: Path) -> Iterator[tuple[Workspace, Staff]]:
    with make_store("sqlite", tmp_path, today=TODAY) as store:
        yield store, add_staff(store)


def _case(store: Workspace, staff: Staff, method: str = "art60", coach: bool = True) -> int:
    day = "02-03-2026"
    signed = {"signed_case_manager_on": day, "signed_coach_on": day, "signed_client_on": day}
    return store.register(
        {"given_name": "Lotte", "family_name": "Peeters", "target_group": "long_term_benefit"},
        method=method, registered_at=f"{day} 10:00", case_manager_id=staff.case_manager,
        coach_id=staff.coach if coach else None, coach_assigned_at=f"{day} 10:00" if coach
        else None, plan=signed,
    )


def _to_end_of_art60(store: Workspace, tid: int) -> None:
    """Exploration, mapping, art. 60 employment with guidance, then its end on 01-06-2026."""
    store.add("contacts", {"trajectory_id": tid, "kind": "intake", "held_on": "05-03-2026"})
    store.change_phase(tid, "mapping", on="01-04-2026")
    store.change_phase(tid, "employment", on="01-05-2026", decision="art60",
                       decision_reason="Regulier werk nog te hoog gegrepen")
    for phase, on in (("guidance", "10-05-2026"), ("end_art60", "01-06-2026")):
        store.change_phase(tid, phase, on=on)
    store.add("placements", {"trajectory_id": tid, "kind": "social_employment",
                             "start_on": "01-05-2026", "end_on": "31-05-2026",
                             "user_organisation": "Kringwinkel Gent"})


def _fired(store: Workspace, on: str, tid: int) -> pd.DataFrame:
    found = signals(store, dt.datetime.strptime(on, "%d-%m-%Y").date())
    return found[found["trajectory_id"] == tid]


def test_end_of_art60_is_job_search_not_aftercare(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 5: “Op het einde van een
    sociale tewerkstelling wordt er door de arbeidstrajectbegeleid(st)er samen met betrokkene
    gezocht naar een nieuwe tewerkstelling.” No employer to contact, no aftercare to end."""
    store, staff = w
    tid = _case(store, staff)
    _to_end_of_art60(store, tid)
    on = dt.date(2026, 12, 1)
    states = case_states(load_inputs(store, on), store.methods(), on)
    assert states.set_index("trajectory_id").loc[tid, "stage"] == "job_search"
    found = _fired(store, "01-12-2026", tid)
    assert not (set(found["rule"]) & AFTERCARE), found[["rule", "message"]]
    assert not found["message"].str.contains("nazorg", case=False).any()
    assert "job_search_contact" in set(found["rule"])


def test_job_search_contact(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 5: the coach searches a new
    job together with the client; 14 days between contacts is the default of the organisation."""
    store, staff = w
    tid = _case(store, staff)
    _to_end_of_art60(store, tid)
    assert "job_search_contact" not in set(_fired(store, "15-06-2026", tid)["rule"])
    row = _fired(store, "16-06-2026", tid).set_index("rule").loc["job_search_contact"]
    assert row["message"] == ("Geen contact met de trajectbegeleider sinds 01-06-2026 bij het "
                              "zoeken naar een nieuwe tewerkstelling, langer dan 2 weken "
                              "(1 dag te laat)")
    assert row["phase_label"] == "Einde art. 60: volgende job" and row["severity"] == "medium"
    store.add("contacts", {"trajectory_id": tid, "kind": "phone", "held_on": "10-06-2026"})
    assert "job_search_contact" not in set(_fired(store, "24-06-2026", tid)["rule"])
    assert "job_search_contact" in set(_fired(store, "25-06-2026", tid)["rule"])


def test_job_search_agreements(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 5: “Sollicitaties
    voorbereiden, …”; agreements within 28 days of the phase start is the default of the
    organisation. An agreement made before the phase does not count."""
    store, staff = w
    tid = _case(store, staff)
    _to_end_of_art60(store, tid)
    before = store.add("contacts", {"trajectory_id": tid, "kind": "progress",
                                    "held_on": "20-05-2026"})
    store.add("agreements", {"trajectory_id": tid, "contact_id": before, "what": "cv",
                             "who": "client", "due_on": "30-05-2026"})
    assert "job_search_agreements" not in set(_fired(store, "29-06-2026", tid)["rule"])
    row = _fired(store, "30-06-2026", tid).set_index("rule").loc["job_search_agreements"]
    assert row["message"] == ("Geen afspraken over sollicitaties of een nieuwe tewerkstelling "
                              "sinds de start van de fase op 01-06-2026 (norm: binnen 4 weken; "
                              "1 dag te laat)")
    talk = store.add("contacts", {"trajectory_id": tid, "kind": "progress",
                                  "held_on": "20-06-2026"})
    store.add("agreements", {"trajectory_id": tid, "contact_id": talk, "what": "solliciteren",
                             "who": "client", "due_on": "27-06-2026", "status": "kept",
                             "closed_on": "26-06-2026"})
    assert "job_search_agreements" not in set(_fired(store, "18-07-2026", tid)["rule"])
    assert "job_search_agreements" in set(_fired(store, "19-07-2026", tid)["rule"])


def test_follow_up_of_regular_work_is_a_setting(w: tuple[Workspace, Staff],
                                                 tmp_path: Path) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 4: “Mensen die aan de slag
    zijn op de reguliere arbeidsmarkt kunnen ... verder opgevolgd worden, maar dit is
    facultatief”. Off in art60; an organisation that switches it on gets the follow-up rules in
    the guidance phase while a regular contract runs (numbers: default of the organisation)."""
    store, staff = w
    own = tmp_path / "opvolgen.toml"
    own.write_text('extends = "art60"\n[method]\ncode = "art60_opvolging"\nname = "Met opvolging"'
                   '\n[settings]\nfollow_up_after_work = true\n', "utf-8")
    store.install_method(own)
    assert store.method("art60").rule("aftercare_contact") is None
    assert store.method("art60_opvolging").rule("aftercare_contact") is not None
    tids = {}
    for code in ("art60", "art60_opvolging"):
        tid = _case(store, staff, method=code)
        store.add("contacts", {"trajectory_id": tid, "kind": "intake", "held_on": "05-03-2026"})
        store.change_phase(tid, "mapping", on="01-04-2026")
        store.change_phase(tid, "employment", on="01-05-2026", decision="regular",
                           decision_reason="Klaar voor de reguliere arbeidsmarkt")
        store.change_phase(tid, "guidance", on="10-05-2026")
        store.add("placements", {"trajectory_id": tid, "kind": "regular",
                                 "start_on": "10-05-2026"})
        tids[code] = tid
    assert not (set(_fired(store, "01-07-2026", tids["art60"])["rule"]) & AFTERCARE)
    on = _fired(store, "25-05-2026", tids["art60_opvolging"]).set_index("rule")
    assert on.loc["aftercare_contact", "message"] == (
        "Geen nazorgcontact met werknemer en werkgever sinds 10-05-2026, langer dan 2 weken "
        "(1 dag te laat)")
    assert "aftercare_contact" not in set(
        _fired(store, "24-05-2026", tids["art60_opvolging"])["rule"])


def test_severe_barriers_still_open_when_mapping_starts(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 2: “Als blijkt dat alle
    randproblemen verdwenen, of tot normale proporties gebracht zijn, worden de capaciteiten
    van betrokkene zoveel mogelijk in kaart gebracht.”"""
    store, staff = w
    tid = _case(store, staff)
    severe = store.add("barriers", {"trajectory_id": tid, "domain": "debts", "severity": 3,
                                    "noted_on": "10-03-2026"})
    store.add("barriers", {"trajectory_id": tid, "domain": "housing", "severity": 2,
                           "noted_on": "10-03-2026"})
    assert "severe_barriers_at_mapping" not in set(_fired(store, "20-03-2026", tid)["rule"])
    store.change_phase(tid, "mapping", on="01-04-2026")
    row = _fired(store, "02-04-2026", tid).set_index("rule").loc["severe_barriers_at_mapping"]
    assert row["message"] == ("Naar fase 'Kwaliteiten en tekorten in kaart' op 01-04-2026 met "
                              "1 ernstige belemmering nog open (randproblemen eerst oplossen of "
                              "tot normale proporties brengen)")
    version = store.get("barriers", severe)["version"]
    store.update("barriers", severe, {"status": "resolved", "resolved_on": "05-04-2026"},
                 expected_version=version)
    assert "severe_barriers_at_mapping" not in set(_fired(store, "06-04-2026", tid)["rule"])
    # an opstapbaan trajectory never gets it: that method has no such rule
    assert builtin_methods()["opstapbaan"].rule("severe_barriers_at_mapping") is None


def test_words_of_the_method_in_the_sentences(w: tuple[Workspace, Staff]) -> None:
    """Default of the organisation (words, not numbers): art60 says trajectbegeleider, the
    opstapbaan (“Traject Work-2-Gether”: “toegewezen aan een jobcoach”) keeps jobcoach."""
    store, staff = w
    art = _case(store, staff, coach=False)
    op = _case(store, staff, method="opstapbaan", coach=False)
    found = signals(store, dt.date(2026, 3, 10)).set_index("trajectory_id")
    assert found.loc[art, "message"].startswith("Geen trajectbegeleider toegewezen binnen 48 uur")
    assert found.loc[op, "message"].startswith("Geen jobcoach toegewezen binnen 48 uur")
    late = signals(store, dt.date(2026, 3, 20))
    intake = late[late["rule"] == "intake_after_signing"].set_index("trajectory_id")["message"]
    assert intake[art].startswith("Eerste verkenningsgesprek niet gehouden binnen 2 weken")
    assert intake[op].startswith("Intake niet gehouden binnen 2 weken")


def test_every_rule_names_its_origin() -> None:
    """Rules are from their source text or marked as the organisation's default; a rule
    without either is refused in Dutch, naming the rule."""
    for m in builtin_methods().values():
        for name, rule in m.rules.items():
            assert rule.source or rule.default, (m.code, name)
            if rule.source:
                assert rule.source.startswith("“"), (m.code, name)
    art = builtin_methods()["art60"]
    assert all("Work-2-Gether" not in (r.source or "") for r in art.rules.values())
    base: dict[str, Any] = {
        "method": {"code": "mini", "name": "Mini", "initial_phase": "a"},
        "phases": [{"code": "a", "label": "A", "stage": "intake"},
                   {"code": "z", "label": "Z", "stage": "closed"}],
        "transitions": {"a": ["z"], "z": []},
        "rules": {"contact_gap": {"label": "Contact", "severity": "low", "weeks": 4}},
    }
    with pytest.raises(MethodError) as err:
        parse_method(base, "mini.toml")
    assert err.value.key == "rules.contact_gap"
    assert "regel 'contact_gap' mist de herkomst" in err.value.message
    base["rules"]["contact_gap"]["default"] = True
    assert parse_method(base).rule("contact_gap") is not None
    # an organisation's own number replaces the source's: it becomes its default
    own = parse_method({"extends": "opstapbaan", "rules": {"aftercare_contact": {"days": 10}}})
    assert own.rules["aftercare_contact"].default


def test_explain_prints_every_rule_with_its_numbers_and_origin(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Default of the organisation or source, per rule, on the command line."""
    assert main(["method", "--explain", "art60"]) == 0
    out = capsys.readouterr().out
    art = builtin_methods()["art60"]
    assert out == explain(art) + "\n"
    for name, rule in art.rules.items():
        line = next(x for x in out.splitlines() if x.startswith(f"- {name}"))
        for key, value in rule_numbers(rule).items():
            assert f"{key} = {value}" in line
    assert out.count("standaard van de organisatie") == sum(r.default for r in art.rules.values())
    assert "“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 5" in out
    assert "aftercare_contact [uit]" in out


def test_demo_art60_phases_get_no_signal_the_method_contradicts(tmp_path: Path) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”: no aftercare signal in any art60
    phase (follow-up is “facultatief”, off), none in the end of art. 60; no revolving door on an
    art. 60§7 contract; a demo register of 500 trajectories."""
    as_of = dt.date(2026, 11, 2)
    with Workspace(tmp_path / "demo.db", actor="demo", today=as_of) as store:
        demo.build(store, size=500, seed=5, as_of=as_of)
        found = signals(store, as_of)
        placements = entity_frame(store, "placements")
    art = found[found["method"] == "art60"]
    assert len(art) > 0
    assert not (set(art["rule"]) & AFTERCARE)
    assert not art["message"].str.contains("nazorg", case=False).any()
    end = art[art["phase_label"] == "Einde art. 60: volgende job"]
    assert set(end["rule"]) <= {"job_search_contact", "job_search_agreements", "contact_gap",
                                "referral_follow_up", "agreements_overdue",
                                "agreements_not_kept", "coach_changes", "hand_offs"}
    assert not art["message"].str.contains("jobcoach", case=False).any()
    doors = art[art["rule"] == "revolving_door"]
    social = placements[placements["kind"] == "social_employment"]
    for tid, message in zip(doors["trajectory_id"], doors["message"], strict=True):
        placed = message.split("plaatsing op ")[1][:10]
        day = pd.Timestamp(dt.datetime.strptime(placed, "%d-%m-%Y"))
        assert not ((social["trajectory_id"] == tid) & (social["start_on"] == day)).any()


def test_mdo_screen_uses_the_teams_method_words(demo_db: Path, tmp_path: Path) -> None:
    """Default of the organisation (words): a Flemish art. 60 team sees “trajectbegeleider”, a
    Dutch opstapbaan team “jobcoach” (“Traject Work-2-Gether”: “toegewezen aan een jobcoach”)."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    with Workspace(copy, today=dt.date(2026, 11, 2), migrate=False) as store:
        app = MdoDashboard(store, as_of=dt.date(2026, 11, 2))
        by_method = app.cases.groupby("team", observed=True)["method"].agg(set)
        art_team = next(t for t, ms in by_method.items() if ms == {"art60"})
        op_team = next(t for t, ms in by_method.items() if ms == {"opstapbaan"})
        app.select_team(str(art_team))
        assert app.coach_filter.description == "Trajectbegeleider"
        assert app.coach_filter.options[0][0] == "Alle trajectbegeleiders"
        assert "Caseload per trajectbegeleider" in app.charts.chart.value
        app.select_team(str(op_team))
        assert app.coach_filter.description == "Jobcoach"
        assert "Caseload per jobcoach" in app.charts.chart.value


def test_phase_3_choice_is_recorded_with_its_reason(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 3: “Na alles in kaart te
    hebben gebracht moet er nagegaan worden of betrokkene in aanmerking komt voor een
    tewerkstelling op de reguliere arbeidsmarkt. … Indien een reguliere tewerkstelling te hoog
    gegrepen lijkt, moet er overwogen worden om betrokkene sociaal tewerk te stellen in art.
    60§7.”"""
    store, staff = w
    tid = _case(store, staff)
    store.change_phase(tid, "mapping", on="01-04-2026")
    with pytest.raises(InvalidRecord) as err:
        store.change_phase(tid, "employment", on="01-05-2026")
    text = str(err.value)
    assert "Keuze: is verplicht bij de overgang naar 'Tewerkstelling'" in text
    assert "Reden van de keuze: is verplicht" in text
    with pytest.raises(InvalidRecord, match="Keuze: onbekende waarde 'sw'"):
        store.change_phase(tid, "employment", on="01-05-2026", decision="sw",
                           decision_reason="x")
    assert store.get("trajectories", tid)["phase"] == "mapping"  # nothing half-written
    store.change_phase(tid, "employment", on="01-05-2026", decision="art60",
                       decision_reason="Nog geen arbeidsritme")
    events = entity_frame(store, "phase_events")
    mine = events[(events["trajectory_id"] == tid) & (events["phase"] == "employment")]
    assert mine[["decision", "decision_reason"]].values.tolist() == [
        ["art60", "Nog geen arbeidsritme"]]
    audit = entity_frame(store, "audit_log")
    assert ((audit["field"] == "decision") & (audit["new"].astype(str).str.contains(
        "art60: Nog geen arbeidsritme"))).any()
    with pytest.raises(InvalidRecord, match="vraagt geen keuze"):
        store.change_phase(tid, "guidance", on="02-05-2026", decision="art60")


def test_art60_placement_names_the_user_organisation(w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 3: “het OCMW als werkgever
    optreedt en de cliënt kan tewerkstellen in eigen diensten of terbeschikking kan stellen van
    sociale werkplaatsen, vzw's, kringwinkels, …”"""
    store, staff = w
    tid = _case(store, staff)
    ocmw = store.add("employers", {"name": "OCMW Gent"})
    with pytest.raises(InvalidRecord) as err:
        store.add("placements", {"trajectory_id": tid, "employer_id": ocmw,
                                 "kind": "social_employment", "start_on": "01-05-2026"})
    assert "Gebruiker (terbeschikkingstelling): is verplicht bij een tewerkstelling art. 60§7" \
        in str(err.value)
    pid = store.add("placements", {"trajectory_id": tid, "employer_id": ocmw,
                                   "kind": "social_employment", "start_on": "01-05-2026",
                                   "user_organisation": "Kringwinkel Gent"})
    row = store.get("placements", pid)
    assert (row["employer_id"], row["user_organisation"]) == (ocmw, "Kringwinkel Gent")
    # a regular contract needs none
    store.add("placements", {"trajectory_id": tid, "kind": "regular", "start_on": "01-06-2026"})


@pytest.mark.parametrize(("number", "valid"), [
    ("85073003328", True),       # 97 - 850730033 % 97 = 28
    ("85.07.30-033.28", True),   # written with dots and a dash
    ("17073003384", True),       # born in 2017: 97 - 2170730033 % 97 = 84
    ("17073003355", True),       # the same digits before 2000: 97 - 170730033 % 97 = 55
    ("85073003329", False),      # check digits off by one
    ("17073003383", False),
    ("8507300332", False),       # 10 digits
    ("85133003328", False),      # month 13
])
def test_rijksregisternummer_check(number: str, valid: bool) -> None:
    """Belgian national register number: 11 digits JJMMDD-xxx-cc, cc = 97 - (first 9 mod 97),
    with a 2 in front of the 9 digits for people born from 2000 on (numbers computed here)."""
    assert (rrn_problem(number) is None) is valid
    if valid:
        assert rrn_check(normalise_rrn(number))


def test_art60_asks_no_bsn_and_stores_the_rrn_only_when_switched_on(
        w: tuple[Workspace, Staff]) -> None:
    """Default of the organisation: an art. 60 register (Flanders) has no BSN; the
    rijksregisternummer is stored only where the register switched it on (as the BSN)."""
    store, _staff = w
    enable_bsn(store)  # even where the BSN is on, art60 does not take one
    person = {"given_name": "Lotte", "family_name": "Peeters", "target_group": "over_45"}
    with pytest.raises(InvalidRecord, match="BSN: wordt niet gevraagd bij methode"):
        store.register({**person, "bsn": "111222333"}, method="art60",
                       registered_at="02-03-2026 10:00")
    assert store.count("clients") == 0
    rrn = {**person, "national_register_number": "85.07.30-033.28"}
    with pytest.raises(InvalidRecord, match="Rijksregisternummer: wordt in dit register niet"):
        store.register(rrn, method="art60", registered_at="02-03-2026 10:00")
    enable_rrn(store)
    with pytest.raises(InvalidRecord, match="Rijksregisternummer: klopt niet"):
        store.register({**person, "national_register_number": "85073003329"}, method="art60",
                       registered_at="02-03-2026 10:00")
    tid = store.register(rrn, method="art60", registered_at="02-03-2026 10:00")
    client = store.get("clients", store.get("trajectories", tid)["client_id"])
    assert client["national_register_number"] == "85073003328" and client["bsn"] is None
    # the opstapbaan keeps its BSN
    store.register({**person, "bsn": "111222333"}, method="opstapbaan",
                   registered_at="02-03-2026 10:00")


def test_placement_form_asks_the_user_organisation_and_the_choice(
        w: tuple[Workspace, Staff]) -> None:
    """“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 3: the choice (regular or
    art. 60§7) with its reason, and the OCMW as employer apart from the user organisation."""
    store, staff = w
    tid = _case(store, staff)
    store.change_phase(tid, "mapping", on="01-04-2026")
    app = follow(store, tid, actor="jet.coach", today=TODAY)
    p = app.placement
    assert is_shown(p.fields["user_organisation"])
    assert not is_shown(p.fields["decision"])
    fill(p.fields, {"kind": "social_employment", "employer_name": "OCMW Gent",
                    "start_on": "01-05-2026", "to_phase": "employment"})
    assert is_shown(p.fields["decision"]) and is_shown(p.fields["decision_reason"])
    p.save_button.click()
    errors = p.fields.errors()
    assert "is verplicht bij een tewerkstelling art. 60§7" in errors["user_organisation"]
    assert store.count("placements") == 0
    fill(p.fields, {"user_organisation": "Kringwinkel Gent"})
    p.save_button.click()
    assert "is verplicht bij de overgang naar 'Tewerkstelling'" in p.fields.errors()["decision"]
    assert store.count("placements") == 0 and store.get("trajectories", tid)["phase"] == "mapping"
    fill(p.fields, {"decision": "art60", "decision_reason": "Eerst arbeidsritme opbouwen"})
    p.save_button.click()
    assert p.status.kind == "ok", (p.status.message, p.fields.errors())
    assert store.get("trajectories", tid)["phase"] == "employment"
    events = entity_frame(store, "phase_events")
    assert events.iloc[-1][["decision", "decision_reason"]].tolist() == [
        "art60", "Eerst arbeidsritme opbouwen"]
    # ending the art. 60 contract keeps its user organisation
    fill(p.ends.rows[0].fields, {"end_on": "30-06-2026"})
    p.end_button.click()
    assert p.status.kind == "ok", (p.status.message, p.ends.rows[0].fields.errors())
    placed = entity_frame(store, "placements").iloc[0]
    assert (placed["user_organisation"], placed["end_on"]) == (
        "Kringwinkel Gent", pd.Timestamp("2026-06-30"))
    # an opstapbaan case never sees the art. 60 fields
    other = follow(store, _case(store, staff, method="opstapbaan"), actor="jet.coach",
                   today=TODAY)
    assert not is_shown(other.placement.fields["user_organisation"])


def test_registration_form_asks_the_methods_identifier(w: tuple[Workspace, Staff]) -> None:
    """Default of the organisation: the form asks the BSN for opstapbaan, none for art60, and
    the rijksregisternummer for art60 only where the register switched it on."""
    store, staff = w
    app = IntakeApp(store, actor="jet.coach", today=TODAY)
    app.new_button.click()
    reg = app.registration
    assert is_shown(reg.fields["bsn"]) and not is_shown(reg.fields["national_register_number"])
    fill(reg.fields, {"method": "art60"})
    assert not is_shown(reg.fields["bsn"])
    assert not is_shown(reg.fields["national_register_number"])
    enable_rrn(store)
    fill(reg.fields, {"method": "opstapbaan"})
    fill(reg.fields, {"method": "art60"})
    assert is_shown(reg.fields["national_register_number"]) and not is_shown(reg.fields["bsn"])
    tid = register(app, staff.coach, staff.case_manager, method="art60",
                   national_register_number="85.07.30-033.28")
    client = store.get("clients", store.get("trajectories", tid)["client_id"])
    assert client["national_register_number"] == "85073003328" and client["bsn"] is None


def test_import_takes_the_rrn_only_where_switched_on(w: tuple[Workspace, Staff],
                                                      tmp_path: Path) -> None:
    """Default of the organisation: an import row with a rijksregisternummer is refused (named
    in Dutch, in the reject file) unless the register stores it; a wrong one never loads."""
    store, _staff = w
    csv = tmp_path / "klanten.csv"
    csv.write_text("Klantnummer;Voornaam;Achternaam;Doelgroep;Rijksregisternummer\n"
                   "K1;Lotte;Peeters;over_45;85.07.30-033.28\n"
                   "K2;Jens;Maes;over_45;85.07.30-033.29\n", "utf-8")
    result = import_file(store, csv, kind="clients")
    assert (result.new, result.rejected) == (0, 2)
    rejects = "".join(p.read_text("utf-8-sig") for p in tmp_path.glob("klanten*") if p != csv)
    assert "wordt in dit register niet opgeslagen" in rejects
    enable_rrn(store)
    result = import_file(store, csv, kind="clients")
    assert (result.new, result.rejected) == (1, 1)
    clients = entity_frame(store, "clients")
    assert clients["national_register_number"].tolist() == ["85073003328"]


def test_import_refuses_an_art60_trajectory_of_a_client_with_a_bsn(
        w: tuple[Workspace, Staff], tmp_path: Path) -> None:
    """Default of the organisation: an art. 60 register asks no BSN, also not by import."""
    store, _staff = w
    enable_bsn(store)
    clients = tmp_path / "klanten.csv"
    clients.write_text("Klantnummer;Voornaam;Achternaam;Doelgroep;BSN\n"
                       "K1;Lotte;Peeters;over_45;111222333\nK2;Jens;Maes;over_45;\n", "utf-8")
    assert import_file(store, clients, kind="clients").new == 2
    trajectories = tmp_path / "trajecten.csv"
    trajectories.write_text("Trajectnummer;Klant;Methode;Aanmelddatum\n"
                            "T1;K1;art60;02-03-2026\nT2;K2;art60;02-03-2026\n"
                            "T3;K1;opstapbaan;02-03-2026\n", "utf-8")
    result = import_file(store, trajectories, kind="trajectories")
    assert (result.new, result.rejected) == (2, 1)
    rejects = "".join(p.read_text("utf-8-sig") for p in tmp_path.glob("trajecten*")
                      if p != trajectories)
    assert "vraagt geen BSN" in rejects
