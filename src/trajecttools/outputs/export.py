"""Export of the whole register to Excel or CSV, with Dutch headers and real dates.

Layout (the same one :mod:`trajecttools.outputs.importer` reads back with ``kind="register"``):

* ``.xlsx``: one sheet per entity (``Klanten``, ``Trajecten`` …), Dutch column headers, date
  cells formatted ``dd-mm-jjjj``, flags as true/false cells, codes as their Dutch labels.
* ``.zip``: one CSV per entity (``klanten.csv`` …) in one zip file.
* ``.csv``: the same CSVs in a folder named after the file (``uit/register.csv`` writes
  ``uit/register/klanten.csv`` …); one CSV can hold only one table.

CSV files are UTF-8 with a byte-order mark, separated by semicolons, with dd-mm-jjjj dates and
decimal commas, so Dutch Excel opens them as they are. Internal columns (``version``, the audit
log, register facts) are not exported. Moments are exported to the whole second. The BSN is only
exported in a full export (``full=True``); ``pseudonymised=True`` passes every sheet through
:func:`trajecttools.core.privacy.pseudonymise_frame`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.types import JSON, Boolean, Date, DateTime, Float

from trajecttools.core import validation
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.core.model import ENTITIES
from trajecttools.core.privacy import pseudonymise_frame
from trajecttools.reads.frames import CATEGORIES
from trajecttools.register.access import ROLES, AccessDenied

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Entity -> Dutch sheet name, in an order where every reference points to an earlier sheet.
SHEETS: Mapping[str, str] = {
    "teams": "Teams",
    "coaches": "Jobcoaches",
    "case_managers": "Casemanagers",
    "clients": "Klanten",
    "network_members": "Netwerkleden",
    "benefit_periods": "Uitkeringsperiodes",
    "skills": "Vaardigheden",
    "employers": "Werkgevers",
    "vacancies": "Vacatures",
    "trajectories": "Trajecten",
    "trajectory_plans": "Trajectplannen",
    "phase_events": "Fasewissels",
    "coach_assignments": "Toewijzingen jobcoach",
    "barriers": "Belemmeringen",
    "referrals": "Doorverwijzingen",
    "zrm_assessments": "ZRM-metingen",
    "ladder_steps": "Participatieladder",
    "contacts": "Contactmomenten",
    "agreements": "Afspraken",
    "placements": "Plaatsingen",
    "aftercare_contacts": "Nazorgcontacten",
    "end_reports": "Beëindigingsrapportages",
    "match_decisions": "Matchbesluiten",
}

#: Columns that are never exported (internal bookkeeping).
SKIPPED_COLUMNS = frozenset({"version"})
#: Columns only in a full export ("volledige export").
FULL_ONLY: Mapping[str, frozenset[str]] = {"clients": frozenset({"bsn"})}

#: Headers of columns that no edge record describes.
_EXTRA_HEADERS: Mapping[tuple[str, str], str] = {
    ("clients", "created_at"): "Aangemaakt op",
    ("clients", "birth_year"): "Geboortejaar",
    ("phase_events", "trajectory_id"): "Traject",
    ("phase_events", "phase"): "Fase",
    ("phase_events", "started_on"): "Begonnen op",
    ("phase_events", "actor"): "Door",
    ("coach_assignments", "trajectory_id"): "Traject",
    ("coach_assignments", "coach_id"): "Jobcoach",
    ("coach_assignments", "assigned_at"): "Toegewezen op",
    ("coach_assignments", "reason"): "Reden",
}

LIST_SEPARATOR = ", "
CSV_DELIMITER = ";"
DATE_FORMAT = "%d-%m-%Y"
XLSX_DATE = "dd-mm-yyyy"
XLSX_DATETIME = "dd-mm-yyyy hh:mm:ss"


def header(entity: str, column: str) -> str:
    """Return the Dutch header of a column in the export."""
    if column == "id":
        return "Nummer"
    extra = _EXTRA_HEADERS.get((entity, column))
    if extra is not None:
        return extra
    return validation.field_label(entity, column)


def columns(entity: str, *, full: bool = False) -> list[str]:
    """Return the exported columns of an entity, in table order."""
    skipped = SKIPPED_COLUMNS | (frozenset() if full else FULL_ONLY.get(entity, frozenset()))
    return [c.name for c in ENTITIES[entity].__table__.columns if c.name not in skipped]


def csv_name(entity: str) -> str:
    """Return the file name of an entity's CSV inside a zip or folder export."""
    return SHEETS[entity].lower().replace(" ", "_") + ".csv"


def _second(value: dt.datetime) -> dt.datetime:
    return value.replace(microsecond=0, tzinfo=None)


def _rows(store: Store, entity: str, cols: list[str]) -> Iterator[dict[str, Any]]:
    table = ENTITIES[entity].__table__
    with store.engine.connect() as conn:
        result = conn.execute(select(*[table.c[c] for c in cols]).order_by(table.c.id))
        for row in result:
            yield dict(row._mapping)


def _cell(entity: str, column: str, value: Any) -> Any:
    """Convert one stored value to its exported form (codes as labels, lists as text)."""
    if value is None:
        return None
    codes = CATEGORIES.get((entity, column))
    if codes is not None:
        return codes.get(value, value)
    col = ENTITIES[entity].__table__.c.get(column)
    if col is not None and isinstance(col.type, JSON):
        items = list(value)
        if column == "preferred_sectors":
            items = [CATEGORIES[("vacancies", "sector")].get(v, v) for v in items]
        return LIST_SEPARATOR.join(str(v) for v in items) if items else None
    if isinstance(value, dt.datetime):
        return _second(value)
    return value


def _frames(
    store: Store, *, pseudonymised: bool, full: bool
) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """Yield (entity, headers, rows of exported cell values) for every exported entity."""
    for entity in SHEETS:
        cols = columns(entity, full=full)
        rows = [[_cell(entity, c, r[c]) for c in cols] for r in _rows(store, entity, cols)]
        if pseudonymised:
            df = pseudonymise_frame(entity, pd.DataFrame(rows, columns=cols, dtype=object))
            cols = [str(c) for c in df.columns]
            rows = [
                [None if _is_missing(v) else v for v in rec]
                for rec in df.astype(object).itertuples(index=False, name=None)
            ]
        yield entity, [header(entity, c) for c in cols], rows


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value)) if not isinstance(value, list | tuple) else False
    except (TypeError, ValueError):
        return False


def _xlsx_safe(value: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))


def _write_xlsx(path: Path, sheets: Iterator[tuple[str, list[str], list[list[Any]]]]) -> None:
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for entity, headers, rows in sheets:
        ws = wb.create_sheet(SHEETS[entity])
        head = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        ws.freeze_panes = "A2"
        for row in rows:
            out: list[Any] = []
            for value in row:
                if isinstance(value, dt.datetime):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = XLSX_DATETIME
                    out.append(cell)
                elif isinstance(value, dt.date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = XLSX_DATE
                    out.append(cell)
                elif isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=_xlsx_safe(value))
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    wb.save(path)


def csv_text(value: Any) -> str:
    """Return a value as CSV text: dd-mm-jjjj dates, ja/nee, decimal commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        return value.strftime(f"{DATE_FORMAT} %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


def _csv_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


#: Roles that may export names: functional administration, and trainers (synthetic data only).
IDENTIFIED_EXPORT_ROLES = frozenset({"beheer", "trainer"})


def check_export_role(store: Store, *, pseudonymised: bool, full: bool) -> None:
    """Refuse an export the store's role may not make (names, or the BSN), in Dutch."""
    label = ROLES.get(store.role, store.role)
    if full and store.role != "beheer":
        raise AccessDenied(
            f"Een volledige export (met BSN) mag alleen met de rol functioneel beheerder; "
            f"uw rol is {label}."
        )
    if not pseudonymised and store.role not in IDENTIFIED_EXPORT_ROLES:
        raise AccessDenied(
            f"Een export met namen mag alleen met de rol functioneel beheerder; uw rol is "
            f"{label}. Kies een gepseudonimiseerde export (--pseudonymised)."
        )


def export_register(
    store: Store,
    path: str | os.PathLike[str],
    *,
    pseudonymised: bool = False,
    full: bool = False,
) -> Path:
    """Export every entity of the register to ``.xlsx``, ``.zip`` (CSVs) or ``.csv`` (a folder).

    Returns the written file (for ``.csv`` the folder holding one CSV per entity). The BSN is
    left out unless ``full``; ``pseudonymised`` replaces identifying columns by pseudonyms.
    """
    if pseudonymised and full:
        raise TrajecttoolsError(
            "Kies een gepseudonimiseerde export of een volledige export, niet allebei."
        )
    check_export_role(store, pseudonymised=pseudonymised, full=full)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".zip"):
        raise TrajecttoolsError(
            f"Exportbestand {target.name}: onbekend formaat '{target.suffix or '(geen)'}'; "
            "kies .xlsx, .csv of .zip."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    sheets = _frames(store, pseudonymised=pseudonymised, full=full)
    if suffix == ".xlsx":
        tmp = target.with_name(target.name + ".tmp")
        _write_xlsx(tmp, sheets)
        tmp.replace(target)
        return target
    if suffix == ".zip":
        tmp = target.with_name(target.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for entity, headers, rows in sheets:
                info = zipfile.ZipInfo(csv_name(entity), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, _csv_bytes(headers, rows))
        tmp.replace(target)
        return target
    folder = target.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    for entity, headers, rows in sheets:
        (folder / csv_name(entity)).write_bytes(_csv_bytes(headers, rows))
    return folder


def column_types(entity: str) -> dict[str, str]:
    """Return 'date', 'datetime', 'bool', 'float', 'list' or 'other' per column of an entity."""
    out: dict[str, str] = {}
    for col in ENTITIES[entity].__table__.columns:
        t = col.type
        if isinstance(t, DateTime):
            out[col.name] = "datetime"
        elif isinstance(t, Date):
            out[col.name] = "date"
        elif isinstance(t, Boolean):
            out[col.name] = "bool"
        elif isinstance(t, Float):
            out[col.name] = "float"
        elif isinstance(t, JSON):
            out[col.name] = "list"
        else:
            out[col.name] = "other"
    return out


__all__ = ["SHEETS", "columns", "export_register", "header"]
