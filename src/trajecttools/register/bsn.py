"""The register settings that allow storing the BSN or the rijksregisternummer, and the refusal
when they are off.

The BSN is stored only when the organisation has switched it on (register setting
``bsn_enabled``), the Belgian rijksregisternummer only with ``rrn_enabled``; otherwise one in a
form or import is refused with a Dutch message, never silently dropped. A method whose
identifier is not the BSN (``[words] identifier``, e.g. art60) never takes a BSN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.model import SchemaInfo
from trajecttools.register.interfaces import Settings

#: Register setting (``register_info`` key) that allows storing the BSN.
BSN_SETTING = "bsn_enabled"
#: Register setting that allows storing the Belgian rijksregisternummer.
RRN_SETTING = "rrn_enabled"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "ja", "yes", "aan", "on"}


def bsn_enabled(store: Settings) -> bool:
    """Tell whether this organisation stores the BSN (register setting ``bsn_enabled``)."""
    return _truthy(store.info().get(BSN_SETTING))


def enable_bsn(store: Settings, enabled: bool = True, *, actor: str | None = None) -> None:
    """Switch storing the BSN on or off for this register (audited)."""
    store.set_info(BSN_SETTING, "true" if enabled else "false", actor=actor)


def rrn_enabled(store: Settings) -> bool:
    """Tell whether this organisation stores the rijksregisternummer (``rrn_enabled``)."""
    return _truthy(store.info().get(RRN_SETTING))


def enable_rrn(store: Settings, enabled: bool = True, *, actor: str | None = None) -> None:
    """Switch storing the rijksregisternummer on or off for this register (audited)."""
    store.set_info(RRN_SETTING, "true" if enabled else "false", actor=actor)


def _bsn_enabled_in(session: Session, key: str = BSN_SETTING) -> bool:
    value = session.execute(
        select(SchemaInfo.value).where(SchemaInfo.key == key)
    ).scalar_one_or_none()
    return _truthy(value)


def _given(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    return not (isinstance(value, float) and pd.isna(value))


RRN_REFUSED = (
    "wordt in dit register niet opgeslagen (de organisatie heeft het rijksregisternummer niet"
    " aangezet); laat het veld leeg"
)


def refuse_bsn_for_method(values: Mapping[str, Any], identifier: str, method_name: str, *,
                          row: int | None = None) -> None:
    """Raise InvalidRecord when a client of a method that does not use the BSN carries one."""
    if identifier != "BSN" and _given(values.get("bsn")):
        raise InvalidRecord("Klant", [FieldProblem(
            "bsn", "BSN", f"wordt niet gevraagd bij methode '{method_name}' (die gebruikt het"
            f" {identifier}); laat het veld leeg")], row=row)


BSN_REFUSED = (
    "wordt in dit register niet opgeslagen (de organisatie heeft het BSN niet aangezet); "
    "laat het veld leeg"
)


def refuse_unconfigured_bsn(
    session_or_store: Session | Settings, entity: str, values: Mapping[str, Any], *, row: int | None
) -> None:
    """Raise InvalidRecord when ``values`` carry a BSN and this register does not store BSNs.

    Importers call this for every client row before writing (a refused BSN is never silently
    dropped).
    """
    if entity != "clients":
        return
    if _given(values.get("national_register_number")):
        rrn_ok = (
            _bsn_enabled_in(session_or_store, RRN_SETTING)
            if isinstance(session_or_store, Session)
            else rrn_enabled(session_or_store)
        )
        if not rrn_ok:
            raise InvalidRecord("Klant", [FieldProblem(
                "national_register_number", "Rijksregisternummer", RRN_REFUSED)], row=row)
    value = values.get("bsn")
    if not _given(value):
        return
    allowed = (
        _bsn_enabled_in(session_or_store)
        if isinstance(session_or_store, Session)
        else bsn_enabled(session_or_store)
    )
    if not allowed:
        raise InvalidRecord("Klant", [FieldProblem("bsn", "BSN", BSN_REFUSED)], row=row)


__all__ = [
    "BSN_REFUSED",
    "BSN_SETTING",
    "RRN_REFUSED",
    "RRN_SETTING",
    "bsn_enabled",
    "enable_bsn",
    "enable_rrn",
    "refuse_bsn_for_method",
    "refuse_unconfigured_bsn",
    "rrn_enabled",
]
