"""The follow-up notebook served by Voilà on an art. 60§7 case, in headless Chromium: the
trajectbegeleider and the cliënt, no "Nazorg" step (“Trajectbegeleiding in vijf fasen (OCMW,
art. 60§7)”: following up work is “facultatief”, off for art60). Screenshot in
``artifacts/screenshots/follow-up-art60.png``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import NOTEBOOKS, RENDER_TIMEOUT, Voila, serve_voila, shot_form
from conftest import add_staff
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[Voila]:
    db = tmp_path / "words.db"
    with Workspace(db, actor="setup") as store:
        staff = add_staff(store)
        day = "02-03-2026"
        store.register(
            {"given_name": "Lotte", "family_name": "Peeters", "target_group": "long_term_benefit"},
            method="art60", registered_at=f"{day} 10:00", case_manager_id=staff.case_manager,
            coach_id=staff.coach, coach_assigned_at=f"{day} 10:00",
            plan={"signed_case_manager_on": day, "signed_coach_on": day,
                  "signed_client_on": day})
    with serve_voila(db, NOTEBOOKS, tmp_path,
                     env={"TRAJECTTOOLS_USER": "browser.coach"}) as server:
        yield server


def test_follow_up_of_an_art60_case_in_chromium(voila: Voila, page: Any) -> None:
    from playwright.sync_api import expect  # heavy optional dependency: browser tests only

    page.goto(voila.render("follow_up.ipynb"))
    page.wait_for_selector(".tt-follow-up .tt-case-pick select", timeout=RENDER_TIMEOUT)
    page.locator(".tt-case-pick select").select_option(index=1)
    expect(page.locator(".tt-case-head")).to_contain_text("trajectbegeleider")
    expect(page.locator(".tt-step-aftercare")).to_be_hidden()
    expect(page.locator(".tt-step-contact")).to_be_visible()
    expect(page.locator(".tt-f-participants")).to_contain_text("cliënt, trajectbegeleider")
    shot_form(page, "follow-up-art60.png")
    page.locator(".tt-step-end_report").click()
    expect(page.locator(".tt-end-report")).to_contain_text("Hoe is het traject verlopen?")
    shot_form(page, "follow-up-art60-eindrapportage.png")
