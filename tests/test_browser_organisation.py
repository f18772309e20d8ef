"""The organisation page (notebooks/beheer.ipynb) served by Voilà, used in headless Chromium.

A functional administrator adds a team (hostile text shown as text), tries to deactivate a coach
with open cases (refused, the count on screen) and hands them over. Screenshots go to
``artifacts/screenshots/beheer-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import ACTION_TIMEOUT, NOTEBOOKS, RENDER_TIMEOUT, Voila, serve_voila, shot_form
from conftest import add_staff, make_store, register_case
from trajecttools.register import organisation as org
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

HOSTILE = "Team <img src=x onerror=alert(1)>"


@pytest.fixture
def register_db(tmp_path: Path) -> Path:
    with make_store("sqlite", tmp_path) as store:
        staff = add_staff(store)
        for _ in range(3):
            register_case(store, staff)
    return tmp_path / "register.db"


@pytest.fixture
def voila(register_db: Path, tmp_path: Path) -> Iterator[Voila]:
    """Serve notebooks/ with Voilà for the functional administrator (beheer)."""
    with serve_voila(register_db, NOTEBOOKS, tmp_path,
                     env={"TRAJECTTOOLS_USER": "browser.beheer",
                          "TRAJECTTOOLS_ROLE": "beheer"}) as server:
        yield server


def test_organisation_page_through_voila(voila: Voila, register_db: Path, page: Any) -> None:
    from playwright.sync_api import expect  # heavy optional dependency: browser tests only

    errors: list[str] = []
    page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_default_timeout(ACTION_TIMEOUT)
    page.goto(voila.render("beheer.ipynb"))
    page.wait_for_selector(".tt-organisation .tt-org-coaches-off", timeout=RENDER_TIMEOUT)
    expect(page.locator(".tt-org-role")).to_contain_text("Uw rol: functioneel beheerder")

    teams = ".tt-org-teams"
    box = page.locator(f"{teams} .tt-f-name input")
    box.fill(HOSTILE)
    box.press("Tab")
    page.locator(f"{teams}-add").click()
    expect(page.locator(f"{teams} .tt-status")).to_contain_text("toegevoegd")
    expect(page.locator(f"{teams} .tt-org-table")).to_contain_text(HOSTILE)  # text, not markup

    coaches = ".tt-org-coaches"
    page.locator(f"{coaches} .tt-f-off select").select_option(label="JC01 – Jet Coach")
    expect(page.locator(f"{coaches} .tt-off-note")).to_contain_text("JC01 heeft 3 open trajecten")
    page.locator(f"{coaches}-off").click()
    expect(page.locator(f"{coaches} .tt-status")).to_contain_text(
        "Jobcoach JC01 heeft nog 3 open trajecten; niet gedeactiveerd")
    expect(page.locator(f"{coaches} .tt-f-hand_over_to")).to_contain_text(
        "Kies wie de 3 open trajecten overneemt")
    shot_form(page, "beheer-1-overdracht-gevraagd.png")
    with Workspace(register_db, role="beheer") as store:
        assert org.open_cases(store, "JC01") == 3  # refused: nothing changed

    page.locator(f"{coaches} .tt-f-hand_over_to select").select_option(label="JC02 – Kees Coach")
    page.locator(f"{coaches}-off").click()
    expect(page.locator(f"{coaches} .tt-status")).to_contain_text(
        "3 open trajecten overgedragen aan JC02 (Kees Coach)")
    shot_form(page, "beheer-2-overgedragen.png")
    with Workspace(register_db, role="beheer") as store:
        assert org.open_cases(store, "JC01") == 0 and org.open_cases(store, "JC02") == 3
        coaches_now = org.coaches_frame(store).set_index("code")
        assert not coaches_now.loc["JC01", "active"]
        assert HOSTILE in org.teams_frame(store)["name"].tolist()
        audit = store.audit()
        assert (audit["actor"] == "browser.beheer").sum() >= 4  # team + 3 coach changes + ...
    assert not errors  # the hostile name never ran as script
