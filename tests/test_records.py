"""Edge validation: dates, BSN elfproef, codes given by label, Dutch messages per field."""

from __future__ import annotations

import datetime as dt

import pytest

from trajecttools.core.dates import parse_date, parse_datetime
from trajecttools.core.errors import InvalidRecord
from trajecttools.core.identifiers import elfproef as bsn_is_valid
from trajecttools.core.validation import validate


@pytest.mark.parametrize(
    ("text", "day"),
    [("05-11-2026", dt.date(2026, 11, 5)), ("2026-11-05", dt.date(2026, 11, 5)),
     ("5/11/2026", dt.date(2026, 11, 5)), (" 05.11.2026 ", dt.date(2026, 11, 5)), ("", None)],
)
def test_dates_are_read_the_dutch_way(text: str, day: dt.date | None) -> None:
    assert parse_date(text) == day


def test_impossible_dates_are_refused() -> None:
    for text in ("31-02-2026", "11/2026", "morgen"):
        with pytest.raises(ValueError, match="geen geldige datum"):
            parse_date(text)
    assert parse_datetime("05-11-2026 14:30") == dt.datetime(2026, 11, 5, 14, 30)


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990"])
def test_valid_bsns_pass_the_elfproef(bsn: str) -> None:
    assert bsn_is_valid(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "111222334", "12345678", "abcdefghi", "000000000"])
def test_invalid_bsns_fail_the_elfproef(bsn: str) -> None:
    assert not bsn_is_valid(bsn)


def test_codes_can_be_given_by_dutch_label() -> None:
    clean = validate("barriers", {"trajectory_id": 1, "domain": "Schulden", "severity": "Ernstig",
                                  "noted_on": "01-06-2026"}, today=dt.date(2026, 6, 15))
    assert (clean["domain"], clean["severity"]) == ("debts", 3)


def test_every_bad_field_is_named_with_its_row() -> None:
    with pytest.raises(InvalidRecord) as err:
        validate("agreements", {"trajectory_id": 1, "what": "", "who": "buurman",
                                "due_on": "32-01-2026"}, row=7)
    text = str(err.value)
    assert text.startswith("Afspraak, rij 7: ")
    assert "Wat: is verplicht" in text
    assert "Wie: onbekende waarde 'buurman'" in text
    assert "Uiterlijk op: is geen geldige datum" in text


def test_cross_field_rules() -> None:
    today = dt.date(2026, 6, 15)
    with pytest.raises(InvalidRecord, match="Reden niet nagekomen: is verplicht"):
        validate("agreements", {"trajectory_id": 1, "what": "cv", "who": "client",
                                "due_on": "01-06-2026", "status": "not_kept",
                                "closed_on": "02-06-2026"}, today=today)
    with pytest.raises(InvalidRecord, match="Einddatum: mag niet vóór de startdatum liggen"):
        validate("placements", {"trajectory_id": 1, "kind": "regular", "start_on": "01-06-2026",
                                "end_on": "01-05-2026"}, today=today)
    with pytest.raises(InvalidRecord, match="Datum: mag niet in de toekomst liggen"):
        validate("contacts", {"trajectory_id": 1, "kind": "intake", "held_on": "16-06-2026"},
                 today=today)
    with pytest.raises(InvalidRecord, match="Geboortedatum: geeft een leeftijd van 3 jaar"):
        validate("clients", {"given_name": "A", "family_name": "B", "target_group": "over_45",
                             "birth_date": "01-01-2023"}, today=today)
    with pytest.raises(InvalidRecord, match="ZRM Financiën: mag hoogstens 5 zijn"):
        validate("zrm_assessments", {"trajectory_id": 1, "assessed_on": "01-06-2026",
                                     "finances": 6}, today=today)
