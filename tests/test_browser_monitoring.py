"""The monitoring dashboard in a real Voilà server and headless Chromium, on 5 000 trajectories:
charts drawn, large type, only aggregates, work and steps apart, the Aalen-Johansen curve,
6/12/18-month retention, the revolving door beside the rights opened after art. 60, Excel and
chart downloads that work, no console errors. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import DASHBOARDS, SHOTS, copy_notebooks, serve_voila
from conftest import real_console_errors
from trajecttools.outputs import demo
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

SIZE = 5_000
CHARTS = ("flow", "status", "incidence", "retention", "quality", "progress")


@pytest.fixture(scope="module")
def big_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo register of 5 000 trajectories as of today (the dashboard's default date)."""
    path = tmp_path_factory.mktemp("monitoring") / "demo5k.db"
    today = dt.date.today()
    with Workspace(path, actor="demo", today=today) as store:
        demo.build(store, size=SIZE, seed=3, as_of=today)
        store.set_info("synthetic", "true")
    return path


@pytest.fixture(scope="module")
def server(big_register: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the monitoring dashboard with Voilà; yield its address.

    Only this dashboard is in the served folder: the other two would preheat kernels on the
    5 000 trajectories that no test looks at.
    """
    tmp = tmp_path_factory.mktemp("voila")
    folder = copy_notebooks(DASHBOARDS, tmp / "dashboards", ["monitoring.ipynb"])
    with serve_voila(big_register, folder, tmp) as voila:
        yield voila.render("monitoring.ipynb")


def _wait_for_charts(page: Any, timeout: float = 180_000) -> None:
    for key in CHARTS:
        page.locator(f".tt-chart-{key} svg .role-mark").first.wait_for(state="attached",
                                                                      timeout=timeout)


def _shots(page: Any, name: str) -> None:
    """Save what the room sees on a projected 1920 x 1080 screen, scrolled to each part, and
    the whole dashboard on one tall page."""
    for part, selector in (("1", ".tt-monitoring"), ("2", ".tt-chart-status"),
                           ("3", ".tt-chart-retention"), ("4", ".tt-chart-progress"),
                           ("5", ".tt-summary")):
        page.eval_on_selector(selector, "el => el.closest('.tt-panel, .tt-summary, "
                                        ".tt-monitoring').scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SHOTS / f"monitoring_{name}_scherm{part}.png"))
    height = int(page.eval_on_selector(".tt-monitoring", "el => el.scrollHeight")) + 200
    page.set_viewport_size({"width": 1920, "height": max(1080, height)})
    _wait_for_charts(page)
    page.screenshot(path=str(SHOTS / f"monitoring_{name}_geheel.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.locator(".tt-monitoring").first.scroll_into_view_if_needed()


def _font_px(page: Any, selector: str) -> float:
    return float(page.eval_on_selector(
        selector, "el => parseFloat(getComputedStyle(el).fontSize)"))


def test_monitoring_dashboard_in_chromium(server: str, big_register: Path,
                                          tmp_path: Path, page: Any) -> None:
    from openpyxl import load_workbook

    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.monotonic()
    page.goto(server, wait_until="domcontentloaded", timeout=240_000)
    page.locator(".tt-monitoring").wait_for(timeout=180_000)
    _wait_for_charts(page)
    first_paint = time.monotonic() - start
    status = page.locator(".tt-status").first.inner_text()
    assert "Periode" in status, status
    _shots(page, "totaal")

    # large type for projection
    assert _font_px(page, ".tt-monitoring") >= 18
    assert _font_px(page, ".tt-table td") >= 18
    assert _font_px(page, ".tt-tile-value") >= 30
    assert _font_px(page, ".tt-chart-flow svg text") >= 18
    assert _font_px(page, ".tt-tile-note") >= 18

    # work and the steps apart; the competing-risk curve; 6/12/18 months; rights opened apart
    tiles = page.locator(".tt-tiles").inner_text()
    for label in ("Nu aan het werk", "Nu in een opstap", "Nu in art. 60",
                  "Binnen 12 mnd aan het werk", "Duurzaam na 6 mnd", "Duurzaam na 12 mnd",
                  "Duurzaam na 18 mnd", "Draaideur binnen 12 mnd", "Rechten geopend na art. 60"):
        assert label in tiles, (label, tiles)
    assert tiles.count("termijn bereikt") == 3
    assert page.locator(".tt-tile-status").count() == 3
    for key, text in (("status", "in art. 60"), ("status", "in een opstap"),
                      ("incidence", "Aalen-Johansen"), ("incidence", "Gestopt zonder werk"),
                      ("retention", "18 mnd")):
        page.locator(f".tt-chart-{key} svg text", has_text=text).first.wait_for(
            state="attached", timeout=60_000)
    assert page.get_by_text("Alleen wie de termijn op de peildatum bereikte").first.is_visible()
    head = page.locator(".tt-table thead").inner_text()
    assert "Duurzaam na 18 mnd" in head and "Rechten geopend na art. 60" in head

    # only aggregates: no pseudonym of the register is on the page
    with Workspace(big_register, migrate=False) as store:
        pseudonyms = store.frame("clients")["pseudonym"].head(500).tolist()
    content = page.content()
    assert not [p for p in pseudonyms if p in content]

    # split by target group: charts redrawn with Dutch group names
    page.select_option(".tt-by select", label="Doelgroep")
    page.locator(".tt-status", has_text="Doelgroep").first.wait_for(timeout=120_000)
    _wait_for_charts(page)
    page.locator(".tt-chart-incidence svg text", has_text="Jongeren").first.wait_for(
        timeout=60_000)
    page.locator(".tt-chart-status svg text", has_text="Jongeren").first.wait_for(
        timeout=60_000)
    assert page.locator(".tt-table tbody tr").count() == 6
    _shots(page, "doelgroep")

    # Excel: a download link appears and gives a real workbook
    page.click(".tt-export-excel")
    link = page.locator(".tt-export a[download$='.xlsx']")
    link.wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as info:
        link.click()
    xlsx = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx)
    wb = load_workbook(xlsx)
    assert {"Toelichting", "Overzicht", "Duurzaam werk", "Draaideur", "Werk en opstappen",
            "Aalen-Johansen (uitval)"} <= set(wb.sheetnames)
    assert isinstance(wb["Toelichting"]["B2"].value, dt.datetime)
    assert wb["Toelichting"]["B2"].number_format == "DD-MM-YYYY"
    assert wb["Overzicht"]["A1"].value == "Doelgroep"

    # charts for a report: a zip with PNG and SVG of each chart
    page.click(".tt-export-charts")
    zlink = page.locator(".tt-export a[download$='.zip']")
    zlink.wait_for(timeout=180_000)
    with page.expect_download(timeout=60_000) as info:
        zlink.click()
    names = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())).namelist()
    assert {f"{k}.{ext}" for k in CHARTS for ext in ("png", "svg")} <= set(names)
    page.screenshot(path=str(SHOTS / "monitoring_export.png"))

    # by coach: many groups, the table keeps the largest and says so
    page.select_option(".tt-by select", label="Jobcoach")
    page.locator(".tt-status", has_text="Jobcoach").first.wait_for(timeout=120_000)
    _wait_for_charts(page)
    _shots(page, "jobcoach")
    real = real_console_errors(errors)
    assert not real, real
    print(f"eerste grafiek na {first_paint:.1f} s")
