"""The MDO dashboard in-process: filters, signal rows, agenda, case card, hide-all, privacy."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances

from conftest import DEMO_AS_OF
from trajecttools.apps.mdo import mdo
from trajecttools.core import vocab
from trajecttools.register.access import set_user_role
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.widgets.signal_table import (
    ORDER_SENTENCE,
    SignalTable,
    safe_message,
    sort_signals,
)
from trajecttools.widgets.toolkit import Status
from trajecttools.workspace import Workspace

AS_OF = dt.date(2026, 6, 15)
SECRET = "GEHEIM-VERSLAG-7731"
AGENCY = "Verslavingszorg Noord"
PEOPLE = {
    "amira": ("Amira", "Proefstra", "111222333"),
    "bram": ("Bram", "Testerink", "123456782"),
    "chantal": ("Chantal", "Voorbeeldt", None),
    "dirk": ("Dirk", "Dummelaar", None),
    "eva": ("Eva", "Fictiefsma", None),
}
BIRTH = "14-03-2001"
#: Labels that may appear only on an explicitly opened case card.
SPECIAL_LABELS = sorted(
    {vocab.BARRIER_DOMAINS[d] for d in vocab.SPECIAL_CATEGORY_DOMAINS}
    | {vocab.ZRM_DOMAINS[d] for d in vocab.ZRM_SPECIAL_CATEGORY}
)


@dataclass
class Register:
    store: Workspace
    ids: dict[str, int]
    coaches: dict[str, int]


def _client(key: str) -> dict[str, object]:
    given, family, bsn = PEOPLE[key]
    return {"given_name": given, "family_name": family, "bsn": bsn, "birth_date": BIRTH,
            "target_group": "young_people", "wishes": SECRET, "postcode": "3011 AB"}


def _plan(day: str) -> dict[str, str]:
    return {"signed_case_manager_on": day, "signed_coach_on": day, "signed_client_on": day}


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    """Two teams, three coaches and five cases that break different rules on 15-06-2026; every
    client has a name, birth date, notes and (two of them) a BSN that must never be shown."""
    store = Workspace(tmp_path / "mdo.db", actor="tester", today=AS_OF)
    store.set_info("bsn_enabled", "true")  # this organisation stores the BSN
    ids: dict[str, int] = {}
    with store.transaction() as tx:
        north = tx.add("teams", {"name": "Team Noord", "region": "Noord"})
        south = tx.add("teams", {"name": "Team Zuid", "region": "Zuid"})
        jet = tx.add("coaches", {"code": "JC01", "name": "Jet de Coach", "team_id": north})
        kees = tx.add("coaches", {"code": "JC02", "name": "Kees Coach", "team_id": north})
        lies = tx.add("coaches", {"code": "JC03", "name": "Lies Coach", "team_id": south})
        cm = tx.add("case_managers", {"name": "Carla Consulent", "organisation": "Gemeente"})
        employer = tx.add("employers", {"name": "Groenbedrijf BV", "sector": "green",
                                        "social_work_company": True})
        # Amira: opstapbaan, no contact for weeks, addiction barrier referred, ZRM twice.
        a = tx.register(_client("amira"), method="opstapbaan", registered_at="01-03-2026 09:00",
                        case_manager_id=cm, coach_id=jet, coach_assigned_at="02-03-2026 10:00",
                        plan=_plan("03-03-2026"))
        tx.add("contacts", {"trajectory_id": a, "kind": "intake", "held_on": "10-03-2026",
                            "notes": SECRET})
        tx.change_phase(a, "intake", on="10-03-2026")
        tx.change_phase(a, "stepping_stone", on="20-03-2026")
        tx.add("placements", {"trajectory_id": a, "employer_id": employer,
                              "kind": "stepping_stone", "start_on": "20-03-2026"})
        tx.add("contacts", {"trajectory_id": a, "kind": "weekly_review", "held_on": "20-04-2026",
                            "notes": SECRET})
        barrier = tx.add("barriers", {"trajectory_id": a, "domain": "addiction", "severity": 3,
                                      "noted_on": "10-03-2026", "notes": SECRET})
        tx.add("referrals", {"barrier_id": barrier, "agency": AGENCY,
                             "referred_on": "12-03-2026"})
        tx.add("barriers", {"trajectory_id": a, "domain": "debts", "severity": 2,
                            "noted_on": "10-03-2026", "notes": SECRET})
        for day, score in (("10-03-2026", 2), ("10-05-2026", 3)):
            tx.add("zrm_assessments", {"trajectory_id": a, "assessed_on": day,
                                       "finances": score, "work_education": score + 1,
                                       "substance_use": score, "mental_health": 3,
                                       "housing": 4, "social_network": score})
        tx.add("ladder_steps", {"trajectory_id": a, "assessed_on": "10-03-2026", "rung": 2})
        tx.add("ladder_steps", {"trajectory_id": a, "assessed_on": "10-05-2026", "rung": 4})
        tx.add("agreements", {"trajectory_id": a, "what": SECRET, "who": "client",
                              "due_on": "01-05-2026"})
        ids["amira"] = a
        # Bram: registered, no coach yet.
        ids["bram"] = tx.register(_client("bram"), method="opstapbaan",
                                  registered_at="10-06-2026 09:00", case_manager_id=cm)
        # Chantal: plan signed long ago, no intake.
        ids["chantal"] = tx.register(
            _client("chantal"), method="opstapbaan", registered_at="01-04-2026 09:00",
            case_manager_id=cm, coach_id=kees, coach_assigned_at="01-04-2026 15:00",
            plan=_plan("02-04-2026"))
        # Dirk (team Zuid): in aftercare, contact overdue.
        d = tx.register(_client("dirk"), method="opstapbaan", registered_at="01-10-2025 09:00",
                        case_manager_id=cm, coach_id=lies, coach_assigned_at="01-10-2025 12:00",
                        plan=_plan("02-10-2025"))
        tx.add("contacts", {"trajectory_id": d, "kind": "intake", "held_on": "08-10-2025"})
        tx.change_phase(d, "intake", on="08-10-2025")
        tx.change_phase(d, "stepping_stone", on="15-10-2025")
        tx.change_phase(d, "placement", on="15-01-2026")
        tx.add("placements", {"trajectory_id": d, "employer_id": employer, "kind": "regular",
                              "start_on": "15-01-2026"})
        tx.change_phase(d, "aftercare", on="15-01-2026")
        tx.add("aftercare_contacts", {"trajectory_id": d, "held_on": "01-04-2026",
                                      "party": "both", "notes": SECRET})
        ids["dirk"] = d
        # Eva: closed with work.
        e = tx.register(_client("eva"), method="opstapbaan", registered_at="01-09-2025 09:00",
                        case_manager_id=cm, coach_id=jet, coach_assigned_at="01-09-2025 12:00",
                        plan=_plan("02-09-2025"))
        tx.change_phase(e, "closed", on="01-12-2025", outcome="work")
        ids["eva"] = e
    try:
        yield Register(store, ids, {"jet": jet, "kees": kees, "lies": lies})
    finally:
        store.close()


@pytest.fixture
def dash(register: Register) -> MdoDashboard:
    app = mdo(register.store, as_of=AS_OF)
    assert isinstance(app, MdoDashboard), app
    return app


def widget_text(root: widgets.Widget) -> str:
    """Return everything the browser would receive for ``root``: the synced state of every
    widget reachable from it (children, drawn charts, styles), as one JSON text."""
    seen: set[str] = set()
    parts: list[str] = []
    todo = [root]
    while todo:
        w = todo.pop()
        if w.model_id in seen:
            continue
        seen.add(w.model_id)
        state = w.get_state()
        text = json.dumps(state, default=str, ensure_ascii=False)
        parts.append(text)
        for ref in re.findall(r"IPY_MODEL_([0-9a-f]+)", text):
            child = _instances.get(ref)
            if child is not None:
                todo.append(child)
    return "\n".join(parts)


def forbidden_texts() -> list[str]:
    out = [SECRET, AGENCY, BIRTH, "2001-03-14", "3011 AB"]
    for given, family, bsn in PEOPLE.values():
        out += [given, family, f"{given} {family}"]
        if bsn:
            out.append(bsn)
    return out


def assert_private(root: widgets.Widget, *, card_open: bool) -> None:
    text = widget_text(root)
    leaks = [t for t in forbidden_texts() if t in text]
    assert not leaks, f"identifying data on screen: {leaks}"
    special = [label for label in SPECIAL_LABELS if label in text]
    if not card_open:
        assert not special, f"special-category labels outside an opened card: {special}"


def row_for(dash: MdoDashboard, trajectory_id: int):  # type: ignore[no-untyped-def]
    for page in range(dash.table.pages):
        dash.table.go(page)
        for row in dash.table.visible_rows():
            if row.trajectory_id == trajectory_id:
                return row
    raise AssertionError(f"no signal row for trajectory {trajectory_id}")


def test_dashboard_lists_signals_most_severe_first(dash: MdoDashboard) -> None:
    assert "tt-mdo" in dash._dom_classes
    assert "tt-signals" in dash.table.body._dom_classes
    assert "tt-agenda" in dash.agenda._dom_classes
    assert "tt-case-card" in dash.card._dom_classes
    assert "tt-status" in dash.status._dom_classes
    assert dash.charts.chart is not None and "tt-chart" in dash.charts.chart._dom_classes
    rows = dash.table.visible_rows()
    assert rows and all("tt-signal-row" in r._dom_classes for r in rows)
    order = {"high": 0, "medium": 1, "low": 2}
    ranks = [order[str(s)] for s in dash.table.frame["severity"]]
    assert ranks == sorted(ranks)
    assert "HOOG" in rows[0].text.value  # severity as a word, not colour only
    assert len(rows) <= dash.table.page_size
    assert dash.table.total == len(dash.signals)


def test_team_and_coach_filters(dash: MdoDashboard, register: Register) -> None:
    dash.team_filter.value = "Team Noord"
    coaches = {label for label, _ in dash.coach_filter.options}
    assert coaches == {"Alle jobcoaches", "Jet de Coach", "Kees Coach"}
    assert set(dash.table.frame["team"]) == {"Team Noord"}

    dash.coach_filter.value = register.coaches["jet"]
    frame = dash.table.frame
    assert not frame.empty
    assert set(frame["trajectory_id"]) == {register.ids["amira"]}
    assert all("Jet de Coach" in r.text.value for r in dash.table.visible_rows())
    assert "Team Noord · Jet de Coach" in dash.title.value
    assert dash.charts.spec is not None
    spec = json.dumps(dash.charts.spec.to_dict())
    assert "Jet de Coach" in spec and "Lies Coach" not in spec
    drawn = dash.charts.chart.value  # the SVG in the page follows the same selection
    assert drawn.startswith("<svg") and "Jet de Coach" in drawn and "Lies Coach" not in drawn

    dash.team_filter.value = "Team Zuid"  # the coach is not in this team: back to all coaches
    assert dash.coach_filter.value == 0
    assert set(dash.table.frame["trajectory_id"]) == {register.ids["dirk"]}

    dash.team_filter.value = "__none__"
    assert set(dash.table.frame["trajectory_id"]) == {register.ids["bram"]}


def test_team_given_to_the_builder(register: Register) -> None:
    app = mdo(register.store, as_of="15-06-2026", team="Team Zuid")
    assert isinstance(app, MdoDashboard)
    assert app.team_filter.value == "Team Zuid"
    unknown = mdo(register.store, as_of=AS_OF, team="Team Nergens")
    assert isinstance(unknown, MdoDashboard)
    assert "Team Nergens" in unknown.status.value and unknown.team_filter.value == "__all__"


def test_open_case_card_shows_pseudonym_and_is_audited(dash: MdoDashboard,
                                                       register: Register) -> None:
    tid = register.ids["amira"]
    row = row_for(dash, tid)
    pseudonym = str(row.signal["pseudonym"])
    row.open_button.click()
    assert dash.card.is_open and dash.card.card is not None
    assert dash.card.card.trajectory_id == tid
    assert f"{pseudonym} · A.P." in dash.card.header.value
    assert dash.card.layout.display != "none" and dash.overview.layout.display == "none"
    assert "Verslaving" in dash.card.sections.value  # the domain label, on the opened card only
    assert "Doorverwezen" in dash.card.sections.value
    assert "Opstapbaan" in dash.card.timeline.value
    svg = dash.card.zrm.value
    assert svg.startswith("<svg") and "mark-line" in svg
    for label in vocab.ZRM_DOMAINS.values():  # all 13 domains as small multiples
        assert label.replace("&", "&amp;") in svg
    audit = register.store.audit()
    opened = audit[(audit["action"] == "open_case") & (audit["entity"] == "trajectories")]
    assert opened["entity_id"].tolist() == [tid]
    assert_private(dash, card_open=True)

    dash.card.close_button.click()
    assert not dash.card.is_open and dash.overview.layout.display != "none"
    assert_private(dash, card_open=False)


def test_agenda_add_open_and_remove(dash: MdoDashboard, register: Register) -> None:
    tid = register.ids["chantal"]
    row = row_for(dash, tid)
    row.agenda_button.click()
    assert dash.agenda.trajectory_ids == [tid]
    assert row.agenda_button.description == "Op agenda ✓"
    assert "tt-on-agenda" in row._dom_classes
    assert "(1)" in dash.agenda.heading.value
    row.agenda_button.click()  # a second click takes it off again
    assert dash.agenda.trajectory_ids == []
    row.agenda_button.click()

    other = row_for(dash, register.ids["dirk"])
    other.agenda_button.click()
    assert dash.agenda.trajectory_ids == [tid, register.ids["dirk"]]
    dash.agenda.items[0].open_button.click()
    assert dash.card.card is not None and dash.card.card.trajectory_id == tid
    dash.close_case()
    dash.agenda.items[0].remove_button.click()
    assert dash.agenda.trajectory_ids == [register.ids["dirk"]]
    dash.agenda.clear_button.click()
    assert dash.agenda.trajectory_ids == [] and dash.agenda.items == []
    assert_private(dash, card_open=False)


def test_hide_all_hides_every_case_and_shows_again(dash: MdoDashboard,
                                                   register: Register) -> None:
    row_for(dash, register.ids["amira"]).open_button.click()
    dash.hide_button.click()
    assert dash.hidden and not dash.content_shown
    assert dash.content.layout.display == "none"
    assert dash.hidden_notice.layout.display != "none"
    assert dash.hide_button.layout.display == "none"
    assert dash.show_button.layout.display != "none"
    dash.show_button.click()
    assert not dash.hidden and dash.content_shown
    assert dash.card.is_open  # the meeting continues where it was


def test_no_identifying_data_in_any_widget(dash: MdoDashboard, register: Register) -> None:
    assert_private(dash, card_open=False)
    for team in ("Team Noord", "Team Zuid", "__none__", "__all__"):
        dash.team_filter.value = team
        assert_private(dash, card_open=False)
    for page in range(dash.table.pages):
        dash.table.go(page)
        assert_private(dash, card_open=False)
    for key in ("amira", "dirk", "bram"):
        row_for(dash, register.ids[key]).open_button.click()
        assert_private(dash, card_open=True)
        dash.close_case()


def test_paging(register: Register) -> None:
    app = MdoDashboard(register.store, as_of=AS_OF, page_size=3)
    assert app.table.pages == -(-app.table.total // 3) > 1
    assert app.table.prev_button.disabled
    first = [r.signal["rule"] for r in app.table.visible_rows()]
    app.table.next_button.click()
    assert app.table.page == 1
    assert [r.signal["rule"] for r in app.table.visible_rows()] != first
    assert "Pagina 2 van" in app.table.page_label.value
    app.table.prev_button.click()
    assert app.table.page == 0


def test_handler_errors_go_to_the_log_and_a_dutch_message(
    dash: MdoDashboard, register: Register, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("database weg")

    monkeypatch.setattr("trajecttools.widgets.mdo.open_case_file", broken)
    logger = logging.getLogger("trajecttools.widgets")
    logger.addHandler(caplog.handler)
    try:
        row_for(dash, register.ids["amira"]).open_button.click()
    finally:
        logger.removeHandler(caplog.handler)
    assert "tt-status-error" in dash.status.value
    assert "Dossier openen is niet gelukt" in dash.status.value
    assert "database weg" not in dash.status.value  # no internals on the screen
    assert any("database weg" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert not dash.card.is_open
    assert capsys.readouterr().out == ""  # never print


def test_rows_only_open_cases_of_the_register(dash: MdoDashboard) -> None:
    row = dash.table.visible_rows()[0]
    row.trajectory_id = 987654  # as if a row pointed elsewhere
    row.open_button.click()
    assert "tt-status-error" in dash.status.value and not dash.card.is_open
    with pytest.raises(LookupError):
        dash.open_case(987654)


def test_refresh_keeps_the_selection(dash: MdoDashboard, register: Register) -> None:
    dash.team_filter.value = "Team Noord"
    row_for(dash, register.ids["amira"]).agenda_button.click()
    dash.refresh_button.click()
    assert dash.team_filter.value == "Team Noord"
    assert dash.agenda.trajectory_ids == [register.ids["amira"]]
    assert "bijgewerkt" in dash.status.value


def test_builder_opens_the_register_from_the_environment(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", str(register.store.url))
    app = mdo(as_of=AS_OF)
    assert isinstance(app, MdoDashboard) and app.table.total > 0
    app.store.close()


def test_builder_failure_is_a_friendly_widget(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{tmp_path / 'leeg.db'}")
    app = mdo()
    assert not isinstance(app, MdoDashboard)
    text = widget_text(app)
    assert "Het dashboard kon niet worden geladen" in text and "Traceback" not in text
    bad_date = mdo(as_of="31-02-2026")
    assert "geen geldige peildatum" in widget_text(bad_date)


def test_safe_message_never_names_a_special_category() -> None:
    signal = {"message": "Doorverwijzing verslaving al 40 dagen niet opgevolgd",
              "rule_label": "Doorverwijzing blijft opgevolgd", "detail_domain": "addiction"}
    assert safe_message(signal) == "Doorverwijzing blijft opgevolgd (details in het dossier)."
    plain = {"message": "Geen contact sinds 01-04-2026", "rule_label": "x", "detail_domain": ""}
    assert safe_message(plain) == "Geen contact sinds 01-04-2026"


def test_running_cases_come_before_closed_ones_within_a_severity() -> None:
    frame = pd.DataFrame({
        "trajectory_id": [1, 2, 3, 4],
        "pseudonym": ["K-1", "K-2", "K-3", "K-4"],
        "severity": pd.Categorical(["high", "high", "medium", "high"],
                                   categories=["high", "medium", "low"], ordered=True),
        "days_overdue": [300, 5, 80, 40],
        "active": [False, True, True, True],
    })
    assert sort_signals(frame)["trajectory_id"].tolist() == [4, 2, 1, 3]
    # a frame without the column (an older export) keeps severity, then days overdue
    assert sort_signals(frame.drop(columns="active"))["trajectory_id"].tolist() == [1, 4, 2, 3]
    table = SignalTable(Status())
    table.set_signals(frame)
    assert [r.trajectory_id for r in table.visible_rows()] == [4, 2, 1, 3]
    assert "lopende trajecten" in ORDER_SENTENCE and ORDER_SENTENCE in table.order_note.value


def test_a_coach_sees_own_cases_and_a_team_lead_the_teams(demo_db: Path, tmp_path: Path) -> None:
    """The role from the register's user mapping narrows the dashboard's cases and signals."""
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    with Workspace(db, role="beheer", actor="fg.beheer", migrate=False) as store:
        coaches = store.frame("coaches").set_index("id")
        teams = store.frame("teams").set_index("id")
        traj = store.frame("trajectories")
        coach_id = int(traj["coach_id"].value_counts().index[0])
        team_id = int(coaches.loc[coach_id, "team_id"])
        set_user_role(store, "jet", f"coach:{coaches.loc[coach_id, 'code']}")
        set_user_role(store, "anna", f"team_lead:{teams.loc[team_id, 'name']}")
        everyone = MdoDashboard(store, as_of=DEMO_AS_OF)
    own = set(traj.loc[traj["coach_id"] == coach_id, "id"].astype(int))
    team_coaches = set(coaches.index[coaches["team_id"] == team_id].astype(int))
    team = set(traj.loc[traj["coach_id"].isin(team_coaches), "id"].astype(int))
    with Workspace(db, actor="jet", migrate=False) as store:
        jet = MdoDashboard(store, as_of=DEMO_AS_OF)
    with Workspace(db, actor="anna", migrate=False) as store:
        anna = MdoDashboard(store, as_of=DEMO_AS_OF)
    assert set(jet.cases["trajectory_id"].astype(int)) == own
    assert set(jet.signals["trajectory_id"].astype(int)) <= own and len(jet.signals)
    assert [v for _, v in jet.coach_filter.options][1:] == [coach_id]
    assert set(anna.cases["trajectory_id"].astype(int)) == team
    assert set(anna.signals["trajectory_id"].astype(int)) <= team
    assert {int(v) for _, v in anna.coach_filter.options[1:]} == team_coaches
    assert len(jet.signals) < len(anna.signals) < len(everyone.signals)
    # one team in view: the team filter and the projected title name it, not "Alle teams"
    team_name = str(teams.loc[team_id, "name"])
    for dash in (jet, anna):
        assert [label for label, _ in dash.team_filter.options] == [team_name]
        assert dash.selection_label().startswith(team_name)
        assert f"<h2>{team_name}" in dash.title.value
    assert everyone.team_filter.options[0][0] == "Alle teams"
    assert "Alle teams" in everyone.title.value
