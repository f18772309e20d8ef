"""Which source column fills which field, and which source code means which of ours.

Without a mapping file a kind accepts its field names, their Dutch labels and a few aliases
(see :mod:`trajecttools.outputs.importer.kinds`), compared without case, accents or punctuation. A
mapping file (TOML, sections ``columns``, ``codes``, ``defaults``, ``options``) adds more.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trajecttools.outputs.importer.kinds import (
    CASELOAD_KEY_FIELDS,
    CASELOAD_LABELS,
    KIND_SPECS,
)
from trajecttools.outputs.importer.readers import Table
from trajecttools.outputs.importer.result import ImportFileError


def norm(name: str) -> str:
    """Return a header or label reduced to lower-case letters and digits, without accents."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", plain.casefold())


@dataclass
class SourceMapping:
    """A loaded mapping file: source headers, code tables, defaults and reading options."""

    columns: dict[str, str] = field(default_factory=dict)  # normalised source header -> field
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def field_names(kind: str) -> dict[str, str]:
    """Return every accepted header (normalised) -> field of a kind."""
    spec = KIND_SPECS[kind]
    names: dict[str, str] = {}
    for f in spec.fields:
        label = spec.label(f)
        for name in (f, label, *spec.aliases.get(f, ())):
            names.setdefault(norm(name), f)
    return names


def caseload_key(
    value: Any, known: dict[str, str], fail: Callable[[str, str], ImportFileError]
) -> tuple[str, ...]:
    """Return the fields of a caseload key (``[options] key``): a list or comma-separated text."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise fail("options.key", "moet een lijst van velden zijn, bv. [\"Klantnummer\", "
                   "\"Datum aanmelding\"]")
    fields: list[str] = []
    for item in items:
        fld = known.get(norm(str(item)))
        if fld not in CASELOAD_KEY_FIELDS:
            choices = ", ".join(CASELOAD_LABELS[f] for f in CASELOAD_KEY_FIELDS)
            raise fail("options.key", f"'{item}' kan geen deel van de sleutel zijn; kies uit: "
                       f"{choices}")
        fields.append(fld)
    if "client_number" not in fields:
        raise fail("options.key", "de sleutel moet het Klantnummer bevatten")
    return tuple(dict.fromkeys(fields))


def load_mapping(path: str | os.PathLike[str] | None, kind: str) -> SourceMapping:
    """Read a mapping file for a kind (none: an empty mapping); refuse unknown keys in Dutch."""
    if path is None:
        return SourceMapping()
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
    known = field_names(kind) if kind != "register" else {}
    fields = set(KIND_SPECS[kind].fields) if kind != "register" else set()
    out = SourceMapping()

    def our_field(key: str, value: Any) -> str:
        if not isinstance(value, str) or norm(value) not in known:
            options = ", ".join(sorted(fields))
            raise fail(key, f"onbekend veld '{value}'; bekend zijn: {options}")
        return known[norm(value)]

    for src, target in (data.get("columns") or {}).items():
        out.columns[norm(src)] = our_field(f"columns.{src}", target)
    for fld, table in (data.get("codes") or {}).items():
        if not isinstance(table, dict):
            raise fail(f"codes.{fld}", "moet een tabel zijn (bronwaarde = onze code)")
        target_field = our_field(f"codes.{fld}", fld)
        out.codes[target_field] = {str(k).strip().casefold(): v for k, v in table.items()}
    for fld, value in (data.get("defaults") or {}).items():
        out.defaults[our_field(f"defaults.{fld}", fld)] = value
    options = data.get("options") or {}
    for key, value in options.items():
        if key == "key" and kind == "caseload":
            options = {**options, "key": caseload_key(value, known, fail)}
            continue
        if key not in ("encoding", "delimiter", "sheet"):
            extra = ", sheet of key" if kind == "caseload" else " of sheet"
            raise fail(f"options.{key}", f"onbekende optie; kies encoding, delimiter{extra}")
        if not isinstance(value, str) or not value:
            raise fail(f"options.{key}", "moet een tekst zijn")
    out.options = dict(options)
    return out


def source_columns(table_in: Table, mapping: SourceMapping, accepted: dict[str, str],
                   label: Callable[[str], str], ignored: list[str]) -> dict[str, tuple[int, str]]:
    """Return which source column fills which field (field -> (index, header)).

    A header is taken by the mapping first, then by the field's own names (``accepted``, from
    :func:`field_names`); headers that fill no field go to ``ignored``; a field filled by two
    columns is refused, naming both.
    """
    found: dict[str, tuple[int, str]] = {}
    for i, head in enumerate(table_in.headers):
        if not head:
            continue
        target = mapping.columns.get(norm(head)) or accepted.get(norm(head))
        if target is None:
            ignored.append(head)
            continue
        if target in found:
            raise ImportFileError(
                f"Bestand {table_in.name}: kolommen '{found[target][1]}' en '{head}' vullen "
                f"allebei '{label(target)}'; pas de kolomnamen of de mapping aan."
            )
        found[target] = (i, head)
    return found

