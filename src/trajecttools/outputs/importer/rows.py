"""Checking the rows of one import kind against the register: what is new, same or rejected.

Clients, trajectories, employers and vacancies are recognised by their ``Extern nummer``,
contacts by trajectory, kind and date, so a second import of the same file adds nothing. A row
already present with other values is rejected: an import does not overwrite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.model import ENTITIES
from trajecttools.outputs import export as exporter
from trajecttools.outputs.importer.conversion import (
    CONTROL,
    convert,
    same_value,
    text_columns,
    trajectory_defaults,
)
from trajecttools.outputs.importer.kinds import CONTACT_KEY, KIND_SPECS, KINDS, Ref
from trajecttools.outputs.importer.mapping import SourceMapping, field_names, source_columns
from trajecttools.outputs.importer.readers import Table, blank
from trajecttools.outputs.importer.result import ImportFileError, Prepared, Ticker, reject
from trajecttools.register.bsn import refuse_unconfigured_bsn

if TYPE_CHECKING:
    from trajecttools.register.store import Store


def lookup_index(session: Session, ref: Ref) -> dict[str, dict[str, int]]:
    """Return, per key column of the referenced table, its values (casefolded) -> record id."""
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


def _refuse_bsn_of_method(store: Store, session: Session, clean: dict[str, Any],
                          number: int) -> None:
    """A trajectory of a method without BSN (art60) for a client with one is refused."""
    m = store.methods().get(str(clean.get("method")))
    if m is None or m.words.identifier == "BSN" or clean.get("client_id") is None:
        return
    bsn = session.execute(
        select(ENTITIES["clients"].bsn).where(  # type: ignore[attr-defined]
            ENTITIES["clients"].id == clean["client_id"])  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if bsn:
        raise InvalidRecord("Traject", [FieldProblem(
            "client", "Klant", f"heeft een BSN, maar methode '{m.name}' vraagt geen BSN (die"
            f" gebruikt het {m.words.identifier}); verwijder het BSN van deze klant")], row=number)


def prepare_kind(
    store: Store,
    session: Session,
    kind: str,
    table_in: Table,
    mapping: SourceMapping,
    ticker: Ticker,
) -> Prepared:
    """Check every row of a kind's table; return the new rows to insert and the rejects."""
    spec = KIND_SPECS[kind]
    entity = spec.entity
    prep = Prepared(read=len(table_in.rows) + len(table_in.broken), empty=table_in.empty)
    sources = source_columns(table_in, mapping, field_names(kind), spec.label, prep.ignored)
    columns = [(i, target) for target, (i, _head) in sources.items()]
    seen_fields = {target: head for target, (_i, head) in sources.items()}
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
    texts = text_columns(entity)
    indexes = {fld: lookup_index(session, ref) for fld, ref in spec.refs.items() if fld in present}
    table = ENTITIES[entity].__table__
    compare_fields = [
        spec.refs[f].column if f in spec.refs else f for f in spec.fields if f in present
    ]
    existing: dict[Any, dict[str, Any]] = {}
    key_cols = [key_field] if key_field else list(CONTACT_KEY)
    for row in session.execute(select(table)).mappings():
        existing[tuple(row[c] for c in key_cols)] = dict(row)
    method_cache: dict[str, Any] = {}
    model, context = validation.RECORDS[entity], {"today": store.today}
    seen_keys: dict[Any, int] = {}
    rows_out: list[dict[str, Any]] = []
    width = len(table_in.headers)

    def labels(name: str) -> str:
        return spec.label(name)

    for number, message in table_in.broken:
        reject(prep, number, [FieldProblem("", "Hele rij", message)], [])
        ticker.tick()
    for number, cells in table_in.rows:
        ticker.tick()
        if len(cells) < width:
            reject(
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
        if len(cells) > width and any(not blank(c) for c in cells[width:]):
            reject(
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
        values, problems = convert(entity, raw, types, texts, mapping.codes, labels)
        for fld, cell in ref_values.items():
            ref = spec.refs[fld]
            code = None if blank(cell) else str(cell).strip()
            if isinstance(cell, float) and cell.is_integer():
                code = str(int(cell))
            if code is None:
                values[ref.column] = None
                continue
            if CONTROL.search(code):
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
            problems += trajectory_defaults(store, values, method_cache)
        if problems:  # name the other fields' problems too, not only the first kind
            failed = {p.field for p in problems}
            failed |= {spec.refs[f].column for f in failed if f in spec.refs}  # one cause
            rest = {k: v for k, v in values.items() if k not in failed}
            if entity == "trajectories":  # phase and its date follow from the method
                failed |= {f for f in ("phase", "phase_since") if rest.get(f) is None}
                trajectory_defaults(store, rest, method_cache)
            try:
                validation.validate(entity, rest, row=number, today=store.today)
            except InvalidRecord as exc:
                problems += [p for p in exc.problems if p.field not in failed]
            reject(prep, number, problems, cells)
            continue
        try:  # the record model directly (fast path); validation.validate words the problems
            clean = model.model_validate(values, context=context).model_dump()
        except ValidationError:
            try:
                validation.validate(entity, values, row=number, today=store.today)
            except InvalidRecord as exc:
                reject(prep, number, exc.problems, cells)
                continue
            raise
        try:  # a BSN or rijksregisternummer only where the register stores it
            refuse_unconfigured_bsn(session, entity, clean, row=number)
            if entity == "trajectories":
                _refuse_bsn_of_method(store, session, clean, number)
        except InvalidRecord as exc:
            reject(prep, number, exc.problems, cells)
            continue
        row_key = tuple(clean[c] for c in key_cols)
        if row_key in seen_keys:
            what = "extern nummer" if key_field else "traject, soort en datum"
            reject(
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
            diff = [f for f in compare_fields if not same_value(old.get(f), clean.get(f))]
            if diff:
                reject(
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
