"""Privacy rules of the register: pseudonymised frames, the BSN and what an export may hold.

One table of facts drives everything that hides personal data: which columns of which table are
direct identifiers (names, BSN, contact details, external numbers), which are free-text notes
(anything a coach may have typed about health, addiction, debts or justice), and which are
coarsened instead of removed (birth date -> birth year, postcode -> its 4 digits). The analyst
frames, the exporter (:func:`columns_to_drop`) and the retention purge all read it, so they
cannot drift apart.

The BSN is stored only when the organisation has switched it on (register setting
``bsn_enabled``, see :func:`bsn_enabled`); otherwise a BSN in a form or import is refused with a
Dutch message, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from trajecttools.errors import FieldProblem, InvalidRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from trajecttools.store import Store

#: Register setting (``register_info`` key) that allows storing the BSN.
BSN_SETTING = "bsn_enabled"

#: Direct identifiers: removed from pseudonymised frames and from every export but the full one.
IDENTIFIERS: Mapping[str, frozenset[str]] = {
    "clients": frozenset({"given_name", "family_name", "bsn", "external_id"}),
    "coaches": frozenset({"name"}),
    "case_managers": frozenset({"name"}),
    "trajectories": frozenset({"external_id"}),
    "employers": frozenset({"contact_name", "contact_email"}),
    "phase_events": frozenset({"actor"}),
    "match_decisions": frozenset({"decided_by"}),
    "contacts": frozenset({"participants", "location"}),
    "audit_log": frozenset({"actor"}),
    # the wide cases frame (store.cases()): the coach's name; client names never reach it
    "cases": frozenset({"coach"}),
}

#: Free-text columns: whatever was typed about a person (health, addiction, debts, justice).
FREE_TEXT: Mapping[str, frozenset[str]] = {
    "clients": frozenset({"wishes"}),
    "network_members": frozenset({"note"}),
    "trajectories": frozenset({"outcome_reason"}),
    "trajectory_plans": frozenset({"goals", "rules"}),
    "coach_assignments": frozenset({"reason"}),
    "barriers": frozenset({"notes"}),
    "contacts": frozenset({"notes"}),
    "agreements": frozenset({"what", "reason_not_kept"}),
    "aftercare_contacts": frozenset({"notes"}),
    "end_reports": frozenset(
        {"aftercare_summary", "results", "remaining_points", "actions_taken", "continuation"}
    ),
    "match_decisions": frozenset({"reason"}),
    # old -> new values of an audit row repeat whatever was written, names included
    "audit_log": frozenset({"old", "new"}),
}

#: Columns kept in coarsened form: column -> new column name.
COARSENED: Mapping[str, Mapping[str, str]] = {
    "clients": {"birth_date": "birth_year", "postcode": "postcode"},
}

#: Columns derived from names: kept at meeting level (code + initials), dropped for analysts.
QUASI_IDENTIFIERS: Mapping[str, frozenset[str]] = {
    "cases": frozenset({"initials"}),
}

_FREE_TEXT_SUFFIXES = ("_note", "_notes", "notes", "note")


def elfproef(bsn: str) -> bool:
    """Tell whether ``bsn`` is a valid Dutch BSN (9 digits, passes the 11-test, not all zeros).

    The 11-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 must be divisible by 11.

    >>> elfproef("111222333"), elfproef("123456789"), elfproef("000000000")
    (True, False, False)
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


# -- the BSN setting -------------------------------------------------------------------------
def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "ja", "yes", "aan", "on"}


def bsn_enabled(store: Store) -> bool:
    """Tell whether this organisation stores the BSN (register setting ``bsn_enabled``)."""
    return _truthy(store.info().get(BSN_SETTING))


def enable_bsn(store: Store, enabled: bool = True, *, actor: str | None = None) -> None:
    """Switch storing the BSN on or off for this register (audited)."""
    store.set_info(BSN_SETTING, "true" if enabled else "false", actor=actor)


def _bsn_enabled_in(session: Session) -> bool:
    from sqlalchemy import select

    from trajecttools.model import SchemaInfo

    value = session.execute(
        select(SchemaInfo.value).where(SchemaInfo.key == BSN_SETTING)
    ).scalar_one_or_none()
    return _truthy(value)


BSN_REFUSED = (
    "wordt in dit register niet opgeslagen (de organisatie heeft het BSN niet aangezet); "
    "laat het veld leeg"
)


def refuse_unconfigured_bsn(
    session_or_store: Session | Store, entity: str, values: Mapping[str, Any], *, row: int | None
) -> None:
    """Raise InvalidRecord when ``values`` carry a BSN and this register does not store BSNs.

    Importers call this for every client row before writing (a refused BSN is never silently
    dropped).
    """
    if entity != "clients":
        return
    value = values.get("bsn")
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    if isinstance(value, float) and pd.isna(value):
        return
    from trajecttools.store import Store

    allowed = (
        bsn_enabled(session_or_store)
        if isinstance(session_or_store, Store)
        else _bsn_enabled_in(session_or_store)
    )
    if not allowed:
        raise InvalidRecord("Klant", [FieldProblem("bsn", "BSN", BSN_REFUSED)], row=row)


# -- pseudonymisation ------------------------------------------------------------------------
def _free_text_guess(column: str) -> bool:
    return column.endswith(_FREE_TEXT_SUFFIXES)


def columns_to_drop(name: str, full: bool = False, *, keep_initials: bool = False) -> set[str]:
    """Return the columns of table/frame ``name`` an export or pseudonymised frame must leave out.

    ``full=True`` is the explicitly named full export: nothing is dropped. Otherwise names, BSN,
    contact details, external numbers and free-text notes go (``initials`` too unless
    ``keep_initials``). Coarsened columns (birth date, postcode) are not listed: they are
    transformed by :func:`pseudonymise_frame`.
    """
    if full:
        return set()
    drop = set(IDENTIFIERS.get(name, ())) | set(FREE_TEXT.get(name, ()))
    if not keep_initials:
        drop |= set(QUASI_IDENTIFIERS.get(name, ()))
    return drop


def _birth_year(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.year.astype("Int64")


def _postcode_digits(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace(" ", "", regex=False).str[:4]
    return text.where(text.str.fullmatch(r"[0-9]{4}").fillna(False)).astype("string")


def pseudonymise_frame(name: str, df: pd.DataFrame, *, keep_initials: bool = False) -> pd.DataFrame:
    """Return a pseudonymised copy of frame ``name``: no names, BSN, contact details, notes.

    Birth date becomes ``birth_year``, postcode its 4 digits; ids and pseudonym codes stay, so
    frames still join. Works on entity frames (``store.frame(name)``) and on the wide cases frame
    (``name="cases"``); unknown frames lose every column that looks like a note. ``initials``
    (derived from names) are dropped unless ``keep_initials`` (meeting level: code + initials).
    """
    out = df.copy()
    drop = columns_to_drop(name, keep_initials=keep_initials)
    drop |= {c for c in out.columns if isinstance(c, str) and _free_text_guess(c)}
    drop |= {"given_name", "family_name", "bsn"} & set(out.columns)
    for col, new in COARSENED.get(name, {}).items():
        if col not in out.columns:
            continue
        if col == "birth_date":
            position = out.columns.get_loc(col)
            years = _birth_year(out[col])
            if new in out.columns:  # anonymised clients keep only their birth year
                years = years.fillna(out[new].astype("Int64"))
                out = out.drop(columns=[new])
                position = out.columns.get_loc(col)
            out = out.drop(columns=[col])
            out.insert(int(position), new, years)  # type: ignore[arg-type]
        elif col == "postcode":
            out[col] = _postcode_digits(out[col])
    return out.drop(columns=sorted(drop & set(out.columns)))


def personal_columns(name: str) -> set[str]:
    """Return every column of ``name`` that holds personal data beyond codes (for the purge)."""
    return (
        set(IDENTIFIERS.get(name, ()))
        | set(FREE_TEXT.get(name, ()))
        | set(COARSENED.get(name, {}))
        | set(QUASI_IDENTIFIERS.get(name, ()))
    )


__all__ = [
    "BSN_SETTING",
    "COARSENED",
    "FREE_TEXT",
    "IDENTIFIERS",
    "bsn_enabled",
    "bsn_problem",
    "columns_to_drop",
    "elfproef",
    "enable_bsn",
    "personal_columns",
    "pseudonymise_frame",
    "refuse_unconfigured_bsn",
    "validate_bsn",
]
