"""The Matchtafel widget in-process: set values and click from code, like a meeting would."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest

from conftest import DEMO_AS_OF
from trajecttools.apps.matchtafel import matchtafel as matchtafel_app
from trajecttools.reads.matching import decisions
from trajecttools.widgets.matchtafel import MatchtafelDashboard
from trajecttools.widgets.pairs import pair_html
from trajecttools.workspace import Workspace


@pytest.fixture
def board(matchtafel_db: Path, tmp_path: Path) -> Iterator[MatchtafelDashboard]:
    copy = tmp_path / "demo.db"
    copy.write_bytes(matchtafel_db.read_bytes())
    with Workspace(copy, actor="tafel", today=DEMO_AS_OF, migrate=False) as store:
        yield MatchtafelDashboard(store, as_of=DEMO_AS_OF)


def _put_first_at_table(board: MatchtafelDashboard, n: int = 1) -> None:
    board.picker.value = tuple(v for _, v in board.picker.options[:n])
    board.discuss_button.click()


def test_clients_of_concern_come_from_signals(board: MatchtafelDashboard) -> None:
    labels = [label for label, _ in board.picker.options]
    assert labels and all("signa" in label for label in labels)
    assert "hoog" in labels[0]
    board.only_signals.value = False
    assert len(board.picker.options) > len(labels)


def test_discuss_shows_pairs_with_criteria(board: MatchtafelDashboard) -> None:
    _put_first_at_table(board, 2)
    rows = board.visible_rows()
    assert 1 <= len(rows) <= board.top
    assert board.mode == "client" and board.focus_trajectory == board.selected[0]
    text = rows[0].text.value
    assert text.count("tt-crit ") == 8 and "Vaardigheden" in text and "tt-score" in text
    assert len(board.tabs.children) == 2
    assert board.client_word in board.crowd.value  # "klant", "cliënt" or "deelnemer"
    board.tabs.children[1].click()
    assert board.focus_trajectory == board.selected[1]


def test_decisions_from_the_buttons(board: MatchtafelDashboard) -> None:
    _put_first_at_table(board)
    row = board.visible_rows()[0]
    tid, vid = row.trajectory_id, row.vacancy_id
    row.propose_button.click()
    assert "Voorgesteld:" in board.status.value
    found = decisions.decisions_frame(board.store, trajectory_id=tid)
    assert found[["vacancy_id", "status"]].astype(str).values.tolist() == [[str(vid),
                                                                             "proposed"]]
    row = next(r for r in board.visible_rows() if r.vacancy_id == vid)
    assert row.introduce_button.layout.display != "none"
    row.introduce_button.click()
    row = next(r for r in board.visible_rows() if r.vacancy_id == vid)
    row.decline_button.click()
    assert board.decline_form.layout.display != "none"
    board.declined_by.value = "client"
    board.reason.value = ""
    board.confirm_button.click()
    assert "niet gelukt" in board.status.value and "verplicht" in board.status.value
    board.reason.value = "Wil geen ploegendienst"
    board.confirm_button.click()
    assert "Afgewezen:" in board.status.value
    final = decisions.decisions_frame(board.store, trajectory_id=tid)
    assert final["status"].astype(str).tolist() == ["declined"]
    assert "Afgewezen" in board.history.value
    assert "ploegendienst" not in board.history.value, "the reason is not projected"
    # a declined pair is not offered again
    assert vid not in [r.vacancy_id for r in board.visible_rows()]


def test_stale_decision_is_reported_not_overwritten(board: MatchtafelDashboard) -> None:
    _put_first_at_table(board)
    row = board.visible_rows()[0]
    row.propose_button.click()
    row = next(r for r in board.visible_rows() if r.decision is not None)
    assert row.decision is not None
    decisions.introduce(board.store, int(row.decision["id"]), expected_version=1,
                        actor="collega")  # someone else, meanwhile
    row.introduce_button.click()
    assert "is intussen gewijzigd" in board.status.value


def test_flip_to_vacancy_and_back(board: MatchtafelDashboard) -> None:
    _put_first_at_table(board)
    vid = board.visible_rows()[0].vacancy_id
    board.visible_rows()[0].flip_button.click()
    assert board.mode == "vacancy" and board.focus_vacancy == vid
    assert "Kandidaten voor" in board.heading.value
    assert {r.vacancy_id for r in board.visible_rows()} == {vid}
    ranks = [r.pair["rank"] for r in board.visible_rows()]
    assert ranks == sorted(ranks)
    board.back_button.click()
    assert board.mode == "client" and "Beste vacatures" in board.heading.value


def test_assignment_and_hide_all(board: MatchtafelDashboard) -> None:
    _put_first_at_table(board, 3)
    board.assign_button.click()
    assert "Voorstel verdeling" in board.assignment.value
    board.hide_button.click()
    assert not board.content_shown and board.hidden
    board.show_button.click()
    assert board.content_shown


def test_no_names_or_bsn_in_widget_text(board: MatchtafelDashboard) -> None:
    _put_first_at_table(board, 3)
    board.visible_rows()[0].propose_button.click()
    with Workspace(board.store.url, migrate=False, role="beheer") as admin:  # names to look for
        people = admin.frame("clients")
    texts = []

    def walk(w: widgets.Widget) -> None:
        for attr in ("value", "description", "options", "tooltip"):
            if hasattr(w, attr):
                texts.append(str(getattr(w, attr)))
        for child in getattr(w, "children", ()):
            walk(child)

    walk(board)
    text = " ".join(texts)
    for given, family in zip(people["given_name"], people["family_name"], strict=True):
        assert f"{given} {family}" not in text
    for bsn in people["bsn"].dropna():
        assert str(bsn) not in text


def test_errors_are_shown_in_dutch(board: MatchtafelDashboard) -> None:
    board.picker.value = ()
    board.discuss_button.click()
    assert "Kies eerst" in board.status.value
    board.confirm_button.click()  # nothing to decline
    assert "Kies eerst 'Afwijzen'" in html.unescape(board.status.value)


def test_app_builder_reports_a_broken_register(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{tmp_path / 'leeg.db'}")
    app = matchtafel_app(as_of="02-11-2026")
    assert "tt-status" in app._dom_classes
    assert "kon niet worden geladen" in str(app.children[1].value)


def test_pair_html_escapes_and_shows_state_words() -> None:
    pair = {"rank": 1, "score": 80.0, "title": "<b>Hovenier</b>", "employer": "A&B",
            "positions": 2, "hard_ok": True, "explanation": "past: VCA",
            **{f"{c}_status": "unknown" for c in ("skills", "sector_wish", "level", "hours",
                                                  "region", "licence", "language",
                                                  "barriers")}}
    text = pair_html(pair, by_vacancy=False, status="proposed")
    assert "&lt;b&gt;Hovenier" in text and "A&amp;B" in text
    assert text.count("? onbekend") == 8 and "Voorgesteld" in text and "2 plaatsen" in text
