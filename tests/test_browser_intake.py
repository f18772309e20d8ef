"""The intake and follow-up notebooks served by Voilà, used in headless Chromium.

Registers a client through the real page (first with a missing field, then complete), holds
the intake, makes the report, opens the follow-up forms and saves a contact with an agreement;
then finds the records in the database. Screenshots of every form step go to
``artifacts/screenshots/`` (1280×800 viewport, whole page).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import (
    ACTION_TIMEOUT,
    NOTEBOOKS,
    RENDER_TIMEOUT,
    SHOTS,
    Voila,
    serve_voila,
    shot_form,
)
from conftest import add_staff
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def register_db(tmp_path: Path) -> Path:
    db = tmp_path / "browser.db"
    with Workspace(db, actor="setup") as store:
        add_staff(store)
        store.set_info("bsn_enabled", "true")  # this organisation stores the BSN
    return db


@pytest.fixture
def voila(register_db: Path, tmp_path: Path) -> Iterator[Voila]:
    """Serve notebooks/ with Voilà (the package's safe settings) for a coach."""
    with serve_voila(register_db, NOTEBOOKS, tmp_path,
                     env={"TRAJECTTOOLS_USER": "browser.coach"}) as server:
        yield server


def _type(page: object, scope: str, key: str, text: str) -> None:
    box = page.locator(f"{scope} .tt-f-{key}").locator("input, textarea").first  # type: ignore
    box.fill(text)
    box.press("Tab")


def _choose(page: object, scope: str, key: str, label: str) -> None:
    page.locator(f"{scope} .tt-f-{key} select").select_option(label=label)  # type: ignore


def test_intake_and_follow_up_through_voila(voila: Voila, register_db: Path, page: Any) -> None:
    from playwright.sync_api import expect  # heavy optional dependency: browser tests only

    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_default_timeout(ACTION_TIMEOUT)
    page.goto(voila.render("intake.ipynb"))
    page.wait_for_selector(".tt-intake .tt-save-registration", timeout=RENDER_TIMEOUT)
    shot_form(page, "intake-1-aanmelding-leeg.png")

    reg = ".tt-registration"
    _type(page, reg, "given_name", "Bram")
    _type(page, reg, "birth_date", "05-05-1999")
    _choose(page, reg, "target_group", "Langdurig in de bijstand")
    _type(page, reg, "postcode", "3072ab")
    _type(page, reg, "municipality", "Rotterdam")
    _type(page, reg, "bsn", "111222333")
    _type(page, reg, "registered_at", "02-03-2026 09:00")
    _choose(page, reg, "coach_id", "Jet Coach (JC01)")
    _choose(page, reg, "case_manager_id", "Carla Consulent – Gemeente")
    _type(page, reg, "signed_case_manager_on", "03-03-2026")
    _type(page, reg, "signed_coach_on", "03-03-2026")
    _type(page, reg, "signed_client_on", "01-03-2026")  # before registration
    page.locator(".tt-save-registration").click()
    expect(page.locator(f"{reg} .tt-f-family_name .tt-field-error")).to_contain_text(
        "Achternaam is verplicht")
    expect(page.locator(".tt-registration-status")).to_contain_text("Niet opgeslagen")
    shot_form(page, "intake-2-aanmelding-fouten.png")
    with Workspace(register_db, role="beheer") as store:
        assert store.count("clients") == 0

    _type(page, reg, "family_name", "de Vries")
    page.locator(".tt-save-registration").click()
    expect(page.locator(f"{reg} .tt-f-signed_client_on .tt-field-error")).to_contain_text(
        "Getekend door klant mag niet vóór de aanmelding (02-03-2026) liggen")
    with Workspace(register_db, role="beheer") as store:
        assert store.count("clients") == 0  # the store refused: nothing saved
    _type(page, reg, "signed_client_on", "04-03-2026")
    page.locator(".tt-save-registration").click()
    expect(page.locator(".tt-registration-status")).to_contain_text(
        "Aanmelding opgeslagen door browser.coach")
    expect(page.locator(".tt-case-head")).to_contain_text("B.V.")
    expect(page.locator(f"{reg} .tt-f-bsn input")).to_have_value("")
    assert "111222333" not in page.content()
    shot_form(page, "intake-3-aanmelding-opgeslagen.png")

    with Workspace(register_db, role="beheer") as store:
        clients = store.frame("clients")
        assert len(clients) == 1
        client = clients.iloc[0]
        assert (client["given_name"], client["family_name"]) == ("Bram", "de Vries")
        assert client["postcode"] == "3072 AB" and client["bsn"] == "111222333"
        assert client["target_group"] == "long_term_benefit"
        traj = store.frame("trajectories").iloc[0]
        assert traj["phase"] == "registration" and traj["coach_id"] == 1
        audit = store.audit()
        assert set(audit[audit["entity"] == "clients"]["actor"]) == {"browser.coach"}

    page.locator(".tt-step-intake").click()
    form = ".tt-intake-form"
    page.wait_for_selector(f"{form} .tt-save-intake")
    _type(page, form, "held_on", "10-03-2026")
    _choose(page, form, "kind", "Huisbezoek")
    _type(page, form, "participants", "klant, vader")
    page.locator(".tt-add-barriers").click()
    row = f"{form} .tt-barrier"
    _choose(page, row, "domain", "Schulden")
    _choose(page, row, "severity", "Ernstig")
    _type(page, row, "agency", "Kredietbank")
    _type(page, row, "referred_on", "10-03-2026")
    _choose(page, form, "finances", "2 – Niet zelfredzaam")
    _choose(page, form, "rung", "2 – Sociale contacten buitenshuis")
    page.locator(f"{form} .tt-option-logistics input").check()
    shot_form(page, "intake-4-intake-ingevuld.png")
    page.locator(".tt-save-intake").click()
    expect(page.locator(".tt-intake-form-status")).to_contain_text(
        "Intake opgeslagen door browser.coach")
    expect(page.locator(".tt-case-head")).to_contain_text("Intake")
    with Workspace(register_db, role="beheer") as store:
        assert store.count("barriers") == 1 and store.count("referrals") == 1
        assert store.frame("zrm_assessments").iloc[0]["finances"] == 2
        assert store.frame("trajectories").iloc[0]["phase"] == "intake"
        assert store.get("clients", 1)["preferred_sectors"] == ["logistics"]

    page.locator(".tt-step-report").click()
    page.locator(".tt-make-report").click()
    expect(page.locator(".tt-report-view .tt-intake-report")).to_contain_text(
        "Kredietbank")
    shot_form(page, "intake-5-intakerapport.png")
    page.locator(".tt-step-other_route").click()
    page.wait_for_selector(".tt-save-other-route")
    shot_form(page, "intake-6-ander-traject.png")

    page.goto(voila.render("follow_up.ipynb"))
    page.wait_for_selector(".tt-follow-up .tt-case-pick select", timeout=RENDER_TIMEOUT)
    picker = page.locator(".tt-case-pick select")
    labels = picker.locator("option").all_inner_texts()
    assert not any("Bram" in t or "Vries" in t for t in labels), labels
    picker.select_option(index=1)
    expect(page.locator(".tt-case-head")).to_contain_text("fase Intake")
    contact = ".tt-contact"
    _choose(page, contact, "kind", "Voortgangsgesprek")
    _type(page, contact, "held_on", "12-03-2026")
    _type(page, contact, "participants", "klant, jobcoach")
    page.locator(".tt-add-agreements-new").click()
    _type(page, f"{contact} .tt-agreement", "what", "Bellen met de Kredietbank")
    _choose(page, f"{contact} .tt-agreement", "who", "Klant")
    _type(page, f"{contact} .tt-agreement", "due_on", "19-03-2026")
    shot_form(page, "follow-up-1-contact.png")
    page.locator(".tt-save-contact").click()
    expect(page.locator(".tt-contact-status")).to_contain_text(
        "Contact met 1 afspraak opgeslagen door browser.coach")
    with Workspace(register_db, role="beheer") as store:
        agreement = store.frame("agreements").iloc[0]
        assert agreement["what"] == "Bellen met de Kredietbank"
        assert agreement["contact_id"] == store.frame("contacts").iloc[-1]["id"]

    for key, name in [("agreements", "follow-up-2-afspraken.png"),
                      ("phase", "follow-up-3-fase.png"),
                      ("placement", "follow-up-4-plaatsing.png"),
                      ("aftercare", "follow-up-5-nazorg.png"),
                      ("end_report", "follow-up-6-eindrapportage.png")]:
        page.locator(f".tt-step-{key}").click()
        page.wait_for_selector(f".tt-step-{key}.tt-step-active")
        if key == "placement":
            # wage subsidy 'op proef' with the employer's promise (“Traject Work-2-Gether”)
            _choose(page, ".tt-placement-form", "kind",
                    "Loonkostensubsidie (maximaal 6 maanden, op proef, met belofte van een "
                    "arbeidsovereenkomst van minimaal 6 maanden zonder proeftijd)")
            expect(page.locator(".tt-limit")).to_contain_text("zonder proeftijd")
            _type(page, ".tt-placement-form", "promised_contract_months", "12")
        shot_form(page, name)
    # the page at the size it is used, above the fold
    page.locator(".tt-step-contact").click()
    page.screenshot(path=str(SHOTS / "follow-up-0-viewport.png"))
    assert os.path.exists(SHOTS / "follow-up-6-eindrapportage.png")
