"""The Matchtafel dashboard in Voilà, in headless Chromium: a client is put at the table, pairs
appear, decisions are recorded in the register, and no names or BSNs reach the page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import DASHBOARDS, SHOTS, copy_notebooks, serve_voila
from conftest import DEMO_AS_OF
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser


def _matchtafel_parameters(lines: list[str]) -> list[str]:
    return [f'as_of = "{DEMO_AS_OF:%d-%m-%Y}"\n', "top = 5\n", "clients = []\n"]


@pytest.fixture
def served(matchtafel_db: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Serve a copy of the Matchtafel dashboard (peildatum of the demo) on a demo register.

    The register is a copy of a demo of 1 000 trajectories (seed 3): enough open vacancies to
    fill the screen with pairs, as a meeting would see it.
    """
    db = tmp_path / "demo.db"
    shutil.copy(matchtafel_db, db)
    with Workspace(db, actor="demo", today=DEMO_AS_OF) as store:
        store.set_info("synthetic", "true")
    folder = copy_notebooks(DASHBOARDS, tmp_path / "dashboards", ["matchtafel.ipynb"],
                            _matchtafel_parameters)
    with serve_voila(db, folder, tmp_path) as server:
        yield {"db": db, "log": server.log, "page": server.render("matchtafel.ipynb")}


def test_matchtafel_in_chromium(served: dict[str, Any], page: Any) -> None:
    with Workspace(served["db"], migrate=False, role="beheer") as store:
        people = store.frame("clients")[["given_name", "family_name", "bsn"]]
        before = store.count("match_decisions")
    full_names = {f"{g} {f}" for g, f in zip(people["given_name"], people["family_name"],
                                            strict=True)}
    bsns = {str(b) for b in people["bsn"].dropna()}
    SHOTS.mkdir(parents=True, exist_ok=True)

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

    with Workspace(served["db"], migrate=False, role="beheer") as store:
        found = store.frame("match_decisions")
    assert len(found) == before + 1
    assert found["status"].astype(str).tolist()[-1] == "introduced"
    assert found["decided_by"].astype(str).tolist()[-1] == "Matchtafel"
