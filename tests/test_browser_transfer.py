"""The import/export notebook served by Voilà, used in headless Chromium.

Uploads a messy semicolon CSV in Windows-1252 through the real file input, checks it, imports
it, downloads the reject file, the export and an MDO summary PDF through the page's links, and
checks the files and the database. Screenshots go to ``artifacts/screenshots/transfer-*.png``.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEMO_AS_OF
from test_browser_intake import (
    ACTION_TIMEOUT,
    CHROMIUM,
    CHROMIUM_ARGS,
    RENDER_TIMEOUT,
    _free_port,
    _shot,
    _url,
    _wait_for_port,
)
from trajecttools import serving
from trajecttools.outputs import report as printing
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.reads.signals import signals
from trajecttools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium niet gevonden"),
]

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
def voila(transfer_db: Path, tmp_path: Path) -> Iterator[str]:
    port, token = _free_port(), secrets.token_urlsafe(16)
    cmd = serving.build_command(ROOT / "notebooks", port=port, token=token)
    env = serving.environment(f"sqlite:///{transfer_db}")
    env["TRAJECTTOOLS_USER"] = "browser.beheer"
    env["TRAJECTTOOLS_ROLE"] = "beheer"
    log = tmp_path / "voila.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=tmp_path)
    try:
        _wait_for_port(port, proc, log, 60)
        yield f"http://127.0.0.1:{port}|{token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_upload_import_and_downloads_through_voila(voila: str, transfer_db: Path,
                                                   tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    source = tmp_path / "klanten-uit-oud-systeem.csv"
    source.write_bytes(CSV.encode("cp1252"))
    with Workspace(transfer_db) as store:
        before = store.count("clients")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800},
                                    accept_downloads=True)
            page.set_default_timeout(ACTION_TIMEOUT)
            page.goto(_url(voila, "import_export.ipynb"))
            page.wait_for_selector(".tt-transfer .tt-import-run", timeout=RENDER_TIMEOUT)
            _shot(page, "transfer-1-leeg.png")

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
            _shot(page, "transfer-2-geimporteerd.png")
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
            _shot(page, "transfer-3-downloads.png")
        finally:
            browser.close()
