"""The register setting that allows storing the BSN, and the refusal when it is off.

The BSN is stored only when the organisation has switched it on (register setting
``bsn_enabled``); otherwise a BSN in a form or import is refused with a Dutch message, never
silently dropped.
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


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "ja", "yes", "aan", "on"}


def bsn_enabled(store: Settings) -> bool:
    """Tell whether this organisation stores the BSN (register setting ``bsn_enabled``)."""
    return _truthy(store.info().get(BSN_SETTING))


def enable_bsn(store: Settings, enabled: bool = True, *, actor: str | None = None) -> None:
    """Switch storing the BSN on or off for this register (audited)."""
    store.set_info(BSN_SETTING, "true" if enabled else "false", actor=actor)


def _bsn_enabled_in(session: Session) -> bool:
    value = session.execute(
        select(SchemaInfo.value).where(SchemaInfo.key == BSN_SETTING)
    ).scalar_one_or_none()
    return _truthy(value)


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
    value = values.get("bsn")
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    if isinstance(value, float) and pd.isna(value):
        return
    allowed = (
        _bsn_enabled_in(session_or_store)
        if isinstance(session_or_store, Session)
        else bsn_enabled(session_or_store)
    )
    if not allowed:
        raise InvalidRecord("Klant", [FieldProblem("bsn", "BSN", BSN_REFUSED)], row=row)


__all__ = ["BSN_REFUSED", "BSN_SETTING", "bsn_enabled", "enable_bsn", "refuse_unconfigured_bsn"]
