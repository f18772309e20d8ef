"""Personal identifiers and their checks: the Dutch BSN (elfproef).

>>> elfproef("111222333"), elfproef("123456789"), elfproef("000000000")
(True, False, False)
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


__all__ = ["bsn_problem", "elfproef", "normalise_bsn", "validate_bsn"]
