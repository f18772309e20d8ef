"""Drafting a mapping file from a source file: which column fills which field, which value means
which code, written as TOML to keep for the next import.

:func:`draft_mapping` reads a CSV or Excel file, guesses each column's field (as the import
would) and lists, per field with a code list, the values in the file that are neither a code nor
its Dutch label. A person (the import widget's mapping editor) corrects the guesses and picks the
codes; :func:`mapping_toml` writes the result, which :func:`load_mapping` reads back.

>>> draft = MappingDraft("clients", ["Nr", "Doelgroep"], {"Nr": "external_id",
...                      "Doelgroep": "target_group"}, {"target_group": {"JNG": "young_people"}})
>>> print(mapping_toml(draft))
[columns]
"Nr" = "external_id"
"Doelgroep" = "target_group"
<BLANKLINE>
[codes.target_group]
"JNG" = "young_people"
<BLANKLINE>
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trajecttools.core import vocab
from trajecttools.outputs.importer.kinds import KIND_SPECS
from trajecttools.outputs.importer.mapping import field_names, load_mapping, norm
from trajecttools.outputs.importer.readers import blank, read_single

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Fields whose values are codes, and their code lists (the phase list comes from the method).
CODE_FIELDS: Mapping[str, Mapping[str, str]] = {
    "target_group": vocab.TARGET_GROUPS,
    "education_level": vocab.EDUCATION_LEVELS,
    "outcome": vocab.OUTCOMES,
    "kind": vocab.CONTACT_KINDS,
    "sector": vocab.SECTORS,
    "phase": {},
}
#: The method whose phases are offered when the file names none.
DEFAULT_METHOD = "opstapbaan"
#: Distinct values listed per column, at most.
MAX_VALUES = 60


@dataclass
class MappingDraft:
    """A mapping being made: column -> field (None: not used), codes per field, defaults."""

    kind: str
    headers: list[str]
    columns: dict[str, str | None]
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)  # field -> values to map


def field_choices(kind: str) -> list[tuple[str, str]]:
    """Return (Dutch label, field) of every field a kind fills."""
    spec = KIND_SPECS[kind]
    return [(f"{spec.label(f)} ({f})", f) for f in spec.fields]


def code_choices(store: Store | None, fld: str, method: str | None = None) -> list[tuple[str, str]]:
    """Return (Dutch label, code) of a code field; the phases of ``method`` for ``phase``."""
    if fld == "phase":
        if store is None:
            return []
        m = store.method(method or DEFAULT_METHOD)
        return [(p.label, p.code) for p in m.phases]
    return [(label, code) for code, label in CODE_FIELDS.get(fld, {}).items()]


def _taken_as_is(store: Store | None, fld: str, method: str | None) -> Callable[[str], bool]:
    """Whether the import takes a value as it is: a code, or a label (casefolded; a phase
    compared normalised, as the import compares phases)."""
    pairs = code_choices(store, fld, method)
    if fld == "phase":
        phases = {norm(x) for pair in pairs for x in pair}
        return lambda value: norm(value) in phases
    codes = {code for _label, code in pairs}
    labels = {label.casefold() for label, _code in pairs}
    return lambda value: value in codes or value.casefold() in labels


def draft_mapping(store: Store | None, path: str | os.PathLike[str], kind: str,
                  mapping: str | os.PathLike[str] | None = None,
                  chosen: Mapping[str, str | None] | None = None) -> MappingDraft:
    """Read a source file and guess its mapping (starting from ``mapping`` when given);
    ``chosen`` (header -> field or None) overrides the guesses, e.g. a person's choices."""
    start = load_mapping(mapping, kind)
    table = read_single(Path(path), start.options)
    accepted = field_names(kind)
    columns: dict[str, str | None] = {}
    used: set[str] = set()
    for head in table.headers:
        if not head:
            continue
        target = start.columns.get(norm(head)) or accepted.get(norm(head))
        if chosen is not None and head in chosen:
            target = chosen[head]
        columns[head] = target if target not in used else None
        if target is not None:
            used.add(target)
    defaults = {k: str(v) for k, v in start.defaults.items()}
    codes = {k: {str(s): str(c) for s, c in v.items()} for k, v in start.codes.items()}
    options = {k: str(v) for k, v in start.options.items() if k != "key"}
    draft = MappingDraft(kind, [h for h in table.headers if h], columns, codes, defaults, options)
    method = defaults.get("method")
    for i, head in enumerate(table.headers):
        fld = columns.get(head)
        if fld is None or fld not in CODE_FIELDS:
            continue
        as_is = _taken_as_is(store, fld, method)
        mapped = draft.codes.get(fld, {})
        found: list[str] = []  # values the file has that are no code or label yet
        for _number, cells in table.rows:
            cell = cells[i] if i < len(cells) else None
            if blank(cell):
                continue
            value = str(cell).strip()
            if as_is(value) or value in found or value.casefold() in mapped:
                continue
            found.append(value)
            if len(found) >= MAX_VALUES:
                break
        draft.values[fld] = found
    return draft


def _q(text: Any) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def mapping_toml(draft: MappingDraft) -> str:
    """Return the draft as a mapping file (TOML) that :func:`load_mapping` reads."""
    lines = ["[columns]"]
    lines += [f"{_q(head)} = {_q(fld)}" for head, fld in draft.columns.items() if fld]
    lines.append("")
    for fld, table in draft.codes.items():
        chosen = {k: v for k, v in table.items() if v}
        if not chosen:
            continue
        lines.append(f"[codes.{fld}]")
        lines += [f"{_q(src)} = {_q(code)}" for src, code in chosen.items()]
        lines.append("")
    for section, values in (("defaults", draft.defaults), ("options", draft.options)):
        if values:
            lines.append(f"[{section}]")
            lines += [f"{key} = {_q(value)}" for key, value in values.items()]
            lines.append("")
    return "\n".join(lines)


__all__ = ["CODE_FIELDS", "MappingDraft", "code_choices", "draft_mapping", "field_choices",
           "mapping_toml"]
