"""Workspace: transactions, validation at the edge, stale edits, audit chain, phase rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from conftest import TODAY, add_staff, register_case
from trajecttools.core import validation
from trajecttools.core.errors import (
    IllegalTransitionError,
    InvalidRecord,
    StaleEditError,
    TrajecttoolsError,
)
from trajecttools.core.model import ENTITIES
from trajecttools.register.database import resolve_url
from trajecttools.workspace import Workspace


def test_register_creates_client_trajectory_plan_phase_and_coach(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    traj = store.get("trajectories", tid)
    assert traj["phase"] == "registration"
    assert traj["phase_since"] == dt.date(2026, 6, 1)
    assert traj["coach_id"] == staff.coach
    assert store.count("phase_events") == 1
    assert store.count("coach_assignments") == 1
    plan = store.frame("trajectory_plans").iloc[0]
    assert plan["signed_client_on"] == dt.datetime(2026, 6, 4)
    client = store.get("clients", traj["client_id"])
    assert client["pseudonym"].startswith("K-") and len(client["pseudonym"]) == 8
    assert client["postcode"] == "3011 AB"


def test_invalid_record_names_fields_in_dutch_and_writes_nothing(store: Workspace) -> None:
    before = store.count("clients"), store.count("audit_log")
    with pytest.raises(InvalidRecord) as err:
        store.add(
            "clients",
            {
                "given_name": "",
                "family_name": "Oefendijk",
                "target_group": "onbekend",
                "birth_date": "31-02-2001",
                "bsn": "123456789",
            },
        )
    message = str(err.value)
    assert "Voornaam: is verplicht" in message
    assert "Doelgroep: onbekende waarde 'onbekend'" in message
    assert "Geboortedatum: is geen geldige datum (gebruik dd-mm-jjjj)" in message
    assert "BSN: voldoet niet aan de elfproef" in message
    assert set(err.value.fields) == {"given_name", "target_group", "birth_date", "bsn"}
    assert (store.count("clients"), store.count("audit_log")) == before


def test_every_write_is_one_transaction(store: Workspace) -> None:
    staff = add_staff(store)
    before = {t: store.count(t) for t in ("clients", "trajectories", "audit_log")}
    with pytest.raises(InvalidRecord), store.transaction() as tx:
        tx.add(
            "clients", {"given_name": "Bo", "family_name": "Demoberg", "target_group": "over_45"}
        )
        tx.register(
            {"given_name": "Cas", "family_name": "Testmans", "target_group": "over_45"},
            method="opstapbaan",
            registered_at="01-06-2026 09:00",
            coach_id=staff.coach,
            coach_assigned_at="31-05-2026 09:00",
        )
    assert {t: store.count(t) for t in before} == before


def test_unknown_reference_is_refused_in_dutch(store: Workspace) -> None:
    with pytest.raises(InvalidRecord, match="Klant: verwijst naar een onbekende klant"):
        store.add(
            "skills",
            {"client_id": 999, "kind": "diploma", "name": "Mbo-2", "recorded_on": "01-06-2026"},
        )


def test_stale_edit_is_refused_and_nothing_overwritten(store: Workspace) -> None:
    client = store.add(
        "clients",
        {"given_name": "Dewi", "family_name": "Voorbeeldinga", "target_group": "refugees"},
    )
    version = store.get("clients", client)["version"]
    # Two coaches opened the same form at version 1; the first one saves.
    new_version = store.update(
        "clients", client, {"municipality": "Schiedam"}, expected_version=version, actor="coach-a"
    )
    assert new_version == version + 1
    with pytest.raises(StaleEditError) as err:
        store.update(
            "clients",
            client,
            {"municipality": "Vlaardingen"},
            expected_version=version,
            actor="coach-b",
        )
    assert "intussen gewijzigd door coach-a" in str(err.value)
    assert err.value.current["municipality"] == "Schiedam"
    assert store.get("clients", client)["municipality"] == "Schiedam"


def test_versioned_update_without_version_is_refused(store: Workspace) -> None:
    client = store.add(
        "clients", {"given_name": "Eva", "family_name": "Proefhoven", "target_group": "over_45"}
    )
    with pytest.raises(TrajecttoolsError, match="zonder versienummer"):
        store.update("clients", client, {"municipality": "Delft"}, expected_version=None)


def test_audit_rows_record_who_when_what_old_and_new(store: Workspace) -> None:
    client = store.add(
        "clients",
        {"given_name": "Finn", "family_name": "Oefenstra", "target_group": "young_people"},
        actor="coach-a",
    )
    store.update(
        "clients",
        client,
        {"municipality": "Gouda", "education_level": "mbo3"},
        expected_version=1,
        actor="coach-b",
    )
    audit = store.audit()
    mine = audit[audit["entity_id"] == client]
    created = mine[mine["action"] == "create"].iloc[0]
    assert created["actor"] == "coach-a" and "Oefenstra" in created["new"]
    updates = mine[mine["action"] == "update"].set_index("field")
    assert pd.isna(updates.loc["municipality", "old"])
    assert updates.loc["municipality", "new"] == "Gouda"
    assert updates.loc["education_level", "new"] == "mbo3"
    assert set(updates["actor"]) == {"coach-b"}
    assert audit["at"].notna().all()
    assert store.verify_audit() == []


def test_tampered_or_deleted_audit_rows_are_detected(store: Workspace) -> None:
    for name in ("Gijs", "Hanna", "Ilse"):
        store.add(
            "clients", {"given_name": name, "family_name": "Demodijk", "target_group": "over_45"}
        )
    assert store.verify_audit() == []
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'iemand anders' WHERE id = 2"))
    problems = store.verify_audit()
    assert any("Auditregel 2: inhoud gewijzigd" in p for p in problems)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    assert any(
        "Auditregel 3: verwijst niet naar de vorige regel" in p for p in store.verify_audit()
    )


def test_phase_changes_follow_the_method(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    version = store.get("trajectories", tid)["version"]
    with pytest.raises(IllegalTransitionError) as err:
        store.change_phase(tid, "aftercare", on="05-06-2026", expected_version=version)
    assert "van 'Aanmelding' naar 'Nazorg' is niet toegestaan" in str(err.value)
    assert "'Intake', 'Afgesloten'" in str(err.value)
    version = store.change_phase(tid, "intake", on="04-06-2026", expected_version=version)
    version = store.change_phase(tid, "stepping_stone", on="10-06-2026", expected_version=version)
    traj = store.get("trajectories", tid)
    assert (traj["phase"], traj["phase_since"]) == ("stepping_stone", dt.date(2026, 6, 10))
    events = store.frame("phase_events")
    assert list(events["phase"]) == ["registration", "intake", "stepping_stone"]
    audit = store.audit()
    phase_rows = audit[audit["action"] == "phase"]
    assert list(zip(phase_rows["old"], phase_rows["new"], strict=True)) == [
        ("registration", "intake"),
        ("intake", "stepping_stone"),
    ]


def test_phase_change_checks_dates_and_outcome(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    v = store.get("trajectories", tid)["version"]
    with pytest.raises(InvalidRecord, match="ligt vóór het begin van de huidige fase"):
        store.change_phase(tid, "intake", on="20-05-2026", expected_version=v)
    with pytest.raises(InvalidRecord, match="mag niet in de toekomst liggen"):
        store.change_phase(tid, "intake", on=TODAY + dt.timedelta(days=1), expected_version=v)
    with pytest.raises(InvalidRecord, match="Uitkomst: is verplicht bij afsluiten"):
        store.change_phase(tid, "closed", on="05-06-2026", expected_version=v)
    with pytest.raises(InvalidRecord, match="Uitkomst: alleen bij afsluiten"):
        store.change_phase(tid, "intake", on="05-06-2026", outcome="work", expected_version=v)
    store.change_phase(tid, "closed", on="05-06-2026", outcome="Verhuisd", expected_version=v)
    traj = store.get("trajectories", tid)
    assert (traj["outcome"], traj["closed_on"]) == ("moved", dt.date(2026, 6, 5))
    assert store.get("trajectories", tid)["phase"] == "closed"


def test_other_route_needs_a_motivated_reason(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    v = store.get("trajectories", tid)["version"]
    audit = store.count("audit_log")
    for reason in (None, "   "):
        with pytest.raises(InvalidRecord, match="Toelichting uitkomst: is verplicht bij een "
                                                "ander traject") as err:
            store.change_phase(tid, "closed", on="05-06-2026", outcome="other_route",
                               outcome_reason=reason, expected_version=v)
        assert [p.field for p in err.value.problems] == ["outcome_reason"]
    assert store.get("trajectories", tid)["phase"] == "registration"
    assert store.count("audit_log") == audit  # nothing half-written
    store.change_phase(tid, "closed", on="05-06-2026", outcome="Ander traject",
                       outcome_reason="Eerst schuldhulp en zorg", expected_version=v)
    traj = store.get("trajectories", tid)
    assert (traj["outcome"], traj["outcome_reason"]) == ("other_route", "Eerst schuldhulp en zorg")
    # the record rule holds for every write path (imports, updates), not only phase changes
    row = {k: traj[k] for k in ("client_id", "method", "registered_at", "phase", "phase_since",
                                "closed_on", "outcome")}
    with pytest.raises(InvalidRecord, match="Toelichting uitkomst: is verplicht"):
        validation.validate("trajectories", row, today=TODAY)
    assert validation.validate("trajectories", {**row, "outcome": "moved"}, today=TODAY)


def test_coach_assigned_without_a_moment_gets_the_store_date(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    store.assign_coach(tid, staff.other_coach)  # the wall clock's date is after TODAY
    moments = store.frame("coach_assignments").sort_values("id")["assigned_at"]
    assert moments.iloc[-1].date() == TODAY
    late = register_case(store, staff, registered_at="15-06-2026 23:59", coach_id=None,
                         plan={})
    store.assign_coach(late, staff.coach)  # never before the registration itself
    last = store.frame("coach_assignments").sort_values("id")["assigned_at"].iloc[-1]
    assert last == pd.Timestamp("2026-06-15 23:59")


def test_store_signs_a_plan_in_its_own_transaction(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff, plan={})
    plan = store.frame("trajectory_plans").iloc[0]
    version = int(plan["version"])
    new = store.sign_plan(tid, {"goals": "Werkritme opbouwen", "signed_client_on": "10-06-2026"},
                          expected_version=version)
    assert new == version + 1
    got = store.get("trajectory_plans", int(plan["id"]))
    assert (got["goals"], got["signed_client_on"]) == ("Werkritme opbouwen",
                                                       dt.date(2026, 6, 10))
    with pytest.raises(StaleEditError):
        store.sign_plan(tid, {"goals": "Iets anders"}, expected_version=version)
    with pytest.raises(InvalidRecord, match="mag niet vóór de aanmelding"):
        store.sign_plan(tid, {"signed_coach_on": "01-05-2026"}, expected_version=new)
    assert store.get("trajectory_plans", int(plan["id"]))["goals"] == "Werkritme opbouwen"


def test_check_version_is_public_on_the_transaction(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    v = store.get("trajectories", tid)["version"]
    with store.transaction() as tx:
        traj = tx.session.get(ENTITIES["trajectories"], tid)
        tx.check_version("trajectories", traj, v)
        tx.check_version("trajectories", traj, None)
        with pytest.raises(StaleEditError):
            tx.check_version("trajectories", traj, v + 1)


def test_phase_and_coach_only_change_through_their_operations(store: Workspace) -> None:
    staff = add_staff(store)
    tid = register_case(store, staff)
    v = store.get("trajectories", tid)["version"]
    with pytest.raises(InvalidRecord, match="Fase: wijzig de fase met een faseovergang"):
        store.update("trajectories", tid, {"phase": "closed"}, expected_version=v)
    v = store.assign_coach(
        tid, staff.other_coach, at="05-06-2026 12:00", reason="ziekte", expected_version=v
    )
    assert store.get("trajectories", tid)["coach_id"] == staff.other_coach
    assert store.count("coach_assignments") == 2
    with pytest.raises(InvalidRecord, match="is al de jobcoach"):
        store.assign_coach(tid, staff.other_coach, expected_version=v)


def test_plan_signatures_cannot_precede_registration(store: Workspace) -> None:
    staff = add_staff(store)
    with pytest.raises(InvalidRecord, match="Getekend door klant: mag niet vóór de aanmelding"):
        register_case(store, staff, plan={"signed_client_on": "15-05-2026"})
    assert store.count("trajectories") == 0


def test_own_method_file_can_be_installed_and_used(store: Workspace, tmp_path: Path) -> None:
    own = tmp_path / "eigen.toml"
    own.write_text(
        'extends = "opstapbaan"\n[method]\ncode = "eigen"\nname = "Eigen route"\n'
        "[rules.intake_after_signing]\ndays = 10\n",
        encoding="utf-8",
    )
    method = store.install_method(own)
    assert method.rule("intake_after_signing").days == 10  # type: ignore[union-attr]
    staff = add_staff(store)
    tid = register_case(store, staff, method="eigen")
    assert store.get("trajectories", tid)["method"] == "eigen"
    reopened = Workspace(store.url)
    assert reopened.method("eigen").rule("intake_after_signing").days == 10  # type: ignore[union-attr]
    reopened.close()


def test_unknown_method_is_refused(store: Workspace) -> None:
    staff = add_staff(store)
    with pytest.raises(InvalidRecord, match="onbekende methode 'nergens'"):
        register_case(store, staff, method="nergens")


def test_bulk_load_refuses_a_non_empty_register(store: Workspace) -> None:
    store.add("teams", {"name": "Team Zuid"})
    frames = {"teams": pd.DataFrame({"id": [10], "name": ["Team Noord"], "region": [None]})}
    with pytest.raises(TrajecttoolsError, match="teams is niet leeg"):
        store.bulk_load(frames)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_store: Workspace) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert resolve_url(None) == "postgresql+psycopg://u@h/db"
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.delenv("TRAJECTTOOLS_DATABASE_URL")
    assert resolve_url(None).endswith("/trajecttools.db")
