"""The coach's dossier of a case: everything but the BSN, pick lists without names, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import add_staff, register_case
from trajecttools.core.dates import add_months
from trajecttools.core.errors import NotFoundError
from trajecttools.core.method import load_method
from trajecttools.core.names import initials_of
from trajecttools.reads.case.dossier import (
    case_choices,
    describe,
    display_value,
    load_dossier,
    placement_limit_text,
    placement_limit_warning,
    placement_limits,
)
from trajecttools.workspace import Workspace

BSN = "111222333"


def test_dossier_holds_the_case_but_never_the_bsn(sqlite_store: Workspace) -> None:
    staff = add_staff(sqlite_store)
    client = {"given_name": "Amira", "family_name": "van der Proef", "target_group": "over_45",
              "bsn": BSN}
    tid = register_case(sqlite_store, staff, client=client)
    d = load_dossier(sqlite_store, tid)
    assert "bsn" not in d.client and d.has_bsn
    assert BSN not in repr(d)
    assert d.display_name == f"{d.pseudonym} · A.P."
    assert d.phase == "registration" and d.phase_label == "Aanmelding"
    assert d.allowed_next() == [("intake", "Intake"), ("closed", "Afgesloten")]
    assert d.next_in_stage("intake") == "intake"
    assert d.plan is not None and d.plan["signed_client_on"] == dt.date(2026, 6, 4)
    assert d.coach is not None and d.coach["name"] == "Jet Coach"
    assert d.row_of("clients", d.client_id) == d.client
    assert d.row_of("agreements", 99) is None
    with pytest.raises(NotFoundError):
        load_dossier(sqlite_store, 999)


def test_case_choices_name_cases_by_pseudonym_and_initials(sqlite_store: Workspace) -> None:
    staff = add_staff(sqlite_store)
    register_case(sqlite_store, staff)
    (choice,) = case_choices(sqlite_store)
    assert choice.label.startswith(f"{choice.pseudonym} · A.P. — Aanmelding")
    assert "Amira" not in choice.label and "Proefstra" not in choice.label
    assert case_choices(sqlite_store, search=choice.pseudonym[-3:].lower()) == [choice]
    assert case_choices(sqlite_store, search="nee") == []


def test_describe_shows_labels_and_hides_technical_columns(sqlite_store: Workspace) -> None:
    staff = add_staff(sqlite_store)
    tid = register_case(sqlite_store, staff)
    m = load_method("opstapbaan")
    rows = dict(describe(sqlite_store, "trajectories", sqlite_store.get("trajectories", tid), m))
    assert rows["Fase"] == "Aanmelding"
    assert rows["Jobcoach"] == "Jet Coach"
    assert rows["Aanmelding"] == "01-06-2026 09:00"
    assert "id" not in rows and "version" not in rows
    client = sqlite_store.get("clients", 1)
    assert "BSN" not in dict(describe(sqlite_store, "clients", client))
    assert display_value("placements", "temporary", True) == "ja"


def test_initials_ignore_dutch_particles() -> None:
    assert initials_of("Jan", "van den Berg") == "J.B."
    assert initials_of(None, None) == ""


def test_placement_limits_follow_the_method() -> None:
    m = load_method("opstapbaan")
    assert placement_limit_text(m, "secondment") == "maximaal 3 maanden"
    assert placement_limit_text(m, "regular") == "minimaal 6 maanden"
    assert placement_limit_text(m, "social_employment") == ""
    assert [k for k, _, _ in placement_limits(m)][:2] == ["regular", "secondment"]
    start = dt.date(2026, 1, 31)
    assert add_months(start, 1) == dt.date(2026, 2, 28)
    assert placement_limit_warning(m, "secondment", start, dt.date(2026, 4, 30)) == ""
    warning = placement_limit_warning(m, "secondment", start, dt.date(2026, 5, 1))
    assert "maximale duur van 3 maanden (uiterlijk 30-04-2026)" in warning
