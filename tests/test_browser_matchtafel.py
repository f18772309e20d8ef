"""The Matchtafel dashboard in Voilà, in headless Chromium: a client is put at the table, pairs
appear, decisions are recorded in the register, and no names or BSNs reach the page."""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_AS_OF
from trajecttools import serving
from trajecttools.outputs import demo
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_server(url: str, proc: subprocess.Popen[bytes], log: Path,
                     timeout: float = 90) -> None:
    """Poll the server until it answers (a readiness check, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"Voilà stopte: {log.read_text('utf-8', 'replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError(f"Voilà antwoordde niet: {log.read_text('utf-8', 'replace')[-3000:]}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Serve a copy of the Matchtafel dashboard (peildatum of the demo) on a demo register.

    The register is a demo of 1 000 trajectories (seed 3): enough open vacancies to fill the
    screen with pairs, as a meeting would see it.
    """
    if not CHROMIUM.exists():
        pytest.skip("Chromium ontbreekt (/usr/bin/chromium)")
    db = tmp_path / "demo.db"
    with Workspace(db, actor="demo", today=DEMO_AS_OF) as store:
        demo.build(store, size=1000, seed=3, as_of=DEMO_AS_OF)
        store.set_info("synthetic", "true")
    folder = tmp_path / "dashboards"
    folder.mkdir()
    nb = json.loads((ROOT / "dashboards" / "matchtafel.ipynb").read_text("utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = [f'as_of = "{DEMO_AS_OF:%d-%m-%Y}"\n', "top = 5\n", "clients = []\n"]
    (folder / "matchtafel.ipynb").write_text(json.dumps(nb), "utf-8")
    shutil.copy(ROOT / "dashboards" / "voila.json", folder / "voila.json")
    port, token = _free_port(), secrets.token_urlsafe(16)
    url = f"sqlite:///{db}"
    cmd = serving.build_command(folder, port=port, token=token)
    log = tmp_path / "voila.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=serving.environment(url), stdout=out,
                                stderr=subprocess.STDOUT, cwd=folder)
    try:
        _wait_for_server(f"http://127.0.0.1:{port}/?token={token}", proc, log)
        yield {"db": db, "port": port, "token": token, "log": log,
               "page": f"http://127.0.0.1:{port}/voila/render/matchtafel.ipynb?token={token}"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_matchtafel_in_chromium(served: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    with Workspace(served["db"], migrate=False, role="beheer") as store:
        people = store.frame("clients")[["given_name", "family_name", "bsn"]]
        before = store.count("match_decisions")
    full_names = {f"{g} {f}" for g, f in zip(people["given_name"], people["family_name"],
                                            strict=True)}
    bsns = {str(b) for b in people["bsn"].dropna()}
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(served["page"], timeout=120_000)
            page.wait_for_selector(".tt-matchtafel .tt-client-picker select", timeout=120_000)
            page.screenshot(path=str(SHOTS / "matchtafel-1-start.png"))

            # put the first client of concern at the table
            first = page.locator(".tt-client-picker select option").first
            label = first.inner_text()
            page.select_option(".tt-client-picker select", label=label)
            page.click(".tt-discuss")
            pseudonym = label.replace("\xa0", " ").split(" · ")[0]
            # widgets sync one by one: wait for the heading as well as for the rows
            page.wait_for_selector(f".tt-pairs h2:has-text('{pseudonym}')", timeout=60_000)
            page.wait_for_selector(".tt-pairs .tt-pair-row:visible .tt-crit", timeout=60_000)
            rows = page.locator(".tt-pairs .tt-pair-row:visible")
            assert rows.count() >= 1
            assert page.locator(".tt-pairs .tt-crit").count() >= 8
            page.screenshot(path=str(SHOTS / "matchtafel-2-pairs.png"), full_page=True)

            # propose the best pair, then record that it was introduced to the employer
            rows.first.locator(".tt-propose").click()
            page.wait_for_selector(".tt-status :text('Voorgesteld:')", timeout=60_000)
            rows.first.locator(".tt-introduce").click()
            page.wait_for_selector(".tt-status :text('Voorgesteld aan werkgever:')",
                                   timeout=60_000)
            page.wait_for_selector(".tt-decision .tt-dec-introduced", timeout=60_000)
            page.screenshot(path=str(SHOTS / "matchtafel-3-decision.png"), full_page=True)

            # flip to the vacancy's best candidates
            rows.first.locator(".tt-flip").click()
            page.wait_for_selector(".tt-pairs h2:has-text('Kandidaten voor')", timeout=60_000)
            page.screenshot(path=str(SHOTS / "matchtafel-4-vacancy.png"), full_page=True)

            text = page.inner_text("body")
            assert not [n for n in full_names if n in text], "client names on the page"
            assert not [b for b in bsns if b in text], "BSNs on the page"
            assert "Traceback" not in text
        finally:
            browser.close()

    with Workspace(served["db"], migrate=False, role="beheer") as store:
        found = store.frame("match_decisions")
    assert len(found) == before + 1
    assert found["status"].astype(str).tolist()[-1] == "introduced"
    assert found["decided_by"].astype(str).tolist()[-1] == "Matchtafel"
