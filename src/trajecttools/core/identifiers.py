"""Personal identifiers and their checks: the Dutch BSN (elfproef) and the Belgian
rijksregisternummer (national register number, mod 97).

>>> elfproef("111222333"), elfproef("123456789"), elfproef("000000000")
(True, False, False)
>>> rrn_check("85073003328"), rrn_check("85073003329"), rrn_check("17073003384")
(True, False, True)
"""

from __future__ import annotations

import re
from typing import Any

from trajecttools.core.errors import FieldProblem, InvalidRecord


def elfproef(bsn: str) -> bool:
    """Tell whether ``bsn`` is a valid Dutch BSN (9 digits, passes the 11-test, not all zeros).

    The 11-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 must be divisible by 11.
    """
    if not isinstance(bsn, str) or not re.fullmatch(r"[0-9]{9}", bsn) or bsn == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(bsn, weights, strict=True)) % 11 == 0


def bsn_problem(value: Any) -> str | None:
    """Return the Dutch problem with a BSN as typed (None when it is a valid BSN)."""
    if not isinstance(value, str):
        return "moet tekst zijn (9 cijfers)"
    digits = value.strip().replace(".", "").replace(" ", "")
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    if not re.fullmatch(r"[0-9]{9}", digits):
        return "moet uit 9 cijfers bestaan"
    if not elfproef(digits):
        return "voldoet niet aan de elfproef"
    return None


def normalise_bsn(value: str) -> str:
    """Return a BSN as 9 digits (dots/spaces removed, a leading zero restored); assumes valid."""
    digits = value.strip().replace(".", "").replace(" ", "")
    return "0" + digits if len(digits) == 8 else digits


def validate_bsn(value: Any, *, row: int | None = None) -> str | None:
    """Return the BSN as 9 digits, None when empty, or raise InvalidRecord naming the field.

    The message reads e.g. ``Klant: BSN: voldoet niet aan de elfproef``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    problem = bsn_problem(value)
    if problem is not None:
        raise InvalidRecord("Klant", [FieldProblem("bsn", "BSN", problem)], row=row)
    return normalise_bsn(value)


def rrn_check(number: str) -> bool:
    """Tell whether ``number`` is a valid Belgian rijksregisternummer (11 digits, mod 97).

    The last two digits are 97 minus the first nine taken as a number, modulo 97; for people
    born in 2000 or later a 2 is put in front of those nine digits first. Month and day may be
    0 (date unknown) or raised by 20 or 40 (bis-numbers); both are accepted here.
    """
    if not isinstance(number, str) or not re.fullmatch(r"[0-9]{11}", number):
        return False
    body, check = int(number[:9]), int(number[9:])
    if check == 0 or check > 97:
        return False
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)


def _rrn_digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value.strip())


def rrn_problem(value: Any) -> str | None:
    """Return the Dutch problem with a rijksregisternummer as typed (None when it is valid).

    Accepted forms: 11 digits, or with dots, dashes and spaces (``85.07.30-033.28``).
    """
    if not isinstance(value, str):
        return "moet tekst zijn (11 cijfers, JJMMDD-xxx-cc)"
    digits = _rrn_digits(value)
    if not re.fullmatch(r"[0-9]{11}", digits):
        return "moet uit 11 cijfers bestaan (JJ.MM.DD-xxx.cc)"
    month = int(digits[2:4]) % 20
    day = int(digits[4:6])
    if month > 12 or day > 31:
        return "bevat geen geldige geboortedatum (JJMMDD)"
    if not rrn_check(digits):
        return "klopt niet: het controlegetal (modulo 97) past niet bij de eerste 9 cijfers"
    return None


def normalise_rrn(value: str) -> str:
    """Return a rijksregisternummer as 11 digits (dots, dashes, spaces removed); assumes valid."""
    return _rrn_digits(value)


__all__ = [
    "bsn_problem",
    "elfproef",
    "normalise_bsn",
    "normalise_rrn",
    "rrn_check",
    "rrn_problem",
    "validate_bsn",
]
