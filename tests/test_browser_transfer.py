"""The import/export notebook served by Voilà, used in headless Chromium.

Uploads a messy semicolon CSV in Windows-1252 through the real file input, checks it, imports
it, downloads the reject file, the export and an MDO summary PDF through the page's links, and
checks the files and the database. Screenshots go to ``artifacts/screenshots/transfer-*.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import ACTION_TIMEOUT, NOTEBOOKS, RENDER_TIMEOUT, Voila, serve_voila, shot_form
from conftest import DEMO_AS_OF
from trajecttools.outputs import report as printing
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.reads.signals import signals
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

CSV = ("Extern nummer;Voornaam;Achternaam;Geboortedatum;Doelgroep\n"
       "WEB-1;Zoë;Çelik;14-03-2001;Jongeren (school naar werk)\n"
       "\n"
       "WEB-2;Anouk;de Vries;31-02-2001;Jongeren (school naar werk)\n")


@pytest.fixture
def transfer_db(demo_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "transfer.db"
    shutil.copy(demo_db, db)
    with Workspace(db, actor="setup", today=DEMO_AS_OF) as store:
        printing.set_organisation(store, name="Werkpunt Rijnmond")
        sig = signals(store).drop_duplicates("trajectory_id").head(2)
        mdo_minutes.save_meeting(store, DEMO_AS_OF, [
            {"trajectory_id": int(t), "decision": "Driegesprek plannen."}
            for t in sig["trajectory_id"]])
    return db


@pytest.fixture
def voila(transfer_db: Path, tmp_path: Path) -> Iterator[Voila]:
    """Serve notebooks/ with Voilà for functional administration (beheer)."""
    with serve_voila(transfer_db, NOTEBOOKS, tmp_path,
                     env={"TRAJECTTOOLS_USER": "browser.beheer",
                          "TRAJECTTOOLS_ROLE": "beheer"}) as server:
        yield server


def test_upload_import_and_downloads_through_voila(voila: Voila, transfer_db: Path,
                                                   tmp_path: Path, page: Any) -> None:
    from playwright.sync_api import expect  # heavy optional dependency: browser tests only

    source = tmp_path / "klanten-uit-oud-systeem.csv"
    source.write_bytes(CSV.encode("cp1252"))
    with Workspace(transfer_db) as store:
        before = store.count("clients")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_default_timeout(ACTION_TIMEOUT)
    page.goto(voila.render("import_export.ipynb"))
    page.wait_for_selector(".tt-transfer .tt-import-run", timeout=RENDER_TIMEOUT)
    shot_form(page, "transfer-1-leeg.png")

    # the FileUpload's <input type=file> is not in the page: use the file chooser
    with page.expect_file_chooser() as chooser:
        page.locator(".tt-import-file").click()
    chooser.value.set_files(str(source))
    expect(page.locator(".tt-import-file")).to_contain_text("(1)")
    page.locator(".tt-import-run").click()
    expect(page.locator(".tt-import .tt-summary")).to_contain_text(
        "2 rijen gelezen = 1 geïmporteerd", timeout=ACTION_TIMEOUT)
    expect(page.locator(".tt-import .tt-summary")).to_contain_text("Proefimport")
    with Workspace(transfer_db) as store:
        assert store.count("clients") == before  # checked only
    page.locator(".tt-import-dry-run input").uncheck()
    page.locator(".tt-import-run").click()
    expect(page.locator(".tt-import .tt-summary")).not_to_contain_text("Proefimport")
    expect(page.locator(".tt-import .tt-rejects")).to_contain_text("Geboortedatum")
    shot_form(page, "transfer-2-geimporteerd.png")
    with page.expect_download() as got:
        page.locator(".tt-rejects a[download]").click()
    rejects = Path(got.value.path()).read_bytes().decode("utf-8-sig")
    assert "31-02-2001" in rejects and ";4;" in f";{rejects.replace(chr(10), ';')}"
    with Workspace(transfer_db) as store:
        assert store.count("clients") == before + 1
        with store.engine.connect() as conn:
            family = conn.exec_driver_sql(
                "SELECT family_name FROM clients WHERE external_id = 'WEB-1'").scalar()
        assert family == "Çelik"  # Windows-1252 accent read right

    page.locator(".tt-export-run").click()
    link = page.locator(".tt-export-link a[download]")
    expect(link).to_contain_text(".xlsx", timeout=ACTION_TIMEOUT)
    with page.expect_download() as got:
        link.click()
    assert got.value.suggested_filename.startswith("trajecttools-gepseudonimiseerd-")
    assert Path(got.value.path()).read_bytes()[:2] == b"PK"

    page.locator(".tt-report-kind select").select_option(label="MDO-verslag")
    page.locator(".tt-report-run").click()
    link = page.locator(".tt-report-link a[download]")
    expect(link).to_contain_text("mdo-verslag-02-11-2026.pdf", timeout=ACTION_TIMEOUT)
    with page.expect_download() as got:
        link.click()
    assert Path(got.value.path()).read_bytes().startswith(b"%PDF")
    shot_form(page, "transfer-3-downloads.png")
