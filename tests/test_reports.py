"""Intake and end reports: escaped, Dutch dates, printable, without BSN."""

from __future__ import annotations

from conftest import add_staff, register_case
from trajecttools.outputs.report import (
    end_report_fragment,
    end_report_html,
    intake_report_fragment,
    intake_report_html,
)
from trajecttools.reads.case.dossier import load_dossier
from trajecttools.workspace import Workspace

BSN = "111222333"


def _case(store: Workspace) -> int:
    staff = add_staff(store)
    client = {"given_name": "<script>alert(1)</script>", "family_name": "O'Brien & Zn",
              "target_group": "refugees", "bsn": BSN, "wishes": "Koken <graag>"}
    tid = register_case(store, staff, client=client)
    with store.transaction() as tx:
        contact = tx.add("contacts", {"trajectory_id": tid, "kind": "intake",
                                      "held_on": "05-06-2026", "notes": "Eerste \"diagnose\""})
        tx.add("agreements", {"trajectory_id": tid, "contact_id": contact, "what": "CV <maken>",
                              "who": "client", "due_on": "12-06-2026"})
        tx.add("zrm_assessments", {"trajectory_id": tid, "assessed_on": "05-06-2026",
                                   "finances": 1})
        tx.add("end_reports", {"trajectory_id": tid, "written_on": "14-06-2026",
                               "results": "Werk & <inkomen>"})
    return tid


def test_intake_report_escapes_and_uses_dutch_dates(sqlite_store: Workspace) -> None:
    d = load_dossier(sqlite_store, _case(sqlite_store))
    html = intake_report_html(d)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "O&#x27;Brien &amp; Zn" in html
    assert "Koken &lt;graag&gt;" in html and "CV &lt;maken&gt;" in html
    assert "05-06-2026" in html and "2026-06-05" not in html
    assert "1 – Acute problematiek" in html and "niet gemeten" in html
    assert "Vluchtelingen en statushouders" in html
    assert BSN not in html
    assert "@media print" in html
    assert intake_report_fragment(d).startswith('<div class="tt-report tt-intake-report">')


def test_end_report_has_the_five_questions(sqlite_store: Workspace) -> None:
    d = load_dossier(sqlite_store, _case(sqlite_store))
    html = end_report_html(d)
    for title in ("Hoe is de nazorg verlopen", "Behaalde resultaten",
                  "Resterende aandachtspunten", "Wat is ingezet", "Hoe gaat het nu verder"):
        assert title in html
    assert "Werk &amp; &lt;inkomen&gt;" in html
    assert "14-06-2026" in html and BSN not in html
    assert "Niet ingevuld." in end_report_fragment(d)
