"""Organisation set-up: teams, coaches, case managers and users, in the register and on the
command line; deactivating a coach hands over the open cases or is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TODAY, add_staff, make_store, register_case
from trajecttools.cli import main
from trajecttools.core.errors import InvalidRecord
from trajecttools.outputs.importer import ImportFileError, import_file
from trajecttools.register import organisation as org
from trajecttools.register.access import AccessDenied
from trajecttools.workspace import Workspace


def _audit(store: Workspace, entity: str) -> list[tuple[str, str | None, str | None]]:
    df = store.audit()
    rows = df[df["entity"] == entity]
    return [(a, f, n) for a, f, n in zip(rows["action"], rows["field"], rows["new"], strict=True)]


def test_add_and_list_teams_coaches_case_managers_users(store: Workspace) -> None:
    org.add_team(store, "Team Noord", "Groningen")
    org.add_coach(store, "JB01", "Jan Bakker", "team noord")
    org.add_coach(store, "JB02", "Els de Vries")
    org.add_case_manager(store, "Carla Consulent", "Gemeente Groningen")
    assert org.set_user(store, "jan", "coach:jb01") == ("coach:JB01", None)
    assert org.set_user(store, "els", "team_lead:TEAM NOORD") == ("team_lead:Team Noord", None)
    assert org.set_user(store, "els", "beheer") == ("beheer", "team_lead:Team Noord")

    teams = org.teams_frame(store)
    assert teams[["name", "region", "coaches", "active"]].values.tolist() == [
        ["Team Noord", "Groningen", 1, True]]
    coaches = org.coaches_frame(store).fillna({"team": ""})
    assert coaches[["code", "team", "active", "open_cases"]].values.tolist() == [
        ["JB01", "Team Noord", True, 0], ["JB02", "", True, 0]]
    assert org.case_managers_frame(store)["organisation"].tolist() == ["Gemeente Groningen"]
    assert org.users_frame(store)[["login", "role"]].values.tolist() == [
        ["els", "beheer"], ["jan", "coach:JB01"]]
    # every change audited, the role change with old and new value
    created = [a for a, _, new in _audit(store, "coaches") if "JB0" in str(new)]
    assert created == ["create", "create"] and len(_audit(store, "teams")) == 1
    info = store.audit()
    change = info[(info["field"] == "user:els") & (info["action"] == "update")]
    assert change[["old", "new"]].values.tolist() == [["team_lead:Team Noord", "beheer"]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: org.add_team(s, "team rijnmond"), "Teamnaam: team 'Team Rijnmond' bestaat al"),
        (lambda s: org.add_team(s, "  "), "Teamnaam"),
        (lambda s: org.add_coach(s, "jc01", "Dubbel"), "Code: 'jc01' bestaat al (jobcoach Jet"),
        (lambda s: org.add_coach(s, "JC09", "Nieuw", "Team Zuid"),
         "Team: onbekend team 'Team Zuid'; bekend zijn: Team Rijnmond"),
        (lambda s: org.add_coach(s, "", "Zonder code"), "Code"),
        (lambda s: org.add_case_manager(s, "carla consulent", "gemeente"),
         "Naam: 'carla consulent' van gemeente bestaat al"),
        (lambda s: org.set_user(s, "piet", "baas"), "Rol: onbekende rol 'baas'; bekend zijn"),
        (lambda s: org.set_user(s, "piet", "coach:XX"),
         "Gebruiker: Rol: onbekende jobcoach 'XX'; bekend zijn: JC01, JC02"),
        (lambda s: org.set_user(s, "piet", "team_lead"), "Rol: geef het team"),
        (lambda s: org.set_user(s, "piet", "team_lead:Zuid"), "Rol: onbekend team 'Zuid'"),
        (lambda s: org.set_user(s, "piet", "analyst:Zuid"), "Rol: rol 'analyst' heeft geen"),
        (lambda s: org.set_user(s, "piet jansen", "analyst"),
         "Gebruikersnaam: mag geen spaties bevatten"),
    ],
)
def test_bad_input_is_refused_in_dutch_naming_the_field(sqlite_store: Workspace, call, message
                                                        ) -> None:
    add_staff(sqlite_store)
    before = len(sqlite_store.audit())
    with pytest.raises(InvalidRecord, match=message.replace("(", r"\(")):
        call(sqlite_store)
    assert len(sqlite_store.audit()) == before  # nothing written


def test_only_beheer_may_change_the_organisation(tmp_path: Path) -> None:
    with make_store("sqlite", tmp_path) as store:
        add_staff(store)
    for role in ("analyst", "team_lead:Team Rijnmond", "coach:JC01"):
        with Workspace(tmp_path / "register.db", role=role, today=TODAY) as store:
            with pytest.raises(AccessDenied, match="Alleen de rol functioneel beheerder"):
                org.add_team(store, "Team Zuid")
            with pytest.raises(AccessDenied, match="beheer"):
                org.deactivate_coach(store, "JC01")
            assert len(org.coaches_frame(store)) == 2  # reading the lists is allowed
            assert store.count("teams") == 1


def test_deactivating_a_coach_with_open_cases_refuses_or_hands_over(store: Workspace) -> None:
    staff = add_staff(store)
    first, second = register_case(store, staff), register_case(store, staff)
    closed = register_case(store, staff)
    with store.transaction() as tx:
        tx.change_phase(closed, "closed", on="10-06-2026", outcome="other_route",
                        outcome_reason="verhuisd")
    assert org.open_cases(store, "jc01") == 2

    with pytest.raises(org.OpenCasesError,
                       match=r"Jobcoach JC01 heeft nog 2 open trajecten; niet gedeactiveerd\. "
                       r"Draag ze over aan een andere jobcoach\. .*JC02 \(Kees Coach\)"):
        org.deactivate_coach(store, "JC01")
    assert store.get("coaches", staff.coach)["active"] is True

    with pytest.raises(InvalidRecord, match="Overdragen aan: kies een andere jobcoach"):
        org.deactivate_coach(store, "JC01", hand_over_to="jc01")
    done = org.deactivate_coach(store, "JC01", hand_over_to="JC02")
    assert done.handed_over == [first, second]
    assert "2 open trajecten overgedragen aan JC02 (Kees Coach)" in done.summary()
    assert store.get("coaches", staff.coach)["active"] is False
    for tid in (first, second):
        assert store.get("trajectories", tid)["coach_id"] == staff.other_coach
    assert store.get("trajectories", closed)["coach_id"] == staff.coach  # closed: untouched
    assignments = store.frame("coach_assignments")
    handed = assignments[assignments["reason"] == "overdracht: jobcoach JC01 gedeactiveerd"]
    assert sorted(handed["trajectory_id"]) == [first, second]
    audit = store.audit()
    changes = audit[(audit["action"] == "assign_coach") & (audit["new"] == str(staff.other_coach))]
    assert sorted(changes["entity_id"]) == [first, second]
    # a deactivated coach takes over nothing and cannot get a user mapping
    with pytest.raises(InvalidRecord, match="jobcoach 'JC01' is gedeactiveerd"):
        org.deactivate_coach(store, "JC02", hand_over_to="JC01")
    with pytest.raises(InvalidRecord, match="jobcoach 'JC01' is gedeactiveerd"):
        org.set_user(store, "jet", "coach:JC01")


def test_deactivate_team_case_manager_and_user(sqlite_store: Workspace, tmp_path: Path) -> None:
    store = sqlite_store
    add_staff(store)
    org.set_user(store, "kees", "coach:JC02")
    with pytest.raises(InvalidRecord, match=r"heeft nog 2 actieve jobcoaches \(JC01, JC02\)"):
        org.deactivate_team(store, "Team Rijnmond")
    org.deactivate_coach(store, "JC01")
    note = org.deactivate_coach(store, "JC02").summary()
    assert "gebruiker kees heeft nog de rol coach:JC02" in note
    assert org.deactivate_team(store, "team rijnmond").summary() == (
        "Team Team Rijnmond is gedeactiveerd.")
    assert org.teams_frame(store)["active"].tolist() == [False]
    with pytest.raises(InvalidRecord, match="team 'Team Rijnmond' is gedeactiveerd"):
        org.add_coach(store, "JC03", "Nieuw", "Team Rijnmond")
    assert org.deactivate_team(store, "Team Rijnmond").already
    org.deactivate_case_manager(store, "Carla Consulent")
    assert org.case_managers_frame(store)["active"].tolist() == [False]
    with pytest.raises(InvalidRecord, match="onbekende casemanager 'Bob'"):
        org.deactivate_case_manager(store, "Bob")

    org.deactivate_user(store, "kees")
    assert org.users_frame(store)[["role", "active"]].values.tolist() == [["inactive", False]]
    with pytest.raises(AccessDenied, match="Gebruiker kees is gedeactiveerd"):
        Workspace(tmp_path / "register.db", actor="kees", today=TODAY)
    assert org.set_user(store, "kees", "analyst") == ("analyst", "inactive")  # active again
    Workspace(tmp_path / "register.db", actor="kees", today=TODAY).close()
    with pytest.raises(InvalidRecord, match="onbekende gebruiker 'piet'"):
        org.deactivate_user(store, "piet")


def test_cli_organisation_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "r.db")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["organisation", *argv, "--db", db])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("team", "add", "Team Noord", "--region", "Groningen")[0] == 0
    assert run("coach", "add", "JB01", "Jan Bakker", "--team", "Team Noord")[1] == (
        "Jobcoach JB01 (Jan Bakker) toegevoegd in team Team Noord.\n")
    assert run("coach", "add", "JB02", "Els de Vries", "--team", "Team Noord")[0] == 0
    code, _, err = run("coach", "add", "jb02", "Dubbel")
    assert code == 2 and "Fout: Jobcoach: Code: 'jb02' bestaat al" in err
    assert run("casemanager", "add", "Carla Consulent", "--organisation", "Gemeente")[0] == 0
    assert "toegevoegd met rol coach:JB01" in run("user", "add", "jan", "coach:JB01")[1]
    code, _, err = run("user", "add", "piet", "coach:XX")
    assert code == 2 and "onbekende jobcoach 'XX'; bekend zijn: JB01, JB02" in err

    out = run("coach", "list")[1].splitlines()
    assert out[0].split() == ["Code", "Naam", "Team", "Actief", "Open", "trajecten"]
    assert out[2].split() == ["JB01", "Jan", "Bakker", "Team", "Noord", "ja", "0"]
    assert out[-1] == "2 jobcoaches."
    assert run("team", "list")[1].splitlines()[2].split() == [
        "Team", "Noord", "Groningen", "2", "ja"]
    assert "1 gebruiker." in run("user", "list")[1]
    assert "1 casemanager." in run("casemanager", "list")[1]

    with Workspace(db, role="beheer", today=TODAY) as store:
        cm = org.case_managers_frame(store)["id"].iloc[0]
        coach = int(org.coaches_frame(store)["id"].iloc[0])
        tid = store.register({"given_name": "Amira", "family_name": "Proefstra",
                              "target_group": "young_people"}, method="opstapbaan",
                             registered_at="01-06-2026 09:00", case_manager_id=int(cm),
                             coach_id=coach)
    code, _, err = run("coach", "deactivate", "JB01")
    assert code == 2 and "Jobcoach JB01 heeft nog 1 open traject" in err
    assert "Draag ze over met --hand-over-to CODE" in err and "JB02 (Els de Vries)" in err
    code, out_text, _ = run("coach", "deactivate", "JB01", "--hand-over-to", "JB02")
    assert code == 0 and "1 open traject overgedragen aan JB02 (Els de Vries)" in out_text
    assert "gebruiker jan heeft nog de rol coach:JB01" in out_text
    with Workspace(db, role="beheer", today=TODAY) as store:
        assert store.get("trajectories", tid)["coach_id"] != coach
    assert run("user", "deactivate", "jan")[1] == "Gebruiker jan is gedeactiveerd.\n"
    code, _, err = run("team", "deactivate", "Team Noord")
    assert code == 2 and "heeft nog 1 actieve jobcoach (JB02)" in err
    assert run("casemanager", "deactivate", "carla consulent")[1] == (
        "Casemanager Carla Consulent (Gemeente) is gedeactiveerd.\n")
    assert run("casemanager", "list")[1].splitlines()[2].split() == [
        "Carla", "Consulent", "Gemeente", "nee"]
    # the organisation's name still works as before, --db before the sub-command too
    assert main(["organisation", "--name", "Werkpunt", "--db", db]) == 0
    assert "Organisatie: Werkpunt" in capsys.readouterr().out
    assert main(["organisation", "--db", db, "team", "list"]) == 0
    assert "Team Noord" in capsys.readouterr().out


COACHES_CSV = (
    "Medewerkercode;Naam;Team;Actief\n"
    "JB01;Jan Bakker;Team Rijnmond;ja\n"
    "JB02;Els <script>alert(1)</script>;team rijnmond;nee\n"
    "\n"
    "JB01;Jan Bakker;Team Rijnmond;ja\n"
    "JB03;Piet;Team West;ja\n"
    ";Zonder code;Team Rijnmond;ja\n"
    "JC01;Jet Anders;Team Rijnmond;ja\n"
    "JB04;Kees;;misschien\n"
)


def test_import_coaches_and_users_one_transaction_each_row_its_reason(
    store: Workspace, tmp_path: Path
) -> None:
    add_staff(store)
    source = tmp_path / "coaches.csv"
    source.write_bytes(COACHES_CSV.encode("cp1252"))
    result = import_file(store, source, kind="coaches")
    assert (result.read, result.new, result.unchanged, result.rejected, result.empty_rows) == (
        7, 2, 0, 5, 1)
    assert sorted(result.rejects) == sorted([
        (5, "Code", "dubbel in het bestand: zelfde code als regel 2"),
        (6, "Team", "onbekend team 'Team West'; bekend zijn: Team Rijnmond"),
        (7, "Code", "is verplicht"),
        (8, "Code", "jobcoach JC01 bestaat al in het register met een andere waarde (Naam); "
                    "een import overschrijft niets (wijzig met 'trajecttools organisation')"),
        (9, "Actief", "moet ja of nee zijn"),
    ])
    coaches = org.coaches_frame(store).set_index("code")
    assert coaches.loc["JB02", "name"] == "Els <script>alert(1)</script>"  # stored verbatim
    assert not coaches.loc["JB02", "active"] and coaches.loc["JB01", "active"]
    assert coaches.loc["JB02", "team"] == "Team Rijnmond"
    audit = store.audit()
    assert len(audit[(audit["entity"] == "coaches") & (audit["action"] == "create")]) == 4
    again = import_file(store, source, kind="coaches")
    assert (again.new, again.unchanged, again.rejected) == (0, 2, 5)

    users = tmp_path / "users.csv"
    users.write_text("Gebruikersnaam,Rol,Code jobcoach,Team\n"
                     "jan,jobcoach,JB01,\nels,teamleider,,team rijnmond\nana,analist,,\n"
                     "bob,coach:XX,,\njan,beheer,,\nkees,coach:JC02,,\n", encoding="utf-8")
    mapped = tmp_path / "users.toml"
    mapped.write_text('[codes.role]\n"analist" = "analyst"\n', encoding="utf-8")
    result = import_file(store, users, kind="users", mapping=mapped, dry_run=True)
    assert (result.new, result.rejected) == (4, 2) and org.users_frame(store).empty
    result = import_file(store, users, kind="users", mapping=mapped)
    assert [r[:2] for r in result.rejects] == [(5, "Rol"), (6, "Gebruikersnaam")]
    assert "onbekende jobcoach 'XX'" in result.rejects[0][2]
    assert org.users_frame(store)[["login", "role"]].values.tolist() == [
        ["ana", "analyst"], ["els", "team_lead:Team Rijnmond"], ["jan", "coach:JB01"],
        ["kees", "coach:JC02"]]


def test_import_of_organisation_needs_beheer_and_its_columns(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    source = tmp_path / "coaches.csv"
    source.write_text("Code;Naam\nJB01;Jan\n", encoding="utf-8")
    with make_store("sqlite", tmp_path, role="analyst") as store:
        with pytest.raises(AccessDenied, match="jobcoaches importeren"):
            import_file(store, source, kind="coaches")
        bad = tmp_path / "users.csv"
        bad.write_text("Gebruikersnaam;Team\njan;Noord\n", encoding="utf-8")
    with (Workspace(tmp_path / "register.db", role="beheer", today=TODAY) as store,
          pytest.raises(ImportFileError, match="de kolom 'Rol' ontbreekt")):
        import_file(store, bad, kind="users")
    mapping = tmp_path / "medewerkers.toml"
    mapping.write_text('[columns]\n"Wie" = "code"\n"Volledig" = "name"\n', encoding="utf-8")
    other = tmp_path / "medewerkers.csv"
    other.write_text("Wie;Volledig\nMW7;Mo Wouters\n", encoding="utf-8")
    with Workspace(tmp_path / "register.db", role="beheer", today=TODAY) as store:
        assert import_file(store, other, kind="coaches", mapping=mapping).new == 1
        assert org.coaches_frame(store)["name"].tolist() == ["Mo Wouters"]
    # the command line imports coaches as functional administrator
    assert main(["import", str(source), "--kind", "coaches", "--db",
                 str(tmp_path / "register.db")]) == 0
    assert "1 nieuw" in capsys.readouterr().out
