"""The README's first hour, as a new user runs it: five commands from an empty register to the
MDO dashboard on the organisation's own caseload export, then next month's export.

Every command runs as a real ``trajecttools`` subprocess; the dashboard is served by
``trajecttools serve`` and read in headless Chromium. Screenshots:
``artifacts/screenshots/caseload-*.png``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import DASHBOARDS, SHOTS, Voila, copy_notebooks, serve_voila
from caseload_files import HOSTILE, MAPPING, REJECTED, write_caseload
from test_import_export import reject_file_rows
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

PAGE_TIMEOUT_MS = 180_000
COACHES = "Code;Naam\r\nPS;Petra Smit\r\nKB;Karel Bos\r\n"


def cli(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one ``trajecttools`` command the way a user types it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAJECTTOOLS_")}
    return subprocess.run([sys.executable, "-m", "trajecttools.cli", *args, "--db", str(db)],
                          capture_output=True, text=True, cwd=cwd, env=env, check=False,
                          timeout=300)


def phases(db: Path) -> dict[str, str]:
    with Workspace(db, role="beheer", migrate=False) as store, store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.external_id, t.phase FROM trajectories t JOIN clients c "
            "ON c.id = t.client_id").all()
    return {str(k): str(v) for k, v in rows}


@pytest.fixture(scope="module")
def first_hour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Voila, Path, dict[
        str, str]]]:
    """Commands 1-4 on an empty folder, then command 5 (``serve``) for the test."""
    tmp = tmp_path_factory.mktemp("first-hour")
    today = dt.date.today()
    db = tmp / "register.db"
    out: dict[str, str] = {}
    # 1. create the register
    done = cli("migrate", db=db, cwd=tmp)
    assert done.returncode == 0, done.stderr
    # 2. the coaches, imported from the organisation's own list
    (tmp / "jobcoaches.csv").write_bytes(COACHES.encode("cp1252"))
    done = cli("import", "jobcoaches.csv", "--kind", "coaches", db=db, cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    # 3. the caseload with the municipality's mapping
    write_caseload(tmp / "caseload.csv", today)
    done = cli("import", "caseload.csv", "--kind", "caseload", "--mapping", str(MAPPING),
               db=db, cwd=tmp)
    assert done.returncode == 1, done.stderr  # some rows rejected
    out["import"] = done.stdout
    # 4. check
    done = cli("check", db=db, cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    out["check"] = done.stdout
    # 5. serve (the dashboards' folder, as the README says)
    folder = copy_notebooks(DASHBOARDS, tmp / "dashboards", ["mdo.ipynb"])
    with serve_voila(db, folder, tmp, env={"TRAJECTTOOLS_ROLE": "beheer",
                                          "TRAJECTTOOLS_USER": "teamleider"}) as server:
        yield server, tmp, out


def _open_mdo(page: Any, server: Voila, dialogs: list[str]) -> Any:
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.render("mdo.ipynb"), wait_until="commit", timeout=PAGE_TIMEOUT_MS)
    rows = page.locator(".tt-signal-row:visible")
    rows.first.wait_for(timeout=PAGE_TIMEOUT_MS)
    return rows


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_first_hour_caseload_to_mdo_dashboard_then_next_month(
        first_hour: tuple[Voila, Path, dict[str, str]], page: Any) -> None:
    server, tmp, out = first_hour
    summary = out["import"]
    assert "9 rijen gelezen = 4 geïmporteerd (4 nieuw" in summary and "+ 5 afgewezen" in summary
    assert "Geen problemen gevonden." in out["check"]
    rejects = reject_file_rows(tmp / "caseload.afgewezen.csv")
    by_row = {int(r["Regel"]): f"{r['Veld']}: {r['Reden']}" for r in rejects}
    assert set(by_row) == set(REJECTED) and len(rejects) == len(REJECTED)
    for row, words in REJECTED.items():
        assert all(w in by_row[row] for w in words), by_row[row]
    with Workspace(server.db, role="beheer", migrate=False) as store:
        with store.engine.connect() as conn:
            stored = conn.exec_driver_sql(
                "SELECT given_name FROM clients WHERE external_id = '1008'").scalar()
            ids = dict(conn.exec_driver_sql(
                "SELECT c.external_id, t.id FROM trajectories t JOIN clients c "
                "ON c.id = t.client_id").all())
        cases = store.cases()
    assert stored == HOSTILE  # verbatim
    code = dict(zip(cases["trajectory_id"], cases["pseudonym"], strict=True))

    dialogs: list[str] = []
    rows = _open_mdo(page, server, dialogs)
    text = page.locator(".tt-signals").inner_text()
    # the imported cases' signals: a placement phase without a placement, an intake not held
    assert "zonder lopende plaatsing" in text
    assert "Intake niet gehouden" in text
    assert all(code[ids[k]] in text for k in ("1001", "1002", "1003", "1008"))
    # the hostile name's initial is shown as text, never run as markup
    assert "<.H." in text
    assert page.locator("script", has_text="alert('x')").count() == 0
    assert not dialogs
    assert rows.count() >= 4
    _shot(page, "caseload-1-mdo-na-import.png")

    # next month: changed phases are refused without --update, applied with it
    write_caseload(tmp / "maand2.csv", dt.date.today(), month=2)
    before = phases(server.db)
    refused = cli("import", "maand2.csv", "--kind", "caseload", "--mapping", str(MAPPING),
                  db=server.db, cwd=tmp)
    assert refused.returncode == 1
    assert "Importeer met --update" in refused.stdout
    assert phases(server.db) == before  # without --update nothing changes
    done = cli("import", "maand2.csv", "--kind", "caseload", "--mapping", str(MAPPING),
               "--update", db=server.db, cwd=tmp)
    assert "2 bijgewerkt" in done.stdout, done.stdout + done.stderr
    assert "fase 'Opstapbaan' → 'Plaatsing'" in done.stdout
    after = phases(server.db)
    assert (after["1001"], after["1002"]) == ("placement", "intake")

    page.locator(".tt-refresh").click()  # the meeting's "Vernieuwen": the register again
    placed = rows.filter(has_text=code[ids["1001"]])
    placed.first.filter(has_text="Plaatsing").wait_for(timeout=60_000)
    page.get_by_text("Gegevens bijgewerkt").wait_for(timeout=60_000)  # charts drawn too
    page.wait_for_timeout(500)  # the chart's redraw
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    placed_rows = [t for t in texts if code[ids["1001"]] in t]
    intake_rows = [t for t in texts if code[ids["1002"]] in t]
    assert placed_rows and all("Plaatsing" in t for t in placed_rows)
    assert intake_rows and all("Intake" in t for t in intake_rows)
    _shot(page, "caseload-2-mdo-na-maand-2.png")
