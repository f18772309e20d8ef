"""The organisation page (notebooks/beheer.ipynb), driven in-process as a beheerder would."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest

from conftest import TODAY, add_staff, make_store, register_case
from trajecttools.apps.organisation import beheer
from trajecttools.register import organisation as org
from trajecttools.widgets.organisation import OrganisationPanel
from trajecttools.widgets.transfer import TransferPanel
from trajecttools.workspace import Workspace


@pytest.fixture
def panel(sqlite_store: Workspace) -> OrganisationPanel:
    staff = add_staff(sqlite_store)
    register_case(sqlite_store, staff)
    register_case(sqlite_store, staff)
    p = OrganisationPanel(sqlite_store, actor="beheerder")
    yield p
    p.close()


def test_add_team_coach_case_manager_and_user_through_the_forms(panel: OrganisationPanel
                                                               ) -> None:
    store = panel.store
    teams = panel.teams
    teams.fields["name"].control.value = "Team <b>Zuid</b>"
    teams.fields["region"].control.value = "Zeeland"
    teams.add_button.click()
    assert teams.status.kind == "ok", teams.status.message
    assert "<td>Team &lt;b&gt;Zuid&lt;/b&gt;</td>" in teams.table.value  # shown escaped
    assert teams.fields["name"].get() is None  # form emptied for the next one

    coaches = panel.coaches
    assert ("Team <b>Zuid</b>", "Team <b>Zuid</b>") in coaches.fields["team"].control.options
    coaches.fields["code"].control.value = "JZ01"
    coaches.fields["name"].control.value = "Zoë Zeeuw"
    coaches.fields["team"].control.value = "Team <b>Zuid</b>"
    coaches.add_button.click()
    assert coaches.status.message == "Jobcoach JZ01 (Zoë Zeeuw) toegevoegd."
    row = org.coaches_frame(store).set_index("code").loc["JZ01"]
    assert row["team"] == "Team <b>Zuid</b>" and bool(row["active"])

    coaches.fields["code"].control.value = "jz01"
    coaches.fields["name"].control.value = "Dubbel"
    coaches.add_button.click()
    assert coaches.status.kind == "error"
    assert "Code: 'jz01' bestaat al (jobcoach Zoë Zeeuw)" in coaches.fields["code"].message

    cms = panel.case_managers
    cms.fields["name"].control.value = "Ubbo UWV"
    cms.fields["organisation"].control.value = "UWV"
    cms.add_button.click()
    assert "<td>Ubbo UWV</td>" in cms.table.value

    users = panel.users
    users.fields["login"].control.value = "zoe"
    users.fields["role"].control.value = "coach"
    users.add_button.click()
    assert "kies de jobcoach" in users.fields["coach"].message  # the field that is missing
    users.fields["coach"].control.value = "JZ01"
    users.add_button.click()
    assert users.status.message == "Gebruiker zoe toegevoegd met rol coach:JZ01."
    users.fields["login"].control.value = "tl"
    users.fields["role"].control.value = "team_lead"
    users.fields["team"].control.value = "Team Rijnmond"
    users.add_button.click()
    assert org.users_frame(store)["role"].tolist() == ["team_lead:Team Rijnmond", "coach:JZ01"]
    audit = store.audit()
    assert set(audit.loc[audit["actor"] == "beheerder", "entity"]) == {
        "teams", "coaches", "case_managers", "register_info"}


def test_deactivate_coach_offers_the_hand_over_and_never_leaves_a_case_alone(
    panel: OrganisationPanel
) -> None:
    store, coaches = panel.store, panel.coaches
    coaches.fields["off"].control.value = "JC01"
    assert "JC01 heeft 2 open trajecten; kies hieronder wie ze overneemt." in (
        coaches.off_note.value)
    coaches.off_button.click()  # nobody chosen: refused, nothing changed
    assert coaches.status.kind == "error"
    assert "Jobcoach JC01 heeft nog 2 open trajecten" in coaches.status.message
    assert "Kies wie de 2 open trajecten overneemt" in coaches.fields["hand_over_to"].message
    assert "Kies bij 'Open trajecten overdragen aan'" in coaches.status.message
    assert "--hand-over-to" not in coaches.status.message  # the command line's words
    assert org.open_cases(store, "JC01") == 2
    coaches.fields["hand_over_to"].control.value = "JC02"
    coaches.off_button.click()
    assert coaches.status.kind == "ok", coaches.status.message
    assert "2 open trajecten overgedragen aan JC02 (Kees Coach)" in coaches.status.message
    assert org.open_cases(store, "JC02") == 2 and org.open_cases(store, "JC01") == 0
    # the deactivated coach is no longer offered, and shows as not active
    assert "JC01" not in [v for _, v in coaches.fields["off"].control.options]
    assert "<td>JC01</td><td>Jet Coach</td><td>Team Rijnmond</td><td>nee</td>" in (
        coaches.table.value)

    panel.teams.fields["off"].control.value = "Team Rijnmond"
    panel.teams.off_button.click()  # JC02 still active in it
    assert "heeft nog 1 actieve jobcoach (JC02)" in panel.teams.status.message


def test_other_roles_see_the_tables_but_cannot_change(tmp_path: Path) -> None:
    with make_store("sqlite", tmp_path) as store:
        add_staff(store)
    with Workspace(tmp_path / "register.db", role="analyst", today=TODAY) as store:
        page = beheer(store, wait=False)
        assert isinstance(page, OrganisationPanel)
        assert "Alleen de functioneel beheerder" in page.role_line.value
        assert "<td>JC01</td>" in page.coaches.table.value
        assert page.coaches.add_button.disabled and page.users.off_button.disabled
        assert page.teams.fields["name"].disabled
        page.teams.fields["name"].control.value = "Team Zuid"
        page.teams.add_button.click()  # a disabled button in a browser; refused here anyway
        assert "Alleen de rol functioneel beheerder" in page.teams.status.message
        assert store.count("teams") == 1
        page.close()


def test_the_import_panel_offers_coaches_and_users(sqlite_store: Workspace) -> None:
    add_staff(sqlite_store)
    panel = TransferPanel(sqlite_store, actor="beheerder")
    try:
        part = panel.importer
        content = "Code;Naam;Team\nJB09;Bo Bakker;Team Rijnmond\nJB10;Cor;Team Elders\n".encode(
            "cp1252")
        part.upload.value = ({"name": "coaches.csv", "type": "text/csv", "size": len(content),
                              "content": memoryview(content),
                              "last_modified": dt.datetime(2026, 6, 15, 9, 0)},)
        part.kind.value = "coaches"
        part.dry_run.value = False
        part.run_button.click()
        assert "2 rijen gelezen = 1 geïmporteerd (1 nieuw" in part.summary.value
        assert html.unescape(part.rejects.value).count("onbekend team 'Team Elders'") == 1
        assert "JB09" in org.coaches_frame(sqlite_store)["code"].tolist()
    finally:
        panel.close()
