"""Meeting mode and "Alles verbergen" on every dashboard, in-process on a demo register.

Every synced value of a dashboard (what a browser receives) is searched for the register's own
client names, BSNs, birth dates and free-text notes; special-category domain labels may appear
only on an explicitly opened MDO case card (and as aggregates in the monitoring charts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEMO_AS_OF
from privacy_values import Forbidden, special_labels_in, synced_text
from trajecttools.apps.matchtafel import matchtafel as matchtafel_app
from trajecttools.apps.mdo import mdo
from trajecttools.apps.monitoring import monitoring as monitoring_app
from trajecttools.core import vocab
from trajecttools.reads.matching import match
from trajecttools.widgets.matchtafel import MatchtafelDashboard
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.widgets.monitoring import MonitoringDashboard
from trajecttools.widgets.toolkit import MeetingScreen, is_shown
from trajecttools.workspace import Workspace

PSEUDONYM = re.compile(r"K-\d{6}")
BUILDERS = {
    "mdo": lambda store: mdo(store, as_of=DEMO_AS_OF),
    "matchtafel": lambda store: matchtafel_app(store, as_of=DEMO_AS_OF),
    "monitoring": lambda store: monitoring_app(store, as_of=DEMO_AS_OF, wait=False),
}


@pytest.fixture
def store(demo_db: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the demo register (opening a case writes to its audit log)."""
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_db.read_bytes())
    with Workspace(copy, actor="teamleider", today=DEMO_AS_OF, migrate=False) as s:
        yield s


@pytest.fixture(scope="module")
def forbidden(demo_db: Path) -> Forbidden:
    with Workspace(demo_db, migrate=False) as s:
        found = Forbidden.from_store(s)
    found.check_size()
    return found


def assert_private(dash: MeetingScreen, forbidden: Forbidden, *, labels_allowed: bool) -> str:
    text = synced_text(dash)
    assert PSEUDONYM.search(text) or isinstance(dash, MonitoringDashboard)
    leaks = forbidden.find(text)
    assert not leaks, leaks[:10]
    if not labels_allowed:
        assert not special_labels_in(text), special_labels_in(text)
    return text


def test_the_finder_finds_what_it_looks_for(forbidden: Forbidden) -> None:
    """The check can fail: each kind of value is found, in HTML and after JSON escaping."""
    name, bsn, born, note = (forbidden.names[0], forbidden.bsns[0], forbidden.birth_dates[0],
                             forbidden.free_texts[-1])
    assert forbidden.find(f"<td>{name}</td>")
    assert forbidden.find(f'{{"value": "BSN {bsn}"}}')
    assert forbidden.find(f"geboren op {born}.")
    assert forbidden.find(f"<p>{note}</p>")
    assert forbidden.find(f"x {forbidden.agencies[0]} y")
    assert not forbidden.find(f"nummer 9{bsn}0 en {born}5 en {name[:-1]}x")
    assert special_labels_in("<b>Verslaving</b>") == ["Verslaving"]


@pytest.mark.parametrize("name", list(BUILDERS))
def test_meeting_mode_is_the_default(name: str, store: Workspace, forbidden: Forbidden) -> None:
    dash = BUILDERS[name](store)
    assert isinstance(dash, MeetingScreen)
    assert not dash.hidden and dash.content_shown
    assert is_shown(dash.hide_button) and not is_shown(dash.show_button)
    assert dash.hide_button.description == "Alles verbergen"
    text = assert_private(dash, forbidden, labels_allowed=isinstance(dash, MonitoringDashboard))
    if isinstance(dash, MonitoringDashboard):  # aggregates only, never a client
        assert not PSEUDONYM.search(text)


def test_matchtafel_stays_private_at_the_table(store: Workspace, forbidden: Forbidden) -> None:
    board = matchtafel_app(store, as_of=DEMO_AS_OF)
    assert isinstance(board, MatchtafelDashboard)
    # the first client at the table has an allowed pair (which ones do depends on the demo)
    paired = set(match(store, as_of=DEMO_AS_OF)["trajectory_id"].astype(int))
    values = [v for _, v in board.picker.options]
    first = next(i for i, v in enumerate(values) if int(v) in paired)
    board.picker.value = tuple(values[first:first + 4])
    board.discuss_button.click()
    board.show_excluded.value = True
    board.assign_button.click()
    row = board.visible_rows()[0]
    row.propose_button.click()
    board.visible_rows()[0].introduce_button.click()
    board.visible_rows()[0].decline_button.click()
    board.reason.value = "Klant vindt de reistijd te lang."  # stored, never shown
    board.confirm_button.click()
    assert "Afgewezen" in board.status.value
    assert_private(board, forbidden, labels_allowed=False)
    board.visible_rows()[0].flip_button.click()
    assert board.mode == "vacancy"
    assert_private(board, forbidden, labels_allowed=False)


def _special_case(store: Workspace, dash: MdoDashboard) -> int:
    """Return an active trajectory on screen with a special-category barrier with notes."""
    barriers = pd.read_sql_table("barriers", store.engine)  # raw rows, notes included
    special = barriers[barriers["domain"].astype(str).isin(vocab.SPECIAL_CATEGORY_DOMAINS)
                       & barriers["notes"].notna() & (barriers["status"].astype(str) != "resolved")]
    on_screen = set(dash.cases["trajectory_id"].astype(int))
    ids = [int(t) for t in special["trajectory_id"] if int(t) in on_screen]
    assert ids, "the demo register has no open special-category barrier"
    return ids[0]


def test_mdo_labels_only_on_an_opened_card(store: Workspace, forbidden: Forbidden) -> None:
    dash = mdo(store, as_of=DEMO_AS_OF)
    assert isinstance(dash, MdoDashboard)
    for team in [v for _, v in dash.team_filter.options]:
        dash.team_filter.value = team
        assert_private(dash, forbidden, labels_allowed=False)
    dash.team_filter.value = "__all__"
    for page in sorted({0, 1, 2, dash.table.pages - 1}):  # all rows of a page are alike
        dash.table.go(page)
        assert_private(dash, forbidden, labels_allowed=False)
    tid = _special_case(store, dash)
    before = store.count("audit_log")
    dash.open_case(tid)
    assert store.count("audit_log") == before + 1  # opening is logged
    text = assert_private(dash, forbidden, labels_allowed=True)
    assert special_labels_in(text), "the opened card shows the special-category domain label"
    dash.close_case()
    assert_private(dash, forbidden, labels_allowed=False)  # closed: removed, not only hidden


@pytest.mark.parametrize("name", list(BUILDERS))
def test_hide_all_hides_everything(name: str, store: Workspace, forbidden: Forbidden) -> None:
    dash = BUILDERS[name](store)
    assert isinstance(dash, MeetingScreen)
    if isinstance(dash, MdoDashboard):  # the worst moment: a case card is open
        dash.open_case(_special_case(store, dash))
    if isinstance(dash, MatchtafelDashboard):
        dash.picker.value = tuple(v for _, v in dash.picker.options[:2])
        dash.discuss_button.click()
    dash.status.clear()  # "Alles verbergen" clears the status line (it may name a client)
    shown = synced_text(dash, visible_only=True)
    assert PSEUDONYM.search(shown) or isinstance(dash, MonitoringDashboard)
    assert re.search(r"\d+", shown)

    dash.hide_button.click()
    assert dash.hidden and not dash.content_shown
    assert is_shown(dash.hidden_notice) and is_shown(dash.show_button)
    assert not is_shown(dash.hide_button)
    on_screen = synced_text(dash, visible_only=True)
    assert "De gegevens zijn verborgen" in on_screen
    assert not PSEUDONYM.search(on_screen)
    assert not special_labels_in(on_screen)
    assert not forbidden.find(on_screen)
    if isinstance(dash, MonitoringDashboard):  # no figure left on screen except the title's
        title = synced_text(dash.title)
        assert set(re.findall(r"\d+", on_screen)) <= set(re.findall(r"\d+", title))
    assert dash.status.value == ""

    dash.show_button.click()
    assert not dash.hidden and dash.content_shown and is_shown(dash.hide_button)
    assert synced_text(dash, visible_only=True) == shown  # the meeting goes on where it was


def test_monitoring_groups_are_aggregates(store: Workspace, forbidden: Forbidden) -> None:
    dash = monitoring_app(store, as_of=DEMO_AS_OF, wait=False)
    assert isinstance(dash, MonitoringDashboard)
    for by in ("coach", "team", "target_group"):
        dash.by_picker.value = by
        text = assert_private(dash, forbidden, labels_allowed=True)
        assert not PSEUDONYM.search(text)
    summary = dash.frames["summary"]
    assert isinstance(summary, pd.DataFrame) and not summary.empty
