"""From the MDO dashboard's agenda to the MDO summary: decisions typed, saved, reported."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEMO_AS_OF
from trajecttools.outputs import report as printing
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.widgets.mdo import MdoDashboard
from trajecttools.workspace import Workspace


@pytest.fixture
def dash(demo_db: Path, tmp_path: Path) -> Iterator[MdoDashboard]:
    target = tmp_path / "demo.db"
    shutil.copy(demo_db, target)
    with Workspace(target, actor="voorzitter", today=DEMO_AS_OF) as store:
        d = MdoDashboard(store, as_of=DEMO_AS_OF)
        yield d
        d.close()


def test_agenda_decisions_are_saved_and_reported(dash: MdoDashboard) -> None:
    team = str(dash.signals.drop_duplicates("trajectory_id")["team"].value_counts().index[0])
    dash.select_team(team)
    signals = dash._selected(dash.signals).drop_duplicates("trajectory_id").head(2)
    assert len(signals) == 2
    assert dash.agenda.save_button.layout.display == "none"  # nothing to save yet
    for row in signals.to_dict("records"):
        dash.toggle_agenda(row)
    assert dash.agenda.save_button.layout.display is None
    first, second = dash.agenda.items
    first.decision.value = "  Driegesprek met werkgever plannen.  "
    before = dash.store.count("audit_log")
    dash.agenda.save_button.click()
    assert "MDO-verslag van 02-11-2026 opgeslagen: 2 cliënten, 1 besluiten" in \
        dash.status.value
    assert dash.store.count("audit_log") == before + 1

    meeting = mdo_minutes.load_meeting(dash.store, DEMO_AS_OF, team)
    assert [e.trajectory_id for e in meeting.items] == list(signals["trajectory_id"])
    assert meeting.items[0].decision == "Driegesprek met werkgever plannen."
    assert meeting.items[1].decision == ""
    assert meeting.items[0].reason == signals.iloc[0]["rule_label"]
    html = str(printing.mdo_summary(dash.store, DEMO_AS_OF, team=team))
    assert "Driegesprek met werkgever plannen." in html and team in html
    assert "Geen besluit vastgelegd." in html

    second.decision.value = "x" * 2001  # too long: refused, the saved meeting stays as it was
    dash.agenda.save_button.click()
    assert "Besluit: is te lang" in dash.status.value and "rij 2" in dash.status.value
    assert mdo_minutes.load_meeting(dash.store, DEMO_AS_OF, team).items[1].decision == ""
