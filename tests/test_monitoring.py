"""The monitoring dashboard driven in-process (as a browser would set values and click), and the
analyst notebook executed on a demo register."""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from openpyxl import load_workbook

from test_outcomes import _big_register, _cases, _tables
from trajecttools.apps.monitoring import monitoring as monitoring_app
from trajecttools.reads import outcomes
from trajecttools.widgets import monitoring
from trajecttools.widgets.monitoring import MonitoringDashboard
from trajecttools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def big() -> outcomes.Register:
    return _big_register(3_000, seed=5)


@pytest.fixture
def dash(big: outcomes.Register) -> MonitoringDashboard:
    return MonitoringDashboard(big, period="all")


def _download(html: str, suffix: str) -> tuple[str, bytes]:
    match = re.search(r'download="([^"]+' + re.escape(suffix) + r')" href="data:[^;]+;base64,'
                      r'([^"]+)"', html)
    assert match, html[:300]
    return match.group(1), base64.b64decode(match.group(2))


def test_dashboard_shows_aggregates_with_stable_classes(dash: MonitoringDashboard) -> None:
    assert "tt-monitoring" in dash._dom_classes
    assert "tt-status" in dash.status._dom_classes
    assert "tt-export" in dash.export._dom_classes
    assert all("tt-chart" in p.chart._dom_classes for p in dash.panels.values())
    assert "Periode:" in dash.status.value and "geen uitsplitsing" in dash.status.value
    assert all(p.spec is not None for p in dash.panels.values())
    tiles = dash.tiles.value
    # work and the steps apart, each with its count; sustainable work at 6, 12 and 18 months
    for label in ("Nu aan het werk", "Nu in een opstap", "Nu in art. 60",
                  "Binnen 12 mnd aan het werk", "Duurzaam na 6 mnd", "Duurzaam na 12 mnd",
                  "Duurzaam na 18 mnd", "Draaideur binnen 12 mnd",
                  "Rechten geopend na art. 60"):
        assert label in tiles, label
    status = dash.frames["status_total"].set_index("status")
    assert status["now"].sum() == status["n"].iloc[0]  # every trajectory in one status
    assert f"{status.loc['aan het werk', 'now']:,}".replace(",", ".") in tiles
    assert "termijn bereikt" in tiles
    head = dash.table.value.split("</thead>")[0]
    assert "Duurzaam na 18 mnd" in head and "Rechten geopend na art. 60" in head
    assert dash.table.value.count("<tr>") == 2  # header and the total
    assert "K-0" not in dash.table.value  # no pseudonyms, only totals


def test_changing_the_split_redraws_everything(dash: MonitoringDashboard) -> None:
    dash.by_picker.value = "target_group"
    assert "Doelgroep" in dash.status.value
    assert "Jongeren (school naar werk)" in dash.table.value
    assert dash.table.value.count("<tr>") == 4
    assert "45-plussers" in str(dash.panels["incidence"].spec.to_dict())
    assert "45-plussers" in str(dash.panels["status"].spec.to_dict())
    dash.by_picker.value = "coach"  # 300 coaches of about 10: many small groups
    assert "n &lt; 10" in dash.table.value
    assert "De 20 grootste van 300 groepen" in dash.table.value
    dash.period_picker.value = "12m"
    assert "Laatste 12 maanden" in dict((v, k) for k, v in dash.period_picker.options)["12m"]
    assert "t/m 02-11-2026" in dash.status.value


def test_excel_download_link(dash: MonitoringDashboard) -> None:
    dash.by_picker.value = "region"
    dash.excel_button.click()
    name, content = _download(dash.export.value, ".xlsx")
    assert name == "uitkomsten_all_region_02-11-2026.xlsx"
    wb = load_workbook(io.BytesIO(content))
    assert wb["Overzicht"]["A1"].value == "Regio"
    assert wb["Toelichting"]["B2"].number_format == "DD-MM-YYYY"
    assert "Excel-bestand klaar" in dash.status.value


def test_chart_download_link_and_files(big: outcomes.Register, tmp_path: Path) -> None:
    dash = MonitoringDashboard(big, export_dir=tmp_path)
    dash.charts_button.click()
    name, content = _download(dash.export.value, ".zip")
    names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    assert names == {f"{k}.{e}" for k in monitoring.PANELS for e in ("png", "svg")}
    assert (tmp_path / name).read_bytes() == content
    dash.excel_button.click()  # both links stay on offer
    assert ".zip" in dash.export.value and ".xlsx" in dash.export.value


def test_a_failing_handler_says_so_in_dutch(dash: MonitoringDashboard,
                                            monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    def boom(*_args: object, **_kw: object) -> pd.DataFrame:
        raise RuntimeError("database weg")

    monkeypatch.setattr(outcomes, "summary", boom)
    logger = logging.getLogger("trajecttools.widgets")
    monkeypatch.setattr(logger, "propagate", True)
    with caplog.at_level(logging.ERROR, logger="trajecttools.widgets"):
        dash.by_picker.value = "team"
    assert "tt-status-error" in dash.status.value
    assert "Bijwerken is niet gelukt" in dash.status.value
    assert "database weg" not in dash.status.value  # no internals on the projector
    assert any("Bijwerken" in r.getMessage() for r in caplog.records)


def test_app_on_a_real_store(sqlite_store: Workspace) -> None:
    sqlite_store.bulk_load(_tables())
    app = monitoring_app(sqlite_store, as_of="30-04-2026", min_n=3, wait=False)
    assert isinstance(app, MonitoringDashboard)
    assert "Peildatum 30-04-2026" in app.title.value
    app.period_picker.value = "all"
    assert "6" in app.tiles.value  # six registrations
    app.by_picker.value = "target_group"
    assert "n &lt; 3" not in app.table.value or "45-plussers" in app.table.value


def test_app_without_a_register_explains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{tmp_path / 'leeg.db'}")
    app = monitoring_app(wait=False)
    assert "tt-status" in app._dom_classes
    assert "kon niet worden geladen" in app.children[1].value


def test_empty_register_does_not_break_the_dashboard() -> None:
    tables = _tables()
    reg = outcomes.from_frames(_cases(tables).iloc[:0], as_of="31-12-2025")
    dash = MonitoringDashboard(reg)
    assert "tt-status-error" not in dash.status.value
    assert "n &lt; 10" in dash.tiles.value or "—" in dash.tiles.value


@pytest.mark.notebook
def test_analyst_notebook_runs_on_a_demo_register(demo_db: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_DATABASE_URL", f"sqlite:///{demo_db}")
    path = ROOT / "notebooks" / "outcomes.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute(
        env=dict(os.environ))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "median_days" in text and "sustained_pct" in text and "returned_pct" in text
    assert "alt.LayerChart" in text or "alt.VConcatChart" in text


def test_measures_and_charts_are_reused_only_for_the_same_register_content(
        big: outcomes.Register) -> None:
    """A rebuilt page on the same data reuses the measures and the drawn charts; one placement
    more (a new register read after a write) gives a new digest and new figures."""
    first = MonitoringDashboard(big, period="all")
    again = MonitoringDashboard(outcomes.from_frames(
        big.trajectories, big.placements, big.benefit_periods, big.zrm_assessments,
        big.ladder_steps, as_of=big.as_of, method_names=big.method_names, rules=big.rules),
        period="all")
    assert monitoring.register_digest(again.register) == monitoring.register_digest(big)
    assert again.tiles.value == first.tiles.value
    assert again.panels["status"].chart.value == first.panels["status"].chart.value
    # a new regular job for someone without one: the register changed, so do the figures
    placements = big.placements
    free = big.trajectories.loc[~big.trajectories["trajectory_id"].isin(
        placements["trajectory_id"]) & big.trajectories["closed_on"].isna()].iloc[0]
    extra = placements.iloc[[0]].copy()
    extra["id"] = int(placements["id"].max()) + 1
    extra["trajectory_id"] = free["trajectory_id"]
    extra["client_id"] = free["client_id"]
    extra["kind"] = "regular"
    extra["start_on"] = big.as_of - pd.Timedelta(days=30)
    extra["end_on"] = pd.NaT
    changed = outcomes.from_frames(
        big.trajectories, pd.concat([placements, extra], ignore_index=True),
        big.benefit_periods, big.zrm_assessments, big.ladder_steps, as_of=big.as_of,
        method_names=big.method_names, rules=big.rules)
    assert monitoring.register_digest(changed) != monitoring.register_digest(big)
    after = MonitoringDashboard(changed, period="all")

    def at_work(d: MonitoringDashboard) -> int:
        return int(d.frames["status_total"].set_index("status").loc["aan het werk", "now"])

    assert at_work(after) == at_work(first) + 1


def test_a_reused_drawing_keeps_its_own_chart_for_the_export(big: outcomes.Register) -> None:
    """The visitor's page on unchanged data shows the charts drawn for the rehearsal without
    building them again; the chart behind each one (for the PNG/SVG export) is built when asked
    for, from the figures shown, also after the split was changed elsewhere."""
    first = MonitoringDashboard(big, period="all", by="target_group")
    again = MonitoringDashboard(big, period="all", by="target_group")
    assert again.panels["incidence"]._spec is None  # drawn before: no chart built yet
    assert all(again.panels[k].chart.value == first.panels[k].chart.value for k in first.panels)
    shown = again.panels["incidence"]
    again.by_picker.value = "coach"  # the export button acts on what is shown now
    assert again.panels["incidence"] is shown
    assert "45-plussers" not in str(shown.spec.to_dict())  # drawn or reused: the coach split
    third = MonitoringDashboard(big, period="all", by="target_group")
    assert (third.panels["incidence"].spec.to_dict()
            == first.panels["incidence"].spec.to_dict())
    assert "45-plussers" in str(third.panels["incidence"].spec.to_dict())
    with zipfile.ZipFile(io.BytesIO(third.charts_zip(ppi=72))) as zf:
        assert sorted(zf.namelist()) == sorted(
            f"{k}.{ext}" for k in third.panels for ext in ("png", "svg"))
