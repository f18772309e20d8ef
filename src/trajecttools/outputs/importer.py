"""Import of clients, trajectories, contacts, employers and vacancies from CSV or Excel.

Reading: CSV separated by commas, semicolons or tabs, in UTF-8 or Windows-1252 (both
detected), or Excel (``.xlsx``, first sheet unless the mapping names one). Row 1 holds the
headers; Dutch headers (``Voornaam``, ``Geboortedatum`` …), dd-mm-jjjj dates, Excel serial dates,
decimal commas, ``ja``/``nee`` and codes or their Dutch labels work without a mapping file. A
mapping file (TOML) maps other column names and code values to ours::

    [columns]                 # source header = our field (code name or Dutch header)
    "Clientnr" = "external_id"
    "Doelgroepcode" = "target_group"
    [codes.target_group]      # source value = our code or its Dutch label
    "JNG" = "young_people"
    [defaults]                # value for a field the source does not have
    method = "opstapbaan"
    [options]                 # all optional: encoding, delimiter, sheet
    encoding = "cp1252"

Rules:

* Every row is validated (:func:`trajecttools.core.validation.validate`); good rows go in together in one
  transaction, bad rows are written to a reject file (``<bestand>.afgewezen.csv`` next to the
  input) with row number, field and Dutch reason, and the summary says read = imported +
  rejected. A failed import (database error, unreadable file) writes nothing.
* Row numbers are the spreadsheet's: the header is row 1, a cell spanning lines is one row.
  Empty rows are not counted as read; the summary says how many there were.
* Stable identities, so re-importing a file imports nothing twice: clients, trajectories,
  employers and vacancies by their ``Extern nummer`` (required); contacts by trajectory, kind and
  date (one contact of a kind per trajectory a day). A row already present with the same values
  counts as imported (unchanged); with other values it is rejected (imports do not overwrite).
* ``kind="register"`` reads back a whole export of :func:`trajecttools.outputs.export.export_register`
  (``.xlsx``, ``.zip`` or a folder of CSVs) with its own numbers, into an empty register or one
  holding the same rows.
* Text is stored as given, trimmed of surrounding spaces; text with control characters is
  rejected. Each imported table leaves one audit row (who, which file, how many rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import String, Text

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord, TrajecttoolsError
from trajecttools.core.model import ENTITIES, Base
from trajecttools.outputs import export as exporter

if TYPE_CHECKING:
    from trajecttools.register.store import Store

Progress = Callable[[int, int], None]
Reject = tuple[int, str, str]

KINDS: Mapping[str, str] = {
    "clients": "klanten",
    "trajectories": "trajecten",
    "contacts": "contactmomenten",
    "employers": "werkgevers",
    "vacancies": "vacatures",
    "register": "register",
}

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 31-12-9999
_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "wel"}
_FALSE = {"nee", "n", "no", "false", "onwaar", "0", "niet"}
_DATETIME_FORMATS = (
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)


class ImportFileError(TrajecttoolsError):
    """The file (or mapping) cannot be read at all, or the import failed; nothing was written."""


@dataclass
class ImportResult:
    """What an import did: rows read, imported (new or unchanged) and rejected, and why."""

    kind: str
    source: Path
    read: int = 0
    imported: int = 0
    new: int = 0
    unchanged: int = 0
    rejected: int = 0
    empty_rows: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_path: Path | None = None
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    per_table: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def summary(self) -> str:
        """Return the Dutch summary; it always states read = imported + rejected."""
        what = KINDS.get(self.kind, self.kind)
        parts = [
            f"Import {what} uit {self.source.name}: {self.read} rijen gelezen = "
            f"{self.imported} geïmporteerd ({self.new} nieuw, {self.unchanged} al aanwezig en "
            f"ongewijzigd) + {self.rejected} afgewezen."
        ]
        if self.empty_rows:
            parts.append(
                f"{self.empty_rows} lege {'regel' if self.empty_rows == 1 else 'regels'} "
                "overgeslagen (niet meegeteld)."
            )
        if self.ignored_columns:
            parts.append("Niet gebruikte kolommen: " + ", ".join(self.ignored_columns) + ".")
        if self.reject_path is not None:
            parts.append(f"De afgewezen rijen en de reden staan in {self.reject_path}.")
        if self.dry_run:
            parts.append("Proefimport: er is niets opgeslagen.")
        return " ".join(parts)


# -- reading files -----------------------------------------------------------------------------
@dataclass
class _Table:
    """Rows of one sheet or CSV: headers, (row number, cells) and the count of empty rows."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    empty: int = 0
    broken: list[tuple[int, str]] = field(default_factory=list)


def _decode(data: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFileError(f"Bestand is niet te lezen als {encoding}: {exc}.") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _delimiter(text_value: str) -> str:
    first = text_value.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: 0 for d in (";", ",", "\t")}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv(name: str, data: bytes, options: Mapping[str, Any]) -> _Table:
    content = _decode(data, options.get("encoding"))
    delim = options.get("delimiter") or _delimiter(content)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delim, strict=True)
    table = _Table(name, [], [])
    number = 0  # spreadsheet row: a record, however many lines its quoted cells span
    try:
        for record in reader:
            number += 1
            if number == 1:
                table.headers = [h.strip().lstrip("\ufeff") for h in record]
                continue
            if all(_blank(c) for c in record):
                table.empty += 1
                continue
            table.rows.append((number, list(record)))
    except csv.Error as exc:
        table.broken.append(
            (number + 1, f"het bestand houdt midden in een veld op of is beschadigd ({exc})")
        )
    if not table.headers:
        raise ImportFileError(
            f"Bestand {name} is leeg: de eerste regel moet de kolomnamen bevatten."
        )
    return table


def _read_sheet(name: str, ws: Any) -> _Table:
    table = _Table(name, [], [])
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = list(values)
        if number == 1:
            while cells and _blank(cells[-1]):
                cells.pop()
            table.headers = ["" if c is None else str(c).strip() for c in cells]
            continue
        if all(_blank(c) for c in cells):
            table.empty += 1
            continue
        width = len(table.headers)
        if len(cells) < width:  # Excel leaves trailing empty cells out
            cells += [None] * (width - len(cells))
        table.rows.append((number, cells))
    if not table.headers:
        raise ImportFileError(f"Blad {name} is leeg: rij 1 moet de kolomnamen bevatten.")
    return table


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors: all a broken file
        raise ImportFileError(
            f"Excelbestand {path.name} is beschadigd of afgebroken en is niet gelezen "
            f"({type(exc).__name__}); er is niets geïmporteerd."
        ) from None


def _read_single(path: Path, options: Mapping[str, Any]) -> _Table:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        wb = _open_workbook(path)
        try:
            sheet = options.get("sheet")
            if sheet is not None and sheet not in wb.sheetnames:
                raise ImportFileError(
                    f"Excelbestand {path.name} heeft geen blad '{sheet}'; wel: "
                    + ", ".join(wb.sheetnames)
                    + "."
                )
            ws = wb[sheet] if sheet else wb.worksheets[0]
            return _read_sheet(ws.title, ws)
        finally:
            wb.close()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path.name, path.read_bytes(), options)
    raise ImportFileError(
        f"Bestand {path.name}: onbekend formaat '{path.suffix or '(geen)'}'; kies .csv of .xlsx."
    )


def _read_register(path: Path) -> tuple[dict[str, _Table], list[str]]:
    """Read every sheet (or CSV) of a register export; return tables by entity and unknowns."""
    by_sheet = {name: entity for entity, name in exporter.SHEETS.items()}
    by_csv = {exporter.csv_name(entity): entity for entity in exporter.SHEETS}
    tables: dict[str, _Table] = {}
    unknown: list[str] = []
    suffix = path.suffix.lower()
    if path.is_dir():
        for file in sorted(path.glob("*.csv")):
            if file.name in by_csv:
                tables[by_csv[file.name]] = _read_csv(file.name, file.read_bytes(), {})
            else:
                unknown.append(file.name)
    elif suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if name in by_csv:
                        tables[by_csv[name]] = _read_csv(name, zf.read(name), {})
                    else:
                        unknown.append(name)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ImportFileError(
                f"Zipbestand {path.name} is beschadigd of afgebroken ({exc}); er is niets "
                "geïmporteerd."
            ) from None
    elif suffix in (".xlsx", ".xlsm"):
        wb = _open_workbook(path)
        try:
            for ws in wb.worksheets:
                if ws.title in by_sheet:
                    tables[by_sheet[ws.title]] = _read_sheet(ws.title, ws)
                else:
                    unknown.append(ws.title)
        except Exception as exc:
            raise ImportFileError(
                f"Excelbestand {path.name} is beschadigd of afgebroken ({type(exc).__name__}); "
                "er is niets geïmporteerd."
            ) from None
        finally:
            wb.close()
    else:
        raise ImportFileError(
            f"Registerbestand {path.name}: kies een .xlsx- of .zip-export of een map met CSV's."
        )
    return tables, unknown


# -- kinds and mapping -------------------------------------------------------------------------
def _norm(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", plain.casefold())


@dataclass(frozen=True)
class _Ref:
    """A source field naming another record by its code, external number or name."""

    column: str  # the entity column it fills (e.g. client_id)
    target: str  # the referenced entity
    keys: tuple[str, ...]  # target columns tried in order (external_id, code, name)
    label: str  # Dutch label


@dataclass(frozen=True)
class _Kind:
    entity: str
    fields: tuple[str, ...]
    refs: Mapping[str, _Ref]
    aliases: Mapping[str, tuple[str, ...]]


_KINDS: Mapping[str, _Kind] = {
    "clients": _Kind(
        "clients",
        (
            "external_id",
            "given_name",
            "family_name",
            "birth_date",
            "bsn",
            "postcode",
            "municipality",
            "region",
            "target_group",
            "education_level",
            "education_field",
            "wishes",
            "preferred_sectors",
        ),
        {},
        {
            "external_id": ("Klantnummer", "Clientnummer", "Cliëntnummer", "Nummer", "Id"),
            "given_name": ("Roepnaam",),
            "family_name": ("Naam", "Familienaam"),
            "birth_date": ("Geboren", "Geboren op"),
            "target_group": ("Doelgroep",),
            "education_level": ("Opleiding", "Niveau"),
            "municipality": ("Woonplaats",),
        },
    ),
    "trajectories": _Kind(
        "trajectories",
        (
            "external_id",
            "client",
            "method",
            "registered_at",
            "case_manager",
            "coach",
            "phase",
            "phase_since",
            "closed_on",
            "outcome",
            "outcome_reason",
        ),
        {
            "client": _Ref("client_id", "clients", ("external_id",), "Klant"),
            "coach": _Ref("coach_id", "coaches", ("code", "name"), "Jobcoach"),
            "case_manager": _Ref("case_manager_id", "case_managers", ("name",), "Casemanager"),
        },
        {
            "external_id": ("Trajectnummer", "Nummer", "Id"),
            "client": ("Klant", "Klantnummer", "Extern nummer klant", "Cliëntnummer"),
            "registered_at": ("Aanmelddatum", "Aangemeld op", "Startdatum"),
            "coach": ("Jobcoach", "Coach", "Code jobcoach"),
            "case_manager": ("Casemanager", "Consulent"),
        },
    ),
    "contacts": _Kind(
        "contacts",
        ("trajectory", "kind", "held_on", "coach", "location", "participants", "notes"),
        {
            "trajectory": _Ref("trajectory_id", "trajectories", ("external_id",), "Traject"),
            "coach": _Ref("coach_id", "coaches", ("code", "name"), "Jobcoach"),
        },
        {
            "trajectory": ("Traject", "Trajectnummer", "Extern nummer traject"),
            "kind": ("Soort", "Type contact"),
            "held_on": ("Datum contact", "Gehouden op", "Contactdatum"),
            "coach": ("Jobcoach", "Coach"),
        },
    ),
    "employers": _Kind(
        "employers",
        (
            "external_id",
            "name",
            "sector",
            "municipality",
            "region",
            "inclusive",
            "social_work_company",
            "contact_name",
            "contact_email",
        ),
        {},
        {
            "external_id": ("Werkgeversnummer", "Nummer", "Id", "KvK-nummer"),
            "name": ("Werkgever", "Naam", "Bedrijf"),
            "contact_email": ("E-mail",),
        },
    ),
    "vacancies": _Kind(
        "vacancies",
        (
            "external_id",
            "employer",
            "title",
            "sector",
            "education_level",
            "hours_per_week",
            "municipality",
            "region",
            "driving_licence_required",
            "language_level",
            "required_skills",
            "wished_skills",
            "positions",
            "opened_on",
            "closed_on",
            "status",
        ),
        {"employer": _Ref("employer_id", "employers", ("external_id", "name"), "Werkgever")},
        {
            "external_id": ("Vacaturenummer", "Nummer", "Id"),
            "employer": ("Werkgever", "Extern nummer werkgever", "Bedrijf"),
            "title": ("Titel", "Vacature", "Functietitel"),
            "hours_per_week": ("Uren",),
            "positions": ("Plaatsen",),
            "opened_on": ("Geopend op", "Startdatum"),
        },
    ),
}

#: Identity of a contact: one of a kind per trajectory a day.
_CONTACT_KEY = ("trajectory_id", "kind", "held_on")


@dataclass
class _Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # normalised source header -> field
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def _field_names(kind: str) -> dict[str, str]:
    """Return every accepted header (normalised) -> field of a kind."""
    spec = _KINDS[kind]
    names: dict[str, str] = {}
    for f in spec.fields:
        label = spec.refs[f].label if f in spec.refs else validation.field_label(spec.entity, f)
        for name in (f, label, *spec.aliases.get(f, ())):
            names.setdefault(_norm(name), f)
    return names


def _load_mapping(path: str | os.PathLike[str] | None, kind: str) -> _Mapping:
    if path is None:
        return _Mapping()
    source = Path(path)
    try:
        data = tomllib.loads(source.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"Mappingbestand {source.name} is niet te lezen: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ImportFileError(f"Mappingbestand {source.name}: geen geldige TOML ({exc}).") from None

    def fail(key: str, message: str) -> ImportFileError:
        return ImportFileError(f"Mappingbestand {source.name}: sleutel '{key}': {message}")

    unknown_sections = set(data) - {"columns", "codes", "defaults", "options"}
    if unknown_sections:
        key = sorted(unknown_sections)[0]
        raise fail(key, "onbekende sectie; gebruik columns, codes, defaults of options")
    known = _field_names(kind) if kind != "register" else {}
    fields = set(_KINDS[kind].fields) if kind != "register" else set()
    out = _Mapping()

    def our_field(key: str, value: Any) -> str:
        if not isinstance(value, str) or _norm(value) not in known:
            options = ", ".join(sorted(fields))
            raise fail(key, f"onbekend veld '{value}'; bekend zijn: {options}")
        return known[_norm(value)]

    for src, target in (data.get("columns") or {}).items():
        out.columns[_norm(src)] = our_field(f"columns.{src}", target)
    for fld, table in (data.get("codes") or {}).items():
        if not isinstance(table, dict):
            raise fail(f"codes.{fld}", "moet een tabel zijn (bronwaarde = onze code)")
        target_field = our_field(f"codes.{fld}", fld)
        out.codes[target_field] = {str(k).strip().casefold(): v for k, v in table.items()}
    for fld, value in (data.get("defaults") or {}).items():
        out.defaults[our_field(f"defaults.{fld}", fld)] = value
    options = data.get("options") or {}
    for key, value in options.items():
        if key not in ("encoding", "delimiter", "sheet"):
            raise fail(f"options.{key}", "onbekende optie; kies encoding, delimiter of sheet")
        if not isinstance(value, str) or not value:
            raise fail(f"options.{key}", "moet een tekst zijn")
    out.options = dict(options)
    return out


# -- cell conversion ---------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _serial(value: float) -> dt.datetime:
    if not 1 <= value <= _MAX_SERIAL:
        raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")
    return _EXCEL_EPOCH + dt.timedelta(days=value)


def _as_number(value: str) -> float | None:
    try:
        return float(value) if re.fullmatch(r"\d+(\.\d+)?", value) else None
    except ValueError:
        return None


_DMY = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        match = _DMY.fullmatch(value)
        if match:  # the common case, without strptime
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)") from None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")
    if isinstance(value, int | float):
        return _serial(float(value)).date()
    if isinstance(value, str):
        number = _as_number(value)
        if number is not None and number <= _MAX_SERIAL:
            return _serial(number).date()
        return validation.parse_date(value)
    raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")


def _to_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, bool):
        raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)")
    if isinstance(value, int | float):
        return _serial(float(value)).replace(microsecond=0)
    if isinstance(value, str):
        number = _as_number(value)
        if number is not None and number <= _MAX_SERIAL:
            return _serial(number).replace(microsecond=0)
        for fmt in _DATETIME_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
        return validation.parse_datetime(value)
    raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)")


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.casefold()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise ValueError("moet ja of nee zijn")


def _to_float(value: Any) -> Any:
    if isinstance(value, str):
        compact = value.replace(" ", "")
        if "," in compact:
            compact = compact.replace(".", "").replace(",", ".")
        try:
            return float(compact)
        except ValueError:
            raise ValueError("moet een getal zijn") from None
    return value


def _to_list(value: Any) -> Any:
    if isinstance(value, str):
        items = [v.strip() for v in re.split(r"[,;|]", value)]
        return [v for v in items if v] or None
    return value


_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "date": _to_date,
    "datetime": _to_datetime,
    "bool": _to_bool,
    "float": _to_float,
    "list": _to_list,
}


def _text_columns(entity: str) -> frozenset[str]:
    table = ENTITIES[entity].__table__
    return frozenset(c.name for c in table.columns if isinstance(c.type, String | Text))


def _convert(
    entity: str,
    raw: Mapping[str, Any],
    types: Mapping[str, str],
    texts: frozenset[str],
    codes: Mapping[str, Mapping[str, Any]],
    labels: Callable[[str], str],
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Turn cells into values the record validator takes; collect what cannot be converted."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, cell in raw.items():
        value = cell
        if value.__class__ is str:
            if _CONTROL.search(value):
                bad = _CONTROL.search(value)
                assert bad is not None
                problems.append(
                    FieldProblem(
                        name,
                        labels(name),
                        f"bevat een onzichtbaar stuurteken (U+{ord(bad.group()):04X}); "
                        "verwijder het",
                    )
                )
                continue
            value = value.strip() or None
        if value is None:
            values[name] = None
            continue
        table = codes.get(name) if codes else None
        if table and isinstance(value, str | int | float):
            value = table.get(str(value).strip().casefold(), value)
        converter = _CONVERTERS.get(types.get(name, "other"))
        try:
            if converter is not None:
                value = converter(value)
            elif name in texts and isinstance(value, int | float) and not isinstance(value, bool):
                value = str(int(value)) if float(value).is_integer() else str(value)
            elif name in texts and isinstance(value, dt.datetime | dt.date):
                value = value.strftime("%d-%m-%Y")
        except (ValueError, OverflowError) as exc:
            problems.append(FieldProblem(name, labels(name), str(exc) or "ongeldige waarde"))
            continue
        values[name] = value
    return values, problems


# -- the import --------------------------------------------------------------------------------
@dataclass
class _Prepared:
    """Validated rows per table, ready to insert, and what happened to every row."""

    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    new: int = 0
    unchanged: int = 0
    read: int = 0
    empty: int = 0
    rejected_rows: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_lines: list[list[Any]] = field(default_factory=list)
    reject_headers: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    per_table: dict[str, tuple[int, int, int]] = field(default_factory=dict)


class _Ticker:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.progress, self.done = total, progress, 0
        self.step = max(1, total // 100)

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % self.step == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def _reject(
    prep: _Prepared,
    row: int,
    problems: Iterable[FieldProblem],
    cells: list[Any],
    *,
    prefix: str = "",
) -> None:
    prep.rejected_rows += 1
    for p in problems:
        label = f"{prefix}{p.label}" if p.label else prefix.rstrip(": ") or "Hele rij"
        prep.rejects.append((row, label, p.message))
        prep.reject_lines.append([row, label, p.message, *["" if c is None else c for c in cells]])


def _lookup_index(session: Session, ref: _Ref) -> dict[str, dict[str, int]]:
    table = ENTITIES[ref.target].__table__
    out: dict[str, dict[str, int]] = {}
    for key in ref.keys:
        rows = session.execute(select(table.c.id, table.c[key])).all()
        index: dict[str, int] = {}
        for rid, value in rows:
            if value is not None:
                index.setdefault(str(value).strip().casefold(), int(rid))
        out[key] = index
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return False
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    return bool(a == b)


def _prepare_kind(
    store: Store,
    session: Session,
    kind: str,
    table_in: _Table,
    mapping: _Mapping,
    ticker: _Ticker,
) -> _Prepared:
    spec = _KINDS[kind]
    entity = spec.entity
    prep = _Prepared(read=len(table_in.rows) + len(table_in.broken), empty=table_in.empty)
    accepted = _field_names(kind)
    columns: list[tuple[int, str]] = []
    seen_fields: dict[str, str] = {}
    for i, head in enumerate(table_in.headers):
        if not head:
            continue
        target = mapping.columns.get(_norm(head)) or accepted.get(_norm(head))
        if target is None:
            prep.ignored.append(head)
            continue
        if target in seen_fields:
            raise ImportFileError(
                f"Bestand {table_in.name}: kolommen '{seen_fields[target]}' en '{head}' vullen "
                f"allebei '{_label(spec, target)}'; pas de kolomnamen of de mapping aan."
            )
        seen_fields[target] = head
        columns.append((i, target))
    prep.reject_headers = ["Regel", "Veld", "Reden", *table_in.headers]
    present = set(seen_fields) | set(mapping.defaults)
    key_field = "external_id" if "external_id" in spec.fields else None
    if key_field and key_field not in present:
        raise ImportFileError(
            f"Bestand {table_in.name}: de kolom 'Extern nummer' ontbreekt; die is nodig om "
            "dezelfde rij bij een volgende import te herkennen."
        )
    for fld, ref in spec.refs.items():
        target_col = ENTITIES[entity].__table__.c[ref.column]
        if not target_col.nullable and fld not in present:
            raise ImportFileError(
                f"Bestand {table_in.name}: de kolom '{ref.label}' ontbreekt (verplicht)."
            )
    types = exporter.column_types(entity)
    texts = _text_columns(entity)
    indexes = {fld: _lookup_index(session, ref) for fld, ref in spec.refs.items() if fld in present}
    table = ENTITIES[entity].__table__
    compare_fields = [
        spec.refs[f].column if f in spec.refs else f for f in spec.fields if f in present
    ]
    existing: dict[Any, dict[str, Any]] = {}
    key_cols = [key_field] if key_field else list(_CONTACT_KEY)
    for row in session.execute(select(table)).mappings():
        existing[tuple(row[c] for c in key_cols)] = dict(row)
    method_cache: dict[str, Any] = {}
    model, context = validation.RECORDS[entity], {"today": store.today}
    seen_keys: dict[Any, int] = {}
    rows_out: list[dict[str, Any]] = []
    width = len(table_in.headers)

    def labels(name: str) -> str:
        return _label(spec, name)

    for number, message in table_in.broken:
        _reject(prep, number, [FieldProblem("", "Hele rij", message)], [])
        ticker.tick()
    for number, cells in table_in.rows:
        ticker.tick()
        if len(cells) < width:
            _reject(
                prep,
                number,
                [
                    FieldProblem(
                        "",
                        "Hele rij",
                        f"heeft {len(cells)} van de {width} kolommen (afgebroken of verschoven "
                        "regel)",
                    )
                ],
                cells,
            )
            continue
        if len(cells) > width and any(not _blank(c) for c in cells[width:]):
            _reject(
                prep,
                number,
                [FieldProblem("", "Hele rij", f"heeft meer waarden dan de {width} kolommen")],
                cells,
            )
            continue
        raw: dict[str, Any] = dict(mapping.defaults)
        for i, target in columns:
            raw[target] = cells[i]
        ref_values = {f: raw.pop(f) for f in list(raw) if f in spec.refs}
        values, problems = _convert(entity, raw, types, texts, mapping.codes, labels)
        for fld, cell in ref_values.items():
            ref = spec.refs[fld]
            code = None if _blank(cell) else str(cell).strip()
            if isinstance(cell, float) and cell.is_integer():
                code = str(int(cell))
            if code is None:
                values[ref.column] = None
                continue
            if _CONTROL.search(code):
                problems.append(FieldProblem(fld, ref.label, "bevat een onzichtbaar stuurteken"))
                continue
            found = None
            for key in ref.keys:
                found = indexes[fld][key].get(code.casefold())
                if found is not None:
                    break
            if found is None:
                problems.append(
                    FieldProblem(
                        fld,
                        ref.label,
                        f"onbekende {validation.ENTITY_LABELS[ref.target].lower()} '{code}'"
                        + (
                            f"; importeer eerst de {KINDS[ref.target]}"
                            if ref.target in KINDS
                            else ""
                        ),
                    )
                )
            values[ref.column] = found
        if entity == "trajectories" and not problems:
            problems += _trajectory_defaults(store, values, method_cache)
        if problems:  # name the other fields' problems too, not only the first kind
            failed = {p.field for p in problems}
            rest = {k: v for k, v in values.items() if k not in failed}
            if entity == "trajectories":  # phase and its date follow from the method
                failed |= {f for f in ("phase", "phase_since") if rest.get(f) is None}
                _trajectory_defaults(store, rest, method_cache)
            try:
                validation.validate(entity, rest, row=number, today=store.today)
            except InvalidRecord as exc:
                problems += [p for p in exc.problems if p.field not in failed]
            _reject(prep, number, problems, cells)
            continue
        try:  # the record model directly (fast path); validation.validate words the problems
            clean = model.model_validate(values, context=context).model_dump()
        except ValidationError:
            try:
                validation.validate(entity, values, row=number, today=store.today)
            except InvalidRecord as exc:
                _reject(prep, number, exc.problems, cells)
                continue
            raise
        row_key = tuple(clean[c] for c in key_cols)
        if row_key in seen_keys:
            what = "extern nummer" if key_field else "traject, soort en datum"
            _reject(
                prep,
                number,
                [
                    FieldProblem(
                        key_field or "held_on",
                        labels(key_field or "held_on"),
                        f"dubbel in het bestand: zelfde {what} als regel {seen_keys[row_key]}",
                    )
                ],
                cells,
            )
            continue
        seen_keys[row_key] = number
        old = existing.get(row_key)
        if old is not None:
            diff = [f for f in compare_fields if not _same(old.get(f), clean.get(f))]
            if diff:
                _reject(
                    prep,
                    number,
                    [
                        FieldProblem(
                            diff[0],
                            labels(diff[0]),
                            "bestaat al in het register met een andere waarde "
                            f"({', '.join(labels(d) for d in diff)}); een import overschrijft "
                            "niets",
                        )
                    ],
                    cells,
                )
            else:
                prep.unchanged += 1
            continue
        prep.new += 1
        rows_out.append(clean)
    prep.inserts[entity] = rows_out
    imported = prep.new + prep.unchanged
    prep.per_table[entity] = (prep.read, imported, prep.rejected_rows)
    return prep


def _label(spec: _Kind, name: str) -> str:
    for fld, ref in spec.refs.items():
        if name in (fld, ref.column):
            return ref.label
    return validation.field_label(spec.entity, name)


def _trajectory_defaults(
    store: Store, values: dict[str, Any], cache: dict[str, Any]
) -> list[FieldProblem]:
    """Fill phase and phase date from the method; check the phase belongs to it."""
    code = values.get("method")
    if not isinstance(code, str) or not code:
        return []  # validation names the missing method
    if code not in cache:
        try:
            cache[code] = store.method(code, field="method")
        except InvalidRecord as exc:
            cache[code] = exc
    m = cache[code]
    if isinstance(m, InvalidRecord):
        return list(m.problems)
    if values.get("phase") is None:
        values["phase"] = m.method.initial_phase
    elif values["phase"] not in m.phase_codes:
        by_label = {_norm(p.label): p.code for p in m.phases}
        phase = by_label.get(_norm(str(values["phase"])))
        if phase is None:
            options = ", ".join(p.label for p in m.phases)
            return [
                FieldProblem(
                    "phase",
                    "Fase",
                    f"'{values['phase']}' is geen fase van methode '{m.name}'; kies uit: {options}",
                )
            ]
        values["phase"] = phase
    if values.get("phase_since") is None and isinstance(values.get("registered_at"), dt.datetime):
        values["phase_since"] = values["registered_at"].date()
    return []


def _register_types(entity: str) -> dict[str, str]:
    types = exporter.column_types(entity)
    types.pop("id", None)
    return types


def _prepare_register(
    store: Store,
    session: Session,
    tables: Mapping[str, _Table],
    ticker: _Ticker,
) -> _Prepared:
    prep = _Prepared(reject_headers=["Regel", "Veld", "Reden"])
    known: dict[str, set[int]] = {}
    method_cache: dict[str, Any] = {}
    for entity in exporter.SHEETS:
        table: Any = ENTITIES[entity].__table__
        db_rows = {int(r["id"]): dict(r) for r in session.execute(select(table)).mappings()}
        known[entity] = set(db_rows)
        tin = tables.get(entity)
        if tin is None:
            continue
        sheet = exporter.SHEETS[entity]
        prefix = f"{sheet}: "
        read_before, rejected_before = prep.read, prep.rejected_rows
        new_before, unchanged_before = prep.new, prep.unchanged
        prep.read += len(tin.rows) + len(tin.broken)
        prep.empty += tin.empty
        by_header = {
            _norm(exporter.header(entity, c)): c for c in exporter.columns(entity, full=True)
        }
        by_header.update({_norm(c): c for c in exporter.columns(entity, full=True)})
        cols: list[tuple[int, str]] = []
        for i, head in enumerate(tin.headers):
            target = by_header.get(_norm(head)) if head else None
            if target is None:
                if head:
                    prep.ignored.append(f"{sheet}: {head}")
                continue
            cols.append((i, target))
        present = {c for _, c in cols}
        if "id" not in present:
            raise ImportFileError(f"Blad {sheet}: de kolom 'Nummer' ontbreekt.")
        types = _register_types(entity)
        texts = _text_columns(entity)
        model_fields = (
            set(validation.RECORDS[entity].model_fields) if entity in validation.RECORDS else set()
        )
        uniques = [c.name for c in table.columns if c.unique and c.name != "id"] + [
            next(iter(con.columns)).name
            for con in table.constraints
            if con.__class__.__name__ == "UniqueConstraint" and len(con.columns) == 1
        ]
        unique_seen: dict[str, dict[Any, int]] = {
            u: {r[u]: rid for rid, r in db_rows.items() if r.get(u) is not None} for u in uniques
        }
        fks = [
            (c.name, next(iter(c.foreign_keys)).column.table.name)
            for c in table.columns
            if c.foreign_keys
        ]
        width = len(tin.headers)
        rows_out: list[dict[str, Any]] = []

        def labels(name: str, entity: str = entity) -> str:
            return exporter.header(entity, name)

        for number, message in tin.broken:
            _reject(prep, number, [FieldProblem("", "Hele rij", message)], [], prefix=prefix)
            ticker.tick()
        for number, cells in tin.rows:
            ticker.tick()
            if len(cells) < width:
                problem = FieldProblem(
                    "", "Hele rij", f"heeft {len(cells)} van de {width} kolommen (afgebroken regel)"
                )
                _reject(prep, number, [problem], [], prefix=prefix)
                continue
            raw = {target: cells[i] for i, target in cols}
            rid_cell = raw.pop("id")
            values, problems = _convert(entity, raw, types, texts, {}, labels)
            try:
                rid = int(str(rid_cell).strip()) if not _blank(rid_cell) else None
                if rid is not None and rid < 1:
                    raise ValueError
            except ValueError:
                rid = None
            if rid is None:
                problems.append(FieldProblem("id", "Nummer", "moet een positief geheel getal zijn"))
            if not problems:
                try:
                    clean = _validate_register_row(store, entity, values, model_fields, number)
                except InvalidRecord as exc:
                    problems = list(exc.problems)
            if not problems and entity == "trajectories":
                check = dict(clean)
                problems = _trajectory_defaults(store, check, method_cache)
            if not problems:
                for col, target in fks:
                    ref = clean.get(col)
                    if ref is not None and ref not in known[target]:
                        problems.append(
                            FieldProblem(
                                col,
                                labels(col),
                                f"verwijst naar een onbekende of afgewezen "
                                f"{validation.ENTITY_LABELS[target].lower()} ({ref})",
                            )
                        )
            if problems:
                _reject(prep, number, problems, [], prefix=prefix)
                continue
            assert rid is not None
            old = db_rows.get(rid)
            if old is not None:
                diff = [c for c in clean if c in present and not _same(old.get(c), clean[c])]
                if diff:
                    problem = FieldProblem(
                        diff[0],
                        labels(diff[0]),
                        f"nummer {rid} bestaat al met een andere waarde "
                        f"({', '.join(labels(d) for d in diff)}); een import overschrijft niets",
                    )
                    _reject(prep, number, [problem], [], prefix=prefix)
                else:
                    prep.unchanged += 1
                continue
            if rid in known[entity]:
                problem = FieldProblem("id", "Nummer", f"nummer {rid} staat dubbel in het blad")
                _reject(prep, number, [problem], [], prefix=prefix)
                continue
            clash = [u for u in uniques if clean.get(u) is not None and clean[u] in unique_seen[u]]
            if clash:
                u = clash[0]
                problem = FieldProblem(
                    u, labels(u), f"'{clean[u]}' komt al voor (nummer {unique_seen[u][clean[u]]})"
                )
                _reject(prep, number, [problem], [], prefix=prefix)
                continue
            for u in uniques:
                if clean.get(u) is not None:
                    unique_seen[u][clean[u]] = rid
            known[entity].add(rid)
            prep.new += 1
            rows_out.append({"id": rid, **clean})
        prep.inserts[entity] = rows_out
        prep.per_table[entity] = (
            prep.read - read_before,
            prep.new - new_before + prep.unchanged - unchanged_before,
            prep.rejected_rows - rejected_before,
        )
    return prep


_PLAIN_LIMITS: Mapping[tuple[str, str], int] = {
    ("phase_events", "phase"): 40,
    ("phase_events", "actor"): 80,
    ("coach_assignments", "reason"): 200,
}


def _validate_register_row(
    store: Store, entity: str, values: dict[str, Any], model_fields: set[str], row: int
) -> dict[str, Any]:
    """Validate one row of a register sheet: the edge record plus the columns it lacks."""
    extra = {k: v for k, v in values.items() if k not in model_fields}
    if model_fields:
        clean = validation.validate(
            entity,
            {k: v for k, v in values.items() if k in model_fields},
            row=row,
            today=store.today,
        )
    else:
        clean = {}
    problems: list[FieldProblem] = []
    table = ENTITIES[entity].__table__
    for name, value in extra.items():
        col = table.c[name]
        label = exporter.header(entity, name)
        if value is None:
            if not col.nullable:
                problems.append(FieldProblem(name, label, "is verplicht"))
            clean[name] = None
            continue
        if isinstance(col.type, String | Text) and not isinstance(value, str):
            problems.append(FieldProblem(name, label, "moet tekst zijn"))
        limit = _PLAIN_LIMITS.get((entity, name)) or getattr(col.type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(FieldProblem(name, label, f"is te lang (maximaal {limit} tekens)"))
        number = value
        if name.endswith("_id") and not isinstance(value, int):
            try:
                number = int(str(value))
            except ValueError:
                problems.append(FieldProblem(name, label, "moet een geheel getal zijn"))
        clean[name] = number
    for name in extra.keys() - clean.keys():
        clean[name] = values[name]
    if entity == "clients" and clean.get("created_at") is None:
        clean["created_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    if entity == "clients" and not clean.get("pseudonym"):
        problems.append(
            FieldProblem("pseudonym", "Pseudoniem", "is verplicht in een registerexport")
        )
    if problems:
        raise InvalidRecord(validation.ENTITY_LABELS.get(entity, entity), problems, row=row)
    return clean


def _write_rejects(path: Path, prep: _Prepared) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(prep.reject_headers)
    for line in prep.reject_lines:
        writer.writerow([exporter.csv_text(v) for v in line])
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))


def _new_pseudonyms(session: Session, count: int) -> list[str]:
    """Return ``count`` new, unused client pseudonyms (K- and 6 random characters)."""
    import secrets

    from trajecttools.core.model import Client
    from trajecttools.core.names import PSEUDONYM_ALPHABET as alphabet

    assert len(alphabet) == 32  # 256 % 32 == 0: every byte maps to a character without bias
    taken = {p for (p,) in session.execute(select(Client.pseudonym))}
    out: list[str] = []
    while len(out) < count:
        need = count - len(out)
        raw = secrets.token_bytes(6 * need)
        for i in range(need):
            code = "K-" + "".join(alphabet[b % 32] for b in raw[6 * i : 6 * i + 6])
            if code not in taken:
                taken.add(code)
                out.append(code)
    return out


def _write(
    store: Store, session: Session, kind: str, prep: _Prepared, source: Path, actor: str
) -> None:
    """Insert every prepared row in the session's (single) transaction, with audit rows."""
    from trajecttools.register.bulk import insert_frame
    from trajecttools.register.transactions import Tx

    conn = session.connection()
    tx = Tx(store, session, actor, store.today)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for table in Base.metadata.sorted_tables:
        rows = prep.inserts.get(table.name)
        if not rows:
            continue
        if kind == "register":
            insert_frame(conn, table, pd.DataFrame(rows, dtype=object))
            tx.log("import", table.name, None, None, None, f"{len(rows)} rijen uit {source.name}")
            continue
        if table.name == "clients":
            for row, code in zip(rows, _new_pseudonyms(session, len(rows)), strict=True):
                row["pseudonym"], row["created_at"] = code, now
        before = conn.execute(select(func.max(table.c.id))).scalar() or 0
        insert_frame(conn, table, pd.DataFrame(rows, dtype=object))
        tx.log("import", table.name, None, None, None, f"{len(rows)} rijen uit {source.name}")
        if table.name == "trajectories":
            _trajectory_history(conn, table, before, rows, actor)
            tx.log(
                "import",
                "phase_events",
                None,
                None,
                None,
                f"{len(rows)} rijen (begin huidige fase) uit {source.name}",
            )
    if kind == "register" and conn.dialect.name == "postgresql":
        for table in Base.metadata.sorted_tables:
            if prep.inserts.get(table.name):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
                )
    tx.write_audit()


def _trajectory_history(
    conn: Any, table: Any, before: int, rows: list[dict[str, Any]], actor: str
) -> None:
    """Give imported trajectories their phase event, an (unsigned) plan and coach assignment."""
    from trajecttools.register.bulk import insert_frame

    ids = dict(
        conn.execute(select(table.c.external_id, table.c.id).where(table.c.id > before)).all()
    )
    events, plans, assignments = [], [], []
    for row in rows:
        tid = ids[row["external_id"]]
        events.append(
            {
                "trajectory_id": tid,
                "phase": row["phase"],
                "started_on": row["phase_since"],
                "actor": actor,
            }
        )
        plans.append({"trajectory_id": tid})
        if row.get("coach_id") is not None:
            assignments.append(
                {
                    "trajectory_id": tid,
                    "coach_id": row["coach_id"],
                    "assigned_at": row["registered_at"],
                    "reason": "import",
                }
            )
    meta = Base.metadata.tables
    insert_frame(conn, meta["phase_events"], pd.DataFrame(events, dtype=object))
    insert_frame(conn, meta["trajectory_plans"], pd.DataFrame(plans, dtype=object))
    if assignments:
        insert_frame(conn, meta["coach_assignments"], pd.DataFrame(assignments, dtype=object))


def import_file(
    store: Store,
    path: str | os.PathLike[str],
    *,
    kind: str,
    mapping: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    actor: str | None = None,
    progress: Progress | None = None,
    reject_path: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Import a CSV or Excel file of one kind (or a whole register export) into the register.

    Every row is validated; valid rows are saved in one transaction, invalid rows are written
    to a reject file next to the input (or ``reject_path``). ``dry_run`` checks everything and
    saves nothing. ``progress(done, total)`` is called while rows are checked. Raises
    :class:`ImportFileError` (Dutch message, nothing saved) when the file cannot be read or the
    database refuses the write.
    """
    if kind not in KINDS:
        raise ImportFileError(f"Onbekende soort import '{kind}'; kies uit: {', '.join(KINDS)}.")
    source = Path(path)
    if not source.exists():
        raise ImportFileError(f"Bestand {source} bestaat niet.")
    maps = _load_mapping(mapping, kind)
    if kind == "register":
        tables, unknown = _read_register(source)
        total = sum(len(t.rows) + len(t.broken) for t in tables.values())
    else:
        single = _read_single(source, maps.options)
        total = len(single.rows) + len(single.broken)
    ticker = _Ticker(total, progress)
    who = actor or store.actor
    try:
        with Session(store.writer) as session:
            session.begin()
            try:
                if kind == "register":
                    prep = _prepare_register(store, session, tables, ticker)
                    prep.ignored = unknown + prep.ignored
                else:
                    prep = _prepare_kind(store, session, kind, single, maps, ticker)
                if dry_run:
                    session.rollback()
                else:
                    _write(store, session, kind, prep, source, who)
                    session.commit()
            except BaseException:
                session.rollback()
                raise
    except TrajecttoolsError:
        raise
    except Exception as exc:  # database refused the write: the transaction was rolled back
        from sqlalchemy.exc import SQLAlchemyError

        dbapi = store.engine.dialect.dbapi
        refused: tuple[type[BaseException], ...] = (SQLAlchemyError,)
        if dbapi is not None:
            refused += (dbapi.Error,)
        if not isinstance(exc, refused):
            raise
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise ImportFileError(
            f"Import van {source.name} mislukt: de database weigerde het opslaan ({reason}). "
            "Er is niets opgeslagen; het register is ongewijzigd."
        ) from exc
    if total == 0 and progress is not None:
        progress(0, 0)
    result = ImportResult(
        kind=kind,
        source=source,
        read=prep.read,
        imported=prep.new + prep.unchanged,
        new=prep.new,
        unchanged=prep.unchanged,
        rejected=prep.rejected_rows,
        empty_rows=prep.empty,
        rejects=prep.rejects,
        dry_run=dry_run,
        ignored_columns=prep.ignored,
        per_table=prep.per_table,
    )
    if result.read != result.imported + result.rejected:  # pragma: no cover - invariant
        raise AssertionError("import bookkeeping: read != imported + rejected")
    default_rejects = source.with_name(source.stem + ".afgewezen.csv")
    target = Path(reject_path) if reject_path is not None else default_rejects
    if prep.rejects:
        _write_rejects(target, prep)
        result.reject_path = target
    elif reject_path is None:
        default_rejects.unlink(missing_ok=True)
    return result


__all__ = ["KINDS", "ImportFileError", "ImportResult", "import_file"]
