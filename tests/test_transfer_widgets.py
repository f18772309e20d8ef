"""The import/export/reports panel, driven in-process as a notebook user would.

Uploads are set the way ipywidgets 8 sets them: a tuple of dicts with name, type, size,
content (a memoryview) and last_modified. Downloads are read back from their data URIs.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import DEMO_AS_OF
from trajecttools.apps.transfer import transfer
from trajecttools.outputs import report as printing
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.reads.signals import signals
from trajecttools.widgets.transfer import TransferPanel
from trajecttools.workspace import Workspace

LINK = re.compile(r'download="([^"]+)" href="data:([^;]+)(?:;charset=utf-8)?;base64,([^"]+)"')


def _download(html: str) -> tuple[str, str, bytes]:
    match = LINK.search(html)
    assert match, html[:300]
    return match.group(1), match.group(2), base64.b64decode(match.group(3))


def _upload(name: str, content: bytes, mime: str = "text/csv") -> tuple[dict[str, object], ...]:
    return ({"name": name, "type": mime, "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime(2026, 11, 2, 9, 0)},)


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path) -> Workspace:
    target = tmp_path / "demo.db"
    shutil.copy(demo_db, target)
    with Workspace(target, actor="tester", today=DEMO_AS_OF, role="beheer") as store:
        yield store


@pytest.fixture
def panel(demo: Workspace) -> TransferPanel:
    p = TransferPanel(demo, actor="tester")
    yield p
    p.close()


def test_reports_are_offered_as_pdf_and_html_downloads(
    demo: Workspace, panel: TransferPanel
) -> None:
    printing.set_organisation(demo, name="Werkpunt Één")
    part = panel.reports
    labels = [label for label, _ in part.case.options]
    assert len(labels) > 10 and all(" · " in lbl or lbl.startswith("—") for lbl in labels)
    with demo.engine.connect() as conn:
        names = {f"{g} {f}" for g, f in conn.exec_driver_sql(
            "SELECT given_name, family_name FROM clients").all()}
    assert not any(n in " ".join(labels) for n in names)  # pick list: pseudonym + initials

    tid = int(part.case.options[1][1])
    part.choose_case(tid)
    part.format.value = "pdf"
    part.run_button.click()
    assert part.status.kind == "ok", part.status.message
    name, mime, data = _download(part.link.value)
    assert mime == "application/pdf" and data.startswith(b"%PDF")
    assert name.startswith("intakerapportage-K-") and name.endswith(".pdf")

    part.kind.value = "end"
    part.format.value = "html"
    part.run_button.click()
    name, mime, data = _download(part.link.value)
    assert mime == "text/html" and name.startswith("eindrapportage-")
    assert "Beëindigingsrapportage" in data.decode("utf-8")
    assert "Werkpunt Één" in data.decode("utf-8")

    part.kind.value = "mdo"
    assert part.case_box.layout.display == "none" and part.meeting.layout.display is None
    part.run_button.click()
    assert part.status.kind == "error"
    assert "er is nog geen MDO-verslag vastgelegd" in part.status.message
    sig = signals(demo).drop_duplicates("trajectory_id").head(2)
    mdo_minutes.save_meeting(demo, "02-11-2026", [
        {"trajectory_id": int(t), "decision": "Doorgaan met opstapbaan."}
        for t in sig["trajectory_id"]], team="Team Noord")
    part.refresh()
    assert part.meeting.options[0][0] == "02-11-2026 · Team Noord"
    part.run_button.click()
    name, mime, data = _download(part.link.value)
    assert name == "mdo-verslag-02-11-2026-Team Noord.html"
    assert "Doorgaan met opstapbaan." in data.decode("utf-8")


def test_export_link_holds_a_pseudonymised_workbook(demo: Workspace, panel: TransferPanel) -> None:
    part = panel.exporter
    assert part.pseudonymised.value is True  # privacy by default
    part.run_button.click()
    assert part.status.kind == "ok", part.status.message
    name, mime, data = _download(part.link.value)
    assert name == f"trajecttools-gepseudonimiseerd-{DEMO_AS_OF:%Y%m%d}.xlsx"
    assert mime.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert "Klanten" in book.sheetnames and "Trajecten" in book.sheetnames
    with demo.engine.connect() as conn:
        family = conn.exec_driver_sql("SELECT family_name FROM clients LIMIT 1").scalar_one()
    cells = {str(c) for row in book["Klanten"].iter_rows(values_only=True) for c in row}
    assert family not in cells

    part.format.value = ".zip"
    part.pseudonymised.value = False
    part.run_button.click()
    name, mime, data = _download(part.link.value)
    assert name.endswith(".zip") and mime == "application/zip" and data[:2] == b"PK"


def test_import_checks_then_imports_and_offers_the_rejects(demo: Workspace,
                                                           panel: TransferPanel) -> None:
    pytest.importorskip("trajecttools.outputs.importer")
    part = panel.importer
    part.run_button.click()
    assert part.status.kind == "error" and "Kies eerst een bestand" in part.status.message

    part.upload.value = _upload("klanten.pdf", b"%PDF-1.7")
    part.run_button.click()
    assert part.status.kind == "error" and "'klanten.pdf' is geen" in part.status.message

    before = demo.count("clients")
    csv = ("Extern nummer;Voornaam;Achternaam;Geboortedatum;Doelgroep\n"
           "EXT-1;Zoë;Çelik;14-03-2001;Jongeren (school naar werk)\n"
           "EXT-2;Anouk;de Vries;31-02-2001;Jongeren (school naar werk)\n"
           "EXT-3;Bram;Jansen;01-01-1990;Onbekende groep\n").encode("cp1252")
    part.upload.value = _upload("../../klanten.csv", csv)
    part.kind.value = "clients"
    assert part.dry_run.value is True  # checking first is the default
    part.run_button.click()
    result = part.result
    assert result is not None, part.status.message
    assert result.read == 3 and result.read == result.imported + result.rejected
    assert result.rejected == 2
    assert demo.count("clients") == before  # a dry run writes nothing
    assert part.progress.value == part.progress.max and part.progress.layout.display is None
    assert f"{result.read} rijen gelezen" in part.summary.value
    assert str(part.workdir) not in part.summary.value  # no server paths on screen

    part.dry_run.value = False
    part.run_button.click()
    assert demo.count("clients") == before + part.result.imported
    assert part.result.imported == 1
    _, _, data = _download(part.rejects.value)
    assert data  # the reject file names rows and reasons
    text = data.decode("utf-8-sig")
    assert "Geboortedatum" in text and "Doelgroep" in text
    assert "<td>3</td>" in part.rejects.value and "<td>4</td>" in part.rejects.value


def test_builder_shows_a_dutch_message_when_the_register_cannot_open(tmp_path: Path) -> None:
    box = transfer("postgresql+psycopg://nobody@127.0.0.1:1/none")
    html = " ".join(getattr(w, "value", "") for w in box.children)
    assert "Het scherm kon niet worden geladen" in html
    assert "Traceback" not in html
