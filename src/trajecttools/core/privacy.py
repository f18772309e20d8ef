"""Privacy rules of the register: pseudonymised frames, the BSN and what an export may hold.

One table of facts drives everything that hides personal data: which columns of which table are
direct identifiers (names, BSN, contact details, external numbers), which are free-text notes
(anything a coach may have typed about health, addiction, debts or justice), and which are
coarsened instead of removed (birth date -> birth year, postcode -> its 4 digits). The analyst
frames, the exporter (:func:`columns_to_drop`) and the retention purge all read it, so they
cannot drift apart.

The BSN check is in :mod:`trajecttools.core.identifiers`; whether a register stores it at all is
the register setting in :mod:`trajecttools.register.bsn`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: Direct identifiers: removed from pseudonymised frames and from every export but the full one.
IDENTIFIERS: Mapping[str, frozenset[str]] = {
    "clients": frozenset(
        {"given_name", "family_name", "bsn", "national_register_number", "external_id"}
    ),
    "coaches": frozenset({"name"}),
    "case_managers": frozenset({"name"}),
    "trajectories": frozenset({"external_id"}),
    "employers": frozenset({"contact_name", "contact_email"}),
    "phase_events": frozenset({"actor"}),
    "match_decisions": frozenset({"decided_by"}),
    "contacts": frozenset({"participants", "location"}),
    "audit_log": frozenset({"actor"}),
    # the wide cases frame (ws.cases()): the coach's name; client names never reach it
    "cases": frozenset({"coach"}),
}

#: Free-text columns: whatever was typed about a person (health, addiction, debts, justice).
FREE_TEXT: Mapping[str, frozenset[str]] = {
    "clients": frozenset({"wishes"}),
    "phase_events": frozenset({"decision_reason"}),
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
    frames still join. Works on entity frames (``ws.frame(name)``) and on the wide cases frame
    (``name="cases"``); unknown frames lose every column that looks like a note. ``initials``
    (derived from names) are dropped unless ``keep_initials`` (meeting level: code + initials).
    """
    out = df.copy()
    drop = columns_to_drop(name, keep_initials=keep_initials)
    drop |= {c for c in out.columns if isinstance(c, str) and _free_text_guess(c)}
    drop |= {"given_name", "family_name", "bsn", "national_register_number"} & set(out.columns)
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
    "COARSENED",
    "FREE_TEXT",
    "IDENTIFIERS",
    "columns_to_drop",
    "personal_columns",
    "pseudonymise_frame",
]
